"""Evidence packs: asking for them, following a PCN pack's progress, downloading them, and
the same data as CSV.

Who may do what (checked in every view):
- A PCN manager: every pack and CSV of the PCNs they manage; another PCN is not found (404).
- A care coordinator: their own one-coordinator packs (`mine`), nobody else's.
- Anyone else, ICB viewers and supervisors included: 403. ICB viewers see PCN percentages on
  their dashboard, never a coordinator's evidence.
"""

import datetime
import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.views.decorators.http import require_POST

from lms.access import get_visible_or_404, pcns_managed_by, require, scope_for, today
from lms.form_rendering import NHSDateField
from lms.models import Person, RoleAssignment
from lms.pdf import PDFRenderError
from lms.report_views import attachment, csv_response

from . import engine, pack_csv, packs
from .models import IssuedPack, PackKind, PackStatus

logger = logging.getLogger(__name__)

PER_PAGE = 25
#: While a pack is queued or running its page reloads itself this often (no JavaScript).
REFRESH_SECONDS = 5
PACK_FAILED = (
    "The pack could not be built. Try again; if it fails again, contact the Coordinate "
    "service team."
)


def long_date(day: datetime.date) -> str:
    return dateformat.format(day, "j F Y")


# --- Forms ---------------------------------------------------------------------------------


PACK_HINT = ("For example, 31 3 2026. The pack shows what was true at the end of that day, "
             "under the DES rules in force then.")
CSV_HINT = ("For example, 31 3 2026. Statuses as at the end of that day; hours for the 12 "
            "months up to it.")


def as_of_field(help_text=PACK_HINT):
    return NHSDateField(
        label="As at",
        help_text=help_text,
        error_messages={"required": "Enter the ‘as at’ date"},
    )


def check_as_of(value: datetime.date, *, now: datetime.date, pcn=None) -> None:
    """Refuse a future date, a date no contract year covers, or one before the PCN had a
    care coordinator, with a message that says which."""
    if value > now:
        raise ValidationError("‘As at’ date must be today or in the past")
    try:
        engine.requirement_set_for(value)
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    if pcn is None:
        return
    started = engine.pcn_started_on(pcn)
    if started is None:
        raise ValidationError(
            f"{pcn.name} has nobody in Coordinate yet, so there is nothing to put in a pack"
        )
    if value < started:
        raise ValidationError(
            f"‘As at’ date must be on or after {long_date(started)}, when {pcn.name} started"
        )


def coordinator_assignment(person, as_of: datetime.date, pcn=None):
    """The person's care coordinator role on `as_of` (in `pcn`, when given), or None."""
    assignments = RoleAssignment.objects.current(as_of).care_coordinators().filter(person=person)
    if pcn is not None:
        assignments = assignments.filter(pcn=pcn)
    return assignments.select_related("pcn", "pcn__icb").order_by("starts_on", "pk").first()


class PCNPackForm(forms.Form):
    as_of = as_of_field()

    def __init__(self, *args, pcn, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.pcn, self.now = pcn, now

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        check_as_of(value, now=self.now, pcn=self.pcn)
        return value


class CoordinatorPackForm(PCNPackForm):
    """A PCN manager's request for one of their care coordinators' packs."""

    person = forms.ModelChoiceField(
        label="Care coordinator",
        queryset=Person.objects.none(),
        empty_label="Choose a care coordinator",
        error_messages={
            "required": "Choose the care coordinator",
            "invalid_choice": "Choose a care coordinator from the list",
        },
    )
    field_order = ["person", "as_of"]

    def __init__(self, *args, pcn, now, **kwargs):
        super().__init__(*args, pcn=pcn, now=now, **kwargs)
        ever = RoleAssignment.objects.care_coordinators().filter(pcn=pcn).values("person_id")
        self.fields["person"].queryset = Person.objects.filter(pk__in=ever).order_by(
            "family_name", "given_name", "pk"
        )

    def clean(self):
        data = super().clean()
        person, as_of = data.get("person"), data.get("as_of")
        if person and as_of and coordinator_assignment(person, as_of, self.pcn) is None:
            self.add_error("as_of", f"{person.full_name} was not a care coordinator of "
                                    f"{self.pcn.name} on {long_date(as_of)}")
        return data


class OwnPackForm(forms.Form):
    """A care coordinator's request for their own pack."""

    as_of = as_of_field()

    def __init__(self, *args, person, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.now, self.assignment = person, now, None

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        check_as_of(value, now=self.now)
        self.assignment = coordinator_assignment(self.person, value)
        if self.assignment is None or self.assignment.pcn is None:
            raise ValidationError(f"You were not a care coordinator on {long_date(value)}")
        return value


COMPLIANCE, HOURS = "compliance", "hours"


class CSVForm(PCNPackForm):
    report = forms.ChoiceField(
        label="Which data",
        choices=[
            (COMPLIANCE, "Compliance: one row per care coordinator and requirement"),
            (HOURS, "Hours out of practice per care coordinator per month, for ARRS claims "
                    "(the 12 months up to the date)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which data to download",
                        "invalid_choice": "Choose which data to download"},
    )
    as_of = as_of_field(CSV_HINT)
    field_order = ["report", "as_of"]


# --- Access --------------------------------------------------------------------------------


def _managed_pcn(request, pcn_id):
    require(scope_for(request.user).is_pcn_manager)
    return get_visible_or_404(pcns_managed_by(request.user).select_related("icb"), pk=pcn_id)


def packs_visible_to(user):
    """Packs of the PCNs the user manages, and their own one-coordinator packs."""
    scope = scope_for(user)
    condition = Q(pcn_id__in=scope.managed_pcn_ids)
    if scope.is_care_coordinator:
        condition |= Q(kind=PackKind.COORDINATOR, person_id=scope.person_id)
    return IssuedPack.objects.filter(condition)


def _visible_pack(request, pack_id):
    scope = scope_for(request.user)
    require(scope.is_pcn_manager or scope.is_care_coordinator)
    return get_visible_or_404(
        packs_visible_to(request.user).select_related("pcn", "person", "requested_by__person"),
        pk=pack_id,
    )


def _pack_list(request, packs_queryset):
    return Paginator(
        packs_queryset.select_related("pcn", "person", "requested_by__person")
        .order_by("-requested_at", "-pk"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))


def _pdf_response(pack, pdf: bytes):
    return attachment(pdf, "application/pdf", packs.pack_file_name(pack))


# --- Pages ---------------------------------------------------------------------------------


def index(request):
    """Where "Evidence packs" leads: a manager's PCN (or a choice of PCNs), or a coordinator's
    own packs."""
    scope = scope_for(request.user)
    if scope.is_pcn_manager:
        pcns = list(pcns_managed_by(request.user).order_by("name", "pk"))
        if len(pcns) == 1:
            return redirect("packs:pcn", pcn_id=pcns[0].pk)
        return render(request, "compliance/packs/index.html", {
            "pcns": pcns, "crumbs": [("Home", reverse("home"))],
        })
    require(scope.is_care_coordinator)
    return redirect("packs:mine")


def _pcn_page(request, pcn, now, *, pcn_form=None, coordinator_form=None, csv_form=None,
              status=200):
    initial = {"as_of": now}
    pcn_form = pcn_form or PCNPackForm(pcn=pcn, now=now, prefix="pcn", initial=initial)
    coordinator_form = coordinator_form or CoordinatorPackForm(
        pcn=pcn, now=now, prefix="one", initial=initial)
    csv_form = csv_form or CSVForm(pcn=pcn, now=now, prefix="csv",
                                   initial={**initial, "report": COMPLIANCE})
    return render(request, "compliance/packs/pcn.html", {
        "pcn": pcn,
        "pcn_form": pcn_form,
        "coordinator_form": coordinator_form,
        "csv_form": csv_form,
        "forms": [pcn_form, coordinator_form, csv_form],
        "page": _pack_list(request, IssuedPack.objects.filter(pcn=pcn)),
        "crumbs": [("Home", reverse("home"))],
    }, status=status)


def pcn(request, pcn_id):
    """A PCN manager's packs page: build the whole-PCN pack (POST) or one coordinator's, get
    the CSVs, and every pack asked for so far."""
    pcn = _managed_pcn(request, pcn_id)
    now = today()
    if request.method != "POST":
        return _pcn_page(request, pcn, now)
    form = PCNPackForm(request.POST, pcn=pcn, now=now, prefix="pcn")
    if not form.is_valid():
        return _pcn_page(request, pcn, now, pcn_form=form)
    as_of = form.cleaned_data["as_of"]
    pack, created = packs.pcn_pack_request(actor=request.user, pcn=pcn, as_of=as_of)
    if created:
        messages.success(request, f"The evidence pack for {pcn.name} as at {long_date(as_of)} "
                                  "is being built.")
    else:
        messages.info(request, f"An evidence pack for {pcn.name} as at {long_date(as_of)} is "
                               "already being built, so no new one was started. This is it.")
    return redirect("packs:detail", pack_id=pack.pk)


@require_POST
def pcn_coordinator_pack(request, pcn_id):
    """Build one of the PCN's care coordinators' packs now and download it."""
    pcn = _managed_pcn(request, pcn_id)
    now = today()
    form = CoordinatorPackForm(request.POST, pcn=pcn, now=now, prefix="one")
    if not form.is_valid():
        return _pcn_page(request, pcn, now, coordinator_form=form)
    try:
        pack, pdf = packs.coordinator_pack_issue(
            actor=request.user, person=form.cleaned_data["person"], pcn=pcn,
            as_of=form.cleaned_data["as_of"],
        )
    except PDFRenderError:
        logger.exception("Evidence pack for person %s failed", form.cleaned_data["person"].pk)
        form.add_error(None, PACK_FAILED)
        return _pcn_page(request, pcn, now, coordinator_form=form)
    return _pdf_response(pack, pdf)


def pcn_csv(request, pcn_id):
    """The PCN's compliance, or hours out of practice, as CSV as at a date (GET form)."""
    pcn = _managed_pcn(request, pcn_id)
    now = today()
    form = CSVForm(request.GET or None, pcn=pcn, now=now, prefix="csv")
    if not form.is_valid():
        return _pcn_page(request, pcn, now, csv_form=form)
    as_of = form.cleaned_data["as_of"]
    stem = f"{pcn.ods_code}-{as_of.isoformat()}"
    if form.cleaned_data["report"] == HOURS:
        return csv_response(pack_csv.hours_rows(pcn, as_of), f"hours-out-of-practice-{stem}.csv")
    rows = pack_csv.compliance_rows(
        pcn, as_of, engine.pcn_compliance(pcn, as_of), engine.requirement_set_for(as_of)
    )
    return csv_response(rows, f"des-compliance-{stem}.csv")


def mine(request):
    """A care coordinator's own packs: build one as at a date (POST, downloads at once)."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    person = Person.objects.select_related("pcn", "user").get(pk=scope.person_id)
    now = today()
    if request.method == "POST":
        form = OwnPackForm(request.POST, person=person, now=now)
        if form.is_valid():
            try:
                pack, pdf = packs.coordinator_pack_issue(
                    actor=request.user, person=person, pcn=form.assignment.pcn,
                    as_of=form.cleaned_data["as_of"],
                )
            except PDFRenderError:
                logger.exception("Evidence pack for person %s failed", person.pk)
                form.add_error(None, PACK_FAILED)
            else:
                return _pdf_response(pack, pdf)
    else:
        form = OwnPackForm(person=person, now=now, initial={"as_of": now})
    own = IssuedPack.objects.filter(kind=PackKind.COORDINATOR, person_id=scope.person_id)
    return render(request, "compliance/packs/mine.html", {
        "form": form,
        "page": _pack_list(request, own),
        "crumbs": [("Home", reverse("home"))],
    })


def detail(request, pack_id):
    """One pack: progress while it is built (the page reloads itself), then its download."""
    pack = _visible_pack(request, pack_id)
    scope = scope_for(request.user)
    in_progress = pack.status in (PackStatus.QUEUED, PackStatus.RUNNING)
    if pack.pcn_id in scope.managed_pcn_ids:
        crumbs = [("Home", reverse("home")),
                  (f"Evidence packs: {pack.pcn.name}", reverse("packs:pcn", args=[pack.pcn_id]))]
    else:
        crumbs = [("Home", reverse("home")), ("Your evidence packs", reverse("packs:mine"))]
    return render(request, "compliance/packs/detail.html", {
        "pack": pack,
        "in_progress": in_progress,
        "refresh_seconds": REFRESH_SECONDS,
        "verify_url": packs.verify_url(pack.fingerprint) if pack.fingerprint else "",
        "crumbs": crumbs,
    })


def download(request, pack_id):
    """A finished pack's PDF, as an attachment, to those who may see the pack."""
    pack = _visible_pack(request, pack_id)
    if pack.status != PackStatus.DONE or not pack.file:
        raise Http404
    try:
        handle = pack.file.open("rb")
    except FileNotFoundError:
        logger.error("Evidence pack %s has lost its file %s", pack.pk, pack.file.name)
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=packs.pack_file_name(pack),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
