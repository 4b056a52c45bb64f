"""`manage.py seed_scale`: the shape the benchmark needs, the promised records per coordinator,
the rules the services keep, determinism and the refusal to run twice. Never timing.

`--small` runs once for the module (with the curriculum and frameworks it seeds first) inside
a transaction rolled back afterwards.
"""

import datetime
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from competencies.models import (
    EvidenceKind,
    EvidenceLink,
    RequestStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
)
from competencies.services import current_supporters
from content.models import LearningItemPage
from lms import services
from lms.benchmark import scale, scale_text
from lms.benchmark.management.commands.seed_scale import Command as SeedScale
from lms.benchmark.scale import AS_OF, ScaleOptions, benchmark_subjects, national_shape
from lms.compliance.engine import pcn_compliance
from lms.models import (
    ICB,
    PCN,
    REQUIRED_SUPPORT_ROLES,
    AuditEntry,
    InductionPlanItem,
    LearningRecord,
    Person,
    Role,
    RoleAssignment,
)
from lms.support import coordinator_support
from supervision.identifier_guard import find_identifiers
from supervision.models import (
    Attendance,
    NetworkSession,
    Reflection,
    SessionInvitation,
    SupervisionSession,
)
from supervision.network_services import KIND_ITEM_CODES

SMALL = ScaleOptions(**scale.SMALL)


@dataclass(frozen=True)
class Seeded:
    output: str
    report: scale.ScaleReport


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """`seed_scale --small --digest` on an empty database, rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out, command = io.StringIO(), SeedScale()
        call_command(command, "--small", "--digest", stdout=out)
        yield Seeded(out.getvalue(), command.report)
        transaction.set_rollback(True)


def coordinators():
    return Person.objects.filter(role_assignments__role=Role.CARE_COORDINATOR).distinct()


def per_coordinator(queryset) -> float:
    return queryset.count() / coordinators().count()


# --- the national shape (no database) -------------------------------------------------------


def test_the_default_shape_is_national_with_the_big_icb_first():
    shape = national_shape(ScaleOptions())
    pcns = [pcn for icb in shape for pcn in icb.pcns]
    assert (len(shape), len(pcns), sum(p.coordinators for p in pcns)) == (42, 1250, 10_000)
    big = shape[0]
    sizes = [pcn.coordinators for pcn in big.pcns]
    assert (len(big.pcns), sum(sizes)) == (30, 1000)
    assert (sizes.count(30), sizes.count(1)) == (1, 1)
    assert big.ods_code == min(icb.ods_code for icb in shape)
    assert all(icb.name.startswith("NHS ") and icb.name.endswith(" Integrated Care Board")
               for icb in shape)
    assert len({p.ods_code for p in pcns}) == 1250
    assert all(3 <= p.practices <= 8 for p in pcns)
    others = [pcn.coordinators for icb in shape[1:] for pcn in icb.pcns]
    assert 7 <= sum(others) / len(others) <= 8


def test_the_small_shape_keeps_the_benchmark_subjects():
    shape = national_shape(SMALL)
    assert len(shape) == 2
    sizes = [pcn.coordinators for pcn in shape[0].pcns]
    assert 30 in sizes and 1 in sizes
    assert sum(p.coordinators for icb in shape for p in icb.pcns) == 45


def test_the_shape_is_the_same_for_the_same_seed_and_differs_for_another():
    assert national_shape(ScaleOptions()) == national_shape(ScaleOptions())
    assert national_shape(ScaleOptions()) != national_shape(ScaleOptions(seed=7))


def test_blocks_never_cross_an_icb():
    for icb in national_shape(ScaleOptions()):
        assert [p for block in scale.blocks(icb) for p in block] == list(icb.pcns)


def test_too_few_coordinators_for_the_pcns_is_refused():
    with pytest.raises(scale.ScaleError, match="too few"):
        national_shape(ScaleOptions(icbs=2, pcns=40, coordinators=50))


def test_no_generated_text_looks_like_a_patient_identifier():
    flagged = [s for s in scale_text.all_texts() if find_identifiers(s)]
    assert flagged == []


# --- --small on the database ---------------------------------------------------------------


@pytest.mark.django_db
class TestSmallDataset:
    def test_it_seeds_the_curriculum_and_frameworks_first_and_reports_progress(self, seeded):
        assert LearningItemPage.objects.live().count() == 92
        assert "Generating 2 ICBs, 6 PCNs, 45 care coordinators" in seeded.output
        assert "rows/s" in seeded.output
        assert f"{seeded.report.rows:,} rows for 45 care coordinators" in seeded.output

    def test_every_coordinator_has_the_promised_records(self, seeded):
        assert coordinators().count() == 45
        assert per_coordinator(LearningRecord.objects.all()) == 60
        assert per_coordinator(InductionPlanItem.objects.all()) == (
            LearningItemPage.objects.live().filter(in_induction=True).count())
        assessed = SelfAssessment.objects.values("person_id", "competency_id").distinct()
        assert assessed.count() / 45 == 40
        assert 30 <= per_coordinator(SignOff.objects.all()) <= 40
        assert 40 <= per_coordinator(SupervisionSession.objects.all()) <= 60
        assert 24 <= per_coordinator(Reflection.objects.all()) <= 36
        attended = SessionInvitation.objects.filter(attendance=Attendance.ATTENDED)
        assert 20 <= per_coordinator(attended) <= 30

    def test_records_come_in_every_state(self, seeded):
        stages = Counter(LearningRecord.objects.values_list("stage", flat=True))
        assert set(stages) == {"completed", "in_progress", "enrolled", "planned",
                               "not_required"}
        assert LearningRecord.objects.filter(verified_at__isnull=False).exists()
        expired = [r for r in LearningRecord.objects.select_related("item")
                   .filter(item__refresher_months__isnull=False, stage="completed")
                   if r.status(AS_OF) == "expired"]
        assert expired
        statuses = Counter(SignOffRequest.objects.values_list("status", flat=True))
        assert statuses[RequestStatus.SIGNED_OFF] > statuses[RequestStatus.PENDING] > 0
        assert statuses[RequestStatus.RETURNED] > 0
        assert SignOff.objects.filter(superseded_by__isnull=False).exists()
        assert SupervisionSession.objects.awaiting_confirmation().exists()
        assert NetworkSession.objects.filter(starts_at__date__gt=AS_OF).exists()

    def test_the_subjects_are_found_by_query(self, seeded):
        subjects = benchmark_subjects()
        current = RoleAssignment.objects.current(AS_OF).care_coordinators()
        assert subjects.icb == ICB.objects.order_by("ods_code").first()
        assert current.filter(pcn=subjects.pcn_30).count() == 30
        assert current.filter(pcn=subjects.pcn_1).count() == 1
        assert {subjects.pcn_30.icb_id, subjects.pcn_1.icb_id} == {subjects.icb.pk}
        biggest = (current.values("pcn__icb_id").annotate(n=Count("pk")).order_by("-n")
                   .first()["pcn__icb_id"])
        assert biggest == subjects.icb.pk
        assert subjects.coordinator.pcn == subjects.pcn_30
        assert SignOffRequest.objects.for_reviewer(subjects.supervisor).exists()
        roles = RoleAssignment.objects.current(AS_OF)
        assert roles.filter(person=subjects.pcn_manager, role=Role.PCN_MANAGER,
                            pcn=subjects.pcn_30).exists()
        assert roles.filter(person=subjects.pcn_1_manager, role=Role.PCN_MANAGER,
                            pcn=subjects.pcn_1).exists()
        assert roles.filter(person=subjects.icb_viewer, role=Role.ICB_VIEWER,
                            icb=subjects.icb).exists()

    def test_every_coordinator_has_the_required_support_named(self, seeded):
        rows = coordinator_support(RoleAssignment.objects.all(), AS_OF)
        assert len(rows) == 45
        assert [row for row in rows if row.missing] == []
        assert all(row.line_managers for row in rows)
        for row in rows:
            for role in REQUIRED_SUPPORT_ROLES:
                assert all(p.pcn_id == row.person.pcn_id for p in row.named(role))

    def test_pending_requests_wait_in_a_current_supervisors_queue(self, seeded):
        pending = SignOffRequest.objects.pending().select_related("person")
        assert pending.exists()
        for request in pending:
            assert current_supporters(request.person, AS_OF).filter(
                pk=request.reviewer_id).exists()
        reviewers = set(pending.values_list("reviewer_id", flat=True))
        assert any(SignOffRequest.objects.for_reviewer(Person.objects.get(pk=pk)).exists()
                   for pk in reviewers)

    def test_sign_offs_keep_the_rules_of_sign_off_record(self, seeded):
        for sign_off in SignOff.objects.select_related("request__reviewer").prefetch_related(
                "request__evidence"):
            request = sign_off.request
            assert request.status == RequestStatus.SIGNED_OFF
            assert sign_off.evidence_snapshot == request.evidence_snapshot
            assert sign_off.rater_key == f"user:{sign_off.signed_by_id}"
            assert sign_off.signed_at == request.decided_at > request.created_at
            assert request.reviewer.user_id == sign_off.signed_by_id
            assert {e["id"] for e in request.evidence_snapshot} == {
                link.pk for link in request.evidence.all()}
        for old in SignOff.objects.filter(superseded_by__isnull=False).select_related(
                "superseded_by"):
            newer = old.superseded_by
            assert (newer.rater_key, newer.competency_id) == (old.rater_key, old.competency_id)
            assert old.superseded_at == newer.signed_at > old.signed_at

    def test_confirmed_sessions_and_complete_reflections_are_evidence(self, seeded):
        confirmed = SupervisionSession.objects.confirmed().filter(competencies__isnull=False)
        assert confirmed.exists()
        for session in confirmed.distinct()[:50]:
            linked = set(EvidenceLink.objects.filter(
                kind=EvidenceKind.SUPERVISION_SESSION, object_id=session.pk,
                person_id=session.care_coordinator_id).values_list("competency_id", flat=True))
            assert linked == set(session.competencies.values_list("pk", flat=True))
            assert session.confirmed_by_id != session.recorded_by_id
        complete = Reflection.objects.filter(status="complete", competencies__isnull=False)
        assert complete.exists()
        for reflection in complete.distinct()[:50]:
            assert EvidenceLink.objects.filter(
                kind=EvidenceKind.REFLECTION, object_id=reflection.pk).count() == (
                reflection.competencies.count())

    def test_attendance_credits_the_hours_in_the_learning_records(self, seeded):
        credited = defaultdict(Decimal)
        for person_id, kind, hours in SessionInvitation.objects.filter(
                cpd_hours_credited__gt=0).values_list("person_id", "session__kind",
                                                      "cpd_hours_credited"):
            credited[(person_id, KIND_ITEM_CODES[kind])] += hours
        assert credited
        records = {
            (r.person_id, r.item.code): r for r in LearningRecord.objects.filter(
                item__code__in=KIND_ITEM_CODES.values()).select_related("item")
        }
        assert set(records) == set(credited)
        for key, hours in credited.items():
            assert records[key].cpd_hours == hours
            assert records[key].stage == "completed"
        assert not SessionInvitation.objects.filter(
            attendance__in=[Attendance.ABSENT, Attendance.APOLOGIES],
            cpd_hours_credited__gt=0).exists()

    def test_nothing_is_dated_after_the_anchor_date_and_nothing_is_audited(self, seeded):
        assert not LearningRecord.objects.filter(completed_on__gt=AS_OF).exists()
        assert not SupervisionSession.objects.filter(held_on__gt=AS_OF).exists()
        assert not Reflection.objects.filter(reflected_on__gt=AS_OF).exists()
        end = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
        assert not SignOff.objects.filter(signed_at__gte=end).exists()
        assert not EvidenceLink.objects.filter(added_at__gte=end).exists()
        generated = {model._meta.label_lower for model in (
            Person, RoleAssignment, LearningRecord, SupervisionSession, Reflection, SignOff,
            SignOffRequest, EvidenceLink, NetworkSession, SessionInvitation)}
        assert not AuditEntry.objects.filter(object_type__in=generated).exists()
        assert not any(user.has_usable_password() for user in get_user_model().objects.all())

    def test_the_compliance_engine_finds_mostly_met_requirements_and_some_gaps(self, seeded):
        statuses = Counter()
        for pcn in PCN.objects.all():
            for result in pcn_compliance(pcn, AS_OF):
                statuses.update((code, r.status) for code, r in result.results.items())
        for code in ("1a", "1b", "2", "3", "5", "6", "7", "SMT", "IND"):
            met = statuses[(code, "met")]
            assert met > sum(n for (c, _s), n in statuses.items() if c == code) / 2, code
        assert sum(n for (_c, status), n in statuses.items() if status == "not_met") > 0

    def test_the_database_carries_on_after_the_generated_ids(self, seeded):
        pcn = PCN.objects.first()
        person = services.person_create(actor=None, email="new.starter@example.org",
                                        given_name="New", family_name="Starter", pcn=pcn)
        assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").first().pk
        assignment = services.role_assign(actor=None, person=person,
                                           role=Role.CARE_COORDINATOR, starts_on=AS_OF, pcn=pcn)
        assert assignment.pk

    def test_the_same_options_give_the_same_rows(self, seeded):
        report = seeded.report
        assert f"Digest of the generated rows: {report.digest}" in seeded.output
        # The rows the run wrote, generated again from the same first ids without writing.
        assert scale.plan_digest(SMALL, report.start_ids) == report.digest
        assert scale.plan_digest(ScaleOptions(**scale.SMALL, seed=7),
                                 report.start_ids) != report.digest

    def test_a_second_run_is_refused(self, seeded):
        with pytest.raises(CommandError, match="fresh database"):
            call_command("seed_scale", "--small", stdout=io.StringIO())
