"""Retention: anonymise people who left more than a set number of years ago.

What goes: names, job title, the sign-in account (username and email replaced, no password,
inactive, its email addresses and authenticators deleted), invitation emails, calendar feeds
(revoked), free text in records about them or written by them (replaced by REMOVED), and
their uploaded files (deleted from storage; the row stays with its size and checksum).

What stays: every row that counts as evidence (learning records, sign-offs and their
requests, supervision sessions, safeguarding discussions, attendance, directory listings)
with its dates, types, levels and statuses, so aggregate counts (sessions a PCN held in a
year, evidence counts) do not change.

Also kept, on purpose: the audit trail. Its entries are append-only and chained by hash
(lms/audit.py); rewriting them would break `verify_audit`. Evidence packs already issued
are kept too (they are the PCN's record of a claim).

Idempotent: an anonymised person's account has the username `anonymised_username(person)`
and is skipped. One audit entry per person anonymised.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from competencies.models import EvidenceLink, SelfAssessment, SignOff, SignOffRequest
from lms.audit import audit_record
from lms.audit_evidence import REMOVED_UNDER_RETENTION
from lms.models import (
    DevelopmentGoal,
    EvidenceFile,
    GoalComment,
    Invitation,
    LearningRecord,
    Person,
    RoleAssignment,
    add_months,
)
from supervision.models import (
    CalendarFeed,
    Reflection,
    ReflectionComment,
    SafeguardingAddendum,
    SafeguardingDiscussion,
    SessionAddendum,
    SupervisionAction,
    SupervisionSession,
)

from .models import DirectoryEntry

#: What replaces free text (lms.audit_evidence, which verify_audit reads, owns the wording).
REMOVED = REMOVED_UNDER_RETENTION
REMOVED_FILE_NAME = "removed-under-retention"
ANONYMISED_GIVEN_NAME = "Former member of staff"
ANONYMISED_PREFIX = "anonymised-"

#: Free-text fields replaced, per model, with the filter that finds a person's rows.
#: Each entry: (model, filter builder, text fields).
_TEXTS = (
    (LearningRecord, lambda p: Q(person=p), ("notes", "not_required_reason")),
    (DevelopmentGoal, lambda p: Q(person=p), ("title", "description")),
    (GoalComment, lambda p: Q(goal__person=p) | Q(author=p), ("text",)),
    (SelfAssessment, lambda p: Q(person=p), ("narrative",)),
    (EvidenceLink, lambda p: Q(person=p), ("description", "note")),
    (SignOffRequest, lambda p: Q(person=p), ("feedback",)),
    (SignOff, lambda p: Q(person=p), ("comment",)),
    (SupervisionSession, lambda p: Q(care_coordinator=p),
     ("topics", "notes", "confirmation_comment", "withdrawn_reason")),
    (SupervisionAction, lambda p: Q(session__care_coordinator=p), ("description",)),
    (SessionAddendum, lambda p: Q(session__care_coordinator=p) | Q(added_by=p), ("text",)),
    (SafeguardingDiscussion, lambda p: Q(care_coordinator=p),
     ("concern", "outcome", "escalated_to", "withdrawn_reason")),
    (SafeguardingAddendum, lambda p: Q(discussion__care_coordinator=p) | Q(added_by=p),
     ("text",)),
    (Reflection, lambda p: Q(author=p),
     ("title", "description", "feelings", "evaluation", "analysis", "conclusion",
      "action_plan", "what", "so_what", "now_what", "body")),
    (ReflectionComment, lambda p: Q(reflection__author=p) | Q(author=p), ("text",)),
    (DirectoryEntry, lambda p: Q(person=p), ("about", "how_to_refer")),
    # "<name> left on <date>" is written into the reason when a role ends on leaving.
    (RoleAssignment, lambda p: Q(person=p) | Q(care_coordinator=p), ("end_reason",)),
)


def retention_years() -> int:
    return int(settings.RETENTION_YEARS)


def retention_cutoff(as_of: datetime.date, years: int) -> datetime.date:
    """People who left before this day are past the limit (`years` full years ago)."""
    return add_months(as_of, -12 * years)


def anonymised_username(person: Person) -> str:
    return f"{ANONYMISED_PREFIX}{person.pk}"


def people_past_retention(as_of: datetime.date, years: int) -> list[Person]:
    """People who left more than `years` years before `as_of` and are not yet anonymised."""
    candidates = (
        Person.objects.filter(left_on__lt=retention_cutoff(as_of, years))
        .exclude(user__username__startswith=ANONYMISED_PREFIX)
        .select_related("user").order_by("left_on", "pk")
    )
    return [p for p in candidates if p.user.get_username() != anonymised_username(p)]


@dataclass
class Anonymised:
    """What anonymising one person changed (or would change, in a dry run)."""

    person_id: int
    left_on: datetime.date
    texts: int = 0
    files: int = 0
    rows: dict = field(default_factory=dict)  # model label -> rows with text replaced


def _replace_texts(person: Person, result: Anonymised, *, dry_run: bool) -> None:
    for model, condition, fields in _TEXTS:
        rows = model.objects.filter(condition(person))
        touched = 0
        for name in fields:
            with_text = rows.exclude(**{name: ""}).exclude(**{name: REMOVED})
            changed = with_text.count() if dry_run else with_text.update(**{name: REMOVED})
            touched += changed
        if touched:
            result.rows[model._meta.label_lower] = touched
            result.texts += touched


def _scrub_snapshots(person: Person, *, dry_run: bool) -> int:
    """Evidence descriptions and notes copied into sign-off requests and sign-offs."""
    changed = 0
    for model in (SignOffRequest, SignOff):
        for row in model.objects.filter(person=person).exclude(evidence_snapshot=[]):
            snapshot = [
                {**item, **{key: REMOVED for key in ("description", "note")
                            if item.get(key) not in (None, "", REMOVED)}}
                if isinstance(item, dict) else item
                for item in row.evidence_snapshot
            ]
            if snapshot != row.evidence_snapshot:
                changed += 1
                if not dry_run:
                    row.evidence_snapshot = snapshot
                    row.save(update_fields=["evidence_snapshot"])
    return changed


def _anonymise_account(person: Person, name: str) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user = person.user
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.username = anonymised_username(person)
    user.email = ""
    user.first_name = user.last_name = ""
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    Invitation.objects.filter(person=person).update(email="")
    CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    # Sign-offs this person gave keep who signed (the account), without their name.
    SignOff.objects.filter(signed_by=user).update(assessor_name=name, assessor_email="")
    DirectoryEntry.objects.filter(person=person).update(display_name=name)


def _delete_files(person: Person, *, dry_run: bool) -> int:
    files = list(EvidenceFile.objects.filter(owner=person).exclude(file=""))
    if dry_run:
        return len(files)
    names = [(evidence.file.storage, evidence.file.name) for evidence in files]
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files]).update(
        file="", original_name=REMOVED_FILE_NAME
    )

    def delete_from_storage():
        for storage, name in names:
            storage.delete(name)

    # Only once the rows no longer point at them: a rollback keeps the files.
    transaction.on_commit(delete_from_storage)
    return len(files)


def person_anonymise(*, actor, person: Person, years: int, dry_run: bool = False) -> Anonymised:
    """Anonymise one person past the retention limit; audited. A dry run changes nothing."""
    result = Anonymised(person_id=person.pk, left_on=person.left_on)
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("user").get(pk=person.pk)
        if person.user.get_username() == anonymised_username(person):
            return result  # done already (another run got here first)
        _replace_texts(person, result, dry_run=dry_run)
        snapshots = _scrub_snapshots(person, dry_run=dry_run)
        if snapshots:
            result.rows["evidence_snapshots"] = snapshots
            result.texts += snapshots
        result.files = _delete_files(person, dry_run=dry_run)
        if dry_run:
            return result
        person.given_name = ANONYMISED_GIVEN_NAME
        person.family_name = f"#{person.pk}"
        person.job_title = ""
        person.save(update_fields=["given_name", "family_name", "job_title"])
        _anonymise_account(person, person.full_name)
        audit_record(
            actor=actor, action="person.anonymise", obj=person,
            after={"retention_years": years, "left_on": person.left_on,
                   "texts_removed": result.rows, "files_deleted": result.files},
        )
    return result


def apply_retention(*, actor=None, as_of: datetime.date | None = None, years: int | None = None,
                    dry_run: bool = False) -> list[Anonymised]:
    """Anonymise everyone past the limit on `as_of` (default today, RETENTION_YEARS)."""
    as_of = as_of or timezone.localdate()
    years = retention_years() if years is None else years
    return [
        person_anonymise(actor=actor, person=person, years=years, dry_run=dry_run)
        for person in people_past_retention(as_of, years)
    ]
