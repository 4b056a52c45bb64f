"""The DES care coordinator requirements in force in each contract year (1 April to 31 March).

Code-defined, so a pack "as at" a date uses the rules and parameters of that date's year:
which responsibilities framework and domains count for clauses 2 and 3, how recent joint
working must be, which statutory and mandatory items count, which Care Certificate version's
standards count for induction, and how far ahead a result turns "at risk".
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .results import Requirement

#: Requirement codes, in the order every table, pack and CSV shows them.
CODES = ("1a", "1b", "2", "3", "4", "5", "6", "7", "SMT", "IND")

GOOD_PRACTICE = "Good practice (not a DES clause)"


def _requirements(contract_year: str) -> list[Requirement]:
    des = f"Network Contract DES {contract_year}, care coordinator clause"
    return [
        Requirement(
            "1a", "1(a) PCI training",
            "Enrolled in, undertaking or qualified from training set by the Personalised Care "
            "Institute.",
            f"{des} 1(a)",
        ),
        Requirement(
            "1b", "1(b) Joint working",
            "Works closely with social prescribing link workers and health and wellbeing "
            "coaches: joint caseload or MDT meetings attended recently.",
            f"{des} 1(b)",
        ),
        Requirement(
            "2", "2 Key responsibilities",
            "Key responsibilities 2(a) to 2(i) signed off at the target level.",
            f"{des} 2",
        ),
        Requirement(
            "3", "3 Wider responsibilities",
            "Wider responsibilities 3(a) to 3(c) signed off at the target level.",
            f"{des} 3",
        ),
        Requirement(
            "4", "4 Partner register",
            "Every partner organisation care coordinators direct patients to has had its basic "
            "safeguarding processes checked, and no review is overdue.",
            f"{des} 4",
        ),
        Requirement(
            "5", "5 Contact and GP supervisor",
            "A named first point of contact and a named GP supervisor.",
            f"{des} 5",
        ),
        Requirement(
            "6", "6 Safeguarding and supervision",
            "A named GP to discuss patient concerns and safeguarding with, and clinical "
            "supervision held at the expected interval.",
            f"{des} 6",
        ),
        Requirement(
            "7", "7 Directory and practices told",
            "Listed in the PCN's published care coordinator directory, and every member "
            "practice's staff told who the care coordinator is.",
            f"{des} 7",
        ),
        Requirement(
            "SMT", "Statutory and mandatory",
            "Every statutory and mandatory training subject completed and within its refresher "
            "period.",
            GOOD_PRACTICE,
        ),
        Requirement(
            "IND", "Induction",
            "Induction complete, or on track with no task overdue.",
            GOOD_PRACTICE,
        ),
    ]


@dataclass(frozen=True)
class RequirementSet:
    """The requirements and their parameters for one contract year."""

    contract_year: str  # "2025/26"
    starts_on: datetime.date  # 1 April
    ends_on: datetime.date  # 31 March, inclusive
    requirements: list = field(compare=False, hash=False)
    #: The competency framework whose domains evidence clauses 2 and 3.
    responsibilities_framework: str = "des-care-coordinator-2024-25"
    key_domain: str = "key-responsibilities"
    wider_domain: str = "wider-responsibilities"
    #: Joint working (1b) counts for this many months after the meeting.
    joint_working_months: int = 3
    #: Statutory and mandatory items: every live item of this kind, or only these codes.
    statutory_kind: str = "statutory_mandatory"
    statutory_item_codes: tuple | None = None
    #: Care Certificate standards of this FrameworkVersion count for induction; standards of
    #: other versions in a plan are left out of the count.
    care_certificate_version: str = "care-certificate-2025"
    #: A met result that lapses within this many days is "at risk".
    at_risk_days: int = 30
    #: What changed from the year before, in a sentence (shown on packs).
    changes: str = ""

    def __str__(self):
        return f"DES {self.contract_year}"

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.requirements]

    def requirement(self, code: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.code == code:
                return requirement
        raise KeyError(code)

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _year(first: int, **parameters) -> RequirementSet:
    label = f"{first}/{(first + 1) % 100:02d}"
    return RequirementSet(
        contract_year=label,
        starts_on=datetime.date(first, 4, 1),
        ends_on=datetime.date(first + 1, 3, 31),
        requirements=_requirements(label),
        **parameters,
    )


#: Every contract year the product knows, oldest first.
REQUIREMENT_SETS = (
    _year(
        2024,
        care_certificate_version="care-certificate-2015",
        changes="Induction counts the 15 Care Certificate standards of 2015.",
    ),
    _year(
        2025,
        care_certificate_version="care-certificate-2025",
        changes="Induction counts the 16 Care Certificate standards of 2025 (Skills for Care, "
        "March 2025) instead of the 2015 standards.",
    ),
    _year(
        2026,
        care_certificate_version="care-certificate-2025",
        changes="No change from 2025/26.",
    ),
)


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def requirement_set_for(as_of: datetime.date) -> RequirementSet:
    """The set in force on `as_of`; a ValidationError outside every known contract year."""
    if isinstance(as_of, datetime.datetime) or not isinstance(as_of, datetime.date):
        raise ValidationError("Enter a real date.", code="invalid")
    for requirement_set in REQUIREMENT_SETS:
        if requirement_set.covers(as_of):
            return requirement_set
    first, last = REQUIREMENT_SETS[0], REQUIREMENT_SETS[-1]
    if as_of < first.starts_on:
        raise ValidationError(
            f"There are no DES requirements for {_long(as_of)}: the earliest contract year "
            f"this system knows, {first.contract_year}, starts on {_long(first.starts_on)}.",
            code="before_first_year",
        )
    raise ValidationError(
        f"There are no DES requirements for {_long(as_of)} yet: the latest contract year "
        f"this system knows, {last.contract_year}, ends on {_long(last.ends_on)}.",
        code="after_last_year",
    )


def contract_years() -> list[RequirementSet]:
    """Every known contract year's set, oldest first."""
    return list(REQUIREMENT_SETS)
