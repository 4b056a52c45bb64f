"""What the compliance engine returns: the shared vocabulary of dashboards, packs and CSVs.

The engine (`lms.compliance.engine`) fills these in; presenters never compute a status.
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    MET = "met"
    AT_RISK = "at_risk"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            "met": "Met",
            "at_risk": "At risk",
            "not_met": "Not met",
            "not_applicable": "Not applicable",
        }[self.value]

    @property
    def tag_class(self) -> str:
        """The NHS.UK tag modifier; the tag always carries the label text too."""
        return {
            "met": "nhsuk-tag--green",
            "at_risk": "nhsuk-tag--yellow",
            "not_met": "nhsuk-tag--red",
            "not_applicable": "nhsuk-tag--grey",
        }[self.value]


@dataclass(frozen=True)
class Requirement:
    """One requirement of a contract year's set, e.g. code "1a" or "SMT"."""

    code: str
    short_title: str  # for a table column: "1(a) PCI training"
    title: str  # one sentence: what the PCN must show
    clause: str  # "Network Contract DES 2025/26, care coordinator clause 1(a)" or "Good practice"


@dataclass(frozen=True)
class Evidence:
    """One row of evidence behind a result: a record, a sign-off, a session, a check."""

    label: str
    on: datetime.date | None = None
    detail: str = ""
    by: str = ""  # who signed, verified, checked or facilitated
    url: str = ""  # where a permitted user can open the record (never shown to ICB viewers)


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    status: Status
    summary: str  # one line a manager understands: "Qualified 3 March 2025"
    evidence: tuple[Evidence, ...] = ()
    lapses_on: datetime.date | None = None  # when a met result stops being met, if known
    risk: str = ""  # for forecasts: "Information governance expires 2 January 2027"


@dataclass
class CoordinatorCompliance:
    """Every requirement's result for one care coordinator on one date."""

    person: object  # lms.models.Person, with user and pcn loaded
    as_of: datetime.date
    contract_year: str
    results: dict[str, RequirementResult] = field(default_factory=dict)

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.results.values() if r.status == Status.MET)

    @property
    def applicable_count(self) -> int:
        return sum(1 for r in self.results.values() if r.status != Status.NOT_APPLICABLE)

    @property
    def overall(self) -> Status:
        statuses = {r.status for r in self.results.values()}
        if Status.NOT_MET in statuses:
            return Status.NOT_MET
        if Status.AT_RISK in statuses:
            return Status.AT_RISK
        return Status.MET


@dataclass(frozen=True)
class ForecastItem:
    """Something that will stop a requirement being met within the forecast window."""

    person: object
    requirement: Requirement
    on: datetime.date  # the date it lapses (or already lapsed, if before as_of)
    message: str  # "Information governance expires before the next claim month"
