"""Home-page panels for DES compliance: a PCN manager's summary and an ICB viewer's link.

Registered by importing this module from the compliance AppConfig.ready(). Each panel asks
the engine once per PCN (PCN manager) or once for the ICBs (ICB viewer): a fixed number of
queries whatever the number of coordinators.
"""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError

from lms import audit
from lms.panels import home_panel

from . import engine
from .dashboard_views import icb_overall_percent
from .results import Status

#: "K items at risk in the next N days".
RISK_DAYS = 30


def at_risk_count(compliances, as_of: datetime.date, days: int = RISK_DAYS) -> int:
    """Results at risk now, or met now but lapsing within `days` of `as_of`."""
    until = as_of + datetime.timedelta(days=days)
    return sum(
        1
        for compliance in compliances
        for result in compliance.results.values()
        if result.status == Status.AT_RISK
        or (result.status == Status.MET and result.lapses_on and result.lapses_on <= until)
    )


def manager_panel_counts(pcn, as_of: datetime.date) -> dict:
    """{coordinators, fully_met, at_risk} for a PCN on a date, `pcn` as given by
    `engine.pcns_with_data_versions`. Kept in the cache under the PCN's data version (which
    includes the engine's code) and this module's code: three numbers, where reading the
    PCN's cached results again means unpickling every coordinator's (40 ms for 30)."""
    key = f"compliance:home-panel:{pcn.pk}:{as_of.isoformat()}"
    version = (pcn.data_version, audit.code_digest((__name__,)))
    cached = cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    compliances = engine.cached_pcn_compliance(pcn, as_of, version=pcn.data_version)
    counts = {
        "coordinators": len(compliances),
        "fully_met": sum(1 for c in compliances if c.overall == Status.MET),
        "at_risk": at_risk_count(compliances, as_of),
    }
    cache.set(key, (version, counts), audit.VERSIONED_CACHE_SECONDS)
    return counts


@home_panel(order=30)
def pcn_compliance_panel(request, scope, as_of):
    """'DES compliance: N of M coordinators fully met; K items at risk in the next 30 days'."""
    if not scope.is_pcn_manager:
        return None
    summaries = []
    # Each PCN with its data version in one query: one cache read per PCN after that.
    for pcn in engine.pcns_with_data_versions(scope.managed_pcn_ids):
        try:
            summaries.append({"pcn": pcn, **manager_panel_counts(pcn, as_of)})
        except ValidationError:
            return None
    if not summaries:
        return None
    return "compliance/dashboard/_panel_manager.html", {
        "summaries": summaries, "risk_days": RISK_DAYS, "several": len(summaries) > 1,
    }


@home_panel(order=30)
def icb_compliance_panel(request, scope, as_of):
    """'DES compliance across your ICB: N% of requirement results met', with a link."""
    if not scope.is_icb_viewer:
        return None
    try:
        summaries = engine.icb_summary(sorted(scope.icb_ids), as_of)
    except ValidationError:
        return None
    return "compliance/dashboard/_panel_icb.html", {
        "overall": icb_overall_percent(summaries),
        "pcn_count": len(summaries),
        "coordinator_count": sum(s.coordinator_count for s in summaries),
    }
