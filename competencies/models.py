"""Competency frameworks, self-assessment, evidence, sign-off requests and sign-offs.

Layer 3: may use lms (people, learning records, evidence files, audit) and content
(learning items); never imported by them.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

DEFAULT_SCALE = ["Not yet demonstrated", "Developing", "Competent", "Proficient"]


def default_scale():
    return list(DEFAULT_SCALE)


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "In use"
    RETIRED = "retired", "Retired"


class FrameworkQuerySet(models.QuerySet):
    def active(self):
        """Frameworks in use now."""
        return self.filter(status=FrameworkStatus.ACTIVE)


class Framework(ClusterableModel):
    """A versioned competency framework, its proficiency scale and its rule for 'met'."""

    code = models.SlugField(
        max_length=80, unique=True,
        help_text="Stable identifier, e.g. des-responsibilities-2024. Do not change once used.",
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=30)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.ACTIVE
    )
    scale = models.JSONField(
        default=default_scale,
        help_text="Proficiency levels, lowest first. Level 1 is the first entry.",
    )
    signoffs_required = models.PositiveSmallIntegerField(
        "sign-offs required", default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How many different people must sign off at the target level.",
    )
    evidence_kinds_required = models.PositiveSmallIntegerField(
        "kinds of evidence required", default=1,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text="How many different kinds of evidence (learning record, file, observation, "
        "reflection, supervision session) a competency needs before it counts as met.",
    )

    objects = FrameworkQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("version"), FieldPanel("code"),
             FieldPanel("status"), FieldPanel("description")],
            heading="Framework",
        ),
        MultiFieldPanel(
            [FieldPanel("scale"), FieldPanel("signoffs_required"),
             FieldPanel("evidence_kinds_required")],
            heading="Scale and the rule for met",
        ),
        InlinePanel("domains", heading="Domains", label="Domain"),
    ]

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="unique_framework_name_version"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"

    def clean(self):
        scale = self.scale
        if (
            not isinstance(scale, list)
            or len(scale) < 2
            or not all(isinstance(level, str) and level.strip() for level in scale)
        ):
            raise ValidationError({"scale": "Enter at least two level names, lowest first."})

    def level_label(self, level: int | None) -> str:
        if not level or level < 1 or level > len(self.scale):
            return ""
        return self.scale[level - 1]

    @property
    def level_choices(self):
        return [(number, label) for number, label in enumerate(self.scale, start=1)]


class Domain(Orderable):
    """A group of competencies within a framework (e.g. 'Relationships')."""

    framework = ParentalKey(Framework, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_domain_code"),
        ]

    def __str__(self):
        return self.name


class CompetencyQuerySet(models.QuerySet):
    def in_framework(self, framework):
        """Competencies of one framework, in order."""
        return self.filter(framework=framework).order_by("domain__sort_order", "sort_order", "pk")


class Competency(ClusterableModel):
    """Something a care coordinator can do, with the level wanted and by when."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="competencies")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="competencies")
    code = models.SlugField(max_length=80)
    title = models.CharField(max_length=300)
    descriptor = models.TextField(help_text="What someone who can do this does.")
    target_level = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)],
        help_text="The level wanted, counting from 1 (the lowest level of the scale).",
    )
    target_by = models.CharField(
        max_length=150, blank=True, help_text="For example, 'by the end of induction'."
    )
    sort_order = models.PositiveIntegerField(default=0)
    learning_items = models.ManyToManyField(
        "content.LearningItemPage", blank=True, related_name="competencies",
        help_text="Learning that builds this competency.",
    )

    objects = CompetencyQuerySet.as_manager()

    panels = [
        FieldPanel("framework"),
        FieldPanel("domain"),
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("descriptor"),
        FieldPanel("target_level"),
        FieldPanel("target_by"),
        FieldPanel("sort_order"),
        FieldPanel("learning_items"),
    ]

    class Meta:
        ordering = ["framework", "domain__sort_order", "sort_order", "pk"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_competency_code"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.domain_id and self.framework_id and self.domain.framework_id != self.framework_id:
            errors["domain"] = "Choose a domain of the same framework."
        if self.framework_id and self.target_level and self.target_level > len(
            self.framework.scale
        ):
            errors["target_level"] = (
                f"The framework's scale has {len(self.framework.scale)} levels."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def target_label(self):
        return self.framework.level_label(self.target_level)


class SelfAssessment(models.Model):
    """A coordinator's own rating with a narrative; never edited, the latest is current."""

    person = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    narrative = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "competency"])]

    def __str__(self):
        return f"{self.person} rates {self.competency} at {self.level}"


class EvidenceKind(models.TextChoices):
    LEARNING_RECORD = "learning_record", "Learning record"
    FILE = "file", "Uploaded file"
    OBSERVATION = "observation", "Observation note"
    REFLECTION = "reflection", "Reflection"
    SUPERVISION_SESSION = "supervision_session", "Supervision session"
    NETWORK_SESSION = "network_session", "Peer-network or MDT session attended"


class EvidenceLinkQuerySet(models.QuerySet):
    def current(self):
        """Evidence not withdrawn by its owner."""
        return self.filter(withdrawn_at__isnull=True)


class EvidenceLink(models.Model):
    """One piece of evidence for one person's competency: any object, or a note.

    New kinds of evidence (reflections, supervision sessions) are new `kind` values
    pointing at their objects; sign-off code never needs to know them.
    """

    person = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=EvidenceKind.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    description = models.CharField(max_length=300)
    note = models.TextField(blank=True, help_text="For an observation note: what was seen.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        indexes = [models.Index(fields=["person", "competency"])]

    def __str__(self):
        return self.description

    def snapshot(self) -> dict:
        return {
            "id": self.pk,
            "kind": self.kind,
            "description": self.description,
            "note": self.note,
            "object": f"{self.content_type_id}:{self.object_id}" if self.object_id else "",
            "added_at": self.added_at.isoformat(),
        }


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    SIGNED_OFF = "signed_off", "Signed off"
    RETURNED = "returned", "Returned with feedback"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SignOffRequestQuerySet(models.QuerySet):
    def pending(self):
        """Requests waiting for a decision."""
        return self.filter(status=RequestStatus.PENDING)

    def for_reviewer(self, person):
        """Pending requests addressed to this supervisor, oldest first."""
        return self.pending().filter(reviewer=person).order_by("created_at", "pk")


class SignOffRequest(models.Model):
    """A coordinator asks a named supervisor (or an external assessor) to review a competency."""

    person = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="requests")
    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="A supervisor with an account. Blank when an external assessor reviews.",
    )
    assessor_name = models.CharField(max_length=150, blank=True)
    assessor_role = models.CharField(max_length=150, blank=True)
    assessor_email = models.EmailField(blank=True)
    evidence = models.ManyToManyField(EvidenceLink, related_name="requests")
    evidence_snapshot = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    feedback = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = SignOffRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["reviewer", "status", "created_at"])]

    def __str__(self):
        return f"Review of {self.competency} for {self.person}"

    @property
    def is_external(self):
        return self.reviewer_id is None


class SignOff(models.Model):
    """A decision that a person has a competency at a level. Never edited: superseded."""

    request = models.OneToOneField(
        SignOffRequest, on_delete=models.PROTECT, related_name="sign_off"
    )
    person = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="sign_offs")
    level = models.PositiveSmallIntegerField()
    comment = models.TextField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Blank when an external assessor signed through a link.",
    )
    rater_key = models.CharField(
        max_length=200, help_text="Who rated: 'user:<id>' or 'email:<address>'."
    )
    assessor_name = models.CharField(max_length=150)
    assessor_role = models.CharField(max_length=150, blank=True)
    assessor_email = models.EmailField(blank=True)
    evidence_snapshot = models.JSONField(default=list)
    signed_at = models.DateTimeField(default=timezone.now)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        indexes = [models.Index(fields=["person", "competency"])]

    def __str__(self):
        return f"{self.competency} at level {self.level} for {self.person}"

    @property
    def level_label(self):
        return self.competency.framework.level_label(self.level)


class AssessorLink(models.Model):
    """A single-use link by which an assessor without an account reviews one request."""

    request = models.ForeignKey(SignOffRequest, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Assessor link for {self.request}"

    def state(self, now) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.request.status != RequestStatus.PENDING:
            return "closed"
        return "usable"
