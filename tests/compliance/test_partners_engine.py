"""The register pages and the compliance engine agree: partners, checks, listings and awareness
made through this area's services give the engine's requirement 4 and 7 results the pages
show (a review overdue or never done is not met; due within 30 days is at risk)."""

import pytest

from lms.compliance import directory_services, engine, partner_services
from lms.compliance.models import AwarenessMethod
from lms.compliance.partner_services import ReviewState
from lms.compliance.results import Status
from tests.compliance.test_partners import AS_OF, DAY, add_partner, checked, frozen

pytestmark = pytest.mark.django_db
__all__ = ["frozen"]


def _expected(pcn, as_of) -> Status:
    states = {p.review_state for p in partner_services.register_status(pcn, as_of)}
    if not states or states & set(ReviewState.NEEDS_CHECK):
        return Status.NOT_MET
    if ReviewState.DUE_SOON in states:
        return Status.AT_RISK
    return Status.MET


def test_requirement_4_follows_the_register_states(pcn, pcn_manager, care_coordinator):
    assert engine.coordinator_compliance(care_coordinator, AS_OF).results["4"].status == (
        Status.NOT_MET)  # an empty register
    first = add_partner(pcn, pcn_manager, "First")
    second = add_partner(pcn, pcn_manager, "Second")
    checked(first, pcn_manager, AS_OF - 300 * DAY)  # due 9 January 2027 - 300 days on
    checked(second, pcn_manager, AS_OF - 200 * DAY)
    for as_of in (AS_OF - 250 * DAY, AS_OF - 150 * DAY, AS_OF - 100 * DAY, AS_OF):
        result = engine.coordinator_compliance(care_coordinator, as_of).results["4"]
        assert result.status == _expected(pcn, as_of), as_of


def test_an_unchecked_partner_is_not_met_and_archiving_removes_it(
    pcn, pcn_manager, care_coordinator, frozen
):
    fine = add_partner(pcn, pcn_manager, "Fine")
    checked(fine, pcn_manager, AS_OF - 10 * DAY)
    never = add_partner(pcn, pcn_manager, "Never checked")
    assert engine.coordinator_compliance(care_coordinator, AS_OF).results["4"].status == (
        Status.NOT_MET)
    assert partner_services.needing_check_counts([pcn.pk], AS_OF) == {pcn.pk: 1}

    partner_services.partner_archive(actor=pcn_manager.user, partner=never, reason="Closed")
    # Archived now: from tomorrow it is off the register, for the pages and the engine alike.
    tomorrow = AS_OF + DAY
    assert partner_services.needing_check_counts([pcn.pk], tomorrow) == {}
    assert [p.name for p in partner_services.register_status(pcn, tomorrow)] == ["Fine"]
    assert engine.coordinator_compliance(care_coordinator, tomorrow).results["4"].status == (
        Status.MET)


def test_due_soon_is_at_risk_for_both(pcn, pcn_manager, care_coordinator):
    soon = add_partner(pcn, pcn_manager)
    checked(soon, pcn_manager, AS_OF - 10 * DAY, review_due_on=AS_OF + 30 * DAY)
    [row] = partner_services.register_status(pcn, AS_OF)
    assert row.review_state == ReviewState.DUE_SOON
    assert engine.coordinator_compliance(care_coordinator, AS_OF).results["4"].status == (
        Status.AT_RISK)


def test_requirement_7_follows_the_directory_and_awareness_pages(pcn, pcn_manager,
                                                                 care_coordinator):
    practices = list(pcn.practices.order_by("name"))
    directory_services.directory_entry_list(
        actor=pcn_manager.user, pcn=pcn, person=care_coordinator, as_of=AS_OF,
        listed_from=AS_OF, display_name="Amira Khan", how_to_refer="Ask reception",
        practices=practices,
    )
    for practice in practices[:2]:
        directory_services.awareness_record(
            actor=pcn_manager.user, practice=practice, as_of=AS_OF, told_on=AS_OF - 3 * DAY,
            method=AwarenessMethod.EMAIL, told_by=pcn_manager, coordinators=[care_coordinator],
        )
    rows = directory_services.practice_awareness(pcn, AS_OF)
    assert [bool(r.not_told) for r in rows] == [False, False, True]
    assert engine.coordinator_compliance(care_coordinator, AS_OF).results["7"].status == (
        Status.NOT_MET)

    directory_services.awareness_record(
        actor=pcn_manager.user, practice=practices[2], as_of=AS_OF, told_on=AS_OF,
        method=AwarenessMethod.STAFF_MEETING, told_by=pcn_manager,
        coordinators=[care_coordinator],
    )
    assert directory_services.practices_not_told_counts([pcn.pk], AS_OF) == {}
    assert engine.coordinator_compliance(care_coordinator, AS_OF).results["7"].status == (
        Status.MET)

    entry = directory_services.public_entries(pcn, AS_OF).get()
    directory_services.directory_entry_unlist(actor=pcn_manager.user, entry=entry, as_of=AS_OF)
    assert not directory_services.public_entries(pcn, AS_OF).exists()
    assert engine.coordinator_compliance(care_coordinator, AS_OF).results["7"].status == (
        Status.NOT_MET)
