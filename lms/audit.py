"""The audit trail: services call `audit_record` inside their transaction."""

import hashlib
import json

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


def audit_record(*, actor, action: str, obj, before=None, after=None) -> AuditEntry:
    """Append an audit entry chained to the previous one by its hash."""
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
    )
    entry.entry_hash = _entry_digest(entry)
    entry.save()
    return entry


def audit_chain_breaks(entries) -> list[AuditEntry]:
    """Entries whose hash or link to the previous entry no longer matches."""
    breaks = []
    previous = ""
    for entry in entries:
        if entry.previous_hash != previous or entry.entry_hash != _entry_digest(entry):
            breaks.append(entry)
        previous = entry.entry_hash
    return breaks
