"""DES 7: the published "Meet your care coordinators" directory and the record of each member
practice's staff being told who the coordinators are. Every write is audited.

Rules:
- An entry is for a current care coordinator of the PCN. It is listed from a date (today or
  later) until it is unlisted; `listed_until` is the first day it is no longer shown. Listing
  again makes a new row, so the history stays. Only one listing per coordinator is open at a
  time.
- The public page shows entries listed today whose person is still a care coordinator of the
  PCN: display name, optional photo, practices covered, how to refer and about. Nothing else.
- A photo is a PNG or JPEG (by content), kept privately as the coordinator's file and served
  publicly only while its entry is listed.
- Awareness records are appended, never edited. A practice has been told about a coordinator
  when any record of that practice on or before the date names them (the engine's
  requirement 7 reads it the same way).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from lms import services as lms_services
from lms.audit import audit_record
from lms.files import validate_evidence_upload
from lms.models import Person, Practice, RoleAssignment, add_months

from .models import AwarenessMethod, DirectoryEntry, PracticeAwareness

PHOTO_TYPES = ("image/png", "image/jpeg")
#: How far ahead a listing may be scheduled.
MAX_SCHEDULE_MONTHS = 12
ENTRY_TEXT_FIELDS = ("display_name", "how_to_refer", "about")


# --- who is a current care coordinator --------------------------------------------------------


@dataclass
class Coordinator:
    """A current care coordinator of a PCN, with the practices their role names (if any)."""

    person: Person
    pcn_id: int
    practice_ids: list = field(default_factory=list)

    @property
    def default_display_name(self) -> str:
        return f"{self.person.given_name} {self.person.family_name}"


def current_coordinators(pcn_ids, as_of: datetime.date) -> list[Coordinator]:
    """Each PCN's care coordinators on `as_of` (people who have not left), by name; two
    queries whatever their number."""
    assignments = (
        RoleAssignment.objects.current(as_of).care_coordinators()
        .filter(pcn_id__in=list(pcn_ids), person__left_on__isnull=True)
        .select_related("person")
        .prefetch_related("practices")
        .order_by("person__family_name", "person__given_name", "person_id", "pk")
    )
    found: dict[tuple, Coordinator] = {}
    for assignment in assignments:
        key = (assignment.pcn_id, assignment.person_id)
        coordinator = found.setdefault(key, Coordinator(assignment.person, assignment.pcn_id))
        coordinator.practice_ids += [p.pk for p in assignment.practices.all()]
    return list(found.values())


def coordinator_ids(pcn_id, as_of: datetime.date):
    """A subquery of the PCN's current care coordinators' person ids."""
    return (
        RoleAssignment.objects.current(as_of).care_coordinators()
        .filter(pcn_id=pcn_id, person__left_on__isnull=True)
        .values("person_id")
    )


# --- the public page --------------------------------------------------------------------------


def public_entries(pcn, as_of: datetime.date):
    """Entries shown on the PCN's public page on `as_of`, practices loaded (two queries)."""
    return (
        DirectoryEntry.objects.listed(as_of)
        .filter(pcn=pcn, person_id__in=coordinator_ids(pcn.pk, as_of))
        .prefetch_related(Prefetch("practices", queryset=Practice.objects.order_by("name")))
        .order_by("display_name", "pk")
    )


def public_photo_entry(pcn, entry_pk: int, as_of: datetime.date):
    """The entry of the PCN whose photo may be shown publicly on `as_of`, or None."""
    return (
        DirectoryEntry.objects.listed(as_of)
        .filter(pk=entry_pk, pcn=pcn, person_id__in=coordinator_ids(pcn.pk, as_of),
                photo__isnull=False, photo__content_type__in=PHOTO_TYPES)
        .select_related("photo")
        .first()
    )


# --- the manager's view -----------------------------------------------------------------------


def is_open(entry: DirectoryEntry, as_of: datetime.date) -> bool:
    """Listed now or later: not yet ended."""
    return entry.listed_until is None or entry.listed_until > as_of


def entry_state(entry: DirectoryEntry | None, as_of: datetime.date) -> tuple[str, str]:
    """(label, NHS.UK tag class) of a coordinator's open entry on `as_of`."""
    if entry is None:
        return "Not listed", "nhsuk-tag--red"
    if entry.listed_from > as_of:
        return f"Listed from {entry.listed_from:%-d %B %Y}", "nhsuk-tag--blue"
    if entry.listed_until:
        return f"Listed until {entry.listed_until - datetime.timedelta(days=1):%-d %B %Y}", (
            "nhsuk-tag--yellow"
        )
    return "Listed", "nhsuk-tag--green"


@dataclass
class DirectoryRow:
    person: Person
    coordinator: Coordinator | None  # None: no longer a care coordinator of the PCN
    entry: DirectoryEntry | None  # the open entry, if any
    last_entry: DirectoryEntry | None  # the latest entry of any kind (to list again from)
    state: tuple = ("", "")


def directory_rows(pcn, as_of: datetime.date) -> list[DirectoryRow]:
    """Each current care coordinator with their open entry; then anyone else still listed.
    Four queries whatever the number of coordinators."""
    coordinators = current_coordinators([pcn.pk], as_of)
    entries = list(
        DirectoryEntry.objects.filter(pcn=pcn)
        .filter(Q(listed_until__isnull=True) | Q(listed_until__gt=as_of)
                | Q(person_id__in=[c.person.pk for c in coordinators]))
        .select_related("person", "photo")
        .prefetch_related("practices")
        .order_by("listed_from", "pk")
    )
    open_entry, last_entry = {}, {}
    for entry in entries:
        last_entry[entry.person_id] = entry
        if is_open(entry, as_of):
            open_entry[entry.person_id] = entry
    rows = [
        DirectoryRow(c.person, c, open_entry.get(c.person.pk), last_entry.get(c.person.pk))
        for c in coordinators
    ]
    current = {c.person.pk for c in coordinators}
    rows += [
        DirectoryRow(entry.person, None, entry, entry)
        for person_id, entry in open_entry.items() if person_id not in current
    ]
    for row in rows:
        row.state = entry_state(row.entry, as_of)
    return rows


def past_entries(pcn, as_of: datetime.date):
    """Listings that have ended, most recent first: the directory's history."""
    return (
        DirectoryEntry.objects.filter(pcn=pcn, listed_until__lte=as_of)
        .select_related("person")
        .order_by("-listed_until", "-pk")
    )


# --- writes: entries ---------------------------------------------------------------------------


def _entry_snapshot(entry: DirectoryEntry) -> dict:
    return {
        "person": entry.person_id, "pcn": entry.pcn_id, "display_name": entry.display_name,
        "how_to_refer": entry.how_to_refer, "about": entry.about,
        "practices": sorted(p.pk for p in entry.practices.all()),
        "photo": entry.photo_id, "listed_from": entry.listed_from,
        "listed_until": entry.listed_until,
    }


def _store_photo(*, actor, person, photo_file):
    content_type = getattr(photo_file, "detected_content_type", None)
    if content_type is None:
        try:
            content_type = validate_evidence_upload(photo_file)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
    if content_type not in PHOTO_TYPES:
        raise ValidationError({"photo": "The photo must be a PNG or JPEG image"})
    photo_file.detected_content_type = content_type
    return lms_services.evidence_file_store(actor=actor, owner=person, uploaded_file=photo_file)


def _validate_text(display_name, how_to_refer, practices, pcn) -> dict:
    errors = {}
    if not (display_name or "").strip():
        errors["display_name"] = "Enter the name to show"
    if not (how_to_refer or "").strip():
        errors["how_to_refer"] = "Enter how to refer patients"
    if not practices:
        errors["practices"] = "Choose at least one practice"
    elif any(p.pcn_id != pcn.pk for p in practices):
        errors["practices"] = f"Choose practices of {pcn.name}"
    return errors


@transaction.atomic
def directory_entry_list(
    *, actor, pcn, person: Person, as_of: datetime.date, listed_from: datetime.date,
    display_name: str, how_to_refer: str, about: str = "", practices=(), photo_file=None,
    keep_photo=None,
) -> DirectoryEntry:
    """List a current care coordinator from a date (today or later): a new row. `keep_photo`
    carries an earlier listing's photo over when no new one is given."""
    if not any(c.person.pk == person.pk for c in current_coordinators([pcn.pk], as_of)):
        raise ValidationError(f"{person.full_name} is not a care coordinator of {pcn.name}.")
    # Lock the person's entries so two managers cannot both open a listing.
    existing = list(
        DirectoryEntry.objects.select_for_update(of=("self",)).filter(person=person, pcn=pcn)
    )
    practices = list(practices)
    errors = _validate_text(display_name, how_to_refer, practices, pcn)
    if listed_from is None:
        errors["listed_from"] = "Enter the date to list from"
    elif listed_from < as_of:
        errors["listed_from"] = "The date to list from must be today or in the future"
    elif listed_from > add_months(as_of, MAX_SCHEDULE_MONTHS):
        errors["listed_from"] = "The date to list from must be within the next 12 months"
    if any(e.listed_until is None for e in existing):
        raise ValidationError(f"{person.full_name} is already listed. Change that listing "
                              "instead.")
    latest_end = max((e.listed_until for e in existing), default=None)
    if listed_from and latest_end and listed_from < latest_end and "listed_from" not in errors:
        errors["listed_from"] = (
            f"Their current listing ends on {latest_end:%-d %B %Y}: list them from then"
        )
    if errors:
        raise ValidationError(errors)
    photo = None
    if photo_file:
        photo = _store_photo(actor=actor, person=person, photo_file=photo_file)
    elif keep_photo is not None and keep_photo.owner_id == person.pk:
        photo = keep_photo
    entry = DirectoryEntry.objects.create(
        person=person, pcn=pcn, display_name=display_name.strip(),
        how_to_refer=how_to_refer.strip(), about=(about or "").strip(), photo=photo,
        listed_from=listed_from, updated_by=actor, updated_at=timezone.now(),
    )
    entry.practices.set(practices)
    audit_record(actor=actor, action="directory_entry.list", obj=entry,
                 after=_entry_snapshot(entry))
    return entry


@transaction.atomic
def directory_entry_update(
    *, actor, entry: DirectoryEntry, as_of: datetime.date, display_name: str,
    how_to_refer: str, about: str = "", practices=(), photo_file=None,
    remove_photo: bool = False,
) -> DirectoryEntry:
    """Change an open listing's text, practices or photo (the audit keeps the old values)."""
    entry = (
        DirectoryEntry.objects.select_for_update(of=("self",))
        .select_related("pcn", "person")
        .get(pk=entry.pk)
    )
    if not is_open(entry, as_of):
        raise ValidationError("This listing has ended, so it cannot be changed. List the care "
                              "coordinator again instead.")
    practices = list(practices)
    errors = _validate_text(display_name, how_to_refer, practices, entry.pcn)
    if errors:
        raise ValidationError(errors)
    before = _entry_snapshot(entry)
    if photo_file:
        entry.photo = _store_photo(actor=actor, person=entry.person, photo_file=photo_file)
    elif remove_photo:
        entry.photo = None
    entry.display_name = display_name.strip()
    entry.how_to_refer = how_to_refer.strip()
    entry.about = (about or "").strip()
    entry.practices.set(practices)
    after = _entry_snapshot(entry)
    if after == before:
        return entry
    entry.updated_by, entry.updated_at = actor, timezone.now()
    entry.save()
    audit_record(actor=actor, action="directory_entry.update", obj=entry, before=before,
                 after=after)
    return entry


@transaction.atomic
def directory_entry_unlist(*, actor, entry: DirectoryEntry, as_of: datetime.date,
                           listed_until: datetime.date | None = None) -> DirectoryEntry:
    """End a listing: it is not shown from `listed_until` (default today). A listing that has
    not started yet ends on its start date, so it is never shown."""
    entry = DirectoryEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if not is_open(entry, as_of):
        raise ValidationError("This listing has already ended.")
    listed_until = listed_until or as_of
    if entry.listed_from > as_of:
        listed_until = entry.listed_from
    elif listed_until < as_of:
        raise ValidationError({"listed_until": "The date must be today or in the future"})
    elif listed_until > add_months(as_of, MAX_SCHEDULE_MONTHS):
        raise ValidationError({"listed_until": "The date must be within the next 12 months"})
    before = _entry_snapshot(entry)
    entry.listed_until = listed_until
    entry.updated_by, entry.updated_at = actor, timezone.now()
    entry.save(update_fields=["listed_until", "updated_by", "updated_at"])
    audit_record(actor=actor, action="directory_entry.unlist", obj=entry, before=before,
                 after=_entry_snapshot(entry))
    return entry


# --- practice awareness -----------------------------------------------------------------------


@dataclass
class PracticeRow:
    practice: Practice
    latest: PracticeAwareness | None
    not_told: list = field(default_factory=list)  # current coordinators (Person) not told


def _told_pairs(practice_filter: Q, as_of: datetime.date) -> set[tuple[int, int]]:
    through = PracticeAwareness.coordinators.through
    return set(
        through.objects.filter(practice_filter, practiceawareness__told_on__lte=as_of)
        .values_list("practiceawareness__practice_id", "person_id")
        .distinct()
    )


def practice_awareness(pcn, as_of: datetime.date, coordinators=None) -> list[PracticeRow]:
    """Each practice of the PCN with its latest record on or before `as_of` and the current
    care coordinators its staff have not been told about. Five queries in all."""
    if coordinators is None:
        coordinators = current_coordinators([pcn.pk], as_of)
    latest = PracticeAwareness.objects.filter(practice=OuterRef("pk"), told_on__lte=as_of)
    practices = list(
        Practice.objects.filter(pcn=pcn)
        .annotate(latest_id=Subquery(latest.order_by("-told_on", "-pk").values("pk")[:1]))
        .order_by("name", "pk")
    )
    records = {
        record.pk: record for record in PracticeAwareness.objects.filter(
            pk__in=[p.latest_id for p in practices if p.latest_id]
        ).select_related("told_by")
    }
    told = _told_pairs(Q(practiceawareness__practice__pcn=pcn), as_of)
    return [
        PracticeRow(
            practice, records.get(practice.latest_id),
            [c.person for c in coordinators if (practice.pk, c.person.pk) not in told],
        )
        for practice in practices
    ]


def practices_not_told_counts(pcn_ids, as_of: datetime.date) -> dict[int, int]:
    """{PCN id: practices not yet told about at least one current care coordinator}; three
    queries for any number of PCNs."""
    pcn_ids = list(pcn_ids)
    coordinators: dict[int, set] = {}
    for assignment in (
        RoleAssignment.objects.current(as_of).care_coordinators()
        .filter(pcn_id__in=pcn_ids, person__left_on__isnull=True)
        .values_list("pcn_id", "person_id")
    ):
        coordinators.setdefault(assignment[0], set()).add(assignment[1])
    told = _told_pairs(Q(practiceawareness__practice__pcn_id__in=pcn_ids), as_of)
    counts: dict[int, int] = {}
    for practice_id, pcn_id in Practice.objects.filter(pcn_id__in=pcn_ids).values_list(
        "pk", "pcn_id"
    ):
        if any((practice_id, person_id) not in told for person_id in coordinators.get(pcn_id, ())):
            counts[pcn_id] = counts.get(pcn_id, 0) + 1
    return counts


def teller_choices(pcn):
    """People who may be named as having told a practice: the PCN's people who have not left."""
    return Person.objects.active().filter(pcn=pcn).order_by("family_name", "given_name", "pk")


@transaction.atomic
def awareness_record(
    *, actor, practice: Practice, as_of: datetime.date, told_on: datetime.date, method: str,
    told_by: Person, coordinators, notes: str = "",
) -> PracticeAwareness:
    """Record that a practice's staff were told about these care coordinators; never edited
    (a later record adds to it)."""
    coordinators = list(coordinators)
    current = {c.person.pk for c in current_coordinators([practice.pcn_id], as_of)}
    errors = {}
    if told_on is None:
        errors["told_on"] = "Enter the date the staff were told"
    elif told_on > as_of:
        errors["told_on"] = "The date must be today or in the past"
    elif told_on < add_months(as_of, -120):
        errors["told_on"] = "The date must be within the last 10 years"
    if method not in AwarenessMethod.values:
        errors["method"] = "Choose how the staff were told"
    if told_by is None or told_by.pcn_id != practice.pcn_id:
        errors["told_by"] = "Choose someone from the PCN"
    if not coordinators:
        errors["coordinators"] = "Choose the care coordinators the staff were told about"
    elif any(person.pk not in current for person in coordinators):
        errors["coordinators"] = "Choose current care coordinators of the PCN"
    if errors:
        raise ValidationError(errors)
    record = PracticeAwareness.objects.create(
        practice=practice, told_on=told_on, method=method, told_by=told_by,
        notes=(notes or "").strip()[:500], recorded_by=actor, recorded_at=timezone.now(),
    )
    record.coordinators.set(coordinators)
    audit_record(
        actor=actor, action="practice_awareness.record", obj=record,
        after={"practice": practice.pk, "told_on": told_on, "method": method,
               "told_by": told_by.pk, "coordinators": sorted(p.pk for p in coordinators),
               "notes": record.notes},
    )
    return record
