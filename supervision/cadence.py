"""Supervision cadence and supervisor load: how often sessions are expected, and whether
they happen (issue 6, point 2).

Rules are plain functions of loaded rows and an explicit `as_of`; the loaders run a fixed
number of queries however many coordinators or supervisors there are.

- A PCN's expected interval for a session type is its `CadenceSetting` row when it has
  one (an empty interval there means "no expectation"), else `DEFAULT_CADENCE_DAYS`.
- The last session of a type is the latest current (not withdrawn) session held on or
  before `as_of`, confirmed or not: a record waiting for confirmation still shows the
  session happened.
- The next one is due `interval` days after it; with none held, `interval` days after the
  care coordinator role started. Overdue when the due date has passed; due soon within
  `DUE_SOON_DAYS`; else on track.
"""

import datetime
import enum
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max

from lms.models import SUPPORT_ROLES, Person, Role, RoleAssignment

from .models import DEFAULT_CADENCE_DAYS, CadenceSetting, SessionType, SupervisionSession

DUE_SOON_DAYS = 7
LOAD_WINDOW_DAYS = 90

#: The session type each support role is expected to hold with their coordinator.
ROLE_SESSION_TYPE = {
    Role.CLINICAL_SUPERVISOR: SessionType.CLINICAL,
    Role.LINE_MANAGER: SessionType.LINE_MANAGEMENT,
    Role.SAFEGUARDING_GP: SessionType.SAFEGUARDING,
    Role.FIRST_POINT_OF_CONTACT: SessionType.COACHING,
}


class CadenceStatus(enum.StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "due_soon": "Due soon", "on_track": "On track"}[self]

    @property
    def colour(self) -> str:
        """NHS.UK tag colour; the tag's words carry the meaning."""
        return {"overdue": "red", "due_soon": "yellow", "on_track": "green"}[self]


# --- expected intervals --------------------------------------------------------------------


def intervals_by_pcn(pcn_ids) -> dict[int, dict[str, int | None]]:
    """Each PCN's own settings, {pcn_id: {session_type: days or None}}, in one query."""
    rows = CadenceSetting.objects.filter(pcn_id__in=list(pcn_ids)).values_list(
        "pcn_id", "session_type", "interval_days"
    )
    settings: dict[int, dict[str, int | None]] = defaultdict(dict)
    for pcn_id, session_type, days in rows:
        settings[pcn_id][session_type] = days
    return settings


def expected_interval(pcn_settings: dict, session_type: str) -> int | None:
    """Days expected between sessions of a type: the PCN's setting, else the default."""
    if session_type in pcn_settings:
        return pcn_settings[session_type]
    return DEFAULT_CADENCE_DAYS.get(session_type)


def expected_intervals(pcn_settings: dict) -> dict[str, int]:
    """Every session type with an expectation for a PCN, in SessionType order."""
    intervals = {}
    for session_type in SessionType.values:
        days = expected_interval(pcn_settings, session_type)
        if days:
            intervals[session_type] = days
    return intervals


# --- a coordinator's cadence ---------------------------------------------------------------


@dataclass(frozen=True)
class CoordinatorStart:
    """A care coordinator, the PCN whose cadence applies and when their role started."""

    person_id: int
    pcn_id: int | None
    started_on: datetime.date | None


@dataclass
class Cadence:
    """Where one coordinator stands for one session type."""

    session_type: str
    interval_days: int
    last_held_on: datetime.date | None
    due_on: datetime.date | None  # None: never held and no start date, so due now
    status: CadenceStatus

    @property
    def type_label(self) -> str:
        return SessionType(self.session_type).label

    @property
    def due_now(self) -> bool:
        return self.due_on is None

    @property
    def is_overdue(self) -> bool:
        return self.status == CadenceStatus.OVERDUE


def cadence_status(due_on: datetime.date | None, as_of: datetime.date) -> CadenceStatus:
    """Overdue once the due date has passed (or with nothing to count from); due soon within
    a week, the due day included; else on track."""
    if due_on is None or due_on < as_of:
        return CadenceStatus.OVERDUE
    if due_on <= as_of + datetime.timedelta(days=DUE_SOON_DAYS):
        return CadenceStatus.DUE_SOON
    return CadenceStatus.ON_TRACK


def cadence_for_coordinator(
    start: CoordinatorStart,
    pcn_settings: dict,
    last_held: dict[str, datetime.date],
    as_of: datetime.date,
) -> dict[str, Cadence]:
    """{session_type: Cadence} for every type with an expected interval. No queries."""
    result = {}
    for session_type, days in expected_intervals(pcn_settings).items():
        last = last_held.get(session_type)
        base = last or start.started_on
        due_on = base + datetime.timedelta(days=days) if base else None
        result[session_type] = Cadence(
            session_type=session_type,
            interval_days=days,
            last_held_on=last,
            due_on=due_on,
            status=cadence_status(due_on, as_of),
        )
    return result


def last_sessions(person_ids, as_of: datetime.date) -> dict[int, dict[str, datetime.date]]:
    """{coordinator_id: {session_type: last held_on}} of current sessions, in one query."""
    rows = (
        SupervisionSession.objects.current()
        .filter(care_coordinator_id__in=list(person_ids), held_on__lte=as_of)
        .order_by()
        .values("care_coordinator_id", "session_type")
        .annotate(last=Max("held_on"))
    )
    last: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    for row in rows:
        last[row["care_coordinator_id"]][row["session_type"]] = row["last"]
    return last


def coordinator_starts(person_ids, as_of: datetime.date) -> dict[int, CoordinatorStart]:
    """Each person's current care coordinator role: its PCN and start date, in one query.

    With more than one current assignment, the earliest start counts.
    """
    starts: dict[int, CoordinatorStart] = {}
    assignments = (
        RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(person_id__in=list(person_ids))
        .order_by("starts_on", "pk")
        .values_list("person_id", "pcn_id", "starts_on")
    )
    for person_id, pcn_id, starts_on in assignments:
        starts.setdefault(person_id, CoordinatorStart(person_id, pcn_id, starts_on))
    return starts


def cadence_by_coordinator(
    person_ids, as_of: datetime.date
) -> dict[int, dict[str, Cadence]]:
    """{coordinator_id: {session_type: Cadence}} for people with a current care coordinator
    role, in three queries however many people. Others are left out."""
    person_ids = list(person_ids)
    starts = coordinator_starts(person_ids, as_of)
    if not starts:
        return {}
    settings = intervals_by_pcn({start.pcn_id for start in starts.values()})
    last = last_sessions(starts, as_of)
    return {
        person_id: cadence_for_coordinator(
            start, settings.get(start.pcn_id, {}), last.get(person_id, {}), as_of
        )
        for person_id, start in starts.items()
    }


def cadence_table(people, as_of: datetime.date):
    """Column labels (types with an expectation for anyone listed) and a row per person with
    their cadence per column: ([label], [{person, cells: [(label, Cadence|None)], overdue}]).
    Three queries however many people."""
    people = list(people)
    cadence = cadence_by_coordinator([p.pk for p in people], as_of)
    columns = [t for t in SessionType.values if any(t in cadence.get(p.pk, {}) for p in people)]
    rows = []
    for person in people:
        own = cadence.get(person.pk, {})
        rows.append({
            "person": person,
            "cells": [(SessionType(t).label, own.get(t)) for t in columns],
            "overdue": any(c.is_overdue for c in own.values()),
        })
    return [SessionType(t).label for t in columns], rows


def coordinators_in_pcns(pcn_ids, as_of: datetime.date):
    """People with a current care coordinator role in these PCNs, by name (a queryset)."""
    return Person.objects.filter(
        pk__in=RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(pcn_id__in=list(pcn_ids))
        .values("person_id")
    ).order_by("family_name", "given_name", "pk")


# --- supervisor load -----------------------------------------------------------------------


@dataclass
class TypeLoad:
    session_type: str
    held: int = 0
    expected_exact: float = 0.0

    @property
    def type_label(self) -> str:
        return SessionType(self.session_type).label

    @property
    def expected(self) -> int:
        return round_half_up(self.expected_exact)

    @property
    def short(self) -> bool:
        return self.held < self.expected


@dataclass
class SupervisorLoad:
    """One supervisor in a PCN: their supervisees and sessions held against expected."""

    person: Person
    supervisee_ids: set = field(default_factory=set)
    by_type: dict = field(default_factory=dict)

    @property
    def supervisees(self) -> int:
        return len(self.supervisee_ids)

    @property
    def held(self) -> int:
        return sum(load.held for load in self.by_type.values())

    @property
    def expected(self) -> int:
        return round_half_up(sum(load.expected_exact for load in self.by_type.values()))

    @property
    def types(self) -> list[TypeLoad]:
        """Types with sessions held or expected, in SessionType order."""
        return [
            self.by_type[t] for t in SessionType.values
            if t in self.by_type and (self.by_type[t].held or self.by_type[t].expected_exact)
        ]

    def _type(self, session_type) -> TypeLoad:
        return self.by_type.setdefault(session_type, TypeLoad(session_type))


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def load_window(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 90 days, `as_of` included."""
    return as_of - datetime.timedelta(days=LOAD_WINDOW_DAYS - 1), as_of


def supervisor_load(pcn_ids, as_of: datetime.date) -> list[SupervisorLoad]:
    """Per supervisor holding a support role for a current coordinator of these PCNs: how
    many supervisees, and sessions held in the last 90 days against expected, per type.

    Expected, per supervisee and role held: 90 / the interval of the role's session type
    (`ROLE_SESSION_TYPE`), summed and rounded. Held: current sessions of those coordinators
    that name the supervisor. Four queries however many people.
    """
    pcn_ids = list(pcn_ids)
    coordinator_pcn = dict(
        RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(pcn_id__in=pcn_ids)
        .order_by("starts_on", "pk")
        .values_list("person_id", "pcn_id")
    )
    if not coordinator_pcn:
        return []
    settings = intervals_by_pcn(pcn_ids)
    loads: dict[int, SupervisorLoad] = {}
    support = (
        RoleAssignment.objects.current(as_of)
        .filter(role__in=SUPPORT_ROLES, care_coordinator_id__in=list(coordinator_pcn))
        .select_related("person")
    )
    for assignment in support:
        load = loads.setdefault(assignment.person_id, SupervisorLoad(person=assignment.person))
        load.supervisee_ids.add(assignment.care_coordinator_id)
        session_type = ROLE_SESSION_TYPE.get(assignment.role)
        pcn_settings = settings.get(coordinator_pcn[assignment.care_coordinator_id], {})
        days = expected_interval(pcn_settings, session_type) if session_type else None
        if days:
            load._type(session_type).expected_exact += LOAD_WINDOW_DAYS / days
    start, end = load_window(as_of)
    held = (
        SupervisionSession.supervisors.through.objects.filter(
            person_id__in=list(loads),
            supervisionsession__care_coordinator_id__in=list(coordinator_pcn),
            supervisionsession__withdrawn_at__isnull=True,
            supervisionsession__held_on__range=(start, end),
        )
        .order_by()
        .values("person_id", "supervisionsession__session_type")
        .annotate(count=Count("supervisionsession_id", distinct=True))
    )
    for row in held:
        loads[row["person_id"]]._type(row["supervisionsession__session_type"]).held += row[
            "count"
        ]
    return sorted(
        loads.values(),
        key=lambda load: (load.person.family_name, load.person.given_name, load.person.pk),
    )
