"""send_reminders: who gets what, once a day (managers once a week), plain text and HTML."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from content.models import Kind
from lms import services
from lms.models import InductionPlanItem, ReminderSent, Role
from lms.reminders import (
    COORDINATOR_DUE,
    MANAGER_DIGEST,
    SUPERVISOR_VERIFY,
    coordinators_due,
    week_start,
)
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TUESDAY = D(2026, 12, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def items(db):
    section = curriculum_section()
    return {
        "ig": learning_item(section, "information-governance", refresher_months=12,
                            title="Information governance"),
        "fire": learning_item(section, "fire-safety", refresher_months=24, title="Fire safety"),
        "local": learning_item(section, "local-induction", kind=Kind.LOCAL_INDUCTION,
                               title="Local induction", in_induction=True, induction_week=2),
    }


def complete(person, item, completed_on, **extra):
    return services.learning_record_save(
        actor=person.user, person=person, item=item, stage="completed",
        completed_on=completed_on, as_of=TUESDAY, **extra,
    )


@pytest.fixture
def world(items, care_coordinator, supervisor, pcn_manager, pcn, other_pcn,
          other_coordinator, other_pcn_manager):
    # Amira: information governance expires 20 December (within 30 days), fire safety
    # not for a year, local induction overdue; her fire safety certificate awaits checking.
    complete(care_coordinator, items["ig"], D(2025, 12, 20))
    complete(care_coordinator, items["fire"], D(2025, 6, 1),
             certificate=SimpleUploadedFile("fire.pdf", PDF))
    InductionPlanItem.objects.create(person=care_coordinator, item=items["local"],
                                     due_on=D(2026, 11, 1))
    # Dev, another PCN: expiring too.
    complete(other_coordinator, items["ig"], D(2025, 12, 10))
    # People who must hear nothing: left; role ended; never due.
    left = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Lee", family_name="Left",
                       left_on=D(2026, 10, 1))
    complete(left, items["ig"], D(2025, 12, 20))
    ended = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ena", family_name="Ended")
    ended.role_assignments.update(ends_on=D(2026, 11, 1))
    complete(ended, items["ig"], D(2025, 12, 20))
    inactive = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Ina", family_name="Active")
    inactive.user.is_active = False
    inactive.user.save()
    complete(inactive, items["ig"], D(2025, 12, 20))
    up_to_date = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Una", family_name="Fine")
    complete(up_to_date, items["fire"], D(2026, 6, 1))
    # A former supervisor of Amira (role ended): no verification email.
    former = make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=care_coordinator,
                         given_name="Fay", family_name="Former")
    former.role_assignments.update(ends_on=D(2026, 6, 1))
    return {"left": left, "ended": ended, "inactive": inactive, "up_to_date": up_to_date,
            "former": former}


def sent(kind=None):
    subjects = {
        COORDINATOR_DUE: "Your learning", SUPERVISOR_VERIFY: "waiting for you",
        MANAGER_DIGEST: "Weekly learning digest",
    }
    return sorted(
        m.to[0] for m in mail.outbox if kind is None or subjects[kind] in m.subject
    )


def run(day, *args):
    call_command("send_reminders", "--date", day.isoformat(), *args, stdout=open("/dev/null", "w"))


def test_the_right_people_get_the_right_reminders(world, care_coordinator, supervisor,
                                                  pcn_manager, other_coordinator,
                                                  other_pcn_manager):
    run(TUESDAY)
    assert sent(COORDINATOR_DUE) == sorted([care_coordinator.email, other_coordinator.email])
    assert sent(SUPERVISOR_VERIFY) == [supervisor.email]
    assert sent(MANAGER_DIGEST) == sorted([pcn_manager.email, other_pcn_manager.email])
    assert len(mail.outbox) == 5

    digest = next(m for m in mail.outbox if m.to == [pcn_manager.email])
    assert "Amira Khan" in digest.body and "Dev Patel" not in digest.body
    for name in ("Lee Left", "Ena Ended", "Ina Active", "Una Fine"):
        assert name not in digest.body


def test_email_has_plain_text_and_html_with_absolute_links(world, care_coordinator, settings):
    settings.SITE_URL = "https://coordinate.example.nhs.uk"
    run(TUESDAY)
    message = next(m for m in mail.outbox if m.to == [care_coordinator.email])
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for part in (message.body, html):
        assert "Information governance" in part
        assert "20 December 2026" in part
        assert "Local induction" in part  # overdue induction task
        assert "Fire safety" not in part  # expires in 2027
        assert "https://coordinate.example.nhs.uk/" in part
    assert "<a href=\"https://coordinate.example.nhs.uk/\"" in html


def test_same_day_twice_sends_once_next_day_again_digest_weekly(
    world, care_coordinator, supervisor, pcn_manager
):
    run(TUESDAY)
    first = len(mail.outbox)
    run(TUESDAY)
    assert len(mail.outbox) == first  # nobody gets the same reminder twice in a day
    assert ReminderSent.objects.filter(kind=COORDINATOR_DUE, sent_on=TUESDAY).count() == 2

    mail.outbox.clear()
    run(TUESDAY + datetime.timedelta(days=1))
    assert care_coordinator.email in sent(COORDINATOR_DUE)
    assert sent(SUPERVISOR_VERIFY) == [supervisor.email]
    assert sent(MANAGER_DIGEST) == []  # already had this week's digest

    mail.outbox.clear()
    run(D(2026, 12, 7))  # next Monday
    assert pcn_manager.email in sent(MANAGER_DIGEST)
    assert ReminderSent.objects.get(person=pcn_manager, sent_on=D(2026, 12, 7)).kind == (
        MANAGER_DIGEST
    )


def test_dry_run_sends_and_records_nothing(world):
    run(TUESDAY, "--dry-run")
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_a_failed_send_is_not_recorded_and_is_retried(world, care_coordinator, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def flaky(self, *args, **kwargs):
        if self.to == [care_coordinator.email]:
            raise OSError("mail server down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with pytest.raises(Exception, match="retry"):
        run(TUESDAY)
    assert not ReminderSent.objects.filter(person=care_coordinator).exists()
    assert len(mail.outbox) == 4  # everyone else was still emailed
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    run(TUESDAY)
    assert len(mail.outbox) == 5


def test_verified_certificates_stop_the_supervisor_reminder(world, care_coordinator, supervisor):
    for record in care_coordinator.learning_records.all():
        services.learning_record_verify(actor=supervisor.user, record=record)
    run(TUESDAY)
    assert sent(SUPERVISOR_VERIFY) == []


def test_support_role_for_a_coordinator_in_another_pcn_is_scoped_to_that_coordinator(
    world, supervisor, other_coordinator, other_pcn
):
    # Grace also supports Dev: she is told about Dev's certificate, not anyone else's.
    RoleAssignmentFactory(person=supervisor, role=Role.LINE_MANAGER,
                          care_coordinator=other_coordinator, pcn=other_pcn)
    run(TUESDAY)
    message = next(m for m in mail.outbox if m.to == [supervisor.email])
    assert "Amira Khan" in message.body and "Dev Patel" not in message.body  # Dev has none


def test_reminder_rules_use_bounded_queries(world, pcn, items, django_assert_max_num_queries):
    for n in range(10):
        person = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name=f"Extra{n}")
        complete(person, items["ig"], D(2025, 12, 20))
    with django_assert_max_num_queries(4):
        due = coordinators_due(TUESDAY)
    assert len(due) == 12
    assert week_start(TUESDAY) == D(2026, 11, 30)
