"""The DES compliance engine: every care coordinator's result for every requirement on a date.

Plain functions over querysets with an explicit `as_of`; no request, no writes. The rules
in force on `as_of` come from `requirements.py` (one set per contract year); each rule is a
function in `rules.py` over facts loaded here in bulk, so a PCN's (or several PCNs')
results cost the same fixed number of queries whatever the number of coordinators.
"""

import dataclasses
import datetime
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Min, Prefetch, Q
from django.utils import timezone

from competencies.models import Competency, EvidenceLink, SignOff
from competencies.progress import CompetencyProgress
from content.models import LearningItemPage
from lms import audit
from lms.learning import PCI_KINDS
from lms.models import (
    PCN,
    InductionPlanItem,
    LearningRecord,
    Practice,
    Role,
    RoleAssignment,
    add_months,
)
from supervision.cadence import (
    CoordinatorStart,
    cadence_for_coordinator,
    intervals_by_pcn,
    last_sessions,
)
from supervision.models import SessionType, SupervisionSession
from supervision.network_services import joint_working_attendance

from . import rules
from .models import (
    AwarenessMethod,
    DirectoryEntry,
    PartnerOrganisation,
    PracticeAwareness,
    SafeguardingCheck,
)
from .requirements import RequirementSet, contract_years, requirement_set_for
from .results import CoordinatorCompliance, ForecastItem, Requirement, Status

__all__ = [
    "PCNSummary",
    "RequirementSet",
    "ValidationError",
    "contract_years",
    "cached_pcn_compliance",
    "coordinator_compliance",
    "forecast",
    "icb_summary",
    "pcn_compliance",
    "pcn_started_on",
    "pcn_trend",
    "pcns_with_data_versions",
    "requirement_set_for",
]

#: Support roles the rules read (DES clauses 5 and 6).
RULE_SUPPORT_ROLES = (Role.FIRST_POINT_OF_CONTACT, Role.CLINICAL_SUPERVISOR, Role.SAFEGUARDING_GP)


# --- loading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Coordinator:
    person: object
    pcn_id: int | None
    started_on: datetime.date | None


def _current_coordinators(pcn_ids, as_of) -> list[_Coordinator]:
    """People with a current care coordinator role in these PCNs, by name; one query.

    Someone with two current assignments in one PCN appears once, with the earlier start.
    """
    assignments = (
        RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(pcn_id__in=list(pcn_ids))
        .filter(Q(person__left_on__isnull=True) | Q(person__left_on__gt=as_of))
        .select_related("person__user", "person__pcn")
        .order_by("person__family_name", "person__given_name", "person_id", "starts_on", "pk")
    )
    seen, rows = set(), []
    for assignment in assignments:
        key = (assignment.pcn_id, assignment.person_id)
        if key in seen:
            continue
        seen.add(key)
        rows.append(_Coordinator(assignment.person, assignment.pcn_id, assignment.starts_on))
    return rows


def _statutory_condition(rs: RequirementSet) -> Q:
    condition = Q(live=True, kind=rs.statutory_kind)
    if rs.statutory_item_codes is not None:
        condition &= Q(code__in=rs.statutory_item_codes)
    return condition


def _items(item_ids, rs: RequirementSet) -> tuple[dict, list]:
    """({item_id: LearningItemPage} for these items and the statutory ones, the statutory
    items in force in curriculum order); one query."""
    found = (
        LearningItemPage.objects.filter(Q(pk__in=list(item_ids)) | _statutory_condition(rs))
        .select_related("framework_version")
        .order_by("path")
    )
    items, statutory = {}, []
    for item in found:
        items[item.pk] = item
        if item.live and item.kind == rs.statutory_kind and (
            rs.statutory_item_codes is None or item.code in rs.statutory_item_codes
        ):
            statutory.append(item)
    return items, statutory


class _Link(NamedTuple):
    """The part of an EvidenceLink the rule for met reads."""

    kind: str


class _SignOff(NamedTuple):
    """The parts of a SignOff the rule for met and the evidence rows read."""

    level: int
    rater_key: str
    assessor_name: str
    signed_at: datetime.datetime


def _responsibilities(person_ids, rs: RequirementSet, as_of):
    """{person_id: {domain_code: [CompetencyProgress]}} as on `as_of`, or None when the
    framework is not in the system; three queries.

    Like competencies.progress.progress_for, but dated: evidence added and sign-offs made on
    or before `as_of`, not withdrawn or superseded by then.
    """
    competencies = list(
        Competency.objects.filter(
            framework__code=rs.responsibilities_framework,
            domain__code__in=[rs.key_domain, rs.wider_domain],
        )
        .select_related("framework", "domain")
        .order_by("domain__sort_order", "sort_order", "pk")
    )
    if not competencies:
        return None
    ids = [c.pk for c in competencies]
    table = {
        (person_id, c.pk): CompetencyProgress(competency=c)
        for person_id in person_ids
        for c in competencies
    }
    rows = dict(person_id__in=list(person_ids), competency_id__in=ids)
    day_ends = _end_of_day(as_of)
    links = (
        EvidenceLink.objects.filter(**rows, added_at__lt=day_ends)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=day_ends))
        .values_list("person_id", "competency_id", "kind")
    )
    for person_id, competency_id, kind in links:
        table[(person_id, competency_id)].evidence.append(_Link(kind))
    sign_offs = (
        SignOff.objects.filter(**rows, signed_at__lt=day_ends)
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=day_ends))
        .order_by("signed_at", "pk")
        .values_list("person_id", "competency_id", "level", "rater_key", "assessor_name",
                     "signed_at")
    )
    for person_id, competency_id, *values in sign_offs:
        sign_off = _SignOff(*values)
        progress = table[(person_id, competency_id)]
        # One rater's later sign-off replaces their earlier one (as sign_off_record does).
        progress.current_sign_offs = [
            s for s in progress.current_sign_offs if s.rater_key != sign_off.rater_key
        ] + [sign_off]
    result = {}
    for person_id in person_ids:
        by_domain = defaultdict(list)
        for competency in competencies:
            by_domain[competency.domain.code].append(table[(person_id, competency.pk)])
        result[person_id] = dict(by_domain)
    return result


def _pcn_facts(pcn_ids, as_of) -> dict[int, rules.PCNFacts]:
    """Each PCN's partner register (with the latest check by `as_of`) and practices; three
    queries."""
    facts = {pcn_id: rules.PCNFacts(pcn_id) for pcn_id in pcn_ids}
    checks = Prefetch(
        "safeguarding_checks",
        queryset=SafeguardingCheck.objects.filter(checked_on__lte=as_of)
        .select_related("checked_by")
        .order_by("-checked_on", "-pk"),
        to_attr="checks_by_then",
    )
    partners = (
        PartnerOrganisation.objects.current(as_of)
        .filter(pcn_id__in=list(pcn_ids))
        .prefetch_related(checks)
        .order_by("name", "pk")
    )
    for partner in partners:
        latest = partner.checks_by_then[0] if partner.checks_by_then else None
        facts[partner.pcn_id].partners.append(rules.Partner(partner.pk, partner.name, latest))
    for practice in Practice.objects.filter(pcn_id__in=list(pcn_ids)).order_by("name", "pk"):
        facts[practice.pcn_id].practices.append(practice)
    return facts


def _coordinator_facts(coordinators: list[_Coordinator], rs: RequirementSet, as_of
                       ) -> tuple[dict[int, rules.CoordinatorFacts], list]:
    """({person_id: CoordinatorFacts}, the statutory items in force) in a fixed number of
    queries."""
    facts = {
        c.person.pk: rules.CoordinatorFacts(
            person=c.person, pcn_id=c.pcn_id,
            started_on=c.started_on or c.person.employment_start_date,
        )
        for c in coordinators
    }
    ids = list(facts)

    support = (
        RoleAssignment.objects.current(as_of)
        .of_role(*RULE_SUPPORT_ROLES)
        .filter(care_coordinator_id__in=ids)
        .select_related("person")
        .order_by("starts_on", "pk")
    )
    for assignment in support:
        facts[assignment.care_coordinator_id].supporters.setdefault(
            assignment.role, []
        ).append(assignment)

    # Records and plan items point at a dozen or so items: load each item once and attach
    # it, rather than build a page object per row.
    plan_items = list(
        InductionPlanItem.objects.filter(person_id__in=ids).order_by("due_on", "item__path")
    )
    # The items wanted, as a short list of ids: an OR with a subquery over a thousand people
    # made PostgreSQL scan every learning record (70 s at national scale).
    wanted_items = {row.item_id for row in plan_items} | set(
        LearningItemPage.objects.filter(kind__in=[*PCI_KINDS, rs.statutory_kind])
        .values_list("pk", flat=True)
    )
    records = list(LearningRecord.objects.filter(person_id__in=ids, item_id__in=wanted_items))
    item_ids = {row.item_id for row in plan_items} | {row.item_id for row in records}
    items, statutory = _items(item_ids, rs)
    for plan_item in plan_items:
        plan_item.item = items[plan_item.item_id]
        facts[plan_item.person_id].plan_items.append(plan_item)
    for record in records:
        record.item = items[record.item_id]
        facts[record.person_id].records.append(record)

    responsibilities = _responsibilities(ids, rs, as_of)
    if responsibilities is not None:
        for person_id, by_domain in responsibilities.items():
            facts[person_id].responsibilities = by_domain

    since = add_months(as_of, -rs.joint_working_months)
    for person_id, meetings in joint_working_attendance(ids, since, as_of).items():
        facts[person_id].joint_working = meetings

    intervals = intervals_by_pcn({c.pcn_id for c in coordinators if c.pcn_id})
    last = last_sessions(ids, as_of)
    for person_id, f in facts.items():
        start = CoordinatorStart(person_id, f.pcn_id, f.started_on)
        f.cadence = cadence_for_coordinator(
            start, intervals.get(f.pcn_id, {}), last.get(person_id, {}), as_of
        )
    sessions = (
        SupervisionSession.objects.current()
        .filter(
            care_coordinator_id__in=ids, session_type=SessionType.CLINICAL,
            held_on__lte=as_of, held_on__gt=as_of - datetime.timedelta(days=365),
        )
        .order_by("-held_on", "-pk")
        .values_list("pk", "care_coordinator_id", "held_on", "confirmed_at")
    )
    for pk, person_id, held_on, confirmed_at in sessions:
        shown = facts[person_id].clinical_sessions
        if len(shown) < rules.SUPERVISION_EVIDENCE_SESSIONS:
            confirmed_on = _local_date(confirmed_at) if confirmed_at else None
            shown.append((pk, held_on, confirmed_on))

    entries = DirectoryEntry.objects.listed(as_of).filter(person_id__in=ids).order_by(
        "listed_from", "pk"
    )
    for entry in entries:
        if entry.pcn_id == facts[entry.person_id].pcn_id:
            facts[entry.person_id].directory_entries.append(entry)

    told = (
        PracticeAwareness.coordinators.through.objects.filter(
            person_id__in=ids, practiceawareness__told_on__lte=as_of
        )
        .order_by("practiceawareness__told_on", "practiceawareness_id")
        .values_list(
            "person_id", "practiceawareness__practice_id", "practiceawareness__told_on",
            "practiceawareness__method", "practiceawareness__told_by__given_name",
            "practiceawareness__told_by__family_name",
        )
    )
    methods = dict(AwarenessMethod.choices)
    for person_id, practice_id, told_on, method, given, family in told:
        # Oldest first, so the latest record for a practice is the one kept.
        facts[person_id].awareness[practice_id] = rules.AwarenessRow(
            practice_id, told_on, methods.get(method, method), f"{given} {family}"
        )
    return facts, statutory


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, local time: `at < _end_of_day(day)` is "on or before"
    without a date cast per row."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


# --- evaluating -------------------------------------------------------------------------------


def _evaluate(coordinators: list[_Coordinator], as_of: datetime.date, rs: RequirementSet
              ) -> list[CoordinatorCompliance]:
    if not coordinators:
        return []
    facts, statutory = _coordinator_facts(coordinators, rs, as_of)
    pcn_facts = _pcn_facts({c.pcn_id for c in coordinators if c.pcn_id}, as_of)
    req = {r.code: r for r in rs.requirements}
    partner_results = {
        pcn_id: rules.rule_partner_register(req["4"], pcn, rs, as_of)
        for pcn_id, pcn in pcn_facts.items()
    }
    results = []
    for coordinator in coordinators:
        f = facts[coordinator.person.pk]
        pcn = pcn_facts.get(coordinator.pcn_id)
        by_code = {
            "1a": rules.rule_pci_training(req["1a"], f, rs, as_of),
            "1b": rules.rule_joint_working(req["1b"], f, rs, as_of),
            "2": rules.rule_responsibilities(req["2"], f, rs, as_of, domain=rs.key_domain,
                                             what="Key responsibilities"),
            "3": rules.rule_responsibilities(req["3"], f, rs, as_of, domain=rs.wider_domain,
                                             what="Wider responsibilities"),
            "4": partner_results.get(coordinator.pcn_id)
            or rules.rule_partner_register(req["4"], None, rs, as_of),
            "5": rules.rule_named_support(req["5"], f, rs, as_of),
            "6": rules.rule_safeguarding_and_supervision(req["6"], f, rs, as_of),
            "7": rules.rule_directory(req["7"], f, pcn, rs, as_of),
            "SMT": rules.rule_statutory(req["SMT"], f, statutory, rs, as_of),
            "IND": rules.rule_induction(req["IND"], f, rs, as_of),
        }
        results.append(CoordinatorCompliance(
            person=coordinator.person, as_of=as_of, contract_year=rs.contract_year,
            results={code: by_code[code] for code in rs.codes},
        ))
    return results


# --- the public API ---------------------------------------------------------------------------


def pcn_compliance(pcn, as_of: datetime.date) -> list[CoordinatorCompliance]:
    """Every care coordinator of the PCN on `as_of` (by name) with every requirement's result.

    A fixed number of queries whatever the number of coordinators. Raises ValidationError for
    a date outside every contract year.
    """
    rs = requirement_set_for(as_of)
    pcn_id = pcn.pk if isinstance(pcn, PCN) else pcn
    return _evaluate(_current_coordinators([pcn_id], as_of), as_of, rs)


def coordinator_compliance(person, as_of: datetime.date) -> CoordinatorCompliance:
    """One person's results on `as_of`: as a care coordinator of the PCN where they held the
    role then (their home PCN and employment start if they held none)."""
    rs = requirement_set_for(as_of)
    assignment = (
        RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(person=person)
        .select_related("person__user", "person__pcn")
        .order_by("starts_on", "pk")
        .first()
    )
    if assignment is not None:
        coordinator = _Coordinator(assignment.person, assignment.pcn_id, assignment.starts_on)
    else:
        coordinator = _Coordinator(person, person.pcn_id, None)
    return _evaluate([coordinator], as_of, rs)[0]


def _forecast_item(compliance, result, as_of, until) -> ForecastItem | None:
    if result.status in (Status.NOT_MET, Status.AT_RISK):
        on = result.lapses_on or as_of
        if result.status == Status.NOT_MET and on > as_of:
            on = as_of
    elif result.status == Status.MET and result.lapses_on and as_of <= result.lapses_on <= until:
        on = result.lapses_on
    else:
        return None
    message = result.risk or f"{result.requirement.short_title}: {result.summary}"
    return ForecastItem(person=compliance.person, requirement=result.requirement, on=on,
                        message=message)


def forecast_from(compliances, as_of: datetime.date, days: int = 90) -> list[ForecastItem]:
    """Forecast items from results already computed (see `forecast`)."""
    until = as_of + datetime.timedelta(days=days)
    items = []
    for compliance in compliances:
        for position, result in enumerate(compliance.results.values()):
            item = _forecast_item(compliance, result, as_of, until)
            if item is not None and item.on <= until:
                items.append((item.on, compliance.person.family_name,
                              compliance.person.given_name, compliance.person.pk, position,
                              item))
    items.sort(key=lambda row: row[:5])
    return [row[-1] for row in items]


def forecast(pcn, as_of: datetime.date, days: int = 90) -> list[ForecastItem]:
    """What will stop a requirement being met by `as_of + days`, sorted by date: results that
    lapse in the window, and those already at risk or not met (dated when they lapsed)."""
    return forecast_from(pcn_compliance(pcn, as_of), as_of, days)


def _month_end(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


def trend_dates(as_of: datetime.date, months: int = 12) -> list[datetime.date]:
    """The last `months` month ends up to `as_of` (the current month counts to `as_of`),
    oldest first, leaving out dates before the first contract year."""
    first = contract_years()[0].starts_on
    dates = []
    for back in range(months - 1, -1, -1):
        day = min(_month_end(add_months(as_of.replace(day=1), -back)), as_of)
        if day >= first:
            dates.append(day)
    return dates


#: How long a PCN's cached trend points live at most. Every write through a service bumps the
#: data version (see `_data_version`), so this only bounds changes made outside the services
#: and the Wagtail or Django admin (a seed command, a shell).
TREND_CACHE_SECONDS = audit.VERSIONED_CACHE_SECONDS

#: Cached points kept per PCN: a year of month ends for a few dozen "as at" dates.
TREND_CACHE_MAX_POINTS = 400

#: Modules whose code decides a result: a deploy that changes them starts a fresh cache.
_TREND_CODE_MODULES = (
    "lms.compliance.engine", "lms.compliance.rules", "lms.compliance.requirements",
    "lms.compliance.results", "lms.learning", "competencies.progress", "supervision.cadence",
    "supervision.network_services",
)


def _code_version() -> str:
    return audit.code_digest(_TREND_CODE_MODULES)


def _data_versions(pcn_ids) -> dict[int, tuple]:
    """{pcn id: the version of its results}: the engine's code version and the PCN's data
    version (`lms.audit.pcns_with_data_versions`, which says what changes it), in one
    query for any number of PCNs; PCNs that do not exist are left out."""
    return {pcn.pk: pcn.data_version for pcn in pcns_with_data_versions(pcn_ids)}


def pcns_with_data_versions(pcn_ids) -> list[PCN]:
    """The PCNs with these ids, by name, each with `data_version` the version of its
    results (the engine's code version, then `lms.audit`'s data version), in one query: a
    page that loads the PCN anyway reads its version for free, and passes it on to
    `cached_pcn_compliance`, `pcn_trend` or its own cache."""
    pcns = audit.pcns_with_data_versions(pcn_ids)
    for pcn in pcns:
        pcn.data_version = (_code_version(), *pcn.data_version)
    return pcns


def _data_version(pcn_id) -> tuple | None:
    """One PCN's data version (see `_data_versions`); None when the PCN does not exist."""
    return _data_versions([pcn_id]).get(pcn_id)


def _trend_cache_key(pcn_id) -> str:
    return f"compliance:pcn-trend:{pcn_id}"


def pcn_trend(pcn, as_of: datetime.date, months: int = 12, *, version: tuple | None = None
              ) -> list[tuple[datetime.date, int, int]]:
    """(month end, results met, applicable results) per month, oldest first, each under the
    requirement set in force at that month end.

    Each point is a full evaluation of the PCN on that date (a fixed number of queries and
    every rule for every coordinator), so the points are cached: one cache entry per PCN
    holding the data version it was computed at and {(date, contract year): (met,
    applicable)}. A point depends only on the data, the date and the code (rules take an
    explicit date; nothing reads the clock), so a point read under the same data version and
    code is exactly what evaluating again would give, for past month ends and for today
    alike. The version is read *before* evaluating: a write that lands during the evaluation
    makes the next reader's version newer, never an older result look current.

    Why a cache rather than evaluating every month end from one load of facts: the facts are
    loaded with each date's own filters (roles current then, sign-offs not yet superseded,
    sessions, cadence, listings, partner checks, several in other apps' query functions), so
    one load would mean a second, in-Python copy of every one of those date rules to keep in
    step; and about half the time is the rules themselves, which run per date either way.

    One entry per PCN, not per point or per version, so old versions are overwritten rather
    than left to pile up in the shared cache (sign-in rate limits live there too).

    Costs two queries when every point is cached, else those plus a fixed number per missing
    month end and one cache write. `version` is the PCN's data version when the caller has
    read it already (`pcns_with_data_versions`), which saves the first query.
    """
    requirement_set_for(as_of)
    pcn_id = pcn.pk if isinstance(pcn, PCN) else pcn
    days_wanted = trend_dates(as_of, months)
    if version is None:
        version = _data_version(pcn_id)
    if version is None:
        return [_trend_point(pcn_id, day) for day in days_wanted]
    key = _trend_cache_key(pcn_id)
    cached = cache.get(key)
    known = cached[1] if cached and cached[0] == version else {}
    points, fresh = [], {}
    for day in days_wanted:
        slot = (day, requirement_set_for(day).contract_year)
        if slot in known:
            points.append((day, *known[slot]))
            continue
        point = _trend_point(pcn_id, day)
        fresh[slot] = point[1:]
        points.append(point)
    if fresh:
        kept = known if len(known) + len(fresh) <= TREND_CACHE_MAX_POINTS else {}
        cache.set(key, (version, {**kept, **fresh}), TREND_CACHE_SECONDS)
    return points


#: How long cached results live at most (see TREND_CACHE_SECONDS: the data version, not
#: this, is what keeps them right).
RESULTS_CACHE_SECONDS = TREND_CACHE_SECONDS


def _results_key(pcn_id, as_of: datetime.date) -> str:
    return f"compliance:pcn-results:{pcn_id}:{as_of.isoformat()}"


def _icb_summary_key(icb_ids, as_of: datetime.date) -> str:
    ids = ",".join(str(i) for i in sorted(set(icb_ids)))
    return f"compliance:icb-summary:{hashlib.sha256(ids.encode()).hexdigest()[:16]}:{as_of}"


def cached_pcn_compliance(pcn, as_of: datetime.date, *, version: tuple | None = None
                          ) -> list[CoordinatorCompliance]:
    """`pcn_compliance`, from the cache while the PCN's data version (`_data_versions`) and
    the code are unchanged: a result depends only on them and the date, so a cached result
    is exactly what evaluating again would give. For pages read often (the PCN dashboard,
    the home panel); evidence packs evaluate afresh.

    Two queries and a cache read when cached; else those, the evaluation and a cache write.
    `version` is the PCN's data version when the caller has read it already
    (`pcns_with_data_versions`), which saves the first query.
    """
    rs = requirement_set_for(as_of)
    pcn_id = pcn.pk if isinstance(pcn, PCN) else pcn
    if version is None:
        version = _data_version(pcn_id)
    key = _results_key(pcn_id, as_of)
    cached = cache.get(key) if version is not None else None
    if cached and cached[0] == version:
        return cached[1]
    compliances = _evaluate(_current_coordinators([pcn_id], as_of), as_of, rs)
    if version is not None:
        cache.set(key, (version, compliances), RESULTS_CACHE_SECONDS)
    return compliances


def _trend_point(pcn_id, day: datetime.date) -> tuple[datetime.date, int, int]:
    compliances = pcn_compliance(pcn_id, day)
    return (
        day,
        sum(c.met_count for c in compliances),
        sum(c.applicable_count for c in compliances),
    )


def percent(part: int, whole: int) -> int:
    """A whole percentage, halves rounded up; 0 of 0 is 0."""
    return math.floor(100 * part / whole + 0.5) if whole else 0


@dataclass
class PCNSummary:
    """One PCN's aggregate on a date: no person's results, only counts and percentages."""

    pcn: PCN
    as_of: datetime.date
    contract_year: str
    coordinator_count: int = 0
    met: dict = field(default_factory=dict)  # {code: coordinators met}
    applicable: dict = field(default_factory=dict)  # {code: coordinators it applies to}
    percent_met: dict = field(default_factory=dict)  # {code: 0-100}
    all_met_count: int = 0  # coordinators meeting every applicable requirement

    @property
    def overall_percent(self) -> int:
        """Met results as a percentage of applicable results, across every requirement."""
        return percent(sum(self.met.values()), sum(self.applicable.values()))

    @property
    def all_met_percent(self) -> int:
        return percent(self.all_met_count, self.coordinator_count)


def summarise(pcn, compliances, as_of, rs) -> PCNSummary:
    """A PCNSummary from one PCN's results."""
    summary = PCNSummary(pcn=pcn, as_of=as_of, contract_year=rs.contract_year,
                         coordinator_count=len(compliances))
    for code in rs.codes:
        results = [c.results[code] for c in compliances]
        summary.met[code] = sum(1 for r in results if r.status == Status.MET)
        summary.applicable[code] = sum(1 for r in results if r.status != Status.NOT_APPLICABLE)
        summary.percent_met[code] = percent(summary.met[code], summary.applicable[code])
    summary.all_met_count = sum(1 for c in compliances if c.overall == Status.MET)
    return summary


def icb_summary(icb_ids, as_of: datetime.date) -> list[PCNSummary]:
    """Every PCN of these ICBs (by name) with its coordinator count and per-requirement percent
    met; a fixed number of queries however many PCNs and coordinators.

    Each PCN's summary is cached with its data version (`_data_versions`), in one cache entry
    for these ICBs and this date: a change to one PCN's records recomputes that PCN only.
    """
    rs = requirement_set_for(as_of)
    pcns = list(PCN.objects.filter(icb_id__in=list(icb_ids)).select_related("icb")
                .order_by("name", "pk"))
    versions = _data_versions([p.pk for p in pcns]) if pcns else {}
    key = _icb_summary_key(icb_ids, as_of)
    known = (cache.get(key) or {}) if pcns else {}
    summaries, missing = {}, []
    for pcn in pcns:
        version, summary = known.get(pcn.pk, (None, None))
        if summary is not None and version == versions.get(pcn.pk):
            summaries[pcn.pk] = dataclasses.replace(summary, pcn=pcn)
        else:
            missing.append(pcn)
    if missing:
        coordinators = _current_coordinators([p.pk for p in missing], as_of)
        by_pcn = defaultdict(list)
        for compliance, coordinator in zip(_evaluate(coordinators, as_of, rs), coordinators,
                                           strict=True):
            by_pcn[coordinator.pcn_id].append(compliance)
        for pcn in missing:
            summaries[pcn.pk] = summarise(pcn, by_pcn.get(pcn.pk, []), as_of, rs)
        cache.set(key, {pcn.pk: (versions.get(pcn.pk), dataclasses.replace(
            summaries[pcn.pk], pcn=None)) for pcn in pcns}, RESULTS_CACHE_SECONDS)
    return [summaries[pcn.pk] for pcn in pcns]


def warm_cached_results(icb_id, as_of: datetime.date) -> int:
    """Evaluate every PCN of one ICB in one pass and cache each PCN's results and the ICB's
    summary, so the first dashboard view after a quiet night is not the one that waits
    (`manage.py warm_compliance`). Returns the number of coordinators evaluated."""
    rs = requirement_set_for(as_of)
    pcns = list(PCN.objects.filter(icb_id=icb_id).select_related("icb").order_by("name", "pk"))
    if not pcns:
        return 0
    versions = _data_versions([p.pk for p in pcns])
    coordinators = _current_coordinators([p.pk for p in pcns], as_of)
    by_pcn = defaultdict(list)
    for compliance, coordinator in zip(_evaluate(coordinators, as_of, rs), coordinators,
                                       strict=True):
        by_pcn[coordinator.pcn_id].append(compliance)
    summaries = {}
    for pcn in pcns:
        compliances = by_pcn.get(pcn.pk, [])
        cache.set(_results_key(pcn.pk, as_of), (versions[pcn.pk], compliances),
                  RESULTS_CACHE_SECONDS)
        summaries[pcn.pk] = (versions[pcn.pk], dataclasses.replace(
            summarise(pcn, compliances, as_of, rs), pcn=None))
    cache.set(_icb_summary_key([icb_id], as_of), summaries, RESULTS_CACHE_SECONDS)
    return len(coordinators)


def pcn_started_on(pcn) -> datetime.date | None:
    """The earliest start of any role assignment in the PCN: before it, the PCN had nobody."""
    pcn_id = pcn.pk if isinstance(pcn, PCN) else pcn
    return RoleAssignment.objects.filter(pcn_id=pcn_id).aggregate(first=Min("starts_on"))[
        "first"
    ]


def requirements_for(as_of: datetime.date) -> list[Requirement]:
    """The ordered requirements in force on `as_of`."""
    return list(requirement_set_for(as_of).requirements)
