"""Every write about safeguarding discussions (DES clause 6), each with its audit entry.

A log is locked once saved: later notes, corrections and the follow-up are addenda, and a
log recorded in error is withdrawn (kept, with who, when and why), never deleted.

Audit entries may be shown to PCN managers, so they hold ids, dates, the category and the
kind of escalation only: never the concern, the outcome, who it was escalated to, an
addendum's text or a withdrawal reason.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lms.audit import audit_record
from lms.audit_evidence import text_digest
from lms.models import Person

from .identifier_guard import find_identifiers, identifier_message
from .models import (
    ConcernCategory,
    Escalation,
    SafeguardingAddendum,
    SafeguardingDiscussion,
)
from .safeguarding_access import named_safeguarding_gps

TEXT_MAX_LENGTH = 5000
ESCALATED_TO_MAX_LENGTH = 200
REASON_MAX_LENGTH = 300


def _snapshot(discussion: SafeguardingDiscussion) -> dict:
    """What the audit trail keeps of a log: no free text, only digests of it (so that
    verify_audit can tell when the text was changed in place)."""
    return {
        "care_coordinator": discussion.care_coordinator_id,
        "discussed_with": discussion.discussed_with_id,
        "discussed_on": discussion.discussed_on,
        "category": discussion.category,
        "concern_digest": text_digest(discussion.concern),
        "outcome_digest": text_digest(discussion.outcome),
        "escalation": discussion.escalation,
        "follow_up_on": discussion.follow_up_on,
        "followed_up_on": discussion.followed_up_on,
        "withdrawn": discussion.withdrawn_at is not None,
    }


def _check_text(errors: dict, name: str, value: str, *, required: str, max_length: int):
    if not value.strip():
        errors[name] = required
    elif len(value) > max_length:
        errors[name] = f"Must be {max_length} characters or fewer"
    else:
        findings = find_identifiers(value)
        if findings:
            errors[name] = identifier_message(findings)


@transaction.atomic
def safeguarding_discussion_record(
    *,
    actor,
    care_coordinator: Person,
    discussed_with: Person,
    discussed_on: datetime.date,
    category: str,
    concern: str,
    outcome: str,
    escalation: str = Escalation.NONE,
    escalated_to: str = "",
    follow_up_on: datetime.date | None = None,
    as_of: datetime.date,
) -> SafeguardingDiscussion:
    """A care coordinator logs a concern discussed with one of their named safeguarding GPs."""
    errors = {}
    if not named_safeguarding_gps(care_coordinator.pk, as_of).filter(
        pk=discussed_with.pk
    ).exists():
        errors["discussed_with"] = "Choose your named safeguarding GP"
    if discussed_on > as_of:
        errors["discussed_on"] = "Date of the discussion must be today or in the past"
    if category not in ConcernCategory.values:
        errors["category"] = "Select the kind of concern"
    _check_text(errors, "concern", concern, required="Enter the concern",
                max_length=TEXT_MAX_LENGTH)
    _check_text(errors, "outcome", outcome, required="Enter the outcome of the discussion",
                max_length=TEXT_MAX_LENGTH)
    if escalation not in Escalation.values:
        errors["escalation"] = "Select whether a referral or escalation was made"
    elif escalation != Escalation.NONE and not escalated_to.strip():
        errors["escalated_to"] = "Enter who the referral or escalation was made to"
    if len(escalated_to) > ESCALATED_TO_MAX_LENGTH:
        errors["escalated_to"] = f"Must be {ESCALATED_TO_MAX_LENGTH} characters or fewer"
    if follow_up_on is not None and follow_up_on < discussed_on:
        errors["follow_up_on"] = "Follow-up date must be on or after the date of the discussion"
    if errors:
        raise ValidationError(errors)
    discussion = SafeguardingDiscussion.objects.create(
        care_coordinator=care_coordinator,
        discussed_with=discussed_with,
        discussed_on=discussed_on,
        category=category,
        concern=concern.strip(),
        outcome=outcome.strip(),
        escalation=escalation,
        escalated_to=escalated_to.strip() if escalation != Escalation.NONE else "",
        follow_up_on=follow_up_on,
        recorded_by=care_coordinator,
    )
    audit_record(actor=actor, action="safeguarding.record", obj=discussion,
                 after=_snapshot(discussion))
    return discussion


def _lock(discussion: SafeguardingDiscussion) -> SafeguardingDiscussion:
    """The row, re-read under a lock so two writers cannot both change its state."""
    return SafeguardingDiscussion.objects.select_for_update().get(pk=discussion.pk)


@transaction.atomic
def safeguarding_addendum_add(
    *,
    actor,
    discussion: SafeguardingDiscussion,
    added_by: Person,
    text: str,
    records_follow_up: bool = False,
    as_of: datetime.date,
) -> SafeguardingAddendum:
    """Add a note to a log (a correction, a follow-up); optionally record the follow-up done.

    Only the coordinator and the log's safeguarding GPs reach this (the view checks).
    """
    locked = _lock(discussion)
    errors = {}
    if locked.withdrawn_at is not None:
        raise ValidationError("This log was withdrawn, so nothing more can be added to it.")
    _check_text(errors, "text", text, required="Enter the addendum",
                max_length=TEXT_MAX_LENGTH)
    if records_follow_up and (locked.follow_up_on is None or locked.followed_up_on):
        errors["records_follow_up"] = "This log has no follow-up waiting to be recorded"
    if errors:
        raise ValidationError(errors)
    before = _snapshot(locked)
    addendum = SafeguardingAddendum.objects.create(
        discussion=locked, text=text.strip(), added_by=added_by
    )
    if records_follow_up:
        locked.followed_up_on = as_of
        locked.save(update_fields=["followed_up_on"])
        discussion.followed_up_on = as_of
    audit_record(
        actor=actor, action="safeguarding.addendum", obj=locked, before=before,
        after={**_snapshot(locked), "addendum": addendum.pk, "added_by": added_by.pk},
    )
    return addendum


@transaction.atomic
def safeguarding_discussion_withdraw(
    *, actor, discussion: SafeguardingDiscussion, withdrawn_by: Person, reason: str
) -> SafeguardingDiscussion:
    """The coordinator withdraws a log recorded in error; it is kept and shown as withdrawn."""
    locked = _lock(discussion)
    if locked.withdrawn_at is not None:
        raise ValidationError("This log has already been withdrawn.")
    errors = {}
    _check_text(errors, "reason", reason, required="Enter why you are withdrawing this log",
                max_length=REASON_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(locked)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = withdrawn_by
    locked.withdrawn_reason = reason.strip()
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit_record(actor=actor, action="safeguarding.withdraw", obj=locked, before=before,
                 after=_snapshot(locked))
    return locked
