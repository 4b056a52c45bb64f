"""The rule for 'met', with fixed data written through the services.

Each rater's latest sign-off counts; the shown level is the lowest of them; a competency is
met when enough different raters signed it off at the target and the evidence covers
enough different kinds.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from competencies import services
from competencies.models import Competency, Domain, EvidenceKind, Framework, SignOff
from competencies.progress import State, progress_for
from lms import services as lms_services
from lms.models import LearningStatus, Role
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db


def make_framework(code="care-coordination", *, count=1, signoffs_required=1,
                   evidence_kinds_required=1, domains=1):
    """A framework with the default four-level scale and `count` competencies at target 3."""
    framework = Framework.objects.create(
        code=code, name=f"Care coordination ({code})", version="2025",
        description="What a care coordinator does.",
        signoffs_required=signoffs_required, evidence_kinds_required=evidence_kinds_required,
    )
    made_domains = [
        Domain.objects.create(framework=framework, code=f"domain-{n}", name=f"Domain {n + 1}",
                              sort_order=n)
        for n in range(domains)
    ]
    for n in range(count):
        add_competency(framework, made_domains[n % domains], n)
    return framework


def add_competency(framework, domain, n):
    return Competency.objects.create(
        framework=framework, domain=domain, code=f"competency-{n}",
        title=f"Competency {n + 1}", descriptor=f"Does thing {n + 1} well.",
        target_level=3, target_by="by the end of induction", sort_order=n,
    )


def progress(person, competency):
    competency = Competency.objects.select_related("framework").get(pk=competency.pk)
    return progress_for([person.pk], [competency])[(person.pk, competency.pk)]


def observe(person, competency, note="Seen explaining a care plan to a patient's carer."):
    return services.evidence_link_add(
        actor=person.user, person=person, competency=competency,
        kind=EvidenceKind.OBSERVATION, note=note,
    )


def learning_evidence(person, competency, code):
    item = learning_item(curriculum_section(f"Section {code}"), code)
    record = lms_services.learning_record_save(
        actor=person.user, person=person, item=item, stage=LearningStatus.COMPLETED,
        completed_on=datetime.date(2025, 3, 4),
    )
    return services.evidence_link_add(
        actor=person.user, person=person, competency=competency,
        kind=EvidenceKind.LEARNING_RECORD, target=record,
    )


def ask(person, competency, reviewer):
    return services.sign_off_request_create(
        actor=person.user, person=person, competency=competency, reviewer=reviewer,
    )


def sign(person, competency, rater, level):
    return services.sign_off_record(
        actor=rater.user, request=ask(person, competency, rater), level=level,
        comment=f"Seen working at level {level}.",
    )


@pytest.fixture
def line_manager(pcn, care_coordinator):
    return make_person(Role.LINE_MANAGER, pcn=pcn, care_coordinator=care_coordinator,
                       given_name="Lee", family_name="Manager")


def test_states_move_from_not_started_to_met_with_one_sign_off_at_target(
    care_coordinator, supervisor
):
    competency = make_framework().competencies.get()
    assert progress(care_coordinator, competency).label == "Not started"

    services.self_assessment_record(actor=care_coordinator.user, person=care_coordinator,
                                    competency=competency, level=3, narrative="I do this.")
    assert progress(care_coordinator, competency).label == "In progress"

    observe(care_coordinator, competency)
    request = ask(care_coordinator, competency, supervisor)
    assert progress(care_coordinator, competency).label == "Requested"

    services.sign_off_record(actor=supervisor.user, request=request, level=3, comment="Seen.")
    result = progress(care_coordinator, competency)
    assert result.state == State.MET
    assert result.label == "Met"
    assert result.level == 3
    assert result.missing_for_met == []


def test_a_sign_off_below_target_is_shown_with_its_level_and_is_not_met(
    care_coordinator, supervisor
):
    competency = make_framework().competencies.get()
    observe(care_coordinator, competency)
    sign(care_coordinator, competency, supervisor, 2)
    result = progress(care_coordinator, competency)
    assert not result.met
    assert result.label == "Signed off at level 2"
    assert result.missing_for_met == ["1 more sign-off at Competent"]


def test_two_sign_offs_required_counts_different_raters_only(
    care_coordinator, supervisor, line_manager
):
    competency = make_framework(signoffs_required=2).competencies.get()
    observe(care_coordinator, competency)

    sign(care_coordinator, competency, supervisor, 3)
    result = progress(care_coordinator, competency)
    assert result.label == "Signed off at level 3"
    assert not result.met

    second = sign(care_coordinator, competency, supervisor, 3)  # the same rater again
    result = progress(care_coordinator, competency)
    assert not result.met
    assert result.label == "Signed off at level 3"
    assert [s.pk for s in result.current_sign_offs] == [second.pk]

    sign(care_coordinator, competency, line_manager, 3)
    result = progress(care_coordinator, competency)
    assert result.met
    assert result.label == "Met"


def test_two_kinds_of_evidence_required_needs_more_than_learning_records(
    care_coordinator, supervisor
):
    competency = make_framework(evidence_kinds_required=2).competencies.get()
    learning_evidence(care_coordinator, competency, "care-planning")
    learning_evidence(care_coordinator, competency, "health-coaching")
    sign(care_coordinator, competency, supervisor, 3)
    result = progress(care_coordinator, competency)
    assert not result.met
    assert result.evidence_kinds == {EvidenceKind.LEARNING_RECORD}
    assert result.missing_for_met == ["evidence of 1 more kind"]

    observe(care_coordinator, competency)
    assert progress(care_coordinator, competency).met


def test_withdrawn_evidence_stops_counting(care_coordinator, supervisor):
    competency = make_framework().competencies.get()
    link = observe(care_coordinator, competency)
    sign(care_coordinator, competency, supervisor, 3)
    assert progress(care_coordinator, competency).met
    services.evidence_link_withdraw(actor=care_coordinator.user, link=link)
    assert not progress(care_coordinator, competency).met


def test_supersession_keeps_history(care_coordinator, supervisor):
    competency = make_framework().competencies.get()
    first = sign(care_coordinator, competency, supervisor, 3)
    second = sign(care_coordinator, competency, supervisor, 4)
    first.refresh_from_db()
    assert SignOff.objects.filter(person=care_coordinator, competency=competency).count() == 2
    assert first.superseded_by == second
    assert first.superseded_at is not None
    assert first.level == 3  # never edited
    assert second.superseded_by is None


def test_the_latest_sign_off_of_a_rater_counts_even_when_lower(care_coordinator, supervisor):
    competency = make_framework().competencies.get()
    observe(care_coordinator, competency)
    sign(care_coordinator, competency, supervisor, 3)
    assert progress(care_coordinator, competency).met
    sign(care_coordinator, competency, supervisor, 2)
    result = progress(care_coordinator, competency)
    assert not result.met
    assert result.level == 2
    assert result.label == "Signed off at level 2"


def test_two_raters_show_the_lower_level(care_coordinator, supervisor, line_manager):
    competency = make_framework(signoffs_required=2).competencies.get()
    observe(care_coordinator, competency)
    sign(care_coordinator, competency, supervisor, 4)
    sign(care_coordinator, competency, line_manager, 2)
    result = progress(care_coordinator, competency)
    assert result.level == 2
    assert not result.met
    assert result.label == "Signed off at level 2"

    sign(care_coordinator, competency, line_manager, 3)
    result = progress(care_coordinator, competency)
    assert result.level == 3
    assert result.met


def test_a_returned_request_shows_returned_until_asked_again(care_coordinator, supervisor):
    competency = make_framework().competencies.get()
    request = ask(care_coordinator, competency, supervisor)
    services.sign_off_request_return(actor=supervisor.user, request=request,
                                     feedback="Add an observation.")
    assert progress(care_coordinator, competency).label == "Returned"
    ask(care_coordinator, competency, supervisor)
    assert progress(care_coordinator, competency).label == "Requested"


def test_a_withdrawn_request_is_not_waiting(care_coordinator, supervisor):
    competency = make_framework().competencies.get()
    services.self_assessment_record(actor=care_coordinator.user, person=care_coordinator,
                                    competency=competency, level=2, narrative="Learning.")
    request = ask(care_coordinator, competency, supervisor)
    services.sign_off_request_withdraw(actor=care_coordinator.user, request=request)
    assert progress(care_coordinator, competency).label == "In progress"


def test_only_the_named_reviewer_decides(care_coordinator, supervisor, line_manager):
    competency = make_framework().competencies.get()
    request = ask(care_coordinator, competency, supervisor)
    for actor in (line_manager.user, care_coordinator.user):
        with pytest.raises(ValidationError):
            services.sign_off_record(actor=actor, request=request, level=3, comment="Seen.")
        with pytest.raises(ValidationError):
            services.sign_off_request_return(actor=actor, request=request, feedback="More.")
    request.refresh_from_db()
    assert request.status == "pending"
    assert not request.competency.sign_offs.exists()


def test_the_same_evidence_is_not_added_twice(care_coordinator):
    competency = make_framework().competencies.get()
    link = learning_evidence(care_coordinator, competency, "fire-safety")
    with pytest.raises(ValidationError, match="already evidence"):
        services.evidence_link_add(
            actor=care_coordinator.user, person=care_coordinator, competency=competency,
            kind=EvidenceKind.LEARNING_RECORD, target=link.target,
        )


def test_the_home_panel_counts_met_by_the_same_rule(
    care_coordinator, supervisor, line_manager, django_assert_num_queries
):
    """The home panel reads plain values (met_counts) but must agree with the full progress."""
    from competencies.panels import met_counts
    from competencies.views import framework_progress

    two_raters = make_framework("two-raters", count=4, signoffs_required=2)
    two_kinds = make_framework("two-kinds", count=2, evidence_kinds_required=2)
    a, b, c, d = two_raters.competencies.order_by("sort_order")
    for competency in (a, b, c):
        observe(care_coordinator, competency)
    sign(care_coordinator, a, supervisor, 3)
    sign(care_coordinator, a, line_manager, 3)  # met: two raters at target
    sign(care_coordinator, b, supervisor, 3)
    sign(care_coordinator, b, supervisor, 4)  # one rater twice: not met
    sign(care_coordinator, c, supervisor, 3)
    sign(care_coordinator, c, line_manager, 2)  # the second rater below target: not met
    e, f = two_kinds.competencies.order_by("sort_order")
    for competency in (e, f):
        learning_evidence(care_coordinator, competency, f"item-{competency.pk}")
        sign(care_coordinator, competency, supervisor, 3)
    observe(care_coordinator, e)  # two kinds: met
    withdrawn = observe(care_coordinator, f)
    services.evidence_link_withdraw(actor=care_coordinator.user, link=withdrawn)

    frameworks = list(Framework.objects.filter(pk__in=[two_raters.pk, two_kinds.pk]))
    with django_assert_num_queries(3):
        counts = met_counts(care_coordinator.pk, frameworks)
    full = framework_progress(care_coordinator.pk, frameworks)
    assert [(c.framework.pk, c.met, c.total) for c in counts] == [
        (s.framework.pk, s.met, s.total) for s in full
    ]
    assert {c.framework.code: (c.met, c.total) for c in counts} == {
        "two-raters": (1, 4), "two-kinds": (1, 2),
    }
