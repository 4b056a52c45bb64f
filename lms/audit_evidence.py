"""Append-only evidence rows checked against the audit trail.

The hash chain (lms/audit.py) shows that no audit entry was edited. It cannot show that an
evidence row was: SQL that changes a sign-off's level leaves the chain intact. So each kind
of evidence row names the columns its services write into an audit entry's `after`, and
`evidence_mismatches` compares every row with the newest entry that recorded each column.

The kinds are named by model label, not imported: lms (layer 2) may not import the apps
above it (docs/adr/0004). The same declarations guard the rows in Python: once a row is
settled (a decided request, a confirmed session, an issued pack), saving a change to one of
its locked columns through the ORM raises `EvidenceEditedInPlace` (see `connect_guards`).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.signals import post_init, post_save, pre_save

#: What retention writes over free text of people who left (lms/compliance/retention.py
#: imports it): a text column holding it was removed, not tampered with.
REMOVED_UNDER_RETENTION = "[removed under retention]"


def text_digest(text: str) -> str:
    """The SHA-256 of a confidential text, for audit entries that must not hold the text
    itself (safeguarding logs); empty for no text."""
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


@dataclass(frozen=True)
class Audited:
    """One column of an evidence row and the key under which its services audit it."""

    key: str  #: the key in the audit entry's `after`
    attname: str  #: the column
    #: How the service turns the column into what it audits (default: the value as is).
    convert: Callable | None = None
    #: A later service change may set it on a settled row (a supersession, a follow-up).
    later: bool = False
    #: Retention may replace it by REMOVED_UNDER_RETENTION.
    removable: bool = False
    #: Shown without its value (a digest of confidential text).
    hidden: bool = False

    def audited_value(self, row):
        value = getattr(row, self.attname)
        return self.convert(value) if self.convert else value


@dataclass(frozen=True)
class EvidenceKind:
    """An append-only kind of evidence: its model, its audited columns, and when it is settled."""

    label: str  #: the model's label, lower case
    name: str  #: what a report calls a row
    fields: tuple[Audited, ...]
    #: (column, test of its value as loaded): the row is settled, its columns locked. None
    #: when every row is settled from the moment it is written.
    settled: tuple[str, Callable] | None = None
    #: Guard settled rows against saves that change a locked column (False for kinds whose
    #: services legitimately change them: a learning record is corrected, then re-verified).
    guarded: bool = True

    @property
    def model(self):
        return apps.get_model(self.label)

    @property
    def locked(self) -> tuple[Audited, ...]:
        return tuple(f for f in self.fields if not f.later)

    def is_settled(self, values: dict) -> bool:
        if self.settled is None:
            return True
        attname, test = self.settled
        return attname in values and test(values[attname])


def _is_set(value) -> bool:
    return value is not None


#: Every kind of append-only evidence, with what its services put into the audit trail:
#: competencies/services.py, supervision/session_services.py and safeguarding_services.py,
#: lms/services.py (learning records) and lms/compliance/packs.py (issued packs).
EVIDENCE_KINDS = (
    EvidenceKind(
        "competencies.signoffrequest", "Sign-off request",
        fields=(
            Audited("status", "status"),
            Audited("feedback", "feedback", removable=True),
        ),
        settled=("status", lambda status: status != "pending"),
    ),
    EvidenceKind(
        "competencies.signoff", "Sign-off",
        fields=(
            Audited("request", "request_id"),
            Audited("level", "level"),
            Audited("comment", "comment", removable=True),
            Audited("superseded_by", "superseded_by_id", later=True),
        ),
    ),
    EvidenceKind(
        "supervision.supervisionsession", "Supervision session",
        fields=(
            Audited("care_coordinator", "care_coordinator_id"),
            Audited("session_type", "session_type"),
            Audited("held_on", "held_on"),
            Audited("duration_minutes", "duration_minutes"),
            Audited("mode", "mode"),
            Audited("topics", "topics", removable=True),
            Audited("notes", "notes", removable=True),
            Audited("next_session_on", "next_session_on"),
            Audited("confirmed_by", "confirmed_by_id"),
            Audited("comment", "confirmation_comment", removable=True),
            Audited("withdrawn", "withdrawn_at", convert=_is_set, later=True),
        ),
        settled=("confirmed_at", _is_set),
    ),
    EvidenceKind(
        "supervision.sessionaddendum", "Supervision session addendum",
        fields=(
            Audited("session", "session_id"),
            Audited("added_by", "added_by_id"),
            Audited("text", "text", removable=True),
        ),
    ),
    EvidenceKind(
        "supervision.safeguardingdiscussion", "Safeguarding discussion",
        fields=(
            Audited("care_coordinator", "care_coordinator_id"),
            Audited("discussed_with", "discussed_with_id"),
            Audited("discussed_on", "discussed_on"),
            Audited("category", "category"),
            Audited("concern_digest", "concern", convert=text_digest, removable=True,
                    hidden=True),
            Audited("outcome_digest", "outcome", convert=text_digest, removable=True,
                    hidden=True),
            Audited("escalation", "escalation"),
            Audited("follow_up_on", "follow_up_on"),
            Audited("followed_up_on", "followed_up_on", later=True),
            Audited("withdrawn", "withdrawn_at", convert=_is_set, later=True),
        ),
    ),
    EvidenceKind(
        "lms.learningrecord", "Learning record",
        fields=(
            Audited("stage", "stage"),
            Audited("completed_on", "completed_on"),
            Audited("verified_by", "verified_by_id"),
            Audited("verified_at", "verified_at"),
        ),
        guarded=False,
    ),
    EvidenceKind(
        "compliance.issuedpack", "Issued evidence pack",
        fields=(
            Audited("kind", "kind"),
            Audited("pcn", "pcn_id"),
            Audited("person", "person_id"),
            Audited("as_of", "as_of"),
            Audited("contract_year", "contract_year"),
            Audited("fingerprint", "fingerprint"),
            Audited("issued_at", "issued_at"),
            Audited("file", "file", convert=lambda file: getattr(file, "name", file) or ""),
        ),
        settled=("status", lambda status: status == "done"),
    ),
)


def _jsonable(value):
    """A value as the audit trail stores it (dates as ISO text, datetimes to the millisecond)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _shown(value) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class EvidenceMismatch:
    """An evidence row that no longer reads as its audit entries recorded it."""

    kind: EvidenceKind
    row_id: int
    problem: str

    def __str__(self):
        return f"{self.kind.name} {self.row_id}: {self.problem}"


def _never_recorded(row, audited: Audited, value) -> bool:
    """Whether a column holds what a row holds before any service sets it."""
    column = next(f for f in row._meta.concrete_fields if f.attname == audited.attname)
    default = column.get_default()
    default = _jsonable(audited.convert(default) if audited.convert else default)
    return value in (None, "", False, default)


def row_mismatches(kind: EvidenceKind, row, entries) -> list[EvidenceMismatch]:
    """How `row` differs from its audit entries (id, `after`, oldest first), column by column:
    each is compared with the newest entry that recorded it."""
    if not entries:
        return [EvidenceMismatch(kind, row.pk, "it has no audit entry: it was not written "
                                               "through the services")]
    found = []
    for audited in kind.fields:
        value = _jsonable(audited.audited_value(row))
        recorded = next(
            ((entry_id, after[audited.key]) for entry_id, after in reversed(entries)
             if isinstance(after, dict) and audited.key in after),
            None,
        )
        if audited.removable and getattr(row, audited.attname) == REMOVED_UNDER_RETENTION:
            continue
        if recorded is None:
            if not _never_recorded(row, audited, value):
                found.append(EvidenceMismatch(kind, row.pk, (
                    f"{audited.attname} holds text the audit trail never recorded"
                    if audited.hidden else
                    f"{audited.key} is {_shown(value)} but the audit trail never recorded it")))
            continue
        entry_id, recorded_value = recorded
        if value != recorded_value:
            if audited.hidden:
                problem = (f"{audited.attname} is not the text the audit trail recorded "
                           f"(entry {entry_id})")
            else:
                problem = (f"{audited.key} is {_shown(value)} but the audit trail recorded "
                           f"{_shown(recorded_value)} (entry {entry_id})")
            found.append(EvidenceMismatch(kind, row.pk, problem))
    return found


@dataclass
class EvidenceReport:
    rows: int = 0
    mismatches: list = field(default_factory=list)


def evidence_mismatches(chunk_size: int = 1000, kinds=EVIDENCE_KINDS) -> EvidenceReport:
    """Compare every append-only evidence row with its audit entries; report each difference.

    Streams each kind by id a chunk at a time: two queries per chunk (the rows, then their
    audit entries), however many rows there are; one for a kind with no rows."""
    from .models import AuditEntry

    report = EvidenceReport()
    for kind in kinds:
        rows = kind.model._base_manager.order_by("pk")
        last = None
        while True:
            chunk = list((rows if last is None else rows.filter(pk__gt=last))[:chunk_size])
            if not chunk:
                break
            last = chunk[-1].pk
            entries = {}
            for object_id, entry_id, after in (
                AuditEntry.objects.filter(
                    object_type=kind.label, object_id__in=[str(row.pk) for row in chunk]
                ).order_by("pk").values_list("object_id", "pk", "after")
            ):
                entries.setdefault(object_id, []).append((entry_id, after))
            for row in chunk:
                report.rows += 1
                report.mismatches += row_mismatches(kind, row, entries.get(str(row.pk), []))
            if len(chunk) < chunk_size:
                break
    return report


# --- The guard: no edit in place through the ORM ---------------------------------------------


class EvidenceEditedInPlace(Exception):
    """Code tried to save a change to a settled evidence row: evidence is superseded,
    withdrawn or added to, never edited."""


_LOADED = "_evidence_as_loaded"


def _guard_for(kind: EvidenceKind):
    names = [f.attname for f in kind.locked]
    if kind.settled is not None:
        names.append(kind.settled[0])

    def remember(sender, instance, **kwargs):
        # Only what was loaded: reading a deferred column here would cost a query.
        instance.__dict__[_LOADED] = {
            name: instance.__dict__[name] for name in names if name in instance.__dict__
        }

    def refuse(sender, instance, update_fields=None, **kwargs):
        loaded = instance.__dict__.get(_LOADED)
        if instance._state.adding or not loaded or not kind.is_settled(loaded):
            return
        changed = [
            f.attname for f in kind.locked
            if f.attname in loaded and (update_fields is None or f.attname in update_fields
                                        or f.attname.removesuffix("_id") in update_fields)
            and getattr(instance, f.attname) != loaded[f.attname]
        ]
        if changed:
            raise EvidenceEditedInPlace(
                f"{kind.name} {instance.pk} is settled evidence: {', '.join(changed)} cannot "
                "be changed in place. Supersede, withdraw or add to it through its service."
            )

    return remember, refuse


def connect_guards() -> None:
    """Guard each settled evidence kind against saves that change it (from LmsConfig.ready)."""
    for kind in EVIDENCE_KINDS:
        if not kind.guarded:
            continue
        remember, refuse = _guard_for(kind)
        post_init.connect(remember, sender=kind.label, weak=False,
                          dispatch_uid=f"evidence_remember_{kind.label}")
        # After a save the row reads as saved: a request just decided is settled from now.
        post_save.connect(remember, sender=kind.label, weak=False,
                          dispatch_uid=f"evidence_saved_{kind.label}")
        pre_save.connect(refuse, sender=kind.label, weak=False,
                         dispatch_uid=f"evidence_refuse_{kind.label}")
