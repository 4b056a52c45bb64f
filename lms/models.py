"""Organisations, people, role assignments, invitations and the audit trail."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ICB(models.Model):
    """An Integrated Care Board: commissions many PCNs."""

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = "ICB"
        verbose_name_plural = "ICBs"

    def __str__(self):
        return self.name


class PCN(models.Model):
    """A Primary Care Network: employs care coordinators under ARRS."""

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    icb = models.ForeignKey(ICB, on_delete=models.PROTECT, related_name="pcns")

    class Meta:
        ordering = ["name"]
        verbose_name = "PCN"
        verbose_name_plural = "PCNs"

    def __str__(self):
        return self.name


class Practice(models.Model):
    """A core network practice (GP surgery) of a PCN."""

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="practices")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FundingRoute(models.TextChoices):
    ARRS = "arrs", "ARRS (Additional Roles Reimbursement Scheme)"
    OTHER = "other", "Other"


class AfCBand(models.TextChoices):
    BAND_2 = "2", "Band 2"
    BAND_3 = "3", "Band 3"
    BAND_4 = "4", "Band 4"
    BAND_5 = "5", "Band 5"
    BAND_6 = "6", "Band 6"
    BAND_7 = "7", "Band 7"
    BAND_8A = "8a", "Band 8a"
    BAND_8B = "8b", "Band 8b"
    BAND_8C = "8c", "Band 8c"
    BAND_8D = "8d", "Band 8d"
    BAND_9 = "9", "Band 9"
    NOT_AFC = "n/a", "Not on Agenda for Change"


class PersonQuerySet(models.QuerySet):
    def active(self):
        """People who have not left."""
        return self.filter(left_on__isnull=True)

    def in_pcns(self, pcn_ids):
        """People whose home organisation is one of these PCNs."""
        return self.filter(pcn_id__in=pcn_ids)


class Person(models.Model):
    """Someone who uses or is named in the product; one user account each."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=150, blank=True)
    pcn = models.ForeignKey(
        PCN,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="The PCN this person works for. Blank for ICB staff and editors.",
    )
    employment_start_date = models.DateField(null=True, blank=True)
    funding_route = models.CharField(
        max_length=10, choices=FundingRoute.choices, default=FundingRoute.OTHER
    )
    afc_band = models.CharField(
        "Agenda for Change band", max_length=4, choices=AfCBand.choices, blank=True
    )
    left_on = models.DateField(
        null=True, blank=True, help_text="The day this person left. Their records are kept."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def email(self):
        return self.user.email


class Role(models.TextChoices):
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    CLINICAL_SUPERVISOR = "clinical_supervisor", "GP clinical supervisor"
    LINE_MANAGER = "line_manager", "Line manager"
    FIRST_POINT_OF_CONTACT = "first_point_of_contact", "First point of contact"
    SAFEGUARDING_GP = "safeguarding_gp", "Safeguarding GP"
    PCN_MANAGER = "pcn_manager", "PCN manager"
    ICB_VIEWER = "icb_viewer", "ICB viewer"
    CURRICULUM_EDITOR = "curriculum_editor", "Curriculum editor"
    CURRICULUM_APPROVER = "curriculum_approver", "Curriculum approver (clinical lead)"


#: Roles held for one named care coordinator (DES clauses 5 and 6).
SUPPORT_ROLES = (
    Role.CLINICAL_SUPERVISOR,
    Role.LINE_MANAGER,
    Role.FIRST_POINT_OF_CONTACT,
    Role.SAFEGUARDING_GP,
)
#: Support roles the DES requires to be named for every care coordinator.
REQUIRED_SUPPORT_ROLES = (
    Role.CLINICAL_SUPERVISOR,
    Role.FIRST_POINT_OF_CONTACT,
    Role.SAFEGUARDING_GP,
)


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, as_of: datetime.date):
        """Assignments in force on `as_of` (an end date is the first day without the role)."""
        return self.filter(starts_on__lte=as_of).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=as_of)
        )

    def of_role(self, *roles):
        """Assignments of any of these roles."""
        return self.filter(role__in=roles)

    def care_coordinators(self):
        """Care coordinator assignments."""
        return self.filter(role=Role.CARE_COORDINATOR)

    def support(self):
        """Supervisor, line manager, first point of contact and safeguarding GP assignments."""
        return self.filter(role__in=SUPPORT_ROLES)


class RoleAssignment(models.Model):
    """A person holding a role, for a scope, between two dates; ending keeps the row."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    pcn = models.ForeignKey(
        PCN, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )
    icb = models.ForeignKey(
        ICB, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )
    care_coordinator = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_assignments",
        help_text="For supervisor, line manager, first point of contact and safeguarding GP.",
    )
    practices = models.ManyToManyField(
        Practice,
        blank=True,
        related_name="care_coordinator_assignments",
        help_text="For a practice-based care coordinator. Blank: works across the PCN.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        indexes = [
            models.Index(fields=["role", "pcn"]),
            models.Index(fields=["care_coordinator", "role"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="role_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()}"

    def is_current(self, as_of: datetime.date) -> bool:
        return self.starts_on <= as_of and (self.ends_on is None or self.ends_on > as_of)

    @property
    def scope_label(self):
        if self.care_coordinator_id:
            return f"for {self.care_coordinator}"
        if self.pcn_id:
            return str(self.pcn)
        if self.icb_id:
            return str(self.icb)
        return "All curriculum"


class InvitationQuerySet(models.QuerySet):
    def pending(self, now):
        """Invitations not yet accepted, revoked or expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use link by which an invited person sets their password."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email}"

    def state(self, now) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class AuditEntry(models.Model):
    """One write to evidence or personal data: who, what, before and after, chained by hash."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64)
    pcn = models.ForeignKey(
        PCN, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The one PCN whose records the change concerns; blank when it may concern "
        "several (people, roles, organisations, shared sessions). Cached compliance results "
        "of a PCN stay valid until an entry for it, or a blank one, is written.",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["pcn", "id"], name="audit_latest_for_pcn"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


def _evidence_path(instance, filename):
    # Random folder per file: names never collide and are never guessable from the URL.
    import secrets

    return f"{instance.owner_id}/{secrets.token_hex(16)}/{filename}"


def _evidence_storage():
    from .files import evidence_storage

    return evidence_storage()


class EvidenceFile(models.Model):
    """An uploaded file (certificate, attendance record, observation) in someone's portfolio."""

    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to=_evidence_path, storage=_evidence_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


# --- Learning records (issue 4) ---------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the last day of the month where that day does not exist."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class LearningStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ENROLLED = "enrolled", "Enrolled"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"
    NOT_REQUIRED = "not_required", "Not required"


#: The stages a person records; "expired" is never stored, it is derived from dates.
RECORDED_STAGES = [
    (value, label) for value, label in LearningStatus.choices if value != LearningStatus.EXPIRED
]

STATUS_TAG_COLOURS = {
    LearningStatus.PLANNED: "grey",
    LearningStatus.ENROLLED: "blue",
    LearningStatus.IN_PROGRESS: "blue",
    LearningStatus.COMPLETED: "green",
    LearningStatus.EXPIRED: "red",
    LearningStatus.NOT_REQUIRED: "white",
}


class LearningRecordQuerySet(models.QuerySet):
    def for_people(self, people):
        """Records of these people (an access-scoped Person queryset)."""
        return self.filter(person__in=people)

    def with_item(self):
        """Records with their learning item and its framework loaded."""
        return self.select_related("item", "item__framework_version")

    def completed(self):
        """Records marked completed (expired or not)."""
        return self.filter(stage=LearningStatus.COMPLETED)

    def awaiting_verification(self):
        """Records with a certificate that nobody has verified yet."""
        return self.filter(certificates__isnull=False, verified_at__isnull=True).distinct()

    def counted(self):
        """Records that count as evidence: imported ones only once verified here."""
        return self.filter(Q(imported_from="") | Q(verified_at__isnull=False))


class LearningRecord(models.Model):
    """One person's learning for one curriculum item: dates, hours, proof and verification."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="learning_records")
    item = models.ForeignKey(
        "content.LearningItemPage", on_delete=models.PROTECT, related_name="learning_records"
    )
    stage = models.CharField(
        "status", max_length=20, choices=RECORDED_STAGES, default=LearningStatus.PLANNED
    )
    not_required_reason = models.CharField(max_length=300, blank=True)
    enrolled_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    provider = models.CharField(max_length=150, blank=True)
    provider_pci_assured = models.BooleanField("provider is PCI-assured", default=False)
    cpd_hours = models.DecimalField(
        "CPD hours", max_digits=5, decimal_places=1, null=True, blank=True
    )
    hours_out_of_practice = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True,
        help_text="Time away from the practice, which the PCN can claim under ARRS.",
    )
    notes = models.TextField(blank=True)
    certificates = models.ManyToManyField(EvidenceFile, blank=True, related_name="+")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    imported_from = models.CharField(
        max_length=200, blank=True,
        help_text="Where an imported record came from. It counts once verified here.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = LearningRecordQuerySet.as_manager()

    class Meta:
        ordering = ["item__path"]
        constraints = [
            models.UniqueConstraint(fields=["person", "item"], name="one_record_per_item"),
        ]

    def __str__(self):
        return f"{self.person} – {self.item.title}"

    @property
    def expires_on(self) -> datetime.date | None:
        """When a completion stops counting: completion date plus the item's refresher period."""
        months = self.item.refresher_months
        if self.stage != LearningStatus.COMPLETED or not self.completed_on or not months:
            return None
        return add_months(self.completed_on, months)

    def status(self, as_of: datetime.date) -> str:
        """The status on `as_of`: a completion past its refresher period is expired."""
        expires_on = self.expires_on
        if expires_on is not None and expires_on <= as_of:
            return LearningStatus.EXPIRED
        return self.stage

    def status_label(self, as_of: datetime.date) -> str:
        return LearningStatus(self.status(as_of)).label

    def status_colour(self, as_of: datetime.date) -> str:
        return STATUS_TAG_COLOURS[self.status(as_of)]

    @property
    def counts(self) -> bool:
        """Imported records count only once verified here."""
        return not self.imported_from or self.verified_at is not None


class InductionTemplate(models.Model):
    """A PCN's own induction plan: which items, due how many weeks after the start date."""

    pcn = models.OneToOneField(PCN, on_delete=models.PROTECT, related_name="induction_template")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Induction plan for {self.pcn}"


class InductionTemplateItem(models.Model):
    template = models.ForeignKey(
        InductionTemplate, on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        "content.LearningItemPage", on_delete=models.PROTECT, related_name="+"
    )
    due_week = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["due_week", "item__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "item"], name="one_template_entry_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item} by week {self.due_week}"


class InductionPlanItem(models.Model):
    """One task of a care coordinator's induction plan, generated from their start date."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="induction_items")
    item = models.ForeignKey(
        "content.LearningItemPage", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "item__path"]
        constraints = [
            models.UniqueConstraint(fields=["person", "item"], name="one_plan_entry_per_item"),
        ]

    def __str__(self):
        return f"{self.item} due {self.due_on}"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "No longer a goal"


class DevelopmentGoal(models.Model):
    """A goal in a care coordinator's personal development plan."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="development_goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    learning_items = models.ManyToManyField(
        "content.LearningItemPage", blank=True, related_name="+"
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_date", "pk"]

    def __str__(self):
        return self.title


class GoalComment(models.Model):
    """A supervisor's (or the coordinator's) comment on a development goal; never edited."""

    goal = models.ForeignKey(DevelopmentGoal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Comment by {self.author} on {self.goal}"


class ReminderSent(models.Model):
    """That one reminder went to one person on one day: makes send_reminders idempotent."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "sent_on"], name="one_reminder_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.person} on {self.sent_on}"
