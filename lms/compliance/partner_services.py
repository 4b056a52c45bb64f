"""The DES 4 partner register: who may read and manage it, each partner's review state on a
date, and every write (add, change, safeguarding check, archive, restore) with its audit entry.

Rules:
- A PCN's managers manage its register; its care coordinators and the people supporting them
  read it (coordinators direct patients to these organisations).
- The check in force on a date is the latest one checked on or before it. Its review is
  overdue when `review_due_on` is before that date, due soon when it falls within the next
  30 days, and a partner never checked is "not checked". The engine's requirement 4 reads the
  register the same way.
- Checks are appended, never edited. A partner is archived (with a reason), never deleted,
  and keeps its history; restoring puts it back on the register.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from lms import services as lms_services
from lms.audit import audit_record
from lms.models import PCN, Person, add_months

from .models import PartnerOrganisation, SafeguardingCheck

#: A review falling due within this many days is "due soon".
REVIEW_SOON_DAYS = 30
#: A check's next review, unless the person recording it says otherwise.
DEFAULT_REVIEW_MONTHS = 12
#: The furthest ahead a review may be set.
MAX_REVIEW_MONTHS = 36

PARTNER_FIELDS = (
    "name", "offers", "contact_name", "contact_email", "contact_phone", "website", "added_on",
)


class ReviewState:
    """A partner's safeguarding review state on a date, with its NHS.UK tag (text + colour)."""

    NOT_CHECKED = "not_checked"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    CHECKED = "checked"

    LABELS = {
        NOT_CHECKED: "Not checked",
        OVERDUE: "Review overdue",
        DUE_SOON: "Review due soon",
        CHECKED: "Checked",
    }
    TAG_CLASSES = {
        NOT_CHECKED: "nhsuk-tag--red",
        OVERDUE: "nhsuk-tag--red",
        DUE_SOON: "nhsuk-tag--yellow",
        CHECKED: "nhsuk-tag--green",
    }
    #: States that need a check now: the panel's and the "overdue" filter's.
    NEEDS_CHECK = (NOT_CHECKED, OVERDUE)


def review_state(review_due_on: datetime.date | None, as_of: datetime.date) -> str:
    """The state of a review due on `review_due_on` (None: never checked) on `as_of`."""
    if review_due_on is None:
        return ReviewState.NOT_CHECKED
    if review_due_on < as_of:
        return ReviewState.OVERDUE
    if review_due_on <= as_of + datetime.timedelta(days=REVIEW_SOON_DAYS):
        return ReviewState.DUE_SOON
    return ReviewState.CHECKED


# --- who may read and manage -------------------------------------------------------------------


def readable_pcn_ids(scope) -> frozenset:
    """PCNs whose register this user may read: managed, coordinated in, or supported in."""
    ids = set(scope.managed_pcn_ids) | set(scope.coordinator_pcn_ids)
    if scope.supervisee_ids:
        ids |= set(
            Person.objects.filter(pk__in=scope.supervisee_ids, pcn_id__isnull=False)
            .values_list("pcn_id", flat=True)
        )
    ids.discard(None)
    return frozenset(ids)


def may_use_register(scope) -> bool:
    """Managers, care coordinators and supporters use the register; nobody else (403)."""
    return bool(scope.managed_pcn_ids or scope.is_care_coordinator or scope.supervisee_ids)


def may_manage(scope, pcn_id) -> bool:
    return pcn_id in scope.managed_pcn_ids


# --- reads ---------------------------------------------------------------------------------------


def _latest_check(as_of: datetime.date):
    return SafeguardingCheck.objects.filter(
        partner=OuterRef("pk"), checked_on__lte=as_of
    ).order_by("-checked_on", "-pk")


def with_review(partners, as_of: datetime.date):
    """Partners annotated with their check in force on `as_of` and its review state:
    `last_checked_on`, `review_due_on`, `last_check_id` and `review_state`."""
    latest = _latest_check(as_of)
    soon = as_of + datetime.timedelta(days=REVIEW_SOON_DAYS)
    return partners.annotate(
        last_check_id=Subquery(latest.values("pk")[:1]),
        last_checked_on=Subquery(latest.values("checked_on")[:1]),
        review_due_on=Subquery(latest.values("review_due_on")[:1]),
    ).annotate(
        review_state=Case(
            When(review_due_on__isnull=True, then=Value(ReviewState.NOT_CHECKED)),
            When(review_due_on__lt=as_of, then=Value(ReviewState.OVERDUE)),
            When(review_due_on__lte=soon, then=Value(ReviewState.DUE_SOON)),
            default=Value(ReviewState.CHECKED),
            output_field=CharField(),
        )
    )


def register_status(pcn, as_of: datetime.date):
    """The PCN's partners on the register on `as_of`, each with its review state (one query)."""
    pcn_id = getattr(pcn, "pk", pcn)
    return with_review(
        PartnerOrganisation.objects.current(as_of).filter(pcn_id=pcn_id), as_of
    ).order_by("name", "pk")


def needing_check_counts(pcn_ids, as_of: datetime.date) -> dict[int, int]:
    """{PCN id: partners whose review is overdue or never done} on `as_of`, in one query."""
    rows = (
        with_review(
            PartnerOrganisation.objects.current(as_of).filter(pcn_id__in=list(pcn_ids)), as_of
        )
        .filter(review_state__in=ReviewState.NEEDS_CHECK)
        .values_list("pcn_id", flat=True)
    )
    counts: dict[int, int] = {}
    for pcn_id in rows:
        counts[pcn_id] = counts.get(pcn_id, 0) + 1
    return counts


def checker_choices(pcn, as_of: datetime.date):
    """People who may be named as having done a check: the PCN's people who have not left."""
    return Person.objects.active().filter(pcn=pcn).order_by("family_name", "given_name", "pk")


# --- writes ---------------------------------------------------------------------------------


def _snapshot(partner: PartnerOrganisation) -> dict:
    data = {name: getattr(partner, name) for name in PARTNER_FIELDS}
    data.update(pcn=partner.pcn_id, archived_at=partner.archived_at,
                archived_reason=partner.archived_reason)
    return data


def _clean(fields: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _validate_partner(partner: PartnerOrganisation, as_of: datetime.date) -> None:
    errors = {}
    if not partner.name:
        errors["name"] = "Enter the organisation’s name"
    if not partner.offers:
        errors["offers"] = "Enter what the organisation offers"
    if partner.added_on and partner.added_on > as_of:
        errors["added_on"] = "The date it was added must be today or in the past"
    duplicate = (
        PartnerOrganisation.objects.current()
        .filter(pcn_id=partner.pcn_id, name__iexact=partner.name)
        .exclude(pk=partner.pk)
    )
    if partner.name and duplicate.exists():
        errors["name"] = f"{partner.name} is already on the register"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def partner_create(*, actor, pcn: PCN, as_of: datetime.date, **fields) -> PartnerOrganisation:
    """Add an organisation to the PCN's register."""
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"partner_create() got unknown fields {sorted(unknown)}")
    fields = _clean(fields)
    fields.setdefault("added_on", as_of)
    now = timezone.now()
    partner = PartnerOrganisation(pcn=pcn, created_by=actor if actor else None,
                                  created_at=now, updated_at=now, **fields)
    _validate_partner(partner, as_of)
    partner.save()
    audit_record(actor=actor, action="partner.create", obj=partner, after=_snapshot(partner))
    return partner


@transaction.atomic
def partner_update(*, actor, partner: PartnerOrganisation, as_of: datetime.date,
                   **fields) -> PartnerOrganisation:
    """Change a partner's details; the audit entry keeps what they were before."""
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"partner_update() got unknown fields {sorted(unknown)}")
    partner = PartnerOrganisation.objects.select_for_update().get(pk=partner.pk)
    if partner.archived_at:
        raise ValidationError("This organisation is archived. Restore it before changing it.")
    before = _snapshot(partner)
    for name, value in _clean(fields).items():
        setattr(partner, name, value)
    _validate_partner(partner, as_of)
    after = _snapshot(partner)
    if after == before:
        return partner
    partner.updated_at = timezone.now()
    partner.save()
    audit_record(actor=actor, action="partner.update", obj=partner, before=before, after=after)
    return partner


def default_review_due(checked_on: datetime.date) -> datetime.date:
    return add_months(checked_on, DEFAULT_REVIEW_MONTHS)


def check_errors(*, checked_on, review_due_on, checked_by, pcn, as_of) -> dict[str, str]:
    """What is wrong with a check's dates and checker, by field."""
    errors = {}
    if checked_on is not None:
        if checked_on > as_of:
            errors["checked_on"] = "The date of the check must be today or in the past"
        elif checked_on < add_months(as_of, -120):
            errors["checked_on"] = "The date of the check must be within the last 10 years"
    if checked_on is not None and review_due_on is not None and "checked_on" not in errors:
        if review_due_on <= checked_on:
            errors["review_due_on"] = "The next review must be after the date of the check"
        elif review_due_on > add_months(checked_on, MAX_REVIEW_MONTHS):
            errors["review_due_on"] = (
                f"The next review must be within {MAX_REVIEW_MONTHS // 12} years of the check"
            )
    if checked_by is not None and pcn is not None and checked_by.pcn_id != pcn.pk:
        errors["checked_by"] = f"Choose someone from {pcn.name}"
    return errors


@transaction.atomic
def safeguarding_check_record(
    *, actor, partner: PartnerOrganisation, checked_on: datetime.date, checked_by: Person,
    outcome: str, as_of: datetime.date, review_due_on: datetime.date | None = None,
    evidence_file=None,
) -> SafeguardingCheck:
    """Record a check of a partner's safeguarding processes; the evidence file (optional) is
    kept in the checker's portfolio. The next review defaults to 12 months after the check."""
    partner = PartnerOrganisation.objects.select_for_update().select_related("pcn").get(
        pk=partner.pk
    )
    if partner.archived_at:
        raise ValidationError("This organisation is archived. Restore it before recording a "
                              "check.")
    outcome = (outcome or "").strip()
    if review_due_on is None and checked_on is not None:
        review_due_on = default_review_due(checked_on)
    errors = check_errors(checked_on=checked_on, review_due_on=review_due_on,
                          checked_by=checked_by, pcn=partner.pcn, as_of=as_of)
    if not outcome:
        errors["outcome"] = "Enter what was checked"
    if errors:
        raise ValidationError(errors)
    evidence = None
    if evidence_file:
        evidence = lms_services.evidence_file_store(
            actor=actor, owner=checked_by, uploaded_file=evidence_file
        )
    check = SafeguardingCheck.objects.create(
        partner=partner, checked_on=checked_on, checked_by=checked_by, outcome=outcome,
        evidence=evidence, review_due_on=review_due_on, recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor, action="partner.safeguarding_check", obj=check,
        after={"partner": partner.pk, "checked_on": checked_on, "checked_by": checked_by.pk,
               "outcome": outcome, "evidence": evidence.pk if evidence else None,
               "review_due_on": review_due_on},
    )
    return check


@transaction.atomic
def partner_archive(*, actor, partner: PartnerOrganisation, reason: str,
                    now=None) -> PartnerOrganisation:
    """Take a partner off the register, keeping it and its checks, with who, when and why."""
    partner = PartnerOrganisation.objects.select_for_update().get(pk=partner.pk)
    reason = (reason or "").strip()
    if partner.archived_at:
        raise ValidationError("This organisation is already archived.")
    if not reason:
        raise ValidationError({"reason": "Enter why the organisation is being archived"})
    before = _snapshot(partner)
    now = now or timezone.now()
    partner.archived_at, partner.archived_by = now, actor
    partner.archived_reason = reason[:300]
    partner.updated_at = now
    partner.save(update_fields=["archived_at", "archived_by", "archived_reason", "updated_at"])
    audit_record(actor=actor, action="partner.archive", obj=partner, before=before,
                 after=_snapshot(partner))
    return partner


@transaction.atomic
def partner_restore(*, actor, partner: PartnerOrganisation) -> PartnerOrganisation:
    """Put an archived partner back on the register (the audit trail keeps the archiving)."""
    partner = PartnerOrganisation.objects.select_for_update().get(pk=partner.pk)
    if not partner.archived_at:
        raise ValidationError("This organisation is not archived.")
    clash = (
        PartnerOrganisation.objects.current()
        .filter(pcn_id=partner.pcn_id, name__iexact=partner.name)
        .exclude(pk=partner.pk)
    )
    if clash.exists():
        raise ValidationError(
            f"Another organisation called {partner.name} is on the register. Archive or rename "
            "it first."
        )
    before = _snapshot(partner)
    partner.archived_at, partner.archived_by, partner.archived_reason = None, None, ""
    partner.updated_at = timezone.now()
    partner.save(update_fields=["archived_at", "archived_by", "archived_reason", "updated_at"])
    audit_record(actor=actor, action="partner.restore", obj=partner, before=before,
                 after=_snapshot(partner))
    return partner


def overdue_filter(state: str | None):
    """The list filter: "overdue" (overdue or never checked), "soon" (due in 30 days)."""
    if state == "overdue":
        return Q(review_state__in=ReviewState.NEEDS_CHECK)
    if state == "soon":
        return Q(review_state=ReviewState.DUE_SOON)
    return Q()
