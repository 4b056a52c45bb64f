"""The care coordinator curriculum as Wagtail pages (layer 1: knows nothing about people).

Tree: site root → CurriculumIndexPage (one, at /curriculum/) → CurriculumSectionPage →
LearningItemPage. Learning records and competencies of higher layers point at
LearningItemPage (by foreign key, or by its stable `code`), never the other way round.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import AbstractGroupApprovalTask, Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from .blocks import CurriculumStreamBlock

#: Name of the Wagtail hook through which a higher layer shows "your status" on an item page.
#: Each registered function takes (request, page) and returns HTML (or "" / None for nothing).
LEARNER_STATUS_HOOK = "content_learner_status"
#: Wagtail hook through which a higher layer adds a panel about the item itself (e.g. the
#: competencies it builds). Same signature; shown after the overlap map.
ITEM_PANELS_HOOK = "content_item_panels"

ITEMS_PER_PAGE = 20
#: Longer search terms are cut to this length: nobody types more, and it bounds the work.
MAX_QUERY_LENGTH = 100


class Kind(models.TextChoices):
    PCI_CURRICULUM_AREA = "pci_curriculum_area", "PCI core curriculum area"
    PCI_COURSE = "pci_course", "PCI accredited course"
    PCI_ELEARNING = "pci_elearning", "PCI e-learning"
    UNIVERSAL_MODEL = "universal_model", "Universal Model component"
    ELFH_COURSE = "elfh_course", "e-LfH course"
    CARE_CERTIFICATE = "care_certificate", "Care Certificate standard"
    STATUTORY_MANDATORY = "statutory_mandatory", "Statutory and mandatory"
    LOCAL_INDUCTION = "local_induction", "Local induction"
    COHORT_SPECIFIC = "cohort_specific", "Cohort-specific"
    ONGOING_DEVELOPMENT = "ongoing_development", "Ongoing development"


#: NHS.UK tag modifier for each kind (colour is never the only cue: the tag has text).
KIND_TAG_COLOURS = {
    Kind.PCI_CURRICULUM_AREA: "purple",
    Kind.PCI_COURSE: "blue",
    Kind.PCI_ELEARNING: "aqua-green",
    Kind.UNIVERSAL_MODEL: "pink",
    Kind.ELFH_COURSE: "green",
    Kind.CARE_CERTIFICATE: "orange",
    Kind.STATUTORY_MANDATORY: "red",
    Kind.LOCAL_INDUCTION: "yellow",
    Kind.COHORT_SPECIFIC: "grey",
    Kind.ONGOING_DEVELOPMENT: "white",
}


class DeliveryMode(models.TextChoices):
    E_LEARNING = "e_learning", "e-learning"
    FACE_TO_FACE = "face_to_face", "Face to face"
    VIRTUAL_CLASSROOM = "virtual_classroom", "Virtual classroom"
    WORKPLACE = "workplace", "In the workplace"


class Evidence(models.TextChoices):
    CERTIFICATE = "certificate", "Certificate"
    ATTENDANCE = "attendance", "Attendance record"
    OBSERVATION = "observation", "Supervisor observation"


validate_http_url = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address that starts with https:// or http://",
)


class HttpURLField(models.URLField):
    """A web address that must be http(s): no javascript:, ftp: or file: links on pages."""

    default_validators = [validate_http_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": HttpURLFormField, **kwargs})


class HttpURLFormField(forms.URLField):
    default_validators = [validate_http_url]
    default_error_messages = {"invalid": validate_http_url.message}


validate_code = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lower-case letters, numbers and single hyphens only, like cstf-fire-safety",
)


class EvidenceListField(models.JSONField):
    """A list of Evidence values, stored as JSON (works on SQLite and PostgreSQL), edited as
    checkboxes."""

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=Evidence.choices,
            required=not self.blank,
            label=kwargs.get("label", self.verbose_name.capitalize()),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        unknown = [v for v in value or [] if v not in Evidence.values]
        if unknown:
            raise ValidationError(f"Unknown kind of evidence: {', '.join(map(str, unknown))}")


class FrameworkVersion(models.Model):
    """One version of a national framework (e.g. Care Certificate 2015, 2025) that items belong to.

    Versions coexist: a record made against a 2015 standard points at that standard's page,
    so it keeps its version when the 2025 standards become current.
    """

    code = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Stable identifier, e.g. care-certificate-2025. Do not change once used.",
    )
    name = models.CharField(max_length=150, help_text="e.g. Care Certificate")
    version = models.CharField(max_length=30, help_text="e.g. 2025")
    effective_from = models.DateField()
    effective_to = models.DateField(
        null=True, blank=True, help_text="The last day this version was used. Blank while current."
    )
    description = models.TextField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("version"),
        FieldPanel("code"),
        FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_to")]),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_framework_version"),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"

    def clean(self):
        if self.effective_to and self.effective_from and self.effective_to <= self.effective_from:
            raise ValidationError({"effective_to": "The end date must be after the start date."})


class SeededPage(models.Model):
    """Remembers what `seed_curriculum` last wrote, so a re-run can update its own content."""

    seed_checksum = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class CurriculumIndexPage(SeededPage, Page):  # noqa: DJ008 (Page has __str__)
    """The curriculum home at /curriculum/: lists sections and searches every item."""

    intro = models.TextField(blank=True)
    body = StreamField(CurriculumStreamBlock(), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.CurriculumSectionPage"]
    max_count = 1

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = "curriculum index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["crumbs"] = breadcrumbs_for(self, request)
        context["sections"] = CurriculumSectionPage.objects.live().child_of(self)
        context.update(item_listing(request, LearningItemPage.objects.live().descendant_of(self)))
        return context


class CurriculumSectionPage(SeededPage, Page):  # noqa: DJ008
    """A group of learning items (e.g. e-LfH courses): lists, filters and searches them."""

    intro = models.TextField(blank=True, help_text="One or two sentences shown in lists.")
    body = StreamField(CurriculumStreamBlock(), blank=True)

    parent_page_types = ["content.CurriculumIndexPage"]
    subpage_types = ["content.LearningItemPage"]

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = "curriculum section"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["crumbs"] = breadcrumbs_for(self, request)
        context.update(item_listing(request, LearningItemPage.objects.live().child_of(self)))
        return context


class LearningItemQuerySet(PageQuerySet):
    def of_kind(self, kind):
        """Items of one kind (a Kind value)."""
        return self.filter(kind=kind)

    def in_induction(self):
        """Items a new care coordinator completes during induction, earliest deadline first."""
        return self.filter(in_induction=True).order_by("induction_week", "path")

    def for_framework(self, framework_version):
        """Items (e.g. Care Certificate standards) of one framework version."""
        return self.filter(framework_version=framework_version)


class LearningItemPage(SeededPage, Page):  # noqa: DJ008
    """Something a care coordinator learns or does: a course, a standard, a subject, a topic."""

    code = models.CharField(  # noqa: DJ001 (NULL, not "", so page copies stay unique)
        max_length=80,
        unique=True,
        null=True,  # copies of a page start without one (see exclude_fields_in_copy)
        validators=[validate_code],
        help_text=(
            "Stable identifier that learning records and competencies refer to, "
            "e.g. cstf-fire-safety. Do not change it once the item is in use."
        ),
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.TextField(
        help_text="What this is, in one or two sentences. Shown in lists."
    )
    provider = models.CharField(
        max_length=150, blank=True, help_text="Who provides it, e.g. e-Learning for Healthcare."
    )
    pci_assured = models.BooleanField(
        "PCI-assured",
        default=False,
        help_text="The provider is assured by the Personalised Care Institute.",
    )
    external_url = HttpURLField(
        "course web address",
        max_length=500,
        blank=True,
        help_text="The provider's page for this course. It opens the provider's site.",
    )
    estimated_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "Estimated hours cannot be negative.")],
    )
    delivery_mode = models.CharField(max_length=20, choices=DeliveryMode.choices, blank=True)
    refresher_months = models.PositiveSmallIntegerField(
        "refresher period (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "The refresher period must be at least 1 month.")],
        help_text="How often it must be repeated. Leave blank if it never expires.",
    )
    in_induction = models.BooleanField(
        "part of induction", default=False, help_text="A new care coordinator does this."
    )
    induction_week = models.PositiveSmallIntegerField(
        "complete by week",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "The induction week must be 1 or more."),
            MaxValueValidator(104, "The induction week must be 104 or less."),
        ],
        help_text="Weeks after the start date. A default: each PCN can change its own plan.",
    )
    evidence_expected = EvidenceListField(
        default=list, blank=True, help_text="What a care coordinator shows to prove completion."
    )
    framework_version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        help_text="Required for Care Certificate standards: the version this standard belongs to.",
    )
    standard_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The standard's number within its framework version."
    )
    learning_outcomes = models.TextField(
        blank=True, help_text="One learning outcome a line: 'By the end you can …'."
    )
    body = StreamField(CurriculumStreamBlock(), blank=True)

    objects = PageManager.from_queryset(LearningItemQuerySet)()

    parent_page_types = ["content.CurriculumSectionPage"]
    subpage_types = []
    exclude_fields_in_copy = ["code", "seed_checksum"]

    content_panels = Page.content_panels + [
        FieldPanel("code"),
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("provider"), FieldPanel("pci_assured"), FieldPanel("external_url")],
            heading="Provider",
        ),
        MultiFieldPanel(
            [
                FieldPanel("delivery_mode"),
                FieldPanel("estimated_hours"),
                FieldPanel("refresher_months"),
                FieldPanel("evidence_expected"),
            ],
            heading="Delivery and evidence",
        ),
        MultiFieldPanel(
            [FieldPanel("in_induction"), FieldPanel("induction_week")], heading="Induction"
        ),
        MultiFieldPanel(
            [FieldPanel("framework_version"), FieldPanel("standard_number")],
            heading="Framework",
        ),
        FieldPanel("learning_outcomes"),
        FieldPanel("body"),
        InlinePanel(
            "coverages",
            heading="Completing this also covers",
            label="Covered item",
            help_text="Other items this one covers, so nobody trains twice.",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("provider"),
        index.SearchField("learning_outcomes"),
        index.SearchField("body"),
        index.AutocompleteField("summary"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = "learning item"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == Kind.CARE_CERTIFICATE and not self.framework_version_id:
            errors["framework_version"] = "Choose the Care Certificate version of this standard."
        if self.in_induction and not self.induction_week:
            errors["induction_week"] = "Enter the week after the start date to complete it by."
        if self.induction_week and not self.in_induction:
            errors["in_induction"] = "Tick this, or clear the induction week."
        if errors:
            raise ValidationError(errors)

    @property
    def kind_tag_colour(self):
        return KIND_TAG_COLOURS.get(self.kind, "grey")

    @property
    def opens_provider_site(self):
        """Links to e-LfH, the PCI and other providers open their site in a new tab."""
        return bool(self.external_url)

    @property
    def estimated_hours_display(self):
        if self.estimated_hours is None:
            return "Not set"
        hours = f"{self.estimated_hours.normalize():f}"
        return f"{hours} hour{'' if hours == '1' else 's'}"

    @property
    def refresher_display(self):
        if not self.refresher_months:
            return "Does not expire"
        if self.refresher_months % 12 == 0:
            years = self.refresher_months // 12
            return "Every year" if years == 1 else f"Every {years} years"
        return f"Every {self.refresher_months} months"

    @property
    def induction_display(self):
        if not self.in_induction:
            return "Not part of induction"
        return f"Complete by week {self.induction_week} after your start date"

    def get_evidence_expected_display(self):
        labels = dict(Evidence.choices)
        return [labels[v] for v in self.evidence_expected or [] if v in labels]

    @property
    def learning_outcome_list(self):
        return [line.strip(" -•\t") for line in self.learning_outcomes.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["crumbs"] = breadcrumbs_for(self, request)
        context["covers"] = [
            link
            for link in self.coverages.select_related("covers").order_by("sort_order")
            if link.covers.live
        ]
        context["covered_by"] = [
            link
            for link in self.covered_by_links.select_related("item").order_by("item__path")
            if link.item.live
        ]
        statuses = (fn(request, self) for fn in hooks.get_hooks(LEARNER_STATUS_HOOK))
        context["learner_status"] = [html for html in statuses if html]
        panels = (fn(request, self) for fn in hooks.get_hooks(ITEM_PANELS_HOOK))
        context["item_panels"] = [html for html in panels if html]
        return context


class ItemCoverage(Orderable):
    """Completing `item` also covers `covers` (e.g. a programme that covers several standards)."""

    item = ParentalKey(LearningItemPage, on_delete=models.CASCADE, related_name="coverages")
    covers = models.ForeignKey(
        LearningItemPage,
        on_delete=models.CASCADE,
        related_name="covered_by_links",
        verbose_name="covered item",
    )
    note = models.CharField(
        max_length=255, blank=True, help_text="Optional, e.g. 'the safeguarding module only'."
    )

    panels = [FieldPanel("covers"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["item", "covers"], name="unique_item_coverage"),
        ]

    def clean(self):
        if self.item_id and self.covers_id and self.item_id == self.covers_id:
            raise ValidationError({"covers": "An item cannot cover itself."})


class SecondPersonApprovalTask(AbstractGroupApprovalTask):
    """Group approval in which nobody approves a change they submitted or wrote.

    Wagtail's GroupApprovalTask lets a member of the approving group approve their own
    submission; curriculum changes need a second person.
    """

    def _is_author(self, obj, user):
        workflow_state = obj.current_workflow_state
        if workflow_state is None:
            return False
        if workflow_state.requested_by_id == user.pk:
            return True
        task_state = workflow_state.current_task_state
        revision = task_state.revision if task_state else None
        return bool(revision and revision.user_id == user.pk)

    def get_actions(self, obj, user):
        if self._is_author(obj, user):
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            workflow_state = task_state.workflow_state
            if user.pk in (workflow_state.requested_by_id, task_state.revision.user_id):
                raise PermissionDenied("Someone other than the change's author must approve it.")
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user).exclude(revision__user=user)

    @classmethod
    def get_description(cls):
        return "Members of the chosen groups approve, but never a change they made or submitted."

    class Meta:
        verbose_name = "second-person approval task"
        verbose_name_plural = "second-person approval tasks"


# --- helpers used by the page contexts above ------------------------------------------------


def breadcrumbs_for(page, request):
    """(label, url) pairs from Home down to the page's parent, in one query."""
    crumbs = [("Home", "/")]
    for ancestor in page.get_ancestors().filter(depth__gt=2).live():
        crumbs.append((ancestor.title, ancestor.get_url(request)))
    return crumbs


def item_listing(request, items):
    """Filter by kind (?kind=), search (?q=) and page (?page=) a queryset of learning items.

    The number of queries does not depend on the number of items.
    """
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    raw_query = " ".join(request.GET.get("q", "").split())
    query = raw_query[:MAX_QUERY_LENGTH]
    items = items.select_related("framework_version")
    if kind:
        items = items.of_kind(kind)
    # A double quote ends the phrase each word is wrapped in by Wagtail's SQLite search
    # backend (a syntax error there), and PostgreSQL refuses a NUL: neither is a search term.
    terms = query.translate({ord('"'): " ", 0: " "}).strip()
    if terms:
        results = items.search(terms, operator="and")
    elif query:
        results = items.none()
    else:
        results = items.order_by("path")
    page = Paginator(results, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "kind": kind,
        "kind_choices": Kind.choices,
        "query": query,
        "query_shortened": len(raw_query) > MAX_QUERY_LENGTH,
        "is_filtered": bool(kind or query),
        "items": page,
    }

