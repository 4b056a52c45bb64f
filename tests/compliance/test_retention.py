"""Retention: people who left long ago are anonymised; the evidence counts stay the same."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from competencies.models import EvidenceLink, SelfAssessment, SignOff, SignOffRequest
from lms.audit import verify_audit_chain
from lms.compliance.models import DirectoryEntry
from lms.compliance.retention import REMOVED, anonymised_username, apply_retention
from lms.models import (
    AuditEntry,
    DevelopmentGoal,
    EvidenceFile,
    GoalComment,
    LearningRecord,
    Person,
    Role,
)
from supervision.models import (
    Attendance,
    Reflection,
    ReflectionComment,
    SafeguardingDiscussion,
    SessionInvitation,
    SupervisionSession,
)
from tests.compliance.personal_data import fill
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def years_ago(years, days=0):
    return TODAY.replace(year=TODAY.year - years) - datetime.timedelta(days=days)


def leave(person, on):
    Person.objects.filter(pk=person.pk).update(left_on=on)
    person.refresh_from_db()
    return person


@pytest.fixture
def people(pcn, supervisor):
    """Three coordinators with records in every area: one who left seven years ago, one who
    left two years ago, one still here. Their supervisor left seven years ago too."""
    EmailAddress.objects.create(user=supervisor.user, email=supervisor.email, primary=True,
                                verified=True)
    old = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Olive", family_name="Oldham")
    recent = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Rita", family_name="Recent")
    staying = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Sue", family_name="Stay")
    for person, tag in ((old, "old"), (recent, "recent"), (staying, "staying")):
        fill(person, 2, supporter=supervisor, tag=tag)
        EmailAddress.objects.create(user=person.user, email=person.email, primary=True,
                                    verified=True)
    leave(old, years_ago(7))
    leave(recent, years_ago(2))
    leave(supervisor, years_ago(6, days=1))
    return {"old": old, "recent": recent, "staying": staying, "supervisor": supervisor}


def evidence_counts(pcn):
    """Aggregate counts the compliance evidence is built from."""
    year = TODAY.year - 1
    return {
        "sessions_held": SupervisionSession.objects.filter(care_coordinator__pcn=pcn).count(),
        "sessions_in_2025": SupervisionSession.objects.filter(
            care_coordinator__pcn=pcn, held_on__year=2025).count(),
        "sessions_last_year": SupervisionSession.objects.filter(held_on__year=year).count(),
        "learning_counted": LearningRecord.objects.counted().completed().count(),
        "sign_offs": SignOff.objects.count(),
        "sign_off_requests": SignOffRequest.objects.count(),
        "self_assessments": SelfAssessment.objects.count(),
        "evidence_links": EvidenceLink.objects.current().count(),
        "attended": SessionInvitation.objects.filter(attendance=Attendance.ATTENDED).count(),
        "safeguarding": SafeguardingDiscussion.objects.current().count(),
        "reflections": Reflection.objects.count(),
        "directory": DirectoryEntry.objects.count(),
        "files": EvidenceFile.objects.count(),
    }


def file_names(person):
    return [(f.file.storage, f.file.name) for f in EvidenceFile.objects.filter(owner=person)]


def test_anonymises_only_people_past_the_limit_and_keeps_counts(
    pcn, people, django_capture_on_commit_callbacks
):
    before = evidence_counts(pcn)
    old_files = file_names(people["old"])
    kept_files = file_names(people["recent"]) + file_names(people["staying"])

    with django_capture_on_commit_callbacks(execute=True):  # files go once committed
        results = apply_retention(years=6)

    assert sorted(r.person_id for r in results) == sorted(
        [people["old"].pk, people["supervisor"].pk])
    assert evidence_counts(pcn) == before

    old = Person.objects.select_related("user").get(pk=people["old"].pk)
    assert "Olive" not in old.full_name and "Oldham" not in old.full_name
    assert old.job_title == ""
    user = old.user
    assert user.username == anonymised_username(old) and user.email == ""
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()

    assert {r.notes for r in LearningRecord.objects.filter(person=old)} == {REMOVED}
    assert {g.description for g in DevelopmentGoal.objects.filter(person=old)} == {REMOVED}
    assert {c.text for c in GoalComment.objects.filter(goal__person=old)} == {REMOVED}
    assert {s.narrative for s in SelfAssessment.objects.filter(person=old)} == {REMOVED}
    assert {r.feelings for r in Reflection.objects.filter(author=old)} == {REMOVED}
    assert {c.text for c in ReflectionComment.objects.filter(reflection__author=old)} == {
        REMOVED}
    assert {(s.topics, s.notes) for s in SupervisionSession.objects.filter(
        care_coordinator=old)} == {(REMOVED, REMOVED)}
    assert {d.concern for d in SafeguardingDiscussion.objects.filter(
        care_coordinator=old)} == {REMOVED}
    assert {e.about for e in DirectoryEntry.objects.filter(person=old)} == {REMOVED}
    assert all(not e.display_name.startswith("Olive")
               for e in DirectoryEntry.objects.filter(person=old))
    # Files: gone from storage, rows kept.
    assert old_files and not any(storage.exists(name) for storage, name in old_files)
    assert {f.file.name for f in EvidenceFile.objects.filter(owner=old)} == {""}
    # Sign-offs the supervisor who left gave keep who signed, not their name.
    assert {s.assessor_name for s in SignOff.objects.filter(signed_by=people["supervisor"].user)
            } == {Person.objects.get(pk=people["supervisor"].pk).full_name}

    # Everyone else is untouched.
    for key, first in (("recent", "Rita"), ("staying", "Sue")):
        person = Person.objects.select_related("user").get(pk=people[key].pk)
        assert person.given_name == first and person.user.is_active
        assert REMOVED not in {r.notes for r in LearningRecord.objects.filter(person=person)}
    assert all(storage.exists(name) for storage, name in kept_files)
    assert EmailAddress.objects.filter(user=people["staying"].user).exists()


def test_one_audit_entry_per_person_and_the_chain_stays_intact(people):
    apply_retention(years=6)
    entries = AuditEntry.objects.filter(action="person.anonymise")
    assert sorted(int(e.object_id) for e in entries) == sorted(
        [people["old"].pk, people["supervisor"].pk])
    assert all(e.after["retention_years"] == 6 for e in entries)
    assert verify_audit_chain().breaks == []


def test_idempotent(pcn, people):
    apply_retention(years=6)
    after_first = evidence_counts(pcn)
    entries = AuditEntry.objects.count()
    assert apply_retention(years=6) == []
    assert AuditEntry.objects.count() == entries
    assert evidence_counts(pcn) == after_first
    out = io.StringIO()
    call_command("apply_retention", "--years", "6", stdout=out)
    assert "0 person(s)" in out.getvalue()


def test_dry_run_changes_nothing(pcn, people):
    before = evidence_counts(pcn)
    entries = AuditEntry.objects.count()
    files = file_names(people["old"])
    notes = sorted(LearningRecord.objects.filter(person=people["old"]).values_list(
        "notes", flat=True))
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"Would anonymise person {people['old'].pk}" in text
    assert "Dry run: nothing was changed." in text
    assert "Olive" not in text  # names are never printed
    old = Person.objects.select_related("user").get(pk=people["old"].pk)
    assert old.given_name == "Olive" and old.user.email == people["old"].email
    assert sorted(LearningRecord.objects.filter(person=old).values_list(
        "notes", flat=True)) == notes
    assert all(storage.exists(name) for storage, name in files)
    assert AuditEntry.objects.count() == entries
    assert evidence_counts(pcn) == before


def test_command_uses_the_setting_and_the_years_option(people):
    out = io.StringIO()
    with override_settings(RETENTION_YEARS=10):
        call_command("apply_retention", stdout=out)
    assert "0 person(s)" in out.getvalue()
    assert Person.objects.get(pk=people["old"].pk).given_name == "Olive"

    out = io.StringIO()
    call_command("apply_retention", "--years", "1", stdout=out)
    assert "3 person(s)" in out.getvalue()
    assert Person.objects.get(pk=people["recent"].pk).given_name != "Rita"
    assert Person.objects.get(pk=people["staying"].pk).given_name == "Sue"


def test_subject_access_after_retention_lists_files_as_missing(people):
    from lms.compliance.subject_access import subject_access_record

    apply_retention(years=6)
    old = Person.objects.get(pk=people["old"].pk)
    record = subject_access_record(old, user=old.user)
    assert record.counts["uploaded_files"] == 2
