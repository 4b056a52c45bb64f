"""One rule per DES requirement: plain functions of loaded facts and an explicit `as_of`.

No queries here: `lms.compliance.engine` loads every coordinator's facts in a fixed number
of queries and calls these. Each rule returns a RequirementResult with a one-line summary,
the evidence rows behind it, when a met result lapses and a forecast message.

A coordinator's start is their care coordinator role's start (else their employment start);
new starters get a grace period before a missing item is "not met" rather than "at risk".
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, get_urlconf, reverse

from content.models import Kind
from lms.learning import PCIState, induction_progress, pci_training_status
from lms.models import LearningStatus, Role, add_months
from supervision.cadence import CadenceStatus
from supervision.models import SessionType

from .results import Evidence, RequirementResult, Status

#: New starters: how long after their start a gap is "at risk" rather than "not met".
PCI_GRACE_MONTHS = 3
RESPONSIBILITIES_GRACE_MONTHS = 12
DIRECTORY_GRACE_MONTHS = 1
STATUTORY_GRACE_MONTHS = 3
#: More overdue induction tasks than this is "not met".
INDUCTION_OVERDUE_LIMIT = 3
#: Clinical supervision evidence shown: the last few sessions within a year.
SUPERVISION_EVIDENCE_SESSIONS = 3

ONE_DAY = datetime.timedelta(days=1)
ROLE_LABELS = dict(Role.choices)


def long_date(day: datetime.date | None) -> str:
    """'3 March 2025' (no leading zero)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def next_claim_month(as_of: datetime.date) -> datetime.date:
    """The first day of the month after `as_of`: ARRS claims are monthly."""
    return add_months(as_of.replace(day=1), 1)


_PLACEHOLDERS = (987654321, 987654322, 987654323)


@functools.lru_cache(maxsize=64)
def _url_pattern(name: str, count: int, urlconf) -> str | None:
    try:
        path = reverse(name, urlconf=urlconf, args=_PLACEHOLDERS[:count])
    except NoReverseMatch:
        return None
    path = path.replace("{", "{{").replace("}", "}}")
    for n, placeholder in enumerate(_PLACEHOLDERS[:count]):
        path = path.replace(str(placeholder), f"{{{n}}}")
    return path


def url(name: str, *args: int) -> str:
    """An internal address, or "" where that page does not exist (yet).

    Reversed once per name (with placeholder ids) and filled in: evidence has hundreds of
    rows on a dashboard, and reversing each costs more than the rest of the engine.
    """
    pattern = _url_pattern(name, len(args), get_urlconf() or settings.ROOT_URLCONF)
    return pattern.format(*args) if pattern is not None else ""


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


# --- the facts each rule reads ----------------------------------------------------------------


@dataclass
class Partner:
    """A partner organisation on the register on `as_of`, with its latest check by then."""

    pk: int
    name: str
    check: object | None = None  # SafeguardingCheck with checked_by loaded


@dataclass
class PCNFacts:
    pcn_id: int
    partners: list = field(default_factory=list)  # [Partner]
    practices: list = field(default_factory=list)  # [Practice], by name


@dataclass(frozen=True)
class AwarenessRow:
    practice_id: int
    told_on: datetime.date
    method_label: str
    told_by: str


@dataclass
class CoordinatorFacts:
    """Everything the rules need about one care coordinator, loaded in bulk."""

    person: object
    pcn_id: int | None
    started_on: datetime.date | None
    records: list = field(default_factory=list)  # LearningRecord with item loaded
    plan_items: list = field(default_factory=list)  # InductionPlanItem with item loaded
    supporters: dict = field(default_factory=dict)  # {role: [RoleAssignment with person]}
    joint_working: list = field(default_factory=list)  # [JointWorking], oldest first
    # {domain_code: [CompetencyProgress]}, or None when the framework is not in the system
    responsibilities: dict | None = None
    cadence: dict = field(default_factory=dict)  # {session_type: Cadence}
    clinical_sessions: list = field(default_factory=list)  # [(pk, held_on, confirmed_on)]
    directory_entries: list = field(default_factory=list)  # DirectoryEntry listed on as_of
    awareness: dict = field(default_factory=dict)  # {practice_id: AwarenessRow (latest)}

    def started_within(self, months: int, as_of: datetime.date) -> bool:
        """A new starter: started fewer than `months` months before `as_of`."""
        return self.started_on is not None and as_of < add_months(self.started_on, months)


def _result(requirement, status, summary, evidence=(), lapses_on=None, risk=""):
    return RequirementResult(
        requirement=requirement, status=status, summary=summary, evidence=tuple(evidence),
        lapses_on=lapses_on, risk=risk,
    )


# --- 1(a) PCI training ------------------------------------------------------------------------


def rule_pci_training(requirement, facts: CoordinatorFacts, rs, as_of) -> RequirementResult:
    """Enrolled, undertaking or qualified (lms.learning.pci_training_status) is met; nothing is
    not met, or at risk in the first three months."""
    status = pci_training_status(facts.records, as_of)
    evidence = []
    for record in status.records:
        day = record.completed_on or record.started_on or record.enrolled_on
        if day and day > as_of:
            continue
        provider = record.provider or record.item.provider
        assured = record.provider_pci_assured or record.item.pci_assured
        detail = LearningStatus(record.stage).label
        if provider:
            detail += f", {provider}" + (" (PCI-assured)" if assured else "")
        evidence.append(Evidence(
            label=record.item.title, on=day, detail=detail,
            url=url("learning:record_detail", record.pk),
        ))
    if status.state == PCIState.QUALIFIED:
        summary = f"Qualified {long_date(status.qualified_on)}"
    elif status.state == PCIState.UNDERTAKING:
        summary = f"Undertaking since {long_date(status.undertaking_since)}"
    elif status.state == PCIState.ENROLLED:
        summary = f"Enrolled {long_date(status.enrolled_on)}"
    else:
        risk = "PCI training not evidenced"
        if facts.started_within(PCI_GRACE_MONTHS, as_of):
            due = add_months(facts.started_on, PCI_GRACE_MONTHS)
            return _result(
                requirement, Status.AT_RISK,
                f"No PCI training recorded yet; expected by {long_date(due)}",
                evidence, lapses_on=due, risk=risk,
            )
        return _result(requirement, Status.NOT_MET, "No PCI training recorded", evidence,
                       risk=risk)
    if status.provider:
        summary += f" ({status.provider})"
    return _result(requirement, Status.MET, summary, evidence)


# --- 1(b) joint working with SPLWs and HWBCs --------------------------------------------------


def rule_joint_working(requirement, facts: CoordinatorFacts, rs, as_of) -> RequirementResult:
    """A joint caseload or MDT meeting attended in the last N months (the set's window) is met,
    until N months after it; at risk when that is within the at-risk horizon."""
    months = rs.joint_working_months
    attended = [
        j for j in facts.joint_working if j.on <= as_of and add_months(j.on, months) > as_of
    ]
    evidence = [
        Evidence(label=j.kind_label, on=j.on, detail=j.title,
                 url=url("network_sessions:detail", j.session_id))
        for j in reversed(attended)
    ]
    window = plural(months, "month")
    if attended:
        last = max(j.on for j in attended)
        lapses_on = add_months(last, months)
        summary = (f"{plural(len(attended), 'meeting')} in the last {window}, the latest "
                   f"{long_date(last)}")
        risk = f"Joint working with SPLWs and HWBCs lapses on {long_date(lapses_on)}"
        if lapses_on <= as_of + datetime.timedelta(days=rs.at_risk_days):
            return _result(requirement, Status.AT_RISK, summary, evidence, lapses_on, risk)
        return _result(requirement, Status.MET, summary, evidence, lapses_on, risk)
    risk = f"No joint working with SPLWs and HWBCs in the last {window}"
    if facts.started_within(months, as_of):
        due = add_months(facts.started_on, months)
        return _result(
            requirement, Status.AT_RISK,
            f"No joint caseload or MDT meeting attended yet; expected by {long_date(due)}",
            evidence, lapses_on=due, risk=risk,
        )
    return _result(requirement, Status.NOT_MET,
                   f"No joint caseload or MDT meeting attended in the last {window}",
                   evidence, risk=risk)


# --- 2 and 3: responsibilities signed off ----------------------------------------------------


def _competency_evidence(person_id, progress) -> Evidence:
    competency = progress.competency
    target = competency.target_level
    at_target = [s for s in progress.current_sign_offs if s.level >= target]
    if progress.met:
        detail = f"Met: signed off at {competency.target_label or f'level {target}'}"
    elif progress.current_sign_offs:
        detail = f"Signed off at level {progress.level}; needs " + ", ".join(
            progress.missing_for_met
        )
    else:
        detail = "Not signed off"
        if progress.missing_for_met:
            detail += "; needs " + ", ".join(progress.missing_for_met)
    signers = sorted({s.assessor_name for s in at_target if s.assessor_name})
    latest = max((s.signed_at for s in at_target), default=None)
    return Evidence(
        label=competency.title,
        on=latest.date() if latest else None,
        detail=detail,
        by=", ".join(signers),
        url=url("competencies:person_competency", person_id, competency.pk),
    )


def rule_responsibilities(requirement, facts: CoordinatorFacts, rs, as_of, *, domain: str,
                          what: str) -> RequirementResult:
    """Every competency of the domain met (signed off at target, enough evidence): met; some
    missing: at risk within 12 months of the start, else not met."""
    if facts.responsibilities is None or not facts.responsibilities.get(domain):
        return _result(
            requirement, Status.NOT_APPLICABLE,
            f"The DES responsibilities framework ({rs.responsibilities_framework}) is not set "
            "up in this system",
        )
    progresses = facts.responsibilities[domain]
    evidence = [_competency_evidence(facts.person.pk, p) for p in progresses]
    met = sum(1 for p in progresses if p.met)
    total = len(progresses)
    if met == total:
        latest = max((e.on for e in evidence if e.on), default=None)
        summary = f"All {total} signed off"
        if latest:
            summary += f", the last on {long_date(latest)}"
        return _result(requirement, Status.MET, summary, evidence)
    summary = f"{met} of {total} signed off"
    risk = f"{what} not all signed off ({met} of {total})"
    if facts.started_within(RESPONSIBILITIES_GRACE_MONTHS, as_of):
        due = add_months(facts.started_on, RESPONSIBILITIES_GRACE_MONTHS)
        return _result(requirement, Status.AT_RISK, f"{summary}; expected by {long_date(due)}",
                       evidence, lapses_on=due, risk=risk)
    return _result(requirement, Status.NOT_MET, summary, evidence, risk=risk)


# --- 4: the partner register ------------------------------------------------------------------


def rule_partner_register(requirement, pcn_facts: PCNFacts | None, rs, as_of
                          ) -> RequirementResult:
    """At least one partner, each checked with its review not overdue: met; a review due within
    the horizon: at risk; an empty register, an unchecked partner or an overdue review: not
    met. The same for every coordinator of the PCN."""
    partners = pcn_facts.partners if pcn_facts else []
    if not partners:
        return _result(requirement, Status.NOT_MET, "No partner organisations on the register",
                       risk="Partner organisation register is empty")
    horizon = as_of + datetime.timedelta(days=rs.at_risk_days)
    evidence, unchecked, overdue, due_soon = [], [], [], []
    for partner in partners:
        check = partner.check
        if check is None:
            unchecked.append(partner)
            evidence.append(Evidence(
                label=partner.name, detail="Safeguarding processes not checked",
                url=url("partners:detail", partner.pk),
            ))
            continue
        due = check.review_due_on
        if due < as_of:
            overdue.append(partner)
            detail = f"Review overdue since {long_date(due + ONE_DAY)}"
        else:
            if due <= horizon:
                due_soon.append(partner)
            detail = f"Review due {long_date(due)}"
        evidence.append(Evidence(
            label=partner.name, on=check.checked_on, detail=detail,
            by=check.checked_by.full_name if check.checked_by_id else "",
            url=url("partners:detail", partner.pk),
        ))
    count = plural(len(partners), "partner organisation")
    if unchecked or overdue:
        problems = []
        if unchecked:
            problems.append(f"{len(unchecked)} not checked")
        if overdue:
            problems.append(f"{len(overdue)} review{'s' if len(overdue) > 1 else ''} overdue")
        first_overdue = min((p.check.review_due_on for p in overdue), default=None)
        if overdue:
            worst = min(overdue, key=lambda p: p.check.review_due_on)
            risk = (f"Partner safeguarding review overdue since "
                    f"{long_date(worst.check.review_due_on + ONE_DAY)} ({worst.name})")
        else:
            risk = f"Partner safeguarding processes not checked ({unchecked[0].name})"
        return _result(
            requirement, Status.NOT_MET, f"{count}: {', '.join(problems)}", evidence,
            lapses_on=first_overdue + ONE_DAY if first_overdue else None, risk=risk,
        )
    next_due = min(p.check.review_due_on for p in partners)
    first = min(partners, key=lambda p: p.check.review_due_on)
    risk = f"Partner safeguarding review due {long_date(next_due)} ({first.name})"
    summary = f"{count} checked; next review due {long_date(next_due)}"
    status = Status.AT_RISK if due_soon else Status.MET
    return _result(requirement, status, summary, evidence, next_due + ONE_DAY, risk)


# --- 5 and 6: named support -------------------------------------------------------------------


def _role_lapses_on(assignments) -> datetime.date | None:
    """When nobody holds the role any more: the last holder's end (None: open-ended)."""
    if not assignments or any(a.ends_on is None for a in assignments):
        return None
    return max(a.ends_on for a in assignments)


def _support_evidence(assignments) -> list[Evidence]:
    return [
        Evidence(
            label=ROLE_LABELS.get(a.role, a.role), on=a.starts_on,
            detail=a.person.full_name + (f", {a.person.job_title}" if a.person.job_title else "")
            + (f"; until {long_date(a.ends_on - ONE_DAY)}" if a.ends_on else ""),
        )
        for a in assignments
    ]


def _earliest(*days):
    days = [d for d in days if d]
    return min(days) if days else None


def rule_named_support(requirement, facts: CoordinatorFacts, rs, as_of) -> RequirementResult:
    """A current first point of contact and GP supervisor: met; else not met, naming the gap."""
    contacts = facts.supporters.get(Role.FIRST_POINT_OF_CONTACT, [])
    supervisors = facts.supporters.get(Role.CLINICAL_SUPERVISOR, [])
    evidence = _support_evidence(contacts) + _support_evidence(supervisors)
    missing = [
        label for label, holders in (
            ("first point of contact", contacts), ("GP supervisor", supervisors)
        ) if not holders
    ]
    if missing:
        text = " or ".join(missing) if len(missing) > 1 else missing[0]
        return _result(requirement, Status.NOT_MET, f"No {text} named", evidence,
                       risk=f"No {text} named")
    lapses = [(d, label) for d, label in (
        (_role_lapses_on(contacts), "first point of contact"),
        (_role_lapses_on(supervisors), "GP supervisor"),
    ) if d]
    summary = (f"First point of contact {', '.join(a.person.full_name for a in contacts)}; "
               f"GP supervisor {', '.join(a.person.full_name for a in supervisors)}")
    lapses_on, risk = None, ""
    if lapses:
        lapses_on, label = min(lapses)
        risk = f"The named {label}'s role ends on {long_date(lapses_on)}"
    if lapses_on and lapses_on <= as_of + datetime.timedelta(days=rs.at_risk_days):
        return _result(requirement, Status.AT_RISK, summary, evidence, lapses_on, risk)
    return _result(requirement, Status.MET, summary, evidence, lapses_on, risk)


def rule_safeguarding_and_supervision(requirement, facts: CoordinatorFacts, rs, as_of
                                      ) -> RequirementResult:
    """A named safeguarding GP and clinical supervision not overdue (supervision.cadence): met;
    supervision due soon: at risk; no GP or supervision overdue: not met. Evidence is names
    and session dates only, never what was discussed."""
    gps = facts.supporters.get(Role.SAFEGUARDING_GP, [])
    evidence = _support_evidence(gps)
    for pk, held_on, confirmed_on in facts.clinical_sessions:
        evidence.append(Evidence(
            label=SessionType.CLINICAL.label, on=held_on,
            detail="Confirmed" if confirmed_on and confirmed_on <= as_of
            else "Awaiting confirmation",
            url=url("supervision:detail", pk),
        ))
    cadence = facts.cadence.get(SessionType.CLINICAL)
    problems, risk, lapses_on, status = [], "", None, Status.MET
    if cadence is None:
        supervision_text = "no clinical supervision interval set"
    elif cadence.status == CadenceStatus.OVERDUE:
        status = Status.NOT_MET
        since = cadence.due_on + ONE_DAY if cadence.due_on else None
        lapses_on = since
        supervision_text = ("supervision overdue since " + long_date(since) if since
                            else "no clinical supervision recorded")
        problems.append(supervision_text)
        risk = (f"Supervision overdue since {long_date(since)}" if since
                else "No clinical supervision recorded")
    else:
        lapses_on = cadence.due_on + ONE_DAY
        last = (f"last held {long_date(cadence.last_held_on)}" if cadence.last_held_on
                else "none held yet")
        supervision_text = f"supervision {last}, next due {long_date(cadence.due_on)}"
        risk = f"Supervision due by {long_date(cadence.due_on)}"
        if cadence.status == CadenceStatus.DUE_SOON:
            status = Status.AT_RISK
    gp_lapses = _role_lapses_on(gps)
    if not gps:
        status = Status.NOT_MET
        problems.insert(0, "no safeguarding GP named")
        risk = "No safeguarding GP named"
    elif gp_lapses and (lapses_on is None or gp_lapses < lapses_on):
        lapses_on = gp_lapses
        risk = f"The named safeguarding GP's role ends on {long_date(gp_lapses)}"
        if status == Status.MET and gp_lapses <= as_of + datetime.timedelta(
            days=rs.at_risk_days
        ):
            status = Status.AT_RISK
    if status == Status.NOT_MET:
        if cadence is None or cadence.status != CadenceStatus.OVERDUE:
            problems.append(supervision_text)
        summary = "; ".join(problems)
        summary = summary[0].upper() + summary[1:]
    else:
        summary = (f"Safeguarding GP {', '.join(a.person.full_name for a in gps)}; "
                   f"{supervision_text}")
    return _result(requirement, status, summary, evidence, lapses_on, risk)


# --- 7: directory and practice awareness -----------------------------------------------------


def rule_directory(requirement, facts: CoordinatorFacts, pcn_facts: PCNFacts | None, rs,
                   as_of) -> RequirementResult:
    """Listed in the directory on `as_of` and every practice of the PCN told about this
    coordinator by then: met; listed but a practice not told: at risk in the first month,
    else not met; not listed: not met."""
    practices = pcn_facts.practices if pcn_facts else []
    entries = facts.directory_entries
    evidence = [
        Evidence(
            label="Listed in the care coordinator directory", on=entry.listed_from,
            detail=entry.display_name
            + (f"; until {long_date(entry.listed_until - ONE_DAY)}" if entry.listed_until
               else ""),
            url=url("directory:manage", entry.pcn_id),
        )
        for entry in entries
    ]
    not_told = []
    for practice in practices:
        row = facts.awareness.get(practice.pk)
        if row is None:
            not_told.append(practice)
            evidence.append(Evidence(label=practice.name, detail="Staff not told yet",
                                     url=url("directory:awareness_practice", practice.pk)))
        else:
            evidence.append(Evidence(label=practice.name, on=row.told_on,
                                     detail=row.method_label, by=row.told_by,
                                     url=url("directory:awareness_practice", practice.pk)))
    lapses_on = None
    if entries and all(e.listed_until for e in entries):
        lapses_on = max(e.listed_until for e in entries)
    if not entries:
        return _result(requirement, Status.NOT_MET, "Not listed in the directory", evidence,
                       risk="Not listed in the care coordinator directory")
    if not_told:
        summary = (f"Listed; {len(not_told)} of {len(practices)} practices not told "
                   f"({', '.join(p.name for p in not_told[:3])}"
                   f"{', …' if len(not_told) > 3 else ''})")
        risk = f"{plural(len(not_told), 'practice')} not told about this care coordinator"
        if facts.started_within(DIRECTORY_GRACE_MONTHS, as_of):
            return _result(requirement, Status.AT_RISK, summary, evidence,
                           add_months(facts.started_on, DIRECTORY_GRACE_MONTHS), risk)
        return _result(requirement, Status.NOT_MET, summary, evidence, risk=risk)
    summary = f"Listed; all {plural(len(practices), 'practice')} told"
    risk = f"Directory listing ends on {long_date(lapses_on)}" if lapses_on else ""
    if lapses_on and lapses_on <= as_of + datetime.timedelta(days=rs.at_risk_days):
        return _result(requirement, Status.AT_RISK, summary, evidence, lapses_on, risk)
    return _result(requirement, Status.MET, summary, evidence, lapses_on, risk)


# --- statutory and mandatory training --------------------------------------------------------


def _short_title(title: str) -> str:
    """'Information governance and data security' reads 'Information governance' in a
    forecast; other titles are kept whole."""
    return title.split(" and data security")[0]


def statutory_state(record, as_of, horizon) -> tuple[str, datetime.date | None]:
    """('current'|'expiring'|'expired'|'exempt'|'missing', expires_on) for one item's record."""
    if record is None or not record.counts:
        return "missing", None
    if record.stage == LearningStatus.NOT_REQUIRED:
        return "exempt", None
    if record.stage != LearningStatus.COMPLETED or (
        record.completed_on and record.completed_on > as_of
    ):
        return "missing", None
    expires_on = record.expires_on
    if expires_on is not None and expires_on <= as_of:
        return "expired", expires_on
    if expires_on is not None and expires_on <= horizon:
        return "expiring", expires_on
    return "current", expires_on


STATE_DETAIL = {
    "current": "Current",
    "expiring": "Expiring",
    "expired": "Expired",
    "exempt": "Not required",
    "missing": "Not evidenced",
}


def rule_statutory(requirement, facts: CoordinatorFacts, items, rs, as_of) -> RequirementResult:
    """Every statutory and mandatory item current: met (lapses at the earliest expiry); one
    expiring within the horizon: at risk; one missing or expired: not met (at risk in the
    first three months)."""
    if not items:
        return _result(requirement, Status.NOT_APPLICABLE,
                       "No statutory and mandatory training is set in the curriculum")
    horizon = as_of + datetime.timedelta(days=rs.at_risk_days)
    by_item = {r.item_id: r for r in facts.records}
    evidence, states = [], {}
    for item in items:
        record = by_item.get(item.pk)
        state, expires_on = statutory_state(record, as_of, horizon)
        states.setdefault(state, []).append((item, expires_on))
        detail = STATE_DETAIL[state]
        if record is not None and state == "missing" and record.stage != LearningStatus.PLANNED:
            if not record.counts:
                detail = "Imported, not yet verified"
            else:
                detail = f"Not evidenced ({LearningStatus(record.stage).label.lower()})"
        if state == "expired":
            detail = f"Expired {long_date(expires_on)}"
        elif state == "expiring":
            detail = f"Expiring on {long_date(expires_on)}"
        elif expires_on:
            detail += f", expires {long_date(expires_on)}"
        if state == "exempt" and record.not_required_reason:
            detail += f": {record.not_required_reason}"
        evidence.append(Evidence(
            label=item.title,
            on=record.completed_on if state in ("current", "expiring", "expired") else None,
            detail=detail,
            url=url("learning:record_detail", record.pk) if record is not None else "",
        ))
    claim_month = next_claim_month(as_of)

    def expiry_message(item, expires_on):
        name = _short_title(item.title)
        if expires_on <= claim_month:
            return f"{name} expires before next claim month ({long_date(claim_month)})"
        return f"{name} expires on {long_date(expires_on)}"

    def more(entries):
        return f" (and {len(entries) - 1} more)" if len(entries) > 1 else ""

    expiries = [e for state in ("current", "expiring") for _i, e in states.get(state, []) if e]
    next_expiry = min(expiries, default=None)
    total = len(items)
    gaps = states.get("missing", []) + states.get("expired", [])
    if gaps:
        expired = sorted(states.get("expired", []), key=lambda pair: pair[1])
        missing = states.get("missing", [])
        parts = []
        if missing:
            parts.append(f"{len(missing)} not evidenced")
        if expired:
            parts.append(f"{len(expired)} expired")
        summary = f"{total - len(gaps)} of {total} current; " + ", ".join(parts)
        if expired:
            item, expires_on = expired[0]
            risk = f"{_short_title(item.title)} expired on {long_date(expires_on)}{more(gaps)}"
            lapses_on = expires_on
        else:
            risk = f"{_short_title(missing[0][0].title)} not evidenced{more(gaps)}"
            lapses_on = None
        if facts.started_within(STATUTORY_GRACE_MONTHS, as_of):
            due = add_months(facts.started_on, STATUTORY_GRACE_MONTHS)
            return _result(requirement, Status.AT_RISK, f"{summary}; expected by "
                           f"{long_date(due)}", evidence, lapses_on=due, risk=risk)
        return _result(requirement, Status.NOT_MET, summary, evidence, lapses_on, risk)
    expiring = sorted(states.get("expiring", []), key=lambda pair: pair[1])
    if expiring:
        item, expires_on = expiring[0]
        return _result(
            requirement, Status.AT_RISK,
            f"All {total} current; {len(expiring)} expiring by {long_date(horizon)}",
            evidence, expires_on, expiry_message(item, expires_on) + more(expiring),
        )
    summary = f"All {total} current"
    risk = ""
    if next_expiry:
        summary += f"; the next expires {long_date(next_expiry)}"
        first = min(
            (pair for pair in states.get("current", []) if pair[1]), key=lambda pair: pair[1]
        )
        risk = expiry_message(*first)
    return _result(requirement, Status.MET, summary, evidence, next_expiry, risk)


# --- induction --------------------------------------------------------------------------------


def _counts_for_set(plan_item, rs) -> bool:
    """Care Certificate standards count only in the version the set names."""
    item = plan_item.item
    if item.kind != Kind.CARE_CERTIFICATE:
        return True
    version = item.framework_version
    return version is not None and version.code == rs.care_certificate_version


def _as_they_stood(records, as_of):
    """Records as on `as_of`: a completion dated later did not count yet."""
    return [
        r for r in records
        if not (r.stage == LearningStatus.COMPLETED and r.completed_on and r.completed_on > as_of)
    ]


def rule_induction(requirement, facts: CoordinatorFacts, rs, as_of) -> RequirementResult:
    """Complete, or no task overdue (lms.learning.induction_progress): met; overdue tasks: at
    risk; more than three overdue or past the plan's last due date: not met."""
    counted = [p for p in facts.plan_items if _counts_for_set(p, rs)]
    left_out = [p for p in facts.plan_items if not _counts_for_set(p, rs)]
    if not counted:
        return _result(requirement, Status.NOT_APPLICABLE, "No induction plan recorded")
    progress = induction_progress(counted, _as_they_stood(facts.records, as_of), as_of)
    evidence = []
    for task in progress.tasks:
        record = task.record
        evidence.append(Evidence(
            label=task.item.title,
            on=record.completed_on if record is not None and task.status == "Completed"
            else task.plan_item.due_on,
            detail=task.status if task.status == "Completed"
            else f"{task.status}, due {long_date(task.plan_item.due_on)}",
            url=url("learning:record_detail", record.pk) if record is not None else "",
        ))
    for plan_item in left_out:
        evidence.append(Evidence(
            label=plan_item.item.title,
            detail=f"Not counted: {plan_item.item.framework_version or 'another version'} "
            f"standard; DES {rs.contract_year} counts {rs.care_certificate_version}",
        ))
    total, done, overdue = progress.total, progress.completed, len(progress.overdue)
    ends_on = max(t.plan_item.due_on for t in progress.tasks)
    if progress.is_complete:
        finished = max((t.record.completed_on for t in progress.tasks
                        if t.record is not None and t.record.completed_on), default=None)
        summary = f"Complete: all {plural(total, 'task')} done"
        if finished:
            summary += f", the last on {long_date(finished)}"
        return _result(requirement, Status.MET, summary, evidence)
    open_tasks = progress.next_actions(limit=1)
    if overdue == 0:
        task = open_tasks[0]
        lapses_on = task.plan_item.due_on + ONE_DAY
        return _result(
            requirement, Status.MET,
            f"On track: {done} of {total} tasks done, none overdue",
            evidence, lapses_on,
            f"Induction task “{task.item.title}” due {long_date(task.plan_item.due_on)}",
        )
    summary = f"{done} of {total} tasks done; {overdue} overdue"
    risk = f"{plural(overdue, 'induction task')} overdue"
    first_overdue = min(t.plan_item.due_on for t in progress.overdue) + ONE_DAY
    if overdue > INDUCTION_OVERDUE_LIMIT or as_of > ends_on:
        if as_of > ends_on:
            summary += f"; induction was due to finish {long_date(ends_on)}"
        return _result(requirement, Status.NOT_MET, summary, evidence, first_overdue, risk)
    return _result(requirement, Status.AT_RISK, summary, evidence, first_overdue, risk)
