"""Home panels: the PCN manager's one-line DES summary and the ICB viewer's overall per cent,
each a fixed number of queries; nobody else gets one."""

import datetime
import importlib

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.access import scope_for
from tests.compliance.builders import (
    compliant_coordinator,
    coordinator,
    days,
    des_curriculum,
    statutory_done,
)

AS_OF = datetime.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


@pytest.fixture
def panels():
    """The panels module, registered on the home page for this test only (the lead wires it
    into AppConfig.ready(); other tests' home-page query counts must not change)."""
    from lms import panels as registry

    saved = list(registry._PANELS)
    module = importlib.import_module("lms.compliance.dashboard_panels")
    for function in (module.pcn_compliance_panel, module.icb_compliance_panel):
        if all(f is not function for _order, f in registry._PANELS):
            registry._PANELS.append((30, function))
    yield module
    registry._PANELS[:] = saved


def run(panel, person, rf):
    request = rf.get("/")
    request.user = person.user
    return panel(request, scope_for(person.user, AS_OF), AS_OF)


def test_manager_panel_counts_fully_met_and_at_risk(panels, rf, pcn, pcn_manager):
    first = compliant_coordinator(pcn, AS_OF)
    compliant_coordinator(pcn, AS_OF)
    des_curriculum()
    coordinator(pcn, started_on=datetime.date(2024, 9, 2))
    # Information governance lapses in 15 days: at risk for `first`. Both compliant ones were
    # supervised a week ago, so supervision falls due within 30 days: two more items.
    statutory_done(first, AS_OF - days(350), items=[des_curriculum().information_governance])
    template, context = run(panels.pcn_compliance_panel, pcn_manager, rf)
    (summary,) = context["summaries"]
    assert (summary["fully_met"], summary["coordinators"]) == (1, 3)
    assert summary["at_risk"] == 3
    html = render_to_string(template, context)
    assert "<strong>1 of 3</strong> care coordinators fully met" in html
    assert "<strong>3</strong> items at risk in the next 30 days" in html
    assert f'href="{reverse("compliance:dashboard")}"' in html


def test_icb_panel_shows_the_overall_percent(panels, rf, pcn, icb_viewer):
    compliant_coordinator(pcn, AS_OF)
    template, context = run(panels.icb_compliance_panel, icb_viewer, rf)
    html = render_to_string(template, context)
    assert "<strong>100%</strong> of requirement results met" in html
    assert f'href="{reverse("compliance:icb")}"' in html


def test_no_panel_for_other_roles(panels, rf, care_coordinator, supervisor, no_role_person):
    for person in (care_coordinator, supervisor, no_role_person):
        assert run(panels.pcn_compliance_panel, person, rf) is None
        assert run(panels.icb_compliance_panel, person, rf) is None


def test_the_panels_on_the_home_page(panels, sign_in, pcn, pcn_manager, icb_viewer):
    compliant_coordinator(pcn, AS_OF, given_name="Zephyrine", family_name="Quillfeather")
    html = sign_in(pcn_manager).get(reverse("home")).content.decode()
    assert "DES compliance" in html and "<strong>1 of 1</strong>" in html
    html = sign_in(icb_viewer).get(reverse("home")).content.decode()
    assert "DES compliance across your ICB" in html
    assert "Quillfeather" not in html


def _queries(call):
    cache.clear()  # builders write outside the services: measure the uncached path
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_panels_run_a_fixed_number_of_queries(panels, rf, icb, pcn, pcn_manager, icb_viewer):
    for _ in range(2):
        compliant_coordinator(pcn, AS_OF)
    for person in (pcn_manager, icb_viewer):  # the scope is computed once, then kept
        scope_for(person.user, AS_OF)
    manager = _queries(lambda: run(panels.pcn_compliance_panel, pcn_manager, rf))
    viewer = _queries(lambda: run(panels.icb_compliance_panel, icb_viewer, rf))
    for _ in range(4):
        compliant_coordinator(pcn, AS_OF)
    assert _queries(lambda: run(panels.pcn_compliance_panel, pcn_manager, rf)) == manager
    assert _queries(lambda: run(panels.icb_compliance_panel, icb_viewer, rf)) == viewer


def test_the_managers_counts_are_kept_until_the_pcns_data_changes(panels, rf, pcn, pcn_manager,
                                                                  monkeypatch):
    """The panel's three numbers are cached under the PCN's data version: a second view reads
    them without the coordinators' results, and an audited change shows on the next view."""
    from lms.audit import audit_record
    from lms.compliance import engine

    compliant_coordinator(pcn, AS_OF)
    cache.clear()
    _template, context = run(panels.pcn_compliance_panel, pcn_manager, rf)
    assert context["summaries"][0]["coordinators"] == 1

    def results_read(*args, **kwargs):
        raise AssertionError("the panel read every coordinator's results again")

    with monkeypatch.context() as patch:
        patch.setattr(engine, "cached_pcn_compliance", results_read)
        _template, context = run(panels.pcn_compliance_panel, pcn_manager, rf)
    assert context["summaries"][0]["coordinators"] == 1

    # A second coordinator, and an audit entry about the PCN, as a service would write.
    compliant_coordinator(pcn, AS_OF)
    audit_record(actor=pcn_manager.user, action="test.change", obj=pcn)
    _template, context = run(panels.pcn_compliance_panel, pcn_manager, rf)
    assert (context["summaries"][0]["coordinators"],
            context["summaries"][0]["fully_met"]) == (2, 2)
