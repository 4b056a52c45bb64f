"""Evidence rows are append-only: `manage.py verify_audit` names every sign-off, request,
supervision record, safeguarding log, learning record or issued pack whose columns no longer
read as its audit entries recorded them (changed by SQL, bypassing the services), and code
cannot save such a change to settled evidence through the ORM."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competencies import services as competency_services
from competencies.models import RequestStatus, SignOff, SignOffRequest
from lms import services as lms_services
from lms.audit_evidence import (
    EVIDENCE_KINDS,
    EvidenceEditedInPlace,
    evidence_mismatches,
)
from lms.compliance import packs
from lms.compliance.models import IssuedPack
from lms.compliance.retention import person_anonymise
from lms.models import AuditEntry, LearningRecord, LearningStatus, Role
from supervision import safeguarding_services, session_services
from supervision.models import SafeguardingDiscussion, SessionAddendum, SupervisionSession
from tests.competencies.test_progress_rules import make_framework
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item
from tests.lms.test_audit_chain import verify
from tests.supervision.test_safeguarding import CONCERN, OUTCOME, logged
from tests.supervision.test_sessions import AS_OF as SESSION_AS_OF
from tests.supervision.test_sessions import TOPICS, confirmed, recorded

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
PACK_AS_OF = datetime.date(2025, 11, 14)


def assert_intact():
    ok, out, err = verify()
    assert ok, err
    assert "The audit trail is intact" in out and "evidence rows match it" in out


def reported(expected_count=1) -> str:
    ok, _, err = verify()
    assert not ok
    assert f"{expected_count} difference(s) between" in err
    return err


def newest_entry(obj) -> AuditEntry:
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-pk").first()


@pytest.fixture
def competency(db):
    return make_framework("evidence-audit", count=2).competencies.order_by("sort_order").first()


@pytest.fixture
def safeguarding_gp(pcn, care_coordinator):
    return make_person(Role.SAFEGUARDING_GP, pcn=pcn, care_coordinator=care_coordinator,
                       given_name="Isaac", family_name="Brown")


def ask(cc, competency, reviewer):
    return competency_services.sign_off_request_create(
        actor=cc.user, person=cc, competency=competency, reviewer=reviewer)


def signed(cc, competency, supervisor, level=3):
    return competency_services.sign_off_record(
        actor=supervisor.user, request=ask(cc, competency, supervisor), level=level,
        comment="Saw her run the multidisciplinary meeting.")


# --- each kind: written through its service, then changed by SQL -----------------------------


def test_a_returned_request_whose_outcome_is_changed_by_sql_is_named(
    care_coordinator, supervisor, competency
):
    request = ask(care_coordinator, competency, supervisor)
    competency_services.sign_off_request_return(
        actor=supervisor.user, request=request, feedback="Add an observation first.")
    assert_intact()

    SignOffRequest.objects.filter(pk=request.pk).update(status=RequestStatus.SIGNED_OFF)
    err = reported()
    assert (f"Sign-off request {request.pk}: status is 'signed_off' but the audit trail "
            f"recorded 'returned' (entry {newest_entry(request).pk})") in err


def test_a_signed_off_request_and_its_sign_off_match_until_the_level_is_raised_by_sql(
    care_coordinator, supervisor, competency
):
    first = signed(care_coordinator, competency, supervisor, level=2)
    # A later sign-off by the same supervisor supersedes the first: a service change.
    second = signed(care_coordinator, competency, supervisor, level=3)
    first.refresh_from_db()
    assert first.superseded_by_id == second.pk
    assert_intact()

    SignOff.objects.filter(pk=second.pk).update(level=4)
    SignOff.objects.filter(pk=first.pk).update(superseded_by=None, superseded_at=None)
    err = reported(2)
    assert f"Sign-off {second.pk}: level is 4 but the audit trail recorded 3" in err
    assert (f"Sign-off {first.pk}: superseded_by is null but the audit trail recorded "
            f"{second.pk}") in err


def test_a_confirmed_session_and_its_addendum_changed_by_sql_are_named(
    care_coordinator, supervisor
):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    confirmed(session, supervisor, comment="An accurate record.")
    addendum = session_services.session_addendum_add(
        actor=supervisor.user, session=session, by=supervisor,
        text="We also agreed a peer shadowing day.")
    assert_intact()

    SupervisionSession.objects.filter(pk=session.pk).update(
        topics="Nothing of note.", confirmation_comment="")
    SessionAddendum.objects.filter(pk=addendum.pk).update(text="No further comment.")
    err = reported(3)
    assert (f"Supervision session {session.pk}: topics is 'Nothing of note.' but the audit "
            f"trail recorded {TOPICS!r}") in err
    assert (f"Supervision session {session.pk}: comment is '' but the audit trail recorded "
            "'An accurate record.'") in err
    assert (f"Supervision session addendum {addendum.pk}: text is 'No further comment.' but "
            "the audit trail recorded 'We also agreed a peer shadowing day.'") in err


def test_a_session_confirmed_by_sql_has_no_audited_confirmation(care_coordinator, supervisor):
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    assert_intact()  # waiting for confirmation, as recorded
    SupervisionSession.objects.filter(pk=session.pk).update(
        confirmed_at=datetime.datetime(2025, 6, 2, 10, tzinfo=datetime.UTC),
        confirmed_by=supervisor)
    err = reported()
    assert (f"Supervision session {session.pk}: confirmed_by is {supervisor.pk} but the audit "
            "trail never recorded it") in err


def test_a_safeguarding_log_changed_by_sql_is_named_without_its_text(
    care_coordinator, safeguarding_gp
):
    discussion = logged(care_coordinator, safeguarding_gp,
                        follow_up_on=datetime.date(2026, 3, 16))
    safeguarding_services.safeguarding_addendum_add(
        actor=safeguarding_gp.user, discussion=discussion, added_by=safeguarding_gp,
        text="Visit done.", records_follow_up=True, as_of=datetime.date(2026, 3, 16))
    assert_intact()  # the follow-up recorded by the addendum is a service change

    SafeguardingDiscussion.objects.filter(pk=discussion.pk).update(
        outcome="Nothing to do.", category="other")
    err = reported(2)
    entry = newest_entry(discussion)
    assert (f"Safeguarding discussion {discussion.pk}: outcome is not the text the audit "
            f"trail recorded (entry {entry.pk})") in err
    assert (f"Safeguarding discussion {discussion.pk}: category is 'other' but the audit "
            f"trail recorded 'abuse' (entry {entry.pk})") in err
    for text in ("Nothing to do", OUTCOME, CONCERN):
        assert text not in err


def test_a_learning_record_corrected_through_the_service_matches_but_sql_does_not(
    care_coordinator, supervisor
):
    item = learning_item(curriculum_section(), "fire-safety", title="Fire safety")
    record = lms_services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.COMPLETED, completed_on=datetime.date(2025, 3, 4),
        certificate=SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"))
    lms_services.learning_record_verify(actor=supervisor.user, record=record)
    assert_intact()
    # The coordinator corrects the date: verification is undone and audited with it.
    record = lms_services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        completed_on=datetime.date(2025, 3, 5))
    assert record.verified_at is None
    lms_services.learning_record_verify(actor=supervisor.user, record=record)
    assert_intact()

    LearningRecord.objects.filter(pk=record.pk).update(completed_on=datetime.date(2025, 9, 1))
    err = reported()
    assert (f"Learning record {record.pk}: completed_on is '2025-09-01' but the audit trail "
            "recorded '2025-03-05'") in err


def test_a_verification_added_by_sql_is_named(care_coordinator, supervisor):
    item = learning_item(curriculum_section(), "fire-safety", title="Fire safety")
    record = lms_services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.COMPLETED, completed_on=datetime.date(2025, 3, 4))
    LearningRecord.objects.filter(pk=record.pk).update(
        verified_by=supervisor.user, verified_at=datetime.datetime(2025, 3, 6, tzinfo=datetime.UTC))
    err = reported(2)
    assert f"Learning record {record.pk}: verified_by is {supervisor.user.pk} but" in err
    assert (f"Learning record {record.pk}: verified_at is '2025-03-06T00:00:00Z' but the audit "
            "trail recorded null") in err


def test_an_issued_packs_fingerprint_changed_by_sql_is_named(pcn, pcn_manager, care_coordinator):
    pack, _pdf = packs.coordinator_pack_issue(
        actor=pcn_manager.user, person=care_coordinator, pcn=pcn, as_of=PACK_AS_OF)
    assert_intact()

    IssuedPack.objects.filter(pk=pack.pk).update(fingerprint="0" * 64)
    err = reported()
    assert (f"Issued evidence pack {pack.pk}: fingerprint is '{'0' * 64}' but the audit trail "
            f"recorded '{pack.fingerprint}'") in err


def test_a_row_written_without_the_services_is_named(care_coordinator, supervisor, competency):
    request = ask(care_coordinator, competency, supervisor)
    inserted = SignOff.objects.create(
        request=request, person=care_coordinator, competency=competency, level=4,
        comment="Typed in by hand.", rater_key="user:0", assessor_name="Nobody")
    err = reported()
    assert (f"Sign-off {inserted.pk}: it has no audit entry: it was not written through the "
            "services") in err


def test_chain_only_skips_the_rows_for_a_database_loaded_without_the_services(
    care_coordinator, supervisor, competency
):
    SignOff.objects.filter(pk=signed(care_coordinator, competency, supervisor).pk).update(level=4)
    out = io.StringIO()
    call_command("verify_audit", "--chain-only", stdout=out)
    assert "The audit trail is intact" in out.getvalue()
    assert "evidence rows" not in out.getvalue()
    assert "Sign-off" in reported()


def test_text_removed_under_retention_is_not_a_change_in_place(
    care_coordinator, supervisor, safeguarding_gp, competency
):
    signed(care_coordinator, competency, supervisor)
    confirmed(recorded(care_coordinator, care_coordinator, [supervisor]), supervisor,
              comment="Accurate.")
    logged(care_coordinator, safeguarding_gp)
    person_anonymise(actor=None, person=care_coordinator, years=6)
    assert SupervisionSession.objects.get().topics != TOPICS  # the text really went
    assert_intact()


# --- the guard: settled evidence is not saved with a change -----------------------------------


def test_settled_evidence_cannot_be_changed_through_the_orm(
    pcn, pcn_manager, care_coordinator, supervisor, competency
):
    sign_off = signed(care_coordinator, competency, supervisor)
    session = confirmed(recorded(care_coordinator, care_coordinator, [supervisor]), supervisor)
    pack, _pdf = packs.coordinator_pack_issue(
        actor=pcn_manager.user, person=care_coordinator, pcn=pcn, as_of=PACK_AS_OF)
    changes = [
        (SignOff, sign_off.pk, "level", 4),
        (SignOffRequest, sign_off.request_id, "status", RequestStatus.RETURNED),
        (SupervisionSession, session.pk, "topics", "Something else."),
        (IssuedPack, pack.pk, "fingerprint", "0" * 64),
    ]
    for model, pk, name, value in changes:
        row = model.objects.get(pk=pk)
        setattr(row, name, value)
        with pytest.raises(EvidenceEditedInPlace, match=f"{name} cannot be changed in place"):
            row.save()
        with pytest.raises(EvidenceEditedInPlace):
            row.save(update_fields=[name])
    # Nor the instance a service has just settled.
    request = ask(care_coordinator, competency, supervisor)
    request = competency_services.sign_off_request_return(
        actor=supervisor.user, request=request, feedback="Add an observation.")
    request.feedback = "Looks fine."
    with pytest.raises(EvidenceEditedInPlace, match="feedback cannot be changed in place"):
        request.save()
    assert_intact()


def test_unsettled_rows_and_later_columns_are_still_saved(
    care_coordinator, supervisor, competency
):
    # Before confirmation the recorder corrects the record: allowed, and audited.
    session = recorded(care_coordinator, care_coordinator, [supervisor])
    session_services.supervision_session_update(
        actor=care_coordinator.user, session=session, by=care_coordinator,
        session_type=session.session_type, held_on=session.held_on, duration_minutes=45,
        supervisors=[supervisor], mode=session.mode, topics="Caseload only.",
        as_of=SESSION_AS_OF)
    row = SupervisionSession.objects.get(pk=session.pk)
    assert (row.duration_minutes, row.topics) == (45, "Caseload only.")
    # A settled sign-off still takes columns it does not lock (retention scrubs snapshots).
    sign_off = SignOff.objects.get(pk=signed(care_coordinator, competency, supervisor).pk)
    sign_off.evidence_snapshot = []
    sign_off.save(update_fields=["evidence_snapshot"])
    assert_intact()


# --- the check reads in chunks, with queries that do not grow with the rows ------------------


def check_queries(chunk_size=1000) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = evidence_mismatches(chunk_size=chunk_size)
    assert report.mismatches == []
    return len(queries)


def test_the_check_makes_the_same_queries_for_one_row_or_many(
    care_coordinator, supervisor, competency
):
    signed(care_coordinator, competency, supervisor)
    confirmed(recorded(care_coordinator, care_coordinator, [supervisor]), supervisor)
    few = check_queries()
    for _ in range(4):
        signed(care_coordinator, competency, supervisor)
        confirmed(recorded(care_coordinator, care_coordinator, [supervisor]), supervisor)
    assert check_queries() == few
    # Requests, sign-offs and sessions: their rows, then their audit entries (one chunk each);
    # every other kind: one query that finds no rows.
    assert few == 2 * 3 + (len(EVIDENCE_KINDS) - 3)


def test_small_chunks_find_the_same_change(care_coordinator, supervisor, competency):
    sign_offs = [signed(care_coordinator, competency, supervisor, level=n) for n in (1, 2, 3)]
    assert check_queries(chunk_size=2) > check_queries()  # more chunks, same rows
    SignOff.objects.filter(pk=sign_offs[1].pk).update(level=4)
    report = evidence_mismatches(chunk_size=1)
    assert [(m.kind.name, m.row_id) for m in report.mismatches] == [("Sign-off", sign_offs[1].pk)]
    assert report.rows == 6  # three sign-offs and their three requests
