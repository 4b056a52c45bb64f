"""Learning records: your learning, recording and correcting it, history and verification."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from content.models import Kind, LearningItemPage

from . import services
from .access import (
    get_visible_or_404,
    people_manageable_by,
    record_owners_visible_to,
    require,
    scope_for,
    today,
)
from .form_rendering import add_validation_errors
from .learning import PCI_KINDS, pci_training_status
from .learning_forms import LearningRecordForm, QuickRecordForm
from .models import AuditEntry, LearningRecord, LearningStatus, Person

RECORDS_PER_PAGE = 50
QUEUE_PER_PAGE = 25
#: A completion that stops counting within this many days is pointed out in words.
EXPIRY_WARNING_DAYS = 30


# --- helpers -----------------------------------------------------------------------------


def annotate_status(records, as_of: datetime.date):
    """Give each record what its row shows on `as_of`: tag label and colour, expiry warning."""
    soon = as_of + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    for record in records:
        record.tag_label = record.status_label(as_of)
        record.tag_colour = record.status_colour(as_of)
        expires_on = record.expires_on
        record.expiring_soon = expires_on is not None and as_of < expires_on <= soon
        record.expires_in_days = (expires_on - as_of).days if record.expiring_soon else None
    return records


def _learning_context(request, person: Person, as_of: datetime.date) -> dict:
    """PCI training status and a page of records, in a fixed number of queries."""
    records = LearningRecord.objects.filter(person=person).with_item()
    pci = pci_training_status(list(records.filter(item__kind__in=PCI_KINDS)), as_of)
    kinds_present = set(records.order_by().values_list("item__kind", flat=True).distinct())
    kind_choices = [(value, label) for value, label in Kind.choices if value in kinds_present]
    kind = request.GET.get("kind", "")
    if kind not in kinds_present:
        kind = ""
    listed = records.filter(item__kind=kind) if kind else records
    listed = listed.prefetch_related("certificates").order_by("item__kind", "item__path")
    page = Paginator(listed, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = annotate_status(list(page.object_list), as_of)
    # Completions that expire soon, from all of this person's records (not only this page).
    expiring = annotate_status(
        list(
            records.completed()
            .filter(item__refresher_months__isnull=False, completed_on__isnull=False)
            .order_by("completed_on")
        ),
        as_of,
    )
    return {
        "person": person,
        "pci": pci,
        "page": page,
        "kind": kind,
        "kind_label": dict(Kind.choices).get(kind, ""),
        "kind_choices": kind_choices,
        "has_records": bool(kinds_present),
        "expiring": [r for r in expiring if r.expiring_soon],
        "as_of": as_of,
    }


def _can_verify(scope, person: Person) -> bool:
    """Supervisors and other supporters of the coordinator, and their PCN's managers."""
    return person.pk in scope.supervisee_ids or (
        person.pcn_id is not None and person.pcn_id in scope.managed_pcn_ids
    )


def _can_edit_for(scope, person: Person) -> bool:
    """The person themselves (as a coordinator) or a manager of their PCN."""
    if person.pk == scope.person_id:
        return scope.is_care_coordinator
    return person.pcn_id is not None and person.pcn_id in scope.managed_pcn_ids


def _record_url(person: Person, item_id: int, scope) -> str:
    if person.pk == scope.person_id:
        return reverse("learning:record", args=[item_id])
    return reverse("learning:record_for", args=[person.pk, item_id])


# --- your learning and a person's learning ---------------------------------------------------


def my_learning(request):
    """A care coordinator's PCI training status and learning records."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    person = Person.objects.select_related("pcn").get(pk=scope.person_id)
    context = _learning_context(request, person, today())
    context.update(own=True, crumbs=[("Home", reverse("home"))])
    return render(request, "lms/learning/person_learning.html", context)


def person_learning(request, person_id):
    """The same page for a supervisor or PCN manager looking at one person's learning."""
    scope = scope_for(request.user)
    person = get_visible_or_404(
        record_owners_visible_to(request.user).select_related("pcn"), pk=person_id
    )
    if person.pk == scope.person_id:
        return redirect("learning:mine")
    context = _learning_context(request, person, today())
    context.update(
        own=False,
        can_verify=_can_verify(scope, person),
        crumbs=[("Home", reverse("home"))],
    )
    return render(request, "lms/learning/person_learning.html", context)


# --- recording ---------------------------------------------------------------------------------


def record_mine(request, item_id):
    """Record or change the signed-in coordinator's learning for one item."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    person = Person.objects.select_related("pcn").get(pk=scope.person_id)
    return _record_form(request, person, item_id, own=True)


def record_for_person(request, person_id, item_id):
    """A PCN manager records learning for someone in their PCN."""
    scope = scope_for(request.user)
    require(scope.is_pcn_manager)
    person = get_visible_or_404(
        people_manageable_by(request.user).select_related("pcn"), pk=person_id
    )
    if person.pk == scope.person_id:
        return redirect("learning:record", item_id=item_id)
    return _record_form(request, person, item_id, own=False)


def _record_form(request, person, item_id, *, own):
    item = get_visible_or_404(LearningItemPage.objects.live(), pk=item_id)
    record = LearningRecord.objects.filter(person=person, item=item).first()
    quick = request.method == "POST" and request.POST.get("quick") == "1"
    if quick:
        form = QuickRecordForm(request.POST, request.FILES)
    elif request.method == "POST":
        form = LearningRecordForm(request.POST, request.FILES)
    else:
        form = LearningRecordForm(initial=_initial(record, item))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.learning_record_save(
                actor=request.user,
                person=person,
                item=item,
                certificate=form.cleaned_data.get("certificate") or None,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if own:
                messages.success(request, f"Your record for {item.title} has been saved.")
            else:
                messages.success(
                    request, f"{person.full_name}’s record for {item.title} has been saved."
                )
            if quick:
                return redirect(item.get_url(request) or "learning:mine")
            return redirect("learning:record_detail", pk=saved.pk)
    if request.method == "POST":
        _check_dates_too(form, record)
        form.ask_to_reselect_certificate()
    crumbs = [("Home", reverse("home"))]
    if own:
        crumbs.append(("Your learning", reverse("learning:mine")))
    else:
        crumbs.append((f"{person.full_name}’s learning",
                       reverse("learning:person", args=[person.pk])))
    return render(
        request,
        "lms/learning/record_form.html",
        {
            "form": form,
            "item": item,
            "record": record,
            "person": person,
            "own": own,
            "quick": quick,
            "crumbs": crumbs,
        },
    )


def _check_dates_too(form, record):
    """When another field (say the file) failed, still say what is wrong with the dates.

    Everything is shown at once rather than one problem per attempt.
    """
    if not form.errors or "stage" not in form.cleaned_data:
        return
    fields = form.service_fields(partial=True)  # a date it could not read has its own error
    current = {
        name: getattr(record, name) if record else None
        for name in ("enrolled_on", "started_on", "completed_on")
    }
    current["not_required_reason"] = record.not_required_reason if record else ""
    current.update({k: v for k, v in fields.items() if k in current or k == "stage"})
    try:
        services.validate_learning_dates(as_of=today(), **current)
    except ValidationError as error:
        for name, messages_ in error.message_dict.items():
            name = form.field_for_error(name)
            if name in form.fields and name not in form.errors:
                form.add_error(name, messages_)


def _initial(record, item):
    if record is None:
        return {"provider": item.provider, "provider_pci_assured": item.pci_assured}
    return {name: getattr(record, name) for name in LearningRecordForm.FIELDS_FOR_SERVICE}


# --- one record: details, history, verification ---------------------------------------------

#: How the history names each field of a record, in the order it lists changes.
HISTORY_FIELDS = {
    "stage": "Status",
    "not_required_reason": "Why not required",
    "enrolled_on": "Date enrolled",
    "started_on": "Date started",
    "completed_on": "Date completed",
    "provider": "Provider",
    "provider_pci_assured": "Provider PCI-assured",
    "cpd_hours": "CPD hours",
    "hours_out_of_practice": "Hours away from the practice",
    "notes": "Notes",
    "certificates": "Certificates",
    "verified_at": "Verified",
}
HISTORY_ACTIONS = {
    "learning_record.create": "Recorded",
    "learning_record.update": "Changed",
    "learning_record.verify": "Verified",
}
STAGE_LABELS = dict(LearningStatus.choices)


def _history_value(name, value):
    if name == "verified_at" and not value:
        return "Not verified"
    if value in (None, "", []):
        return "Not recorded"
    if name == "stage":
        return STAGE_LABELS.get(value, value)
    if name == "provider_pci_assured":
        return "Yes" if value else "No"
    if name == "certificates":
        return f"{len(value)} file{'' if len(value) == 1 else 's'}"
    if name in ("enrolled_on", "started_on", "completed_on"):
        try:
            return f"{datetime.date.fromisoformat(value):%-d %B %Y}"
        except (TypeError, ValueError):
            return str(value)
    if name == "verified_at":
        try:
            return f"{datetime.datetime.fromisoformat(value):%-d %B %Y}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _history(entries):
    """Audit entries as rows of who, when and what changed (before → after per field).

    Certificates are only in each entry's "after", so they are compared with the previous one.
    """
    rows = []
    previous_after = {}
    for entry in entries:
        created = entry.before is None and entry.action.endswith(".create")
        before = dict(entry.before or {})
        after = entry.after or {}
        before.setdefault("certificates", previous_after.get("certificates", []))
        before.setdefault("verified_at", previous_after.get("verified_at"))
        changes = [
            {
                "field": label,
                "before": None if created else _history_value(name, before.get(name)),
                "after": _history_value(name, after.get(name)),
            }
            for name, label in HISTORY_FIELDS.items()
            if name in after and after.get(name) != before.get(name)
            and not (created and after.get(name) in (None, "", [], False))
        ]
        actor = entry.actor
        person = getattr(actor, "person", None) if actor else None
        rows.append(
            {
                "entry": entry,
                "action": HISTORY_ACTIONS.get(entry.action, entry.action),
                "who": person.full_name if person else (actor.email if actor else "System"),
                "changes": changes,
            }
        )
        previous_after = {**previous_after, **after}
    return rows


def _visible_records(user):
    return LearningRecord.objects.for_people(record_owners_visible_to(user))


def record_detail(request, pk):
    """One record: details, certificates, verification and the history of every change."""
    scope = scope_for(request.user)
    record = get_visible_or_404(
        _visible_records(request.user)
        .with_item()
        .select_related("person__pcn", "verified_by__person")
        .prefetch_related("certificates"),
        pk=pk,
    )
    as_of = today()
    annotate_status([record], as_of)
    entries = (
        AuditEntry.objects.filter(object_type="lms.learningrecord", object_id=str(record.pk))
        .select_related("actor__person")
        .order_by("at", "pk")
    )
    person = record.person
    own = person.pk == scope.person_id
    crumbs = [("Home", reverse("home"))]
    if own:
        crumbs.append(("Your learning", reverse("learning:mine")))
    else:
        crumbs.append((f"{person.full_name}’s learning",
                       reverse("learning:person", args=[person.pk])))
    verifier = record.verified_by
    return render(
        request,
        "lms/learning/record_detail.html",
        {
            "record": record,
            "person": person,
            "own": own,
            "as_of": as_of,
            "certificates": list(record.certificates.all()),
            "verified_by_name": (
                getattr(verifier, "person", None) and verifier.person.full_name
            ) or (verifier.email if verifier else ""),
            "history": _history(entries),
            "can_verify": not own and not record.verified_at and _can_verify(scope, person),
            "change_url": _record_url(person, record.item_id, scope)
            if _can_edit_for(scope, person) else "",
            "crumbs": crumbs,
        },
    )


@require_POST
def record_verify(request, pk):
    """A supervisor or PCN manager confirms a record and its certificate are genuine."""
    scope = scope_for(request.user)
    record = get_visible_or_404(
        _visible_records(request.user).with_item().select_related("person"), pk=pk
    )
    require(_can_verify(scope, record.person))
    try:
        services.learning_record_verify(actor=request.user, record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"You have verified {record.person.full_name}’s record for {record.item.title}.",
        )
    next_url = request.POST.get("next")
    if next_url == "queue":
        return redirect("learning:verification_queue")
    return redirect("learning:record_detail", pk=record.pk)


def verification_queue(request):
    """Records with a certificate nobody has verified yet, for the people the user supports."""
    scope = scope_for(request.user)
    require(scope.is_supporter or scope.is_pcn_manager)
    condition = Q(person_id__in=scope.supervisee_ids)
    if scope.managed_pcn_ids:
        condition |= Q(person__pcn_id__in=scope.managed_pcn_ids)
    records = (
        _visible_records(request.user)
        .awaiting_verification()
        .filter(condition)
        .exclude(person_id=scope.person_id)
        .with_item()
        .select_related("person")
        .prefetch_related("certificates")
        .order_by("updated_at", "pk")
    )
    page = Paginator(records, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = annotate_status(list(page.object_list), today())
    return render(
        request,
        "lms/learning/verification_queue.html",
        {"page": page, "crumbs": [("Home", reverse("home"))]},
    )
