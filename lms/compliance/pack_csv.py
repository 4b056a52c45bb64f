"""The evidence pack's data as CSV: compliance per coordinator and requirement, and hours out
of practice per coordinator per month for ARRS claims.

Rows only; the views send them with `lms.report_views.csv_response`, which makes every cell
safe from spreadsheet formula injection.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from lms.models import LearningRecord, Person, RoleAssignment, add_months

COMPLIANCE_HEADER = [
    "pcn_ods", "pcn_name", "coordinator", "requirement_code", "requirement", "status",
    "summary", "evidence_count", "lapses_on", "as_of", "contract_year",
]
HOURS_HEADER = ["coordinator", "month", "hours", "items"]
#: Months of hours out of practice, the "as at" month included.
HOURS_MONTHS = 12


def _sort_key(person):
    return (person.family_name, person.given_name, person.pk)


def compliance_rows(pcn, as_of: datetime.date, compliances, requirement_set) -> list[list]:
    """A header, then one row per coordinator and requirement, coordinators by name and
    requirements in the contract year's order."""
    rows = [COMPLIANCE_HEADER]
    for compliance in sorted(compliances, key=lambda c: _sort_key(c.person)):
        for requirement in requirement_set.requirements:
            result = compliance.results.get(requirement.code)
            if result is None:
                continue
            rows.append([
                pcn.ods_code,
                pcn.name,
                compliance.person.full_name,
                requirement.code,
                requirement.short_title,
                result.status.label,
                result.summary,
                len(result.evidence),
                result.lapses_on.isoformat() if result.lapses_on else "",
                as_of.isoformat(),
                requirement_set.contract_year,
            ])
    return rows


def hours_months(as_of: datetime.date) -> list[datetime.date]:
    """The first day of each of the 12 months up to and including the "as at" month."""
    first = as_of.replace(day=1)
    return [add_months(first, -back) for back in range(HOURS_MONTHS - 1, -1, -1)]


def hours_coordinators(pcn, as_of: datetime.date):
    """Everyone who was a care coordinator of the PCN at some time in the 12 months."""
    start = hours_months(as_of)[0]
    held = (
        RoleAssignment.objects.care_coordinators()
        .filter(pcn=pcn, starts_on__lte=as_of)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=start))
        .values("person_id")
    )
    return Person.objects.filter(pk__in=held).order_by("family_name", "given_name", "pk")


def hours_rows(pcn, as_of: datetime.date) -> list[list]:
    """A header, then per coordinator (by name) and month (oldest first): hours out of
    practice and how many learning records they came from. A record counts in the month it
    was completed, or started when not completed, on or before `as_of`; imported records
    count once verified. Two queries however many coordinators."""
    months = hours_months(as_of)
    people = list(hours_coordinators(pcn, as_of))
    totals: dict[tuple[int, datetime.date], list] = defaultdict(lambda: [Decimal("0"), 0])
    records = (
        LearningRecord.objects.counted()
        .filter(person__in=[p.pk for p in people], hours_out_of_practice__isnull=False)
        .filter(
            Q(completed_on__range=(months[0], as_of))
            | Q(completed_on__isnull=True, started_on__range=(months[0], as_of))
        )
        .values_list("person_id", "completed_on", "started_on", "hours_out_of_practice")
    )
    for person_id, completed_on, started_on, hours in records:
        day = completed_on or started_on
        total = totals[(person_id, day.replace(day=1))]
        total[0] += hours
        total[1] += 1
    rows = [HOURS_HEADER]
    for person in people:
        for month in months:
            hours, items = totals.get((person.pk, month), (Decimal("0"), 0))
            rows.append([person.full_name, f"{month:%Y-%m}", f"{hours:.1f}", items])
    return rows
