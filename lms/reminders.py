"""Who gets which reminder on a day: plain functions over querysets and an explicit `as_of`.

Three kinds, each sent at most once per person per `sent_on` (ReminderSent):
- care coordinators: learning expiring within 30 days (or expired) and overdue induction;
- supporters (supervisor, line manager, first point of contact, safeguarding GP):
  certificates and imported records of their supervisees waiting for verification;
- PCN managers: a weekly digest of what is expiring or overdue in their PCN(s), keyed on
  the Monday of the ISO week, so it goes out on the first run of each week.
Only current role assignments, people who have not left and active user accounts count.
Each function runs a fixed number of queries whatever the number of people.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from .learning import TaskStatus, induction_task_status
from .models import (
    SUPPORT_ROLES,
    InductionPlanItem,
    LearningRecord,
    LearningStatus,
    Person,
    Role,
    RoleAssignment,
)

EXPIRY_WINDOW_DAYS = 30

COORDINATOR_DUE = "coordinator_due"
SUPERVISOR_VERIFY = "supervisor_verify"
MANAGER_DIGEST = "manager_digest"
KINDS = (COORDINATOR_DUE, SUPERVISOR_VERIFY, MANAGER_DIGEST)


def week_start(as_of: datetime.date) -> datetime.date:
    """The Monday of `as_of`'s ISO week: the day a weekly digest is keyed on."""
    return as_of - datetime.timedelta(days=as_of.weekday())


@dataclass
class ExpiringRecord:
    record: LearningRecord
    expires_on: datetime.date
    expired: bool


@dataclass
class OverdueTask:
    plan_item: InductionPlanItem
    record: LearningRecord | None

    @property
    def item(self):
        return self.plan_item.item


@dataclass
class CoordinatorDue:
    """One care coordinator's learning that needs action."""

    person: Person
    pcn_ids: set = field(default_factory=set)
    expiring: list = field(default_factory=list)
    overdue: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.expiring or self.overdue)


@dataclass
class Reminder:
    """One email to send: to whom, of which kind, keyed on which day, with what in it."""

    person: Person
    kind: str
    sent_on: datetime.date
    context: dict


def _reachable(queryset, prefix="person"):
    """Assignments whose holder has not left and can still sign in."""
    return queryset.filter(
        **{f"{prefix}__left_on__isnull": True, f"{prefix}__user__is_active": True}
    )


def current_coordinator_assignments(as_of: datetime.date):
    """Current care coordinator assignments of people who have not left."""
    return _reachable(RoleAssignment.objects.current(as_of).care_coordinators())


def coordinators_due(as_of: datetime.date, *, pcn_ids=None) -> dict[int, CoordinatorDue]:
    """Current care coordinators with learning expiring within 30 days or induction overdue.

    Keyed by person id. Expired completions are included (they still need renewing);
    imported records count only once verified, as everywhere else.
    """
    assignments = current_coordinator_assignments(as_of).select_related("person__user")
    if pcn_ids is not None:
        assignments = assignments.filter(pcn_id__in=pcn_ids)
    due: dict[int, CoordinatorDue] = {}
    for assignment in assignments:
        entry = due.setdefault(assignment.person_id, CoordinatorDue(person=assignment.person))
        entry.pcn_ids.add(assignment.pcn_id)
    if not due:
        return {}
    horizon = as_of + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
    completed = (
        LearningRecord.objects.filter(person_id__in=due)
        .completed()
        .counted()
        .filter(completed_on__isnull=False, item__refresher_months__isnull=False)
        .select_related("item")
        .order_by("completed_on", "pk")
    )
    for record in completed:
        expires_on = record.expires_on
        if expires_on is not None and expires_on <= horizon:
            due[record.person_id].expiring.append(
                ExpiringRecord(record=record, expires_on=expires_on, expired=expires_on <= as_of)
            )
    plan_items = list(
        InductionPlanItem.objects.filter(person_id__in=due, due_on__lt=as_of)
        .select_related("item")
        .order_by("due_on", "item__path")
    )
    records = {
        (r.person_id, r.item_id): r
        for r in LearningRecord.objects.filter(
            person_id__in={p.person_id for p in plan_items},
            item_id__in={p.item_id for p in plan_items},
        )
    }
    for plan_item in plan_items:
        record = records.get((plan_item.person_id, plan_item.item_id))
        if induction_task_status(plan_item, record, as_of) == TaskStatus.OVERDUE:
            due[plan_item.person_id].overdue.append(OverdueTask(plan_item, record))
    for entry in due.values():
        entry.expiring.sort(key=lambda e: e.expires_on)
    return {pk: entry for pk, entry in due.items() if entry}


def coordinator_reminders(as_of: datetime.date) -> list[Reminder]:
    """A daily email to each care coordinator with something expiring or overdue."""
    return [
        Reminder(entry.person, COORDINATOR_DUE, as_of, {"due": entry, "as_of": as_of})
        for entry in sorted(coordinators_due(as_of).values(), key=lambda e: e.person.pk)
    ]


def awaiting_verification():
    """Records a supporter or manager should verify: with a certificate, or imported."""
    return LearningRecord.objects.filter(verified_at__isnull=True).filter(
        Q(certificates__isnull=False) | ~Q(imported_from="")
    ).exclude(stage=LearningStatus.NOT_REQUIRED).distinct()


def supervisor_reminders(as_of: datetime.date) -> list[Reminder]:
    """A daily email to each supporter whose current supervisees have records to verify."""
    assignments = _reachable(
        _reachable(RoleAssignment.objects.current(as_of).of_role(*SUPPORT_ROLES)),
        prefix="care_coordinator",
    ).select_related("person__user")
    supporters: dict[int, Person] = {}
    supervisees: dict[int, set] = defaultdict(set)
    for assignment in assignments:
        supporters[assignment.person_id] = assignment.person
        supervisees[assignment.person_id].add(assignment.care_coordinator_id)
    if not supporters:
        return []
    # Only supervisees who are care coordinators today.
    coordinator_ids = set(
        current_coordinator_assignments(as_of).filter(
            person_id__in=set().union(*supervisees.values())
        ).values_list("person_id", flat=True)
    )
    waiting = defaultdict(list)
    for record in (
        awaiting_verification()
        .filter(person_id__in=coordinator_ids)
        .select_related("person", "item")
        .order_by("person__family_name", "person__given_name", "item__path")
    ):
        waiting[record.person_id].append(record)
    reminders = []
    for supporter_id in sorted(supporters):
        records = [
            r for coordinator_id in sorted(supervisees[supporter_id] & coordinator_ids)
            for r in waiting.get(coordinator_id, [])
        ]
        if records:
            reminders.append(Reminder(
                supporters[supporter_id], SUPERVISOR_VERIFY, as_of,
                {"records": records, "as_of": as_of},
            ))
    return reminders


def manager_digests(as_of: datetime.date) -> list[Reminder]:
    """A weekly digest to each PCN manager of what is expiring or overdue in their PCN(s)."""
    assignments = _reachable(
        RoleAssignment.objects.current(as_of).of_role(Role.PCN_MANAGER)
    ).select_related("person__user", "pcn")
    managers: dict[int, Person] = {}
    managed: dict[int, dict] = defaultdict(dict)
    for assignment in assignments:
        managers[assignment.person_id] = assignment.person
        managed[assignment.person_id][assignment.pcn_id] = assignment.pcn
    if not managers:
        return []
    all_pcn_ids = {pcn_id for pcns in managed.values() for pcn_id in pcns}
    due = coordinators_due(as_of, pcn_ids=all_pcn_ids)
    monday = week_start(as_of)
    reminders = []
    for manager_id in sorted(managers):
        sections = []
        for pcn_id, pcn in sorted(managed[manager_id].items(), key=lambda kv: kv[1].name):
            people = sorted(
                (e for e in due.values() if pcn_id in e.pcn_ids and e.person.pk != manager_id),
                key=lambda e: (e.person.family_name, e.person.given_name),
            )
            if people:
                sections.append({"pcn": pcn, "people": people})
        if sections:
            reminders.append(Reminder(
                managers[manager_id], MANAGER_DIGEST, monday,
                {"sections": sections, "as_of": as_of, "week_start": monday},
            ))
    return reminders


def reminders_for(as_of: datetime.date) -> list[Reminder]:
    """Every reminder due on `as_of`, before checking which were already sent."""
    return coordinator_reminders(as_of) + supervisor_reminders(as_of) + manager_digests(as_of)
