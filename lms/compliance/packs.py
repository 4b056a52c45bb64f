"""Evidence packs: their content, their fingerprint, and the writes that issue them.

A pack's content is plain data (dicts, lists, strings; dates as ISO strings) built from the
engine's results "as at" a date, plus the statutory and mandatory training matrix and a
supervision summary (counts and dates only: never what was said). The fingerprint is the
SHA-256 of that content as canonical JSON. The issue time and who asked are not content, so
the same data and date give the same fingerprint however often, and by whom, it is issued.

- One care coordinator's pack is built in the request (`coordinator_pack_issue`).
- A whole PCN's pack is queued (`pcn_pack_request`) and built by the background task
  (`lms.compliance.tasks.build_pcn_pack` -> `pcn_pack_build`). While one is queued or
  running for a PCN and date, asking again returns that one: the PCN row is locked while
  checking, and a conditional unique constraint backs the check up.
"""

import datetime
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from content.models import LearningItemPage
from lms.audit import audit_record
from lms.models import PCN, LearningRecord, LearningStatus, Person, add_months
from supervision.cadence import cadence_by_coordinator, coordinator_starts, last_sessions
from supervision.models import SafeguardingDiscussion, SessionType, SupervisionSession

from . import engine, pack_pdf
from .models import IssuedPack, PackKind, PackStatus

logger = logging.getLogger(__name__)

#: Names the content's layout; change it whenever the content's shape changes.
FORMAT = "coordinate-evidence-pack/1"
#: A completion expiring within this many days of the "as at" date is flagged.
EXPIRING_DAYS = 30
#: The supervision summary covers this many months up to the "as at" date.
SUPERVISION_MONTHS = 12
#: A queued or running pack older than this is taken to have died with its worker.
STALE_AFTER = datetime.timedelta(hours=1)
#: Share of a PCN pack's progress taken by gathering content (the rest is the PDF).
CONTENT_SHARE = 80


# --- Content -------------------------------------------------------------------------------


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _requirement_data(requirement) -> dict:
    return {
        "code": requirement.code,
        "short_title": requirement.short_title,
        "title": requirement.title,
        "clause": requirement.clause,
    }


def _evidence_data(evidence) -> dict:
    # Links (`url`) are left out: they are where a signed-in user opens a record, not
    # evidence, and they would tie the fingerprint to this site's addresses.
    return {
        "label": evidence.label,
        "on": _iso(evidence.on),
        "detail": evidence.detail,
        "by": evidence.by,
    }


def _result_data(result) -> dict:
    evidence = sorted(
        (_evidence_data(e) for e in result.evidence),
        key=lambda e: (e["on"], e["label"], e["detail"], e["by"]),
    )
    return {
        "code": result.requirement.code,
        "status": str(result.status),
        "status_label": result.status.label,
        "summary": result.summary,
        "lapses_on": _iso(result.lapses_on),
        "risk": result.risk,
        "evidence": evidence,
    }


def statutory_items(requirement_set) -> list:
    """The statutory and mandatory items the contract year counts, in curriculum order."""
    items = LearningItemPage.objects.live().filter(kind=requirement_set.statutory_kind)
    codes = getattr(requirement_set, "statutory_item_codes", None)
    if codes is not None:
        items = items.filter(code__in=codes)
    return list(items.order_by("path"))


def _record_stage_on(record: LearningRecord, as_of: datetime.date) -> str | None:
    """The stage a record had reached by `as_of`, judged from its dates; None: not yet."""
    stage = record.stage
    if stage == LearningStatus.COMPLETED and record.completed_on and record.completed_on > as_of:
        # Completed later: on `as_of` it was at most under way.
        if record.started_on and record.started_on <= as_of:
            return LearningStatus.IN_PROGRESS
        if record.enrolled_on and record.enrolled_on <= as_of:
            return LearningStatus.ENROLLED
        return None
    if stage == LearningStatus.IN_PROGRESS and record.started_on and record.started_on > as_of:
        return LearningStatus.ENROLLED if (
            record.enrolled_on and record.enrolled_on <= as_of
        ) else None
    if stage == LearningStatus.ENROLLED and record.enrolled_on and record.enrolled_on > as_of:
        return None
    if record.created_at.date() > as_of and not any(
        day and day <= as_of for day in (record.enrolled_on, record.started_on,
                                         record.completed_on)
    ):
        return None
    return stage


def training_cell(record: LearningRecord | None, as_of: datetime.date) -> dict:
    """One coordinator's standing on one statutory or mandatory item on `as_of`, in words."""
    empty = {"status": "not_recorded", "status_label": "Not recorded", "completed_on": "",
             "expires_on": "", "note": ""}
    if record is None:
        return empty
    verified_by_then = not record.imported_from or (
        record.verified_at is not None and record.verified_at.date() <= as_of
    )
    if not verified_by_then:
        return {**empty, "status": "unverified", "status_label": "Not verified",
                "note": "Imported: not verified"}
    stage = _record_stage_on(record, as_of)
    if stage is None:
        return empty
    if stage == LearningStatus.COMPLETED:
        expires_on = record.expires_on
        cell = {**empty, "completed_on": _iso(record.completed_on), "expires_on": _iso(expires_on)}
        if expires_on is not None and expires_on <= as_of:
            return {**cell, "status": "expired", "status_label": "Expired"}
        if expires_on is not None and expires_on <= as_of + datetime.timedelta(
            days=EXPIRING_DAYS
        ):
            return {**cell, "status": "expiring", "status_label": "Expires soon"}
        return {**cell, "status": "completed", "status_label": "Completed"}
    note = record.not_required_reason if stage == LearningStatus.NOT_REQUIRED else ""
    return {**empty, "status": str(stage), "status_label": LearningStatus(stage).label,
            "note": note}


def supervision_window(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The 12 months up to and including `as_of`."""
    return add_months(as_of, -SUPERVISION_MONTHS) + datetime.timedelta(days=1), as_of


def supervision_summaries(person_ids, as_of: datetime.date) -> dict[int, dict]:
    """{coordinator id: summary}: sessions by type in the last 12 months, the last clinical
    session, cadence, and safeguarding discussion dates. Dates and counts only; six queries
    however many coordinators."""
    person_ids = list(person_ids)
    start, end = supervision_window(as_of)
    held: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    sessions = (
        SupervisionSession.objects.current()
        .filter(care_coordinator_id__in=person_ids, held_on__range=(start, end))
        .order_by("held_on", "pk")
        .values_list("care_coordinator_id", "session_type", "held_on")
    )
    for person_id, session_type, held_on in sessions:
        held[person_id][session_type].append(held_on)
    last = last_sessions(person_ids, as_of)
    cadence = cadence_by_coordinator(person_ids, as_of)
    discussions: dict[int, list] = defaultdict(list)
    for person_id, discussed_on in (
        SafeguardingDiscussion.objects.current()
        .filter(care_coordinator_id__in=person_ids, discussed_on__range=(start, end))
        .order_by("discussed_on", "pk")
        .values_list("care_coordinator_id", "discussed_on")
    ):
        discussions[person_id].append(discussed_on)
    summaries = {}
    for person_id in person_ids:
        own = held.get(person_id, {})
        summaries[person_id] = {
            "sessions": [
                {
                    "type": session_type,
                    "type_label": SessionType(session_type).label,
                    "count": len(own.get(session_type, [])),
                    "last_held_on": _iso(max(own[session_type])) if own.get(session_type)
                    else "",
                }
                for session_type in SessionType.values
            ],
            "last_clinical_on": _iso(last.get(person_id, {}).get(SessionType.CLINICAL)),
            "cadence": [
                {
                    "type": c.session_type,
                    "type_label": c.type_label,
                    "interval_days": c.interval_days,
                    "last_held_on": _iso(c.last_held_on),
                    "due_on": _iso(c.due_on),
                    "status": str(c.status),
                    "status_label": c.status.label,
                }
                for c in cadence.get(person_id, {}).values()
            ],
            "safeguarding_discussions": {
                "count": len(discussions.get(person_id, [])),
                "dates": [_iso(day) for day in discussions.get(person_id, [])],
            },
        }
    return summaries


def _sort_key(compliance):
    person = compliance.person
    return (person.family_name, person.given_name, person.pk)


def build_content(
    *,
    kind: str,
    pcn: PCN,
    as_of: datetime.date,
    compliances: list,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """The pack's content from the engine's results for these coordinators on `as_of`.

    Five queries for the training matrix and six for supervision, whatever the number of
    coordinators; `on_progress(done, total)` is called after each coordinator.
    """
    requirement_set = engine.requirement_set_for(as_of)
    compliances = sorted(compliances, key=_sort_key)
    person_ids = [c.person.pk for c in compliances]
    items = statutory_items(requirement_set)
    records = {
        (record.person_id, record.item_id): record
        for record in LearningRecord.objects.filter(
            person_id__in=person_ids, item_id__in=[item.pk for item in items]
        ).select_related("item")
    }
    supervision = supervision_summaries(person_ids, as_of)
    starts = coordinator_starts(person_ids, as_of)
    start, end = supervision_window(as_of)
    coordinators = []
    for done, compliance in enumerate(compliances, start=1):
        person = compliance.person
        started = starts.get(person.pk)
        coordinators.append({
            "name": person.full_name,
            "coordinator_since": _iso(started.started_on if started else None),
            "overall": str(compliance.overall),
            "overall_label": compliance.overall.label,
            "met": compliance.met_count,
            "applicable": compliance.applicable_count,
            "results": [
                _result_data(compliance.results[requirement.code])
                for requirement in requirement_set.requirements
                if requirement.code in compliance.results
            ],
            "training": [
                {"item": item.code or item.title, **training_cell(
                    records.get((person.pk, item.pk)), as_of)}
                for item in items
            ],
            "supervision": supervision[person.pk],
        })
        if on_progress is not None:
            on_progress(done, len(compliances))
    return {
        "format": FORMAT,
        "kind": kind,
        "as_of": _iso(as_of),
        "contract_year": requirement_set.contract_year,
        "contract_year_starts_on": _iso(requirement_set.starts_on),
        "contract_year_ends_on": _iso(requirement_set.ends_on),
        "contract_year_changes": getattr(requirement_set, "changes", ""),
        "pcn": {"name": pcn.name, "ods_code": pcn.ods_code, "icb": pcn.icb.name},
        "requirements": [_requirement_data(r) for r in requirement_set.requirements],
        "statutory_items": [
            {"code": item.code or "", "title": item.title,
             "refresher_months": item.refresher_months}
            for item in items
        ],
        "supervision_window": {"from": _iso(start), "to": _iso(end)},
        "coordinators": coordinators,
    }


def coordinator_pack_content(person: Person, pcn: PCN, as_of: datetime.date) -> dict:
    """One care coordinator's pack content as at `as_of`."""
    compliance = engine.coordinator_compliance(person, as_of)
    return build_content(kind=PackKind.COORDINATOR, pcn=pcn, as_of=as_of,
                         compliances=[compliance])


def pcn_pack_content(pcn: PCN, as_of: datetime.date, on_progress=None) -> dict:
    """A whole PCN's pack content: every care coordinator of the PCN on `as_of`."""
    return build_content(kind=PackKind.PCN, pcn=pcn, as_of=as_of,
                         compliances=engine.pcn_compliance(pcn, as_of), on_progress=on_progress)


def canonical_json(content: dict) -> bytes:
    """The content as JSON with sorted keys and no optional whitespace: one text per content."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def content_fingerprint(content: dict) -> str:
    """SHA-256 (64 lower-case hex characters) of the canonical JSON of the content."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def verify_url(fingerprint: str) -> str:
    """The public address where anyone can check a fingerprint."""
    return settings.SITE_URL.rstrip("/") + reverse("verify:fingerprint", args=[fingerprint])


def issued_by_name(user) -> str:
    if user is None:
        return "Coordinate"
    person = Person.objects.filter(user=user).only("given_name", "family_name").first()
    return person.full_name if person else user.get_username()


def render(content: dict, *, fingerprint: str, issued_at: datetime.datetime, issued_by: str):
    return pack_pdf.render_pack_pdf(
        content, fingerprint=fingerprint, issued_at=issued_at, issued_by=issued_by,
        verify_url=verify_url(fingerprint),
    )


def pack_file_name(pack: IssuedPack) -> str:
    if pack.kind == PackKind.COORDINATOR and pack.person is not None:
        stem = f"evidence-pack-{pack.person.given_name}-{pack.person.family_name}"
    else:
        stem = f"evidence-pack-{pack.pcn.ods_code}"
    return get_valid_filename(f"{stem}-{pack.as_of.isoformat()}") + ".pdf"


def _audit_after(pack: IssuedPack) -> dict:
    return {
        "kind": pack.kind,
        "pcn": pack.pcn_id,
        "person": pack.person_id,
        "as_of": pack.as_of,
        "contract_year": pack.contract_year,
        "status": pack.status,
        "fingerprint": pack.fingerprint,
        "issued_at": pack.issued_at,
        "file": pack.file.name or "",
    }


# --- Writes --------------------------------------------------------------------------------


@transaction.atomic
def coordinator_pack_issue(*, actor, person: Person, pcn: PCN,
                           as_of: datetime.date) -> tuple[IssuedPack, bytes]:
    """Build one coordinator's pack now: record it as issued and return it with its PDF."""
    content = coordinator_pack_content(person, pcn, as_of)
    fingerprint = content_fingerprint(content)
    issued_at = timezone.now()
    pdf = render(content, fingerprint=fingerprint, issued_at=issued_at,
                 issued_by=issued_by_name(actor))
    pack = IssuedPack(
        kind=PackKind.COORDINATOR, pcn=pcn, person=person, as_of=as_of,
        contract_year=content["contract_year"], status=PackStatus.DONE, progress=100,
        fingerprint=fingerprint, requested_by=actor, requested_at=issued_at,
        issued_at=issued_at,
    )
    pack.file.save(pack_file_name(pack), ContentFile(pdf), save=False)
    pack.save()
    audit_record(actor=actor, action="evidence_pack.issue", obj=pack, after=_audit_after(pack))
    return pack, pdf


def _in_progress(pcn: PCN, as_of: datetime.date):
    return IssuedPack.objects.in_progress().filter(pcn=pcn, kind=PackKind.PCN, as_of=as_of)


def _fail(pack: IssuedPack, message: str) -> None:
    IssuedPack.objects.filter(pk=pack.pk).update(status=PackStatus.FAILED, error=message[:300])


@transaction.atomic
def pcn_pack_request(*, actor, pcn: PCN, as_of: datetime.date) -> tuple[IssuedPack, bool]:
    """Queue a whole-PCN pack, or return the one already queued or running for the PCN and
    date: (pack, True when newly queued)."""
    from .tasks import build_pcn_pack

    # Requests for one PCN queue up here, so two cannot both find nothing running.
    PCN.objects.select_for_update().filter(pk=pcn.pk).first()
    stale_before = timezone.now() - STALE_AFTER
    for stale in _in_progress(pcn, as_of).filter(requested_at__lt=stale_before):
        _fail(stale, "This pack stopped without finishing. A new one was requested.")
    running = _in_progress(pcn, as_of).first()
    if running is not None:
        return running, False
    requirement_set = engine.requirement_set_for(as_of)
    try:
        with transaction.atomic():
            pack = IssuedPack.objects.create(
                kind=PackKind.PCN, pcn=pcn, as_of=as_of,
                contract_year=requirement_set.contract_year, status=PackStatus.QUEUED,
                requested_by=actor,
            )
    except IntegrityError:
        # Another request got there between our check and our insert (the constraint
        # "one_pcn_pack_in_progress" refused ours): show that one.
        return _in_progress(pcn, as_of).get(), False
    audit_record(actor=actor, action="evidence_pack.request", obj=pack,
                 after=_audit_after(pack))
    # Enqueued in this transaction: the worker sees the job only with its pack row.
    build_pcn_pack.enqueue(pack.pk)
    return pack, True


def _set_progress(pack_id: int, percent: int) -> None:
    IssuedPack.objects.filter(pk=pack_id, status=PackStatus.RUNNING).update(
        progress=max(0, min(100, percent))
    )


def pcn_pack_build(*, pack_id: int) -> None:
    """The background task's work: build a queued PCN pack, with progress as it goes.

    Not one transaction, so the manager sees progress; a pack already taken (running, done
    or failed) is left alone, so a job delivered twice does the work once.
    """
    with transaction.atomic():
        pack = (
            IssuedPack.objects.select_for_update().select_related("pcn", "pcn__icb")
            .filter(pk=pack_id, kind=PackKind.PCN).first()
        )
        if pack is None or pack.status != PackStatus.QUEUED:
            return
        pack.status, pack.progress = PackStatus.RUNNING, 0
        pack.save(update_fields=["status", "progress"])
    try:
        content = pcn_pack_content(
            pack.pcn, pack.as_of,
            on_progress=lambda done, total: _set_progress(
                pack.pk, CONTENT_SHARE * done // max(total, 1)),
        )
        fingerprint = content_fingerprint(content)
        issued_at = timezone.now()
        pdf = render(content, fingerprint=fingerprint, issued_at=issued_at,
                     issued_by=issued_by_name(pack.requested_by))
        _set_progress(pack.pk, 95)
        with transaction.atomic():
            pack.file.save(pack_file_name(pack), ContentFile(pdf), save=False)
            pack.status, pack.progress = PackStatus.DONE, 100
            pack.fingerprint, pack.issued_at = fingerprint, issued_at
            pack.contract_year = content["contract_year"]
            pack.error = ""
            pack.save(update_fields=["file", "status", "progress", "fingerprint", "issued_at",
                                     "contract_year", "error"])
            audit_record(actor=pack.requested_by, action="evidence_pack.issue", obj=pack,
                         after=_audit_after(pack))
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the pack
        logger.exception("Evidence pack %s failed", pack.pk)
        _fail(pack, f"The pack could not be built ({type(error).__name__}). Try again; if it "
                    "fails again, contact the Coordinate service team.")
