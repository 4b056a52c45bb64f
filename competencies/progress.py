"""Where each person stands on each competency: plain functions over loaded rows.

A competency is met when enough different people have signed it off at or above the
target level (the framework's `signoffs_required`) and the evidence covers enough
different kinds (`evidence_kinds_required`). Neither the first nor the last rater wins:
each rater's latest sign-off counts, and the shown level is the lowest of them.
"""

from dataclasses import dataclass, field

from .models import Competency, EvidenceLink, RequestStatus, SelfAssessment, SignOff, SignOffRequest


class State:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    REQUESTED = "requested"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    MET = "met"

    COLOURS = {
        NOT_STARTED: "grey",
        IN_PROGRESS: "blue",
        REQUESTED: "purple",
        RETURNED: "orange",
        SIGNED_OFF: "aqua-green",
        MET: "green",
    }


@dataclass
class CompetencyProgress:
    competency: Competency
    self_assessment: SelfAssessment | None = None
    evidence: list = field(default_factory=list)
    current_sign_offs: list = field(default_factory=list)
    pending_requests: list = field(default_factory=list)
    latest_request: SignOffRequest | None = None

    @property
    def evidence_kinds(self) -> set:
        return {link.kind for link in self.evidence}

    @property
    def raters_at_target(self) -> set:
        target = self.competency.target_level
        return {s.rater_key for s in self.current_sign_offs if s.level >= target}

    @property
    def level(self) -> int | None:
        """The lowest level among the current sign-offs (one per rater)."""
        return min((s.level for s in self.current_sign_offs), default=None)

    @property
    def met(self) -> bool:
        framework = self.competency.framework
        return (
            len(self.raters_at_target) >= framework.signoffs_required
            and len(self.evidence_kinds) >= framework.evidence_kinds_required
        )

    @property
    def state(self) -> str:
        if self.met:
            return State.MET
        if self.pending_requests:
            return State.REQUESTED
        if self.current_sign_offs:
            return State.SIGNED_OFF
        if self.latest_request and self.latest_request.status == RequestStatus.RETURNED:
            return State.RETURNED
        if self.self_assessment or self.evidence:
            return State.IN_PROGRESS
        return State.NOT_STARTED

    @property
    def label(self) -> str:
        state = self.state
        if state == State.SIGNED_OFF:
            return f"Signed off at level {self.level}"
        return {
            State.MET: "Met",
            State.REQUESTED: "Requested",
            State.RETURNED: "Returned",
            State.IN_PROGRESS: "In progress",
            State.NOT_STARTED: "Not started",
        }[state]

    @property
    def colour(self) -> str:
        return State.COLOURS[self.state]

    @property
    def missing_for_met(self) -> list[str]:
        """What still stands between this competency and 'met', in words."""
        framework = self.competency.framework
        reasons = []
        raters = len(self.raters_at_target)
        if raters < framework.signoffs_required:
            reasons.append(
                f"{framework.signoffs_required - raters} more sign-off"
                f"{'s' if framework.signoffs_required - raters > 1 else ''} at "
                f"{self.competency.target_label or 'the target level'}"
            )
        kinds = len(self.evidence_kinds)
        if kinds < framework.evidence_kinds_required:
            reasons.append(
                f"evidence of {framework.evidence_kinds_required - kinds} more kind"
                f"{'s' if framework.evidence_kinds_required - kinds > 1 else ''}"
            )
        return reasons


# What the state of a cell needs from each kind of row, for `progress_for(summary=True)`.
SUMMARY_FIELDS = {
    SelfAssessment: ("person_id", "competency_id", "level"),
    EvidenceLink: ("person_id", "competency_id", "kind"),
    SignOff: ("person_id", "competency_id", "level", "rater_key"),
    SignOffRequest: ("person_id", "competency_id", "status"),
}


def progress_for(people_ids, competencies, summary=False) -> dict:
    """{(person_id, competency_id): CompetencyProgress} in four queries, whatever the size.

    With `summary`, the rows are named tuples of only what `state`, `label`, `level` and `met`
    read (a heatmap of many people): no narratives, comments or evidence snapshots, and no
    model instances.
    """
    competencies = list(competencies)
    ids = [c.pk for c in competencies]
    table = {
        (person_id, c.pk): CompetencyProgress(competency=c)
        for person_id in people_ids
        for c in competencies
    }
    rows = dict(person_id__in=people_ids, competency_id__in=ids)

    def load(queryset):
        # Plain named rows, not model instances: the rules read only these attributes, and
        # a heatmap page has over a thousand rows.
        if summary:
            return queryset.values_list(*SUMMARY_FIELDS[queryset.model], named=True)
        return queryset

    for assessment in load(SelfAssessment.objects.filter(**rows).order_by("created_at", "pk")):
        table[(assessment.person_id, assessment.competency_id)].self_assessment = assessment
    for link in load(EvidenceLink.objects.current().filter(**rows)):
        table[(link.person_id, link.competency_id)].evidence.append(link)
    for sign_off in load(SignOff.objects.filter(superseded_by__isnull=True, **rows)):
        table[(sign_off.person_id, sign_off.competency_id)].current_sign_offs.append(sign_off)
    for request in load(SignOffRequest.objects.filter(**rows).order_by("created_at", "pk")):
        progress = table[(request.person_id, request.competency_id)]
        if request.status == RequestStatus.PENDING:
            progress.pending_requests.append(request)
        progress.latest_request = request
    return table
