"""Home-page panels: sign-off requests waiting for a supervisor, a coordinator's progress."""

from dataclasses import dataclass
from types import SimpleNamespace

from lms.panels import home_panel

from .models import Competency, EvidenceLink, Framework, SignOff
from .progress import CompetencyProgress


@dataclass
class MetCount:
    framework: Framework
    met: int = 0
    total: int = 0


def met_counts(person_id, frameworks) -> list[MetCount]:
    """'N of M met' per framework, in three queries, read as plain values.

    The panel needs only the counts, so only what the met rule reads is loaded (each
    competency's target, each current sign-off's rater and level, each current link's kind)
    and the rule itself stays `CompetencyProgress.met`.
    """
    frameworks = {f.pk: f for f in frameworks}
    if not frameworks:
        return []
    rows = {
        pk: CompetencyProgress(competency=SimpleNamespace(
            framework=frameworks[framework_id], framework_id=framework_id, target_level=target
        ))
        for pk, framework_id, target in Competency.objects.filter(
            framework_id__in=frameworks
        ).values_list("pk", "framework_id", "target_level").order_by()
    }
    mine = dict(person_id=person_id, competency_id__in=rows)
    for competency_id, rater_key, level in SignOff.objects.filter(
        superseded_by__isnull=True, **mine
    ).values_list("competency_id", "rater_key", "level").order_by():
        rows[competency_id].current_sign_offs.append(
            SimpleNamespace(rater_key=rater_key, level=level)
        )
    for competency_id, kind in EvidenceLink.objects.current().filter(**mine).values_list(
        "competency_id", "kind"
    ).order_by().distinct():
        rows[competency_id].evidence.append(SimpleNamespace(kind=kind))
    counts = {pk: MetCount(framework=f) for pk, f in frameworks.items()}
    for row in rows.values():
        count = counts[row.competency.framework_id]
        count.total += 1
        count.met += row.met
    return list(counts.values())


@home_panel(order=40, per_person=True)
def my_competencies(request, scope, as_of):
    """'Your competencies: N of M met' for a care coordinator, per framework in use."""
    if not scope.is_care_coordinator:
        return None
    summaries = met_counts(scope.person_id, Framework.objects.active())
    if not summaries:
        return None
    return "competencies/_panel_mine.html", {"summaries": summaries}


@home_panel(order=50)
def sign_off_queue(request, scope, as_of):
    """'Sign-off requests: N waiting' for anyone with requests addressed to them (one COUNT)."""
    if not scope.is_supporter:
        return None
    from .views import waiting_for

    waiting = waiting_for(scope).count()
    if not waiting:
        return None
    return "competencies/_panel_queue.html", {"waiting": waiting}
