"""Subject access: everything held about one person, as a zip they download themselves.

The zip holds `data.json` (every record about the person, by area), `summary.pdf` (counts
per area and the main rows, readable) and the files they uploaded (`files/`). It lives in
the compliance layer because only this layer reads across every app (ARCHITECTURE.md).

What each area holds is what the person may see in the product themselves: safeguarding
discussions through `discussions_readable_by` (the coordinator reads their own logs in
full), audit entries about their person and their records. Secrets are never written: token
digests of invitations, assessor links and calendar feeds are left out.

The number of queries does not depend on how many rows a person has: one query per area,
plus one per prefetched relation (tests/compliance/test_subject_access.py).

data.json, format_version 1:
    {"format_version": 1, "generator": "Coordinate", "generated_at": ISO datetime,
     "person": {...}, "areas": {<area key>: [row, ...] | {...}}}
A row is the record's own fields (foreign keys as `<name>_id`, choices with a `_label`),
plus readable names for the people and items it refers to.
"""

import datetime
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from competencies.models import EvidenceLink, SelfAssessment, SignOff, SignOffRequest
from lms.audit import audit_record
from lms.models import (
    AuditEntry,
    DevelopmentGoal,
    EvidenceFile,
    GoalComment,
    InductionPlanItem,
    Invitation,
    LearningRecord,
    Person,
    ReminderSent,
    RoleAssignment,
)
from lms.pdf import chunked, render_pdf
from supervision.models import (
    CalendarFeed,
    Reflection,
    ReflectionComment,
    ReflectionShare,
    SafeguardingAddendum,
    SessionAddendum,
    SessionInvitation,
    SupervisionAction,
    SupervisionSession,
)
from supervision.safeguarding_access import discussions_readable_by

from .models import DirectoryEntry, IssuedPack, PracticeAwareness

FORMAT_VERSION = 1
DATA_JSON = "data.json"
SUMMARY_PDF = "summary.pdf"
FILES_FOLDER = "files"
PDF_TEMPLATE = "compliance/subject_access/summary_pdf.html"
#: Rows per area shown in the PDF; data.json holds them all.
PDF_ROWS_PER_AREA = 200

#: Fields never written out: digests of single-use tokens and secret feed addresses.
SECRET_FIELDS = frozenset({"token_hash", "token_digest", "password"})

#: The areas, in the order they are written and shown: (key, heading).
AREAS = (
    ("roles", "Your roles"),
    ("support_named_for_you", "People named to support you"),
    ("invitations", "Invitations to set up your account"),
    ("learning_records", "Learning records"),
    ("uploaded_files", "Files you or others uploaded to your portfolio"),
    ("induction_plan", "Induction plan"),
    ("development_goals", "Development goals and comments"),
    ("self_assessments", "Competency self-assessments"),
    ("evidence_links", "Evidence linked to competencies"),
    ("sign_off_requests", "Sign-off requests"),
    ("sign_offs", "Sign-offs"),
    ("supervision_sessions", "Supervision sessions, actions and addenda"),
    ("safeguarding_discussions", "Safeguarding discussions"),
    ("reflections", "Reflections, shares and comments"),
    ("network_sessions", "Network-session invitations and attendance"),
    ("directory_listings", "DES directory listings"),
    ("practice_awareness", "Records that practices were told about you"),
    ("evidence_packs", "Evidence packs about you"),
    ("reminders", "Reminders sent to you"),
    ("calendar_feeds", "Calendar feeds"),
    ("audit_entries", "Audit trail entries about you and your records"),
)


@dataclass
class AreaSummary:
    """One area as the PDF shows it: heading, count and (date, what, details) rows."""

    key: str
    title: str
    count: int
    rows: list = field(default_factory=list)

    @property
    def row_chunks(self):
        return chunked(self.rows)

    @property
    def shown(self) -> int:
        return len(self.rows)


@dataclass
class SubjectAccessRecord:
    """Everything held about one person, ready to write out."""

    person: Person
    generated_at: datetime.datetime
    document: dict
    files: list  # EvidenceFile, each with `zip_path`
    areas: list  # AreaSummary

    @property
    def counts(self) -> dict:
        return {area.key: area.count for area in self.areas}


# --- rows ------------------------------------------------------------------------------------


def _name(person) -> str | None:
    return person.full_name if person is not None else None


def _user_name(user) -> str | None:
    """The person behind a user account (its `person` must be loaded), or None."""
    if user is None:
        return None
    try:
        return user.person.full_name
    except Person.DoesNotExist:
        return None


def _fields(obj, *, exclude=()) -> dict:
    """The record's own columns: foreign keys as ids, choices with their label, no files."""
    row = {}
    for model_field in obj._meta.concrete_fields:
        name = model_field.name
        if name in SECRET_FIELDS or name in exclude or isinstance(model_field, models.FileField):
            continue
        value = getattr(obj, model_field.attname)
        row[model_field.attname] = value
        if model_field.choices and value not in (None, ""):
            row[f"{name}_label"] = getattr(obj, f"get_{name}_display")()
    return row


class _Seen:
    """The (model label, id) of every record written out: their audit entries are found by it."""

    def __init__(self):
        self.ids = defaultdict(set)

    def add(self, *objs):
        for obj in objs:
            self.ids[obj._meta.label_lower].add(str(obj.pk))

    def audit_condition(self) -> Q:
        condition = Q(pk__in=[])
        for label, ids in sorted(self.ids.items()):
            condition |= Q(object_type=label, object_id__in=sorted(ids))
        return condition


def _d(value) -> str:
    """A date (or datetime) for the PDF, as '3 Mar 2025'."""
    if value is None:
        return "–"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value:%-d %b %Y}"


# --- the areas -------------------------------------------------------------------------------


def _person_area(person, seen):
    seen.add(person)
    user = person.user
    return {
        **_fields(person),
        "full_name": person.full_name,
        "pcn": person.pcn.name if person.pcn_id else None,
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "is_active": user.is_active,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
    }


def _roles(person, seen):
    assignments = list(
        RoleAssignment.objects.filter(person=person)
        .select_related("pcn", "icb", "care_coordinator")
        .prefetch_related("practices")
        .order_by("starts_on", "pk")
    )
    seen.add(*assignments)
    rows = [{
        **_fields(a, exclude=("created_by", "ended_by")),
        "pcn": a.pcn.name if a.pcn_id else None,
        "icb": a.icb.name if a.icb_id else None,
        "care_coordinator": _name(a.care_coordinator),
        "practices": [p.name for p in a.practices.all()],
    } for a in assignments]
    summary = [(_d(a.starts_on), a.get_role_display(),
                a.scope_label + (f", ended {_d(a.ends_on)}" if a.ends_on else ""))
               for a in assignments]
    return rows, summary


def _support_named(person, seen):
    assignments = list(
        RoleAssignment.objects.filter(care_coordinator=person)
        .select_related("person").order_by("starts_on", "pk")
    )
    seen.add(*assignments)
    rows = [{
        "role": a.role, "role_label": a.get_role_display(), "person": _name(a.person),
        "starts_on": a.starts_on, "ends_on": a.ends_on,
    } for a in assignments]
    summary = [(_d(a.starts_on), a.get_role_display(), a.person.full_name
                + (f", until {_d(a.ends_on)}" if a.ends_on else "")) for a in assignments]
    return rows, summary


def _invitations(person, seen):
    invitations = list(Invitation.objects.filter(person=person).order_by("created_at", "pk"))
    seen.add(*invitations)
    rows = [_fields(i, exclude=("invited_by",)) for i in invitations]
    summary = [(_d(i.created_at), f"Invitation to {i.email}", i.state(timezone.now()))
               for i in invitations]
    return rows, summary


def _learning_records(person, seen):
    records = list(
        LearningRecord.objects.filter(person=person).with_item()
        .select_related("verified_by__person")
        .prefetch_related("certificates")
        .order_by("item__path")
    )
    seen.add(*records)
    today = timezone.localdate()
    rows = [{
        **_fields(r, exclude=("verified_by", "created_by")),
        "item_title": r.item.title,
        "item_code": r.item.code,
        "status_today": r.status(today),
        "verified_by": _user_name(r.verified_by),
        "certificate_file_ids": [c.pk for c in r.certificates.all()],
    } for r in records]
    summary = [(_d(r.completed_on or r.started_on or r.enrolled_on), r.item.title,
                r.status_label(today)) for r in records]
    return rows, summary


def _uploaded_files(person, seen):
    files = list(EvidenceFile.objects.filter(owner=person).order_by("uploaded_at", "pk"))
    seen.add(*files)
    for evidence in files:
        name = get_valid_filename(evidence.original_name)[:120] or "file"
        evidence.zip_path = f"{FILES_FOLDER}/{evidence.pk}-{name}"
    rows = [{**_fields(f, exclude=("uploaded_by",)), "path_in_zip": f.zip_path} for f in files]
    summary = [(_d(f.uploaded_at), f.original_name, f"{f.content_type}, {f.size} bytes")
               for f in files]
    return rows, files, summary


def _induction_plan(person, seen):
    items = list(InductionPlanItem.objects.filter(person=person).select_related("item"))
    seen.add(*items)
    rows = [{**_fields(i), "item_title": i.item.title} for i in items]
    summary = [(_d(i.due_on), i.item.title, "Due") for i in items]
    return rows, summary


def _development_goals(person, seen):
    goals = list(
        DevelopmentGoal.objects.filter(person=person)
        .prefetch_related(
            "learning_items",
            Prefetch("comments", GoalComment.objects.select_related("author")),
        )
    )
    seen.add(*goals)
    rows = []
    for goal in goals:
        comments = list(goal.comments.all())
        seen.add(*comments)
        rows.append({
            **_fields(goal),
            "learning_items": [item.title for item in goal.learning_items.all()],
            "comments": [{**_fields(c), "author": _name(c.author)} for c in comments],
        })
    summary = [(_d(g.target_date), g.title,
                f"{g.get_status_display()}, {len(g.comments.all())} comment(s)") for g in goals]
    return rows, summary


def _self_assessments(person, seen):
    assessments = list(
        SelfAssessment.objects.filter(person=person)
        .select_related("competency__framework").order_by("created_at", "pk")
    )
    seen.add(*assessments)
    rows = [{**_fields(a), "competency": a.competency.title,
             "level_label": a.competency.framework.level_label(a.level)} for a in assessments]
    summary = [(_d(a.created_at), a.competency.title,
                a.competency.framework.level_label(a.level)) for a in assessments]
    return rows, summary


def _evidence_links(person, seen):
    links = list(
        EvidenceLink.objects.filter(person=person)
        .select_related("competency", "content_type").order_by("added_at", "pk")
    )
    seen.add(*links)
    rows = [{
        **_fields(link, exclude=("added_by",)),
        "competency": link.competency.title,
        "linked_record": (
            f"{link.content_type.app_label}.{link.content_type.model}:{link.object_id}"
            if link.content_type_id and link.object_id else None
        ),
    } for link in links]
    summary = [(_d(link.added_at), link.description,
                f"{link.get_kind_display()} for {link.competency.title}"
                + (" (withdrawn)" if link.withdrawn_at else "")) for link in links]
    return rows, summary


def _sign_off_requests(person, seen):
    requests = list(
        SignOffRequest.objects.filter(person=person)
        .select_related("competency", "reviewer", "decided_by__person")
        .prefetch_related("evidence").order_by("created_at", "pk")
    )
    seen.add(*requests)
    rows = [{
        **_fields(r, exclude=("requested_by", "decided_by")),
        "competency": r.competency.title,
        "reviewer": _name(r.reviewer),
        "decided_by": _user_name(r.decided_by),
        "evidence_link_ids": [e.pk for e in r.evidence.all()],
    } for r in requests]
    summary = [(_d(r.created_at), r.competency.title,
                f"{r.get_status_display()}, reviewer {_name(r.reviewer) or r.assessor_name}")
               for r in requests]
    return rows, summary


def _sign_offs(person, seen):
    sign_offs = list(
        SignOff.objects.filter(person=person)
        .select_related("competency__framework").order_by("signed_at", "pk")
    )
    seen.add(*sign_offs)
    rows = [{**_fields(s, exclude=("signed_by",)), "competency": s.competency.title,
             "level_label": s.level_label} for s in sign_offs]
    summary = [(_d(s.signed_at), s.competency.title,
                f"{s.level_label} by {s.assessor_name}"
                + (" (superseded)" if s.superseded_by_id else "")) for s in sign_offs]
    return rows, summary


def _supervision_sessions(person, seen):
    sessions = list(
        SupervisionSession.objects.filter(care_coordinator=person)
        .select_related("recorded_by", "confirmed_by", "withdrawn_by")
        .prefetch_related(
            "supervisors", "competencies", "goals",
            Prefetch("actions", SupervisionAction.objects.select_related("owner")),
            Prefetch("addenda", SessionAddendum.objects.select_related("added_by")),
        )
    )
    seen.add(*sessions)
    rows = []
    for s in sessions:
        actions, addenda = list(s.actions.all()), list(s.addenda.all())
        seen.add(*actions, *addenda)
        rows.append({
            **_fields(s),
            "supervisors": [p.full_name for p in s.supervisors.all()],
            "recorded_by": _name(s.recorded_by),
            "confirmed_by": _name(s.confirmed_by),
            "withdrawn_by": _name(s.withdrawn_by),
            "competencies": [c.title for c in s.competencies.all()],
            "development_goals": [g.title for g in s.goals.all()],
            "actions": [{**_fields(a), "owner": _name(a.owner)} for a in actions],
            "addenda": [{**_fields(a), "added_by": _name(a.added_by)} for a in addenda],
        })
    summary = [(_d(s.held_on), s.get_session_type_display(),
                ", ".join(p.full_name for p in s.supervisors.all())
                + ("" if s.confirmed_at else " (not confirmed)")
                + (" (withdrawn)" if s.withdrawn_at else "")) for s in sessions]
    return rows, summary


def _safeguarding_discussions(person, user, seen):
    # What the coordinator may read in the product: their own logs, in full.
    discussions = list(
        discussions_readable_by(user).filter(care_coordinator=person)
        .select_related("discussed_with", "recorded_by", "withdrawn_by")
        .prefetch_related(
            Prefetch("addenda", SafeguardingAddendum.objects.select_related("added_by"))
        )
    )
    seen.add(*discussions)
    rows = []
    for d in discussions:
        addenda = list(d.addenda.all())
        seen.add(*addenda)
        rows.append({
            **_fields(d),
            "discussed_with": _name(d.discussed_with),
            "recorded_by": _name(d.recorded_by),
            "withdrawn_by": _name(d.withdrawn_by),
            "addenda": [{**_fields(a), "added_by": _name(a.added_by)} for a in addenda],
        })
    summary = [(_d(d.discussed_on), d.get_category_display(),
                f"With {d.discussed_with.full_name}" + (" (withdrawn)" if d.withdrawn_at else ""))
               for d in discussions]
    return rows, summary


def _reflections(person, seen):
    reflections = list(
        Reflection.objects.filter(author=person)
        .prefetch_related(
            "competencies", "learning_items", "supervision_sessions", "network_sessions",
            Prefetch("shares", ReflectionShare.objects.select_related("shared_with")),
            Prefetch("comments", ReflectionComment.objects.select_related("author")),
        )
    )
    seen.add(*reflections)
    rows = []
    for r in reflections:
        shares, comments = list(r.shares.all()), list(r.comments.all())
        seen.add(*shares, *comments)
        rows.append({
            **_fields(r),
            "competencies": [c.title for c in r.competencies.all()],
            "learning_items": [i.title for i in r.learning_items.all()],
            "supervision_session_ids": [s.pk for s in r.supervision_sessions.all()],
            "network_session_ids": [s.pk for s in r.network_sessions.all()],
            "shares": [{**_fields(s), "shared_with": _name(s.shared_with)} for s in shares],
            "comments": [{**_fields(c), "author": _name(c.author)} for c in comments],
        })
    summary = [(_d(r.reflected_on), r.title,
                f"{r.get_status_display()}, shared with {len(r.shares.all())}, "
                f"{len(r.comments.all())} comment(s)") for r in reflections]
    return rows, summary


def _network_sessions(person, seen):
    invitations = list(
        SessionInvitation.objects.filter(person=person)
        .select_related("session__pcn", "session__facilitator", "attendance_recorded_by")
    )
    seen.add(*invitations)
    rows = [{
        **_fields(i),
        "session": {
            "title": i.session.title, "kind": i.session.kind,
            "kind_label": i.session.get_kind_display(), "starts_at": i.session.starts_at,
            "ends_at": i.session.ends_at, "organising_pcn": i.session.pcn.name,
            "facilitator": _name(i.session.facilitator),
            "cancelled_at": i.session.cancelled_at,
        },
        "attendance_recorded_by": _name(i.attendance_recorded_by),
    } for i in invitations]
    summary = [(_d(i.session.starts_at), i.session.title,
                f"{i.get_rsvp_display()}; {i.get_attendance_display()}") for i in invitations]
    return rows, summary


def _directory_listings(person, seen):
    entries = list(
        DirectoryEntry.objects.filter(person=person).select_related("pcn")
        .prefetch_related("practices").order_by("listed_from", "pk")
    )
    seen.add(*entries)
    rows = [{**_fields(e, exclude=("updated_by",)), "pcn": e.pcn.name,
             "practices": [p.name for p in e.practices.all()]} for e in entries]
    summary = [(_d(e.listed_from), e.display_name,
                f"{e.pcn.name}" + (f", until {_d(e.listed_until)}" if e.listed_until else ""))
               for e in entries]
    return rows, summary


def _practice_awareness(person, seen):
    records = list(
        PracticeAwareness.objects.filter(coordinators=person)
        .select_related("practice", "told_by").order_by("told_on", "pk")
    )
    seen.add(*records)
    rows = [{**_fields(a, exclude=("recorded_by",)), "practice": a.practice.name,
             "told_by": _name(a.told_by)} for a in records]
    summary = [(_d(a.told_on), a.practice.name, a.get_method_display()) for a in records]
    return rows, summary


def _evidence_packs(person, seen):
    packs = list(IssuedPack.objects.filter(person=person).select_related("pcn"))
    seen.add(*packs)
    rows = [{**_fields(p, exclude=("requested_by",)), "pcn": p.pcn.name} for p in packs]
    summary = [(_d(p.requested_at), f"Evidence pack as at {_d(p.as_of)}",
                p.get_status_display()) for p in packs]
    return rows, summary


def _reminders(person, seen):
    reminders = list(ReminderSent.objects.filter(person=person).order_by("sent_on", "pk"))
    rows = [_fields(r) for r in reminders]
    summary = [(_d(r.sent_on), r.kind, "") for r in reminders]
    return rows, summary


def _calendar_feeds(person, seen):
    feeds = list(CalendarFeed.objects.filter(person=person))
    seen.add(*feeds)
    rows = [_fields(f) for f in feeds]
    summary = [(_d(f.created_at), "Calendar feed",
                "Revoked" if f.revoked_at else "In use") for f in feeds]
    return rows, summary


def _audit_entries(person, seen):
    entries = list(
        AuditEntry.objects.filter(seen.audit_condition())
        .select_related("actor__person").order_by("pk")
    )
    rows = [{**_fields(e, exclude=("actor", "pcn")), "actor": _user_name(e.actor)}
            for e in entries]
    summary = [(_d(e.at), e.action, e.object_repr) for e in entries]
    return rows, summary


# --- the record and the zip ------------------------------------------------------------------


def subject_access_record(person: Person, *, user) -> SubjectAccessRecord:
    """Everything held about `person`, read as `user` (the person themself)."""
    person = Person.objects.select_related("user", "pcn").get(pk=person.pk)
    seen = _Seen()
    results = {}
    results["roles"] = _roles(person, seen)
    results["support_named_for_you"] = _support_named(person, seen)
    results["invitations"] = _invitations(person, seen)
    results["learning_records"] = _learning_records(person, seen)
    file_rows, files, file_summary = _uploaded_files(person, seen)
    results["uploaded_files"] = (file_rows, file_summary)
    results["induction_plan"] = _induction_plan(person, seen)
    results["development_goals"] = _development_goals(person, seen)
    results["self_assessments"] = _self_assessments(person, seen)
    results["evidence_links"] = _evidence_links(person, seen)
    results["sign_off_requests"] = _sign_off_requests(person, seen)
    results["sign_offs"] = _sign_offs(person, seen)
    results["supervision_sessions"] = _supervision_sessions(person, seen)
    results["safeguarding_discussions"] = _safeguarding_discussions(person, user, seen)
    results["reflections"] = _reflections(person, seen)
    results["network_sessions"] = _network_sessions(person, seen)
    results["directory_listings"] = _directory_listings(person, seen)
    results["practice_awareness"] = _practice_awareness(person, seen)
    results["evidence_packs"] = _evidence_packs(person, seen)
    results["reminders"] = _reminders(person, seen)
    results["calendar_feeds"] = _calendar_feeds(person, seen)
    person_row = _person_area(person, seen)
    results["audit_entries"] = _audit_entries(person, seen)  # last: it reads what was seen

    generated_at = timezone.now()
    document = {
        "format_version": FORMAT_VERSION,
        "generator": "Coordinate",
        "generated_at": generated_at,
        "about": "Everything this service holds about you. Areas are listed in 'areas'.",
        "person": person_row,
        "areas": {key: results[key][0] for key, _title in AREAS},
        "area_titles": dict(AREAS),
        "files_folder": FILES_FOLDER,
    }
    areas = [
        AreaSummary(key=key, title=title, count=len(results[key][0]),
                    rows=results[key][1][:PDF_ROWS_PER_AREA])
        for key, title in AREAS
    ]
    return SubjectAccessRecord(person=person, generated_at=generated_at, document=document,
                               files=files, areas=areas)


def summary_pdf(record: SubjectAccessRecord) -> bytes:
    """The readable summary: who, counts per area, then each area's main rows."""
    return render_pdf(PDF_TEMPLATE, {"record": record,
                                     "rows_limit": PDF_ROWS_PER_AREA})


def subject_access_export(*, actor, person: Person) -> bytes:
    """The zip of everything held about `person`; each download is audited."""
    record = subject_access_record(person, user=actor)
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for evidence in record.files:
            try:
                with evidence.file.open("rb") as handle:
                    archive.writestr(evidence.zip_path, handle.read())
            except (FileNotFoundError, ValueError):
                # Deleted from storage (under retention, or lost): the row says it existed.
                missing.append(evidence.pk)
        record.document["missing_file_ids"] = missing
        archive.writestr(
            DATA_JSON,
            json.dumps(record.document, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
        )
        archive.writestr(SUMMARY_PDF, summary_pdf(record))
    with transaction.atomic():
        audit_record(actor=actor, action="subject_access.download", obj=record.person,
                     after={"counts": record.counts, "files": len(record.files) - len(missing)})
    return buffer.getvalue()


def export_file_name(as_of: datetime.date) -> str:
    return f"your-data-coordinate-{as_of.isoformat()}.zip"
