"""The DES 4 partner register: the list with review states, a partner's page with its check
history, adding and changing partners, recording a safeguarding check, archive and restore.

Permissions are checked here: a user without a register role gets 403, a PCN or partner
outside the PCNs they may read gets 404, and a reader who does not manage the PCN gets 403
from the pages that change it.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lms.access import get_visible_or_404, record_owners_visible_to, require, scope_for, today
from lms.form_rendering import add_validation_errors
from lms.models import PCN

from . import partner_services as services
from .models import PartnerOrganisation
from .partner_forms import ArchiveForm, PartnerForm, SafeguardingCheckForm
from .partner_services import ReviewState

PARTNERS_PER_PAGE = 25
FILTERS = {
    "overdue": "Reviews overdue or never done",
    "soon": f"Reviews due in the next {services.REVIEW_SOON_DAYS} days",
    "archived": "Archived organisations",
}


def _scope(request):
    scope = scope_for(request.user)
    require(services.may_use_register(scope))
    return scope


def _readable_pcn(request, scope, pcn_pk):
    return get_visible_or_404(PCN.objects.filter(pk__in=services.readable_pcn_ids(scope)),
                              pk=pcn_pk)


def _partner(request, scope, pk):
    return get_visible_or_404(
        PartnerOrganisation.objects.filter(pcn_id__in=services.readable_pcn_ids(scope))
        .select_related("pcn", "archived_by__person"),
        pk=pk,
    )


def _managed_partner(request, pk):
    scope = _scope(request)
    partner = _partner(request, scope, pk)
    require(services.may_manage(scope, partner.pcn_id))
    return partner


def _crumbs(pcn, partner=None):
    crumbs = [("Home", reverse("home")),
              (f"{pcn.name} partner organisations", reverse("partners:list", args=[pcn.pk]))]
    if partner is not None:
        crumbs.append((partner.name, reverse("partners:detail", args=[partner.pk])))
    return crumbs


def tag(state: str) -> dict:
    return {"label": ReviewState.LABELS[state], "class": ReviewState.TAG_CLASSES[state]}


# --- reading -------------------------------------------------------------------------------------


def register_index(request):
    """The register of the user's PCN; a choice of PCN when they can read several."""
    scope = _scope(request)
    pcns = list(PCN.objects.filter(pk__in=services.readable_pcn_ids(scope)).order_by("name"))
    if len(pcns) == 1:
        return redirect("partners:list", pcn_pk=pcns[0].pk)
    return render(request, "compliance/partners/index.html", {
        "pcns": pcns, "crumbs": [("Home", reverse("home"))],
    })


def partner_list(request, pcn_pk):
    """The PCN's partner organisations with their safeguarding review state, 25 a page."""
    scope = _scope(request)
    pcn = _readable_pcn(request, scope, pcn_pk)
    as_of = today()
    show = request.GET.get("show")
    show = show if show in FILTERS else ""
    if show == "archived":
        partners = services.with_review(
            PartnerOrganisation.objects.filter(pcn=pcn, archived_at__isnull=False), as_of
        ).order_by("-archived_at", "pk")
    else:
        partners = services.register_status(pcn, as_of).filter(services.overdue_filter(show))
    page = Paginator(partners, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    for partner in page.object_list:
        partner.tag = tag(partner.review_state)
    return render(request, "compliance/partners/list.html", {
        "pcn": pcn,
        "page": page,
        "show": show,
        "show_label": FILTERS.get(show, ""),
        "filters": FILTERS,
        "can_manage": services.may_manage(scope, pcn.pk),
        "soon_days": services.REVIEW_SOON_DAYS,
        "crumbs": [("Home", reverse("home"))],
    })


def partner_detail(request, pk):
    """A partner's details, its review state and every check, newest first."""
    scope = _scope(request)
    partner = _partner(request, scope, pk)
    as_of = today()
    checks = list(partner.safeguarding_checks.select_related("checked_by", "evidence",
                                                              "recorded_by"))
    in_force = next((c for c in checks if c.checked_on <= as_of), None)
    state = services.review_state(in_force.review_due_on if in_force else None, as_of)
    owners = {c.evidence.owner_id for c in checks if c.evidence_id}
    downloadable = set()
    if owners:
        downloadable = set(
            record_owners_visible_to(request.user).filter(pk__in=owners)
            .values_list("pk", flat=True)
        )
    for check in checks:
        check.can_download = check.evidence_id and check.evidence.owner_id in downloadable
    return render(request, "compliance/partners/detail.html", {
        "partner": partner,
        "checks": checks,
        "in_force": in_force,
        "tag": tag(state) if not partner.archived_at else None,
        "can_manage": services.may_manage(scope, partner.pcn_id),
        "crumbs": _crumbs(partner.pcn),
    })


# --- managing ------------------------------------------------------------------------------------


def partner_create(request, pcn_pk):
    scope = _scope(request)
    pcn = _readable_pcn(request, scope, pcn_pk)
    require(services.may_manage(scope, pcn.pk))
    as_of = today()
    if request.method == "POST":
        form = PartnerForm(request.POST, as_of=as_of)
        if form.is_valid():
            try:
                partner = services.partner_create(actor=request.user, pcn=pcn, as_of=as_of,
                                                  **form.service_fields())
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"{partner.name} has been added to the register. "
                                          "Now record its safeguarding check.")
                return redirect("partners:detail", pk=partner.pk)
    else:
        form = PartnerForm(as_of=as_of, initial={"added_on": as_of})
    return render(request, "compliance/partners/form.html", {
        "form": form, "pcn": pcn, "partner": None, "crumbs": _crumbs(pcn),
    })


def partner_edit(request, pk):
    partner = _managed_partner(request, pk)
    if partner.archived_at:
        messages.info(request, "This organisation is archived. Restore it before changing it.")
        return redirect("partners:detail", pk=partner.pk)
    as_of = today()
    if request.method == "POST":
        form = PartnerForm(request.POST, as_of=as_of)
        if form.is_valid():
            try:
                services.partner_update(actor=request.user, partner=partner, as_of=as_of,
                                        **form.service_fields())
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['name']}’s details have been "
                                          "saved.")
                return redirect("partners:detail", pk=partner.pk)
    else:
        form = PartnerForm(as_of=as_of, initial=PartnerForm.initial_for(partner))
    return render(request, "compliance/partners/form.html", {
        "form": form, "pcn": partner.pcn, "partner": partner,
        "crumbs": _crumbs(partner.pcn, partner),
    })


def check_record(request, pk):
    """Record a check of the partner's safeguarding processes, with optional evidence."""
    partner = _managed_partner(request, pk)
    if partner.archived_at:
        messages.info(request, "This organisation is archived. Restore it before recording a "
                               "check.")
        return redirect("partners:detail", pk=partner.pk)
    as_of = today()
    people = list(services.checker_choices(partner.pcn, as_of))
    kwargs = {"people": people, "pcn": partner.pcn, "as_of": as_of}
    if request.method == "POST":
        form = SafeguardingCheckForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = services.safeguarding_check_record(
                    actor=request.user, partner=partner, checked_on=data["checked_on"],
                    checked_by=data["checked_by"], outcome=data["outcome"],
                    review_due_on=data["review_due_on"], evidence_file=data["evidence"] or None,
                    as_of=as_of,
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(
                    request,
                    f"The safeguarding check of {partner.name} has been recorded. The next "
                    f"review is due on {check.review_due_on:%-d %B %Y}.",
                )
                return redirect("partners:detail", pk=partner.pk)
    else:
        me = scope_for(request.user).person_id
        initial = {"checked_on": as_of}
        if me in {p.pk for p in people}:
            initial["checked_by"] = me
        form = SafeguardingCheckForm(initial=initial, **kwargs)
    return render(request, "compliance/partners/check_form.html", {
        "form": form, "partner": partner, "crumbs": _crumbs(partner.pcn, partner),
    })


def partner_archive(request, pk):
    """Take a partner off the register with a reason; it keeps its history."""
    partner = _managed_partner(request, pk)
    if partner.archived_at:
        messages.info(request, "This organisation is already archived.")
        return redirect("partners:detail", pk=partner.pk)
    if request.method == "POST":
        form = ArchiveForm(request.POST)
        if form.is_valid():
            try:
                services.partner_archive(actor=request.user, partner=partner,
                                         reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"{partner.name} has been archived. Its checks are "
                                          "kept, and you can restore it at any time.")
                return redirect("partners:detail", pk=partner.pk)
    else:
        form = ArchiveForm()
    return render(request, "compliance/partners/archive.html", {
        "form": form, "partner": partner, "crumbs": _crumbs(partner.pcn, partner),
    })


@require_POST
def partner_restore(request, pk):
    partner = _managed_partner(request, pk)
    try:
        services.partner_restore(actor=request.user, partner=partner)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{partner.name} is back on the register.")
    return redirect("partners:detail", pk=partner.pk)
