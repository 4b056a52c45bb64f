"""The audit trail: services call `audit_record` inside their transaction."""

import functools
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import AuditEntry


def _entry_digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        {
            "actor": entry.actor_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "before": entry.before,
            "after": entry.after,
            "at": entry.at.isoformat(),
            "previous_hash": entry.previous_hash,
        },
        sort_keys=True,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _jsonable(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


#: Models whose changes concern one person's records, with the way to that person's id.
#: Labels, not imports: lms (layer 2) names the higher layers' models without importing them.
_CONCERNS_PERSON = {
    "lms.learningrecord": "person_id",
    "lms.evidencefile": "owner_id",
    "lms.developmentgoal": "person_id",
    "lms.goalcomment": "goal.person_id",
    "lms.inductionplanitem": "person_id",
    "competencies.selfassessment": "person_id",
    "competencies.evidencelink": "person_id",
    "competencies.signoffrequest": "person_id",
    "competencies.signoff": "person_id",
    "competencies.assessorlink": "request.person_id",
    "supervision.supervisionsession": "care_coordinator_id",
    "supervision.sessionaddendum": "session.care_coordinator_id",
    "supervision.supervisionaction": "session.care_coordinator_id",
    "supervision.safeguardingdiscussion": "care_coordinator_id",
    "supervision.safeguardingaddendum": "discussion.care_coordinator_id",
    "supervision.reflection": "author_id",
    "supervision.reflectionshare": "reflection.author_id",
    "supervision.reflectioncomment": "reflection.author_id",
    "supervision.sessioninvitation": "person_id",
}
#: Models that belong to one PCN, with the way to its id.
_CONCERNS_PCN = {
    "lms.inductiontemplate": "pcn_id",
    "supervision.cadencesetting": "pcn_id",
    "compliance.partnerorganisation": "pcn_id",
    "compliance.safeguardingcheck": "partner.pcn_id",
    "compliance.directoryentry": "pcn_id",
    "compliance.practiceawareness": "practice.pcn_id",
    "compliance.issuedpack": "pcn_id",
}


def _follow(obj, path: str):
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def _person_pcn_id(person_id) -> int | None:
    """The PCN of a person's records: their home PCN, unless they are (or were) a care
    coordinator of another PCN too, when the change may concern several (None)."""
    from .models import Person, Role, RoleAssignment

    home = Person.objects.filter(pk=person_id).values_list("pcn_id", flat=True).first()
    pcns = set(
        RoleAssignment.objects.filter(person_id=person_id, role=Role.CARE_COORDINATOR)
        .values_list("pcn_id", flat=True)
    ) | {home}
    return home if len(pcns) == 1 else None


def concerned_pcn_id(obj) -> int | None:
    """The one PCN whose records a change to `obj` concerns, or None when it may concern
    several or is not known here (then every PCN's cached results are recomputed: safe)."""
    label = obj._meta.label_lower
    if label == "lms.pcn":
        return obj.pk
    if label in _CONCERNS_PCN:
        return _follow(obj, _CONCERNS_PCN[label])
    if label in _CONCERNS_PERSON:
        person_id = _follow(obj, _CONCERNS_PERSON[label])
        return _person_pcn_id(person_id) if person_id else None
    return None


def audit_record(*, actor, action: str, obj, before=None, after=None) -> AuditEntry:
    """Append an audit entry chained to the previous one by its hash, marked with the PCN
    the change concerns (see `concerned_pcn_id`)."""
    # Lock the tail of the chain so two writers cannot both extend it.
    last = AuditEntry.objects.select_for_update().order_by("-pk").first()
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        at=timezone.now(),
        previous_hash=last.entry_hash if last else "",
        pcn_id=concerned_pcn_id(obj),
    )
    entry.entry_hash = _entry_digest(entry)
    entry.save()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    """One place where the audit trail no longer reads as it was written."""

    entry_id: int
    reason: str


#: Why an entry breaks the chain.
EDITED = "its contents no longer match its hash: the entry was edited after it was written"
UNLINKED = ("it does not follow the entry before it: an entry was removed, inserted or "
            "edited before it")


def audit_chain_breaks(entries) -> list[ChainBreak]:
    """Where `entries` (the whole trail, oldest first) break the hash chain: an entry whose
    hash no longer matches its contents was edited; one whose `previous_hash` is not the
    entry before it follows a removed, inserted or rewritten entry. Streams: any length."""
    breaks = []
    previous = ""
    for entry in entries:
        if entry.entry_hash != _entry_digest(entry):
            breaks.append(ChainBreak(entry.pk, EDITED))
        elif entry.previous_hash != previous:
            breaks.append(ChainBreak(entry.pk, UNLINKED))
        previous = entry.entry_hash
    return breaks


@dataclass(frozen=True)
class ChainReport:
    entries: int
    newest: AuditEntry | None
    breaks: list


def verify_audit_chain(chunk_size: int = 2000) -> ChainReport:
    """Walk the whole audit trail in id order (a chunk at a time) and report where it breaks.

    What the chain cannot show on its own: entries removed from the end (the newest hash
    is printed so that it can be kept elsewhere and compared), and evidence rows changed in
    place, which `lms.audit_evidence.evidence_mismatches` compares with their entries."""
    counted = {"entries": 0, "newest": None}

    def walk():
        for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=chunk_size):
            counted["entries"] += 1
            counted["newest"] = entry
            yield entry

    breaks = audit_chain_breaks(walk())
    return ChainReport(entries=counted["entries"], newest=counted["newest"], breaks=breaks)



# --- Data versions: what cached results are keyed by (ADR 0007) ----------------------------

#: How long a result cached under a data version is kept: a write that bypasses the services
#: changes no version, so it shows after this at the latest.
VERSIONED_CACHE_SECONDS = 24 * 60 * 60


@functools.cache
def code_digest(module_names: tuple[str, ...], template_names: tuple[str, ...] = ()) -> str:
    """A digest of these modules' and templates' source, read once per process: part of a
    cache key, so that a deploy that changes how a cached result is computed or rendered
    starts afresh."""
    import importlib
    import pathlib

    from django.template.loader import get_template

    digest = hashlib.sha256()
    for name in module_names:
        filename = getattr(importlib.import_module(name), "__file__", None)
        digest.update(pathlib.Path(filename).read_bytes() if filename else name.encode())
    for name in template_names:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:16]


#: The parts of a PCN's data version, as columns of the query that reads them.
_VERSION_COLUMNS = ("version_own", "version_shared", "version_pages", "version_snippets",
                    "version_admin")


def _newest_pk(queryset):
    from django.db.models import Subquery

    return Subquery(queryset.order_by("-pk").values("pk")[:1])


@functools.lru_cache(maxsize=64)
def _versions_sql(count: int) -> str:
    """The SQL loading `count` PCNs by id, by name, with the parts of their data versions;
    compiled by the ORM once per process and number of ids: building and compiling it took
    about 1 ms of CPU, more than the rest of a cached PCN dashboard's own work."""
    from django.contrib.admin.models import LogEntry
    from django.db.models import OuterRef
    from wagtail.models import ModelLogEntry, PageLogEntry

    from .models import PCN

    placeholders = list(range(-count, 0))  # stand-ins: only their "%s" are kept
    sql, params = (
        PCN.objects.filter(pk__in=placeholders).order_by("name", "pk")
        .annotate(
            version_own=_newest_pk(AuditEntry.objects.filter(pcn_id=OuterRef("pk"))),
            version_shared=_newest_pk(AuditEntry.objects.filter(pcn__isnull=True)),
            version_pages=_newest_pk(PageLogEntry.objects.all()),
            version_snippets=_newest_pk(ModelLogEntry.objects.all()),
            version_admin=_newest_pk(LogEntry.objects.all()),
        )
        .query.sql_with_params()
    )
    if sorted(params) != placeholders:  # the SQL must take the ids and nothing else
        raise RuntimeError("The data-version query takes parameters other than the ids")
    return sql


def pcns_with_data_versions(pcn_ids) -> list:
    """The PCNs with these ids, by name, each with its `data_version`: a value that changes
    whenever anything a PCN's records read changes, and with no write to another PCN. One
    query for any number of PCNs; ids that do not exist are left out.

    Every service writes an AuditEntry in the transaction of its change (`audit_record`),
    marked with the one PCN it concerns, or with none when it may concern several (people,
    roles, shared sessions). Audit writers queue on the chain's tail, so ids only grow, in
    commit order: the newest entry for the PCN and the newest unmarked entry together change
    with every write that can change the PCN's records. Content and frameworks change
    through Wagtail (page and snippet log entries), organisations through the Django admin
    (its log): those count for every PCN. Writes that bypass the services (a shell, a bulk
    import) change no version: caches keyed by it expire on their own timeout.
    """
    from .models import PCN

    ids = sorted(set(pcn_ids))
    if not ids:
        return []
    pcns = list(PCN.objects.raw(_versions_sql(len(ids)), ids))
    for pcn in pcns:
        pcn.data_version = tuple(getattr(pcn, column) for column in _VERSION_COLUMNS)
    return pcns


def data_versions(pcn_ids) -> dict[int, tuple]:
    """{pcn id: its data version} (see `pcns_with_data_versions`), in one query."""
    return {pcn.pk: pcn.data_version for pcn in pcns_with_data_versions(pcn_ids)}


def data_version(pcn_ids) -> tuple:
    """One value for several PCNs together: it changes when any of theirs does."""
    return tuple(sorted(data_versions(pcn_ids).items()))
