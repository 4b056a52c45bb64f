"""Cached compliance results: the PCN dashboard and the ICB summary are served from the cache
until an audited change concerns the PCN (or may concern several), and a change to one PCN
never throws away another PCN's results."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.audit import audit_record, concerned_pcn_id
from lms.compliance import engine
from lms.models import Role
from supervision.models import Audience, NetworkSession
from tests.compliance.builders import compliant_coordinator, record, support
from tests.conftest import make_person
from tests.factories import PersonFactory, RoleAssignmentFactory

AS_OF = datetime.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 11, 14, 12, 0), tick=False):
        yield


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def test_a_second_dashboard_view_is_served_from_the_cache(sign_in, pcn_manager, pcn):
    for _ in range(3):
        compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    url = reverse("compliance:dashboard")
    first, response = _queries(lambda: client.get(url))
    second, again = _queries(lambda: client.get(url))
    assert "<strong>3 of 3</strong>" in again.content.decode()
    assert second < first
    cached, results = _queries(lambda: engine.cached_pcn_compliance(pcn, AS_OF))
    assert cached == 2  # the data version and the cache read
    assert [c.overall for c in results] == [c.overall for c in engine.pcn_compliance(pcn, AS_OF)]


def test_an_audited_change_to_a_coordinator_shows_at_once(sign_in, pcn_manager, pcn):
    person = compliant_coordinator(pcn, AS_OF)
    client = sign_in(pcn_manager)
    url = reverse("compliance:dashboard")
    assert "<strong>1 of 1</strong>" in client.get(url).content.decode()
    # The named safeguarding GP leaves; the service that ends a role writes an audit entry.
    assignment = person.support_assignments.get(role=Role.SAFEGUARDING_GP)
    assignment.ends_on = AS_OF - datetime.timedelta(days=1)
    assignment.save()
    audit_record(actor=None, action="role.end", obj=assignment)
    assert "<strong>0 of 1</strong>" in client.get(url).content.decode()


def test_a_change_in_one_pcn_keeps_the_other_pcns_cached_results(pcn, other_pcn):
    ours = compliant_coordinator(pcn, AS_OF)
    compliant_coordinator(other_pcn, AS_OF)
    engine.cached_pcn_compliance(pcn, AS_OF)
    engine.cached_pcn_compliance(other_pcn, AS_OF)
    audit_record(actor=None, action="learning.update", obj=ours.learning_records.first())
    theirs, _ = _queries(lambda: engine.cached_pcn_compliance(other_pcn, AS_OF))
    assert theirs == 2  # still cached
    mine, _ = _queries(lambda: engine.cached_pcn_compliance(pcn, AS_OF))
    assert mine > 2  # evaluated again


def test_the_icb_summary_recomputes_only_the_pcn_that_changed(monkeypatch, icb, pcn, other_pcn):
    ours = compliant_coordinator(pcn, AS_OF)
    compliant_coordinator(other_pcn, AS_OF)
    first = engine.icb_summary([icb.pk], AS_OF)
    evaluated = []
    real_evaluate = engine._evaluate

    def counting_evaluate(coordinators, as_of, rs):
        evaluated.extend(c.pcn_id for c in coordinators)
        return real_evaluate(coordinators, as_of, rs)

    monkeypatch.setattr(engine, "_evaluate", counting_evaluate)
    assert [s.overall_percent for s in engine.icb_summary([icb.pk], AS_OF)] == [
        s.overall_percent for s in first]
    assert evaluated == []
    audit_record(actor=None, action="learning.update", obj=ours.learning_records.first())
    again = engine.icb_summary([icb.pk], AS_OF)
    assert evaluated == [pcn.pk]
    assert [s.pcn for s in again] == [s.pcn for s in first]


def test_which_pcn_a_change_concerns(pcn, other_pcn, care_coordinator):
    learning = compliant_coordinator(pcn, AS_OF).learning_records.first()
    assert concerned_pcn_id(learning) == pcn.pk
    assert concerned_pcn_id(pcn) == pcn.pk
    # People, roles and shared sessions may concern several PCNs: every PCN recomputes.
    assert concerned_pcn_id(care_coordinator) is None
    assert concerned_pcn_id(support(care_coordinator, Role.CLINICAL_SUPERVISOR,
                                    starts_on=AS_OF)) is None
    session = NetworkSession(pcn=pcn, audience=Audience.ICB)
    assert concerned_pcn_id(session) is None
    # A coordinator who also holds the role in another PCN: both could change.
    moved = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    RoleAssignmentFactory(person=moved, role=Role.CARE_COORDINATOR, pcn=other_pcn,
                          starts_on=AS_OF)
    record_of_moved = record(moved, learning.item, on=AS_OF)
    assert concerned_pcn_id(record_of_moved) is None
    # Someone with no PCN at all (ICB staff): nothing to narrow down to.
    assert concerned_pcn_id(record(PersonFactory(pcn=None), learning.item, on=AS_OF)) is None


def test_warming_caches_every_pcn_and_icb_with_the_same_results(icb, pcn, other_pcn, capsys):
    compliant_coordinator(pcn, AS_OF)
    compliant_coordinator(other_pcn, AS_OF)
    fresh = {p.pk: [c.overall for c in engine.pcn_compliance(p, AS_OF)] for p in (pcn, other_pcn)}
    call_command("warm_compliance", "--as-of", AS_OF.isoformat())
    assert "for 2 coordinators in 1 ICBs" in capsys.readouterr().out
    for each in (pcn, other_pcn):
        count, results = _queries(lambda each=each: engine.cached_pcn_compliance(each, AS_OF))
        assert count == 2
        assert [c.overall for c in results] == fresh[each.pk]
    count, summaries = _queries(lambda: engine.icb_summary([icb.pk], AS_OF))
    assert count == 3  # the PCNs, their data versions and the cache read
    assert [s.coordinator_count for s in summaries] == [1, 1]


def test_warming_refuses_a_date_outside_every_contract_year():
    with pytest.raises(CommandError, match="--as-of"):
        call_command("warm_compliance", "--as-of", "1999-01-01")
