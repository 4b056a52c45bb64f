"""DES 7: the public "Meet your care coordinators" page and its photos; the PCN manager's
directory (list, change, unlist) and practice awareness pages.

The public page and photos need no sign-in and show only what an entry lists. Everything else
is for PCN managers: 403 for anyone else, 404 for a PCN, person, entry or practice outside the
PCNs they manage.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from lms.access import get_visible_or_404, pcns_managed_by, require, scope_for, today
from lms.form_rendering import add_validation_errors
from lms.models import PCN, Practice

from . import directory_services as services
from .directory_forms import AwarenessForm, EntryForm, UnlistForm
from .models import DirectoryEntry, PracticeAwareness

PER_PAGE = 25
PHOTO_MAX_AGE = 300


# --- the public page ----------------------------------------------------------------------------


def _public_pcn(ods_code):
    # ODS codes are short letters and digits; anything else (a NUL byte breaks PostgreSQL)
    # is simply not found.
    if len(ods_code) > 10 or not ods_code.isalnum() or not ods_code.isascii():
        raise Http404
    pcn = PCN.objects.filter(ods_code__iexact=ods_code).order_by("pk").first()
    if pcn is None:
        raise Http404
    return pcn


@login_not_required
@require_safe
def public_directory(request, ods_code):
    """The PCN's care coordinators listed today: name, photo, practices, how to refer, about."""
    pcn = _public_pcn(ods_code)
    entries = list(services.public_entries(pcn, today()))
    return render(request, "compliance/directory/public.html", {"pcn": pcn, "entries": entries})


@login_not_required
@require_safe
def public_photo(request, ods_code, entry_pk):
    """A listed entry's photo; not found once the entry is no longer listed."""
    pcn = _public_pcn(ods_code)
    entry = services.public_photo_entry(pcn, entry_pk, today())
    if entry is None:
        raise Http404
    photo = entry.photo
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- managing: access ------------------------------------------------------------------------


def _scope(request):
    scope = scope_for(request.user)
    require(scope.is_pcn_manager)
    return scope


def _managed_pcn(request, pcn_pk):
    _scope(request)
    return get_visible_or_404(pcns_managed_by(request.user), pk=pcn_pk)


def _managed_entry(request, pk):
    scope = _scope(request)
    return get_visible_or_404(
        DirectoryEntry.objects.filter(pcn_id__in=scope.managed_pcn_ids)
        .select_related("pcn", "person", "photo").prefetch_related("practices"),
        pk=pk,
    )


def _managed_practice(request, pk):
    scope = _scope(request)
    return get_visible_or_404(
        Practice.objects.filter(pcn_id__in=scope.managed_pcn_ids).select_related("pcn"), pk=pk
    )


def _crumbs(pcn, *, awareness=False):
    crumbs = [("Home", reverse("home")),
              (f"{pcn.name} directory", reverse("directory:manage", args=[pcn.pk]))]
    if awareness:
        crumbs.append(("Practice awareness", reverse("directory:awareness", args=[pcn.pk])))
    return crumbs


def _choose_pcn(request, url_name, title):
    _scope(request)
    pcns = list(pcns_managed_by(request.user).order_by("name"))
    if len(pcns) == 1:
        return redirect(url_name, pcn_pk=pcns[0].pk)
    return render(request, "compliance/directory/choose_pcn.html", {
        "pcns": pcns, "url_name": url_name, "title": title,
        "crumbs": [("Home", reverse("home"))],
    })


# --- managing: the directory ---------------------------------------------------------------------


def manage_index(request):
    return _choose_pcn(request, "directory:manage", "Care coordinator directory")


def manage(request, pcn_pk):
    """Each current care coordinator with their listing, and the directory's history."""
    pcn = _managed_pcn(request, pcn_pk)
    as_of = today()
    rows = services.directory_rows(pcn, as_of)
    history = Paginator(services.past_entries(pcn, as_of), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "compliance/directory/manage.html", {
        "pcn": pcn, "rows": rows, "history": history, "as_of": as_of,
        "listed_count": sum(1 for r in rows if r.entry and r.entry.listed_from <= as_of),
        "crumbs": [("Home", reverse("home"))],
    })


def entry_create(request, pcn_pk, person_pk):
    """List a care coordinator: a new entry, filled in from their last one if they had one."""
    pcn = _managed_pcn(request, pcn_pk)
    as_of = today()
    rows = {row.person.pk: row for row in services.directory_rows(pcn, as_of) if row.coordinator}
    row = rows.get(person_pk)
    if row is None:
        raise Http404
    if row.entry is not None and row.entry.listed_until is None:
        messages.info(request, f"{row.person.full_name} is already listed.")
        return redirect("directory:entry_edit", pk=row.entry.pk)
    practices = list(Practice.objects.filter(pcn=pcn).order_by("name"))
    last = row.last_entry
    kwargs = {"practices": practices, "has_photo": bool(last and last.photo_id)}
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            keep = None
            if last and last.photo_id and not form.cleaned_data.get("remove_photo"):
                keep = last.photo
            try:
                entry = services.directory_entry_list(
                    actor=request.user, pcn=pcn, person=row.person, as_of=as_of,
                    listed_from=form.cleaned_data["listed_from"], keep_photo=keep,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                when = ("from today" if entry.listed_from == as_of
                        else f"from {entry.listed_from:%-d %B %Y}")
                messages.success(request, f"{entry.display_name} is listed on the public page "
                                          f"{when}.")
                return redirect("directory:manage", pcn_pk=pcn.pk)
    else:
        if last is not None:
            initial = {"display_name": last.display_name, "how_to_refer": last.how_to_refer,
                       "about": last.about, "practices": [p.pk for p in last.practices.all()]}
        else:
            initial = {"display_name": row.coordinator.default_display_name,
                       "practices": row.coordinator.practice_ids or [p.pk for p in practices]}
        initial["listed_from"] = max(as_of, last.listed_until) if last and last.listed_until \
            else as_of
        form = EntryForm(initial=initial, **kwargs)
    return render(request, "compliance/directory/entry_form.html", {
        "form": form, "pcn": pcn, "person": row.person, "entry": None, "last": last,
        "crumbs": _crumbs(pcn),
    })


def entry_edit(request, pk):
    """Change an open listing's text, practices or photo."""
    entry = _managed_entry(request, pk)
    as_of = today()
    if not services.is_open(entry, as_of):
        messages.info(request, "This listing has ended. List the care coordinator again to "
                               "change what the page shows.")
        return redirect("directory:manage", pcn_pk=entry.pcn_id)
    practices = list(Practice.objects.filter(pcn_id=entry.pcn_id).order_by("name"))
    kwargs = {"practices": practices, "has_photo": bool(entry.photo_id), "new_listing": False}
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                services.directory_entry_update(
                    actor=request.user, entry=entry, as_of=as_of,
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['display_name']}’s entry has "
                                          "been saved.")
                return redirect("directory:manage", pcn_pk=entry.pcn_id)
    else:
        form = EntryForm(initial={
            "display_name": entry.display_name, "how_to_refer": entry.how_to_refer,
            "about": entry.about, "practices": [p.pk for p in entry.practices.all()],
        }, **kwargs)
    return render(request, "compliance/directory/entry_form.html", {
        "form": form, "pcn": entry.pcn, "person": entry.person, "entry": entry,
        "crumbs": _crumbs(entry.pcn),
    })


def entry_unlist(request, pk):
    """Take a listing off the public page, today or from a later date; the entry is kept."""
    entry = _managed_entry(request, pk)
    as_of = today()
    if not services.is_open(entry, as_of):
        messages.info(request, "This listing has already ended.")
        return redirect("directory:manage", pcn_pk=entry.pcn_id)
    scheduled = entry.listed_from > as_of
    if request.method == "POST":
        form = UnlistForm(request.POST)
        if scheduled:
            form.fields["listed_until"].required = False
        if form.is_valid():
            try:
                entry = services.directory_entry_unlist(
                    actor=request.user, entry=entry, as_of=as_of,
                    listed_until=form.cleaned_data["listed_until"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                if entry.listed_until <= as_of or scheduled:
                    text = f"{entry.display_name} has been taken off the public page."
                else:
                    text = (f"{entry.display_name} will be taken off the public page on "
                            f"{entry.listed_until:%-d %B %Y}.")
                messages.success(request, text + " The entry is kept in the directory’s "
                                                 "history.")
                return redirect("directory:manage", pcn_pk=entry.pcn_id)
    else:
        form = UnlistForm(initial={"listed_until": as_of})
    return render(request, "compliance/directory/unlist.html", {
        "form": form, "entry": entry, "scheduled": scheduled, "crumbs": _crumbs(entry.pcn),
    })


# --- managing: practice awareness --------------------------------------------------------------


def awareness_index(request):
    return _choose_pcn(request, "directory:awareness", "Practice awareness")


def awareness(request, pcn_pk):
    """Each practice with its latest record and the coordinators its staff were not told of."""
    pcn = _managed_pcn(request, pcn_pk)
    as_of = today()
    coordinators = services.current_coordinators([pcn.pk], as_of)
    rows = services.practice_awareness(pcn, as_of, coordinators)
    return render(request, "compliance/directory/awareness.html", {
        "pcn": pcn, "rows": rows, "coordinators": coordinators,
        "gaps": sum(1 for row in rows if row.not_told),
        "crumbs": [("Home", reverse("home")),
                   (f"{pcn.name} directory", reverse("directory:manage", args=[pcn.pk]))],
    })


def awareness_practice(request, practice_pk):
    """Every record of one practice, newest first."""
    practice = _managed_practice(request, practice_pk)
    records = (
        PracticeAwareness.objects.filter(practice=practice)
        .select_related("told_by").prefetch_related("coordinators")
    )
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "compliance/directory/awareness_practice.html", {
        "practice": practice, "page": page, "crumbs": _crumbs(practice.pcn, awareness=True),
    })


def awareness_record(request, practice_pk):
    """Record that the practice's staff were told who the care coordinators are."""
    practice = _managed_practice(request, practice_pk)
    as_of = today()
    coordinators = services.current_coordinators([practice.pcn_id], as_of)
    people = list(services.teller_choices(practice.pcn))
    kwargs = {"people": people, "coordinators": [c.person for c in coordinators],
              "as_of": as_of}
    if request.method == "POST":
        form = AwarenessForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.awareness_record(
                    actor=request.user, practice=practice, as_of=as_of, told_on=data["told_on"],
                    method=data["method"], told_by=data["told_by"],
                    coordinators=data["coordinators"], notes=data["notes"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"Recorded that {practice.name}’s staff were told "
                                          "about the care coordinators.")
                return redirect("directory:awareness", pcn_pk=practice.pcn_id)
    else:
        listed = set(
            DirectoryEntry.objects.listed(as_of).filter(pcn_id=practice.pcn_id)
            .values_list("person_id", flat=True)
        )
        ids = [c.person.pk for c in coordinators]
        me = scope_for(request.user).person_id
        initial = {"told_on": as_of,
                   "coordinators": [pk for pk in ids if pk in listed] or ids}
        if me in {p.pk for p in people}:
            initial["told_by"] = me
        form = AwarenessForm(initial=initial, **kwargs)
    return render(request, "compliance/directory/awareness_form.html", {
        "form": form, "practice": practice, "has_coordinators": bool(coordinators),
        "crumbs": _crumbs(practice.pcn, awareness=True),
    })
