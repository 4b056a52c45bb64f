"""Who supports each care coordinator: the evidence for DES clauses 5 and 6."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import PCN, REQUIRED_SUPPORT_ROLES, Practice, Role, RoleAssignment


@dataclass
class CoordinatorSupport:
    """One care coordinator's assignment and the people named to support them."""

    assignment: RoleAssignment
    supporters: dict = field(default_factory=lambda: defaultdict(list))

    @property
    def person(self):
        return self.assignment.person

    @property
    def practices(self):
        return self.assignment.practices.all()

    def named(self, role):
        return self.supporters.get(role, [])

    @property
    def clinical_supervisors(self):
        return self.named(Role.CLINICAL_SUPERVISOR)

    @property
    def line_managers(self):
        return self.named(Role.LINE_MANAGER)

    @property
    def first_points_of_contact(self):
        return self.named(Role.FIRST_POINT_OF_CONTACT)

    @property
    def safeguarding_gps(self):
        return self.named(Role.SAFEGUARDING_GP)

    @property
    def missing(self) -> list[str]:
        """Labels of the DES-required support roles nobody holds for this coordinator."""
        return [Role(role).label for role in REQUIRED_SUPPORT_ROLES if not self.named(role)]


def coordinator_support(coordinator_assignments, as_of: datetime.date) -> list[CoordinatorSupport]:
    """Each current care coordinator assignment with its current supporters, in two queries."""
    assignments = list(
        coordinator_assignments.current(as_of)
        .care_coordinators()
        .select_related("person__user", "pcn")
        .prefetch_related(Prefetch("practices", queryset=Practice.objects.order_by("name")))
        .order_by("person__family_name", "person__given_name", "pk")
    )
    rows = {a.person_id: CoordinatorSupport(assignment=a) for a in assignments}
    support = (
        RoleAssignment.objects.current(as_of)
        .support()
        .filter(care_coordinator_id__in=rows)
        .select_related("person")
        .order_by("person__family_name", "person__given_name")
    )
    for supporter in support:
        rows[supporter.care_coordinator_id].supporters[supporter.role].append(supporter.person)
    return list(rows.values())


@dataclass
class PCNSummary:
    pcn: PCN
    coordinators: int = 0
    coordinators_with_gaps: int = 0


def icb_pcn_summaries(icb_ids, as_of: datetime.date) -> list[PCNSummary]:
    """Every PCN of these ICBs with its care coordinator count and how many lack named support."""
    summaries = {
        pcn.pk: PCNSummary(pcn=pcn)
        for pcn in PCN.objects.filter(icb_id__in=icb_ids).select_related("icb")
    }
    for row in coordinator_support(
        RoleAssignment.objects.filter(pcn_id__in=summaries), as_of
    ):
        summary = summaries[row.assignment.pcn_id]
        summary.coordinators += 1
        summary.coordinators_with_gaps += bool(row.missing)
    return list(summaries.values())
