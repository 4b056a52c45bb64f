"""Supervision, safeguarding discussions, reflective practice and peer-network sessions.

Layer 4 (docs/adr/0004): imports lms, content and competencies, never the other way.
These records are the evidence that the support the DES requires really happens, so
nothing here is hard-deleted: a confirmed supervision record is corrected by addenda,
a safeguarding log by addenda, a session is cancelled rather than removed.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# --- supervision sessions ---------------------------------------------------------------------


class SessionType(models.TextChoices):
    CLINICAL = "clinical", "Clinical supervision"
    LINE_MANAGEMENT = "line_management", "Line management"
    SAFEGUARDING = "safeguarding", "Safeguarding discussion"
    COACHING = "coaching", "One-to-one coaching or buddying"
    ACTION_LEARNING = "action_learning", "Action learning set"


#: Default expected interval between sessions, in days, where a PCN has set none (issue 6:
#: clinical monthly, line management every six weeks). Types not listed have no cadence.
DEFAULT_CADENCE_DAYS = {
    SessionType.CLINICAL: 31,
    SessionType.LINE_MANAGEMENT: 42,
}


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Telephone"


class CadenceSetting(models.Model):
    """A PCN's expected interval between supervision sessions of one type."""

    pcn = models.ForeignKey("lms.PCN", on_delete=models.PROTECT, related_name="cadence_settings")
    session_type = models.CharField(max_length=30, choices=SessionType.choices)
    interval_days = models.PositiveSmallIntegerField(
        "expected every (days)", null=True, blank=True,
        help_text="Leave empty when sessions of this type have no expected frequency.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pcn", "session_type"], name="one_cadence_per_type"),
        ]

    def __str__(self):
        return f"{self.pcn}: {self.get_session_type_display()} every {self.interval_days} days"


class SupervisionSessionQuerySet(models.QuerySet):
    def current(self):
        """Records not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def confirmed(self):
        return self.current().filter(confirmed_at__isnull=False)

    def awaiting_confirmation(self):
        return self.current().filter(confirmed_at__isnull=True)


class SupervisionSession(models.Model):
    """One supervision session of a care coordinator, recorded by either party.

    The other party confirms it is an accurate record; from then on it is locked and
    corrected only by addenda (`SessionAddendum`). Before confirmation the recorder may
    edit it (each change audited) or withdraw it (kept, with who, when and why).
    """

    care_coordinator = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    session_type = models.CharField(max_length=30, choices=SessionType.choices)
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    supervisors = models.ManyToManyField(
        "lms.Person", related_name="supervision_sessions_given"
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    topics = models.TextField(help_text="What was discussed. No patient-identifiable details.")
    notes = models.TextField(blank=True)
    competencies = models.ManyToManyField(
        "competencies.Competency", blank=True, related_name="supervision_sessions"
    )
    goals = models.ManyToManyField(
        "lms.DevelopmentGoal", blank=True, related_name="supervision_sessions"
    )
    next_session_on = models.DateField("next session", null=True, blank=True)

    recorded_by = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="supervision_sessions_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_comment = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    objects = SupervisionSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["care_coordinator", "session_type", "held_on"]),
        ]

    def __str__(self):
        return f"{self.get_session_type_display()} on {self.held_on:%d %B %Y}"

    @property
    def is_locked(self) -> bool:
        return self.confirmed_at is not None


class SessionAddendum(models.Model):
    """A correction or addition to a confirmed supervision record; never edited."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.PROTECT, related_name="addenda"
    )
    text = models.TextField()
    added_by = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return f"Addendum to {self.session} by {self.added_by}"


class SupervisionActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True, session__withdrawn_at__isnull=True)

    def overdue(self, as_of: datetime.date):
        return self.open().filter(due_on__lt=as_of)


class SupervisionAction(models.Model):
    """An action agreed in a supervision session: who does what by when."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.PROTECT, related_name="actions"
    )
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="supervision_actions"
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_recorded_by = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SupervisionActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description


# --- safeguarding discussions (DES clause 6) ---------------------------------------------------


class ConcernCategory(models.TextChoices):
    ABUSE = "abuse", "Abuse or neglect"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence or abuse"
    MENTAL_HEALTH = "mental_health", "Mental health"
    OTHER = "other", "Other"


class Escalation(models.TextChoices):
    NONE = "none", "No referral or escalation"
    REFERRAL = "referral", "Referral made"
    ESCALATION = "escalation", "Escalated"


class SafeguardingDiscussionQuerySet(models.QuerySet):
    def current(self):
        """Logs not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def follow_ups_open(self):
        """Current logs with a follow-up date whose follow-up is not yet recorded."""
        return self.current().filter(follow_up_on__isnull=False, followed_up_on__isnull=True)

    def follow_ups_due_by(self, day: datetime.date):
        """Open follow-ups due on or before `day`, overdue ones included."""
        return self.follow_ups_open().filter(follow_up_on__lte=day)

    def follow_ups_overdue(self, as_of: datetime.date):
        """Open follow-ups whose date has passed."""
        return self.follow_ups_open().filter(follow_up_on__lt=as_of)


class SafeguardingDiscussion(models.Model):
    """A coordinator's log that a patient-related concern was discussed with the safeguarding GP.

    The text (concern, outcome) is visible only to the coordinator and the GP; a PCN
    manager sees that discussions happened (counts and dates), never what was said.
    """

    care_coordinator = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="safeguarding_discussions"
    )
    discussed_with = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="safeguarding_discussions_held"
    )
    discussed_on = models.DateField()
    category = models.CharField(max_length=30, choices=ConcernCategory.choices)
    concern = models.TextField(help_text="The concern, without patient-identifiable details.")
    outcome = models.TextField()
    escalation = models.CharField(
        "referral or escalation", max_length=20, choices=Escalation.choices,
        default=Escalation.NONE,
    )
    escalated_to = models.CharField("made to", max_length=200, blank=True)
    follow_up_on = models.DateField("follow up by", null=True, blank=True)
    # Set by the addendum that records the follow-up; the log itself stays locked.
    followed_up_on = models.DateField("followed up on", null=True, blank=True)
    recorded_by = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    objects = SafeguardingDiscussionQuerySet.as_manager()

    class Meta:
        ordering = ["-discussed_on", "-pk"]
        indexes = [models.Index(fields=["care_coordinator", "discussed_on"])]

    def __str__(self):
        return f"Safeguarding discussion on {self.discussed_on:%d %B %Y}"


class SafeguardingAddendum(models.Model):
    """A later note on a safeguarding discussion (a follow-up, a correction); never edited."""

    discussion = models.ForeignKey(
        SafeguardingDiscussion, on_delete=models.PROTECT, related_name="addenda"
    )
    text = models.TextField()
    added_by = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return f"Addendum to {self.discussion}"


# --- reflective practice ------------------------------------------------------------------------


class ReflectionModel(models.TextChoices):
    GIBBS = "gibbs", "Gibbs' reflective cycle"
    DRISCOLL = "driscoll", "Driscoll: What? So what? Now what?"
    FREE = "free", "Free text"


#: The text fields each reflective model asks for, in order, with their questions.
REFLECTION_FIELDS = {
    ReflectionModel.GIBBS: [
        ("description", "Description", "What happened?"),
        ("feelings", "Feelings", "What were you thinking and feeling?"),
        ("evaluation", "Evaluation", "What was good and bad about the experience?"),
        ("analysis", "Analysis", "What sense can you make of the situation?"),
        ("conclusion", "Conclusion", "What else could you have done?"),
        ("action_plan", "Action plan", "If it arose again, what would you do?"),
    ],
    ReflectionModel.DRISCOLL: [
        ("what", "What?", "What happened, and what was your part in it?"),
        ("so_what", "So what?", "What does it mean, and what did you learn?"),
        ("now_what", "Now what?", "What will you do differently, and what do you need?"),
    ],
    ReflectionModel.FREE: [
        ("body", "Reflection", "Write your reflection."),
    ],
}


class ReflectionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETE = "complete", "Complete"


class ReflectionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(archived_at__isnull=True)

    def shared_with(self, person_id: int):
        """Entries currently shared with this person (a share not revoked)."""
        return self.current().filter(
            shares__shared_with_id=person_id, shares__revoked_at__isnull=True
        )


class Reflection(models.Model):
    """A reflective-practice entry. Private to its author until shared with named supervisors."""

    author = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="reflections")
    title = models.CharField(max_length=200)
    reflected_on = models.DateField("date")
    model = models.CharField(
        "reflective model", max_length=20, choices=ReflectionModel.choices,
        default=ReflectionModel.GIBBS,
    )
    status = models.CharField(
        max_length=20, choices=ReflectionStatus.choices, default=ReflectionStatus.DRAFT
    )
    # Gibbs
    description = models.TextField(blank=True)
    feelings = models.TextField(blank=True)
    evaluation = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    action_plan = models.TextField(blank=True)
    # Driscoll
    what = models.TextField(blank=True)
    so_what = models.TextField(blank=True)
    now_what = models.TextField(blank=True)
    # Free text
    body = models.TextField(blank=True)

    competencies = models.ManyToManyField(
        "competencies.Competency", blank=True, related_name="reflections"
    )
    learning_items = models.ManyToManyField(
        "content.LearningItemPage", blank=True, related_name="reflections"
    )
    supervision_sessions = models.ManyToManyField(
        SupervisionSession, blank=True, related_name="reflections"
    )
    network_sessions = models.ManyToManyField(
        "NetworkSession", blank=True, related_name="reflections"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-reflected_on", "-pk"]
        indexes = [models.Index(fields=["author", "reflected_on"])]

    def __str__(self):
        return self.title

    def sections(self):
        """(label, question, text) for each field of the chosen model."""
        return [
            (label, question, getattr(self, name))
            for name, label, question in REFLECTION_FIELDS[self.model]
        ]


class ReflectionShare(models.Model):
    """A reflection shared with one supervisor; revoking keeps the row."""

    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="shares")
    shared_with = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "shared_with"], condition=Q(revoked_at__isnull=True),
                name="one_live_share_per_supervisor",
            ),
        ]

    def __str__(self):
        return f"{self.reflection} shared with {self.shared_with}"


class ReflectionComment(models.Model):
    """A comment on a shared reflection, by its author or a supervisor it is shared with."""

    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment by {self.author} on {self.reflection}"


# --- peer-network and MDT sessions ------------------------------------------------------------


class NetworkSessionKind(models.TextChoices):
    PEER_NETWORK = "peer_network", "Care coordinator peer network"
    WEBINAR = "webinar", "Webinar"
    ACTION_LEARNING = "action_learning", "Action learning set"
    MDT = "mdt", "MDT meeting"
    JOINT_CASELOAD = "joint_caseload", "Joint caseload meeting with SPLWs and HWBCs"
    REFRESHER = "refresher", "Refresher session"


class Audience(models.TextChoices):
    PCN = "pcn", "Our PCN"
    ICB = "icb", "Every PCN in the ICB"


class NetworkSessionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(cancelled_at__isnull=True)

    def upcoming(self, now):
        return self.current().filter(ends_at__gte=now)


class NetworkSession(models.Model):
    """A peer-network, webinar, action learning set, MDT or joint caseload meeting.

    Attendance at a joint caseload meeting with SPLWs and HWBCs is the evidence for DES
    clause 1(b). Attended hours are credited to attendees' learning records.
    """

    kind = models.CharField(max_length=30, choices=NetworkSessionKind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    online_link = models.URLField("online meeting link", max_length=500, blank=True)
    facilitator = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="network_sessions_facilitated"
    )
    pcn = models.ForeignKey(
        "lms.PCN", on_delete=models.PROTECT, related_name="network_sessions",
        help_text="The organising PCN.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PCN)
    description = models.TextField(blank=True)
    learning_item = models.ForeignKey(
        "content.LearningItemPage", on_delete=models.PROTECT, null=True, blank=True,
        related_name="network_sessions",
        help_text="The curriculum item attendance counts towards.",
    )
    cpd_hours = models.DecimalField(
        "CPD hours", max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="Hours credited to each attendee; the session's length when empty.",
    )
    other_attendees = models.CharField(
        "other people present", max_length=500, blank=True,
        help_text="For example: SPLW and HWBC names and roles, who do not use this system.",
    )
    notes = models.TextField(blank=True)
    themes = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    objects = NetworkSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["pcn", "starts_at"])]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%d %B %Y})"


class RSVP(models.TextChoices):
    PENDING = "pending", "Not replied"
    YES = "yes", "Attending"
    NO = "no", "Not attending"
    MAYBE = "maybe", "Maybe"


class Attendance(models.TextChoices):
    UNRECORDED = "unrecorded", "Not recorded"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class SessionInvitation(models.Model):
    """One person invited to a network session: their reply and, later, their attendance."""

    session = models.ForeignKey(
        NetworkSession, on_delete=models.PROTECT, related_name="invitations"
    )
    person = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="network_session_invitations"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    rsvp = models.CharField(max_length=10, choices=RSVP.choices, default=RSVP.PENDING)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(
        max_length=12, choices=Attendance.choices, default=Attendance.UNRECORDED
    )
    attendance_recorded_by = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    cpd_hours_credited = models.DecimalField(
        max_digits=5, decimal_places=2, default=0,
        help_text="Hours this attendance added to the person's learning record.",
    )

    class Meta:
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_invitation_each"),
        ]
        indexes = [models.Index(fields=["person", "attendance"])]

    def __str__(self):
        return f"{self.person} at {self.session}"


class CalendarFeed(models.Model):
    """A secret, revocable address for one person's iCal feed; only the token's digest is kept."""

    person = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="calendar_feeds"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return f"Calendar feed for {self.person}"
