"""Status, expiry, PCI training status and induction progress, with fixed dates."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from content.models import Kind
from lms import services
from lms.learning import PCIState, TaskStatus, induction_progress, pci_training_status
from lms.models import LearningStatus, add_months
from tests.curriculum import curriculum_section, learning_item

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def section(db):
    return curriculum_section()


def test_add_months_clamps_to_month_end():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


def test_completion_expires_after_the_refresher_period(section, care_coordinator):
    ig = learning_item(section, "information-governance", refresher_months=12)
    record = services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=ig,
        stage=LearningStatus.COMPLETED, completed_on=D(2025, 3, 10), as_of=D(2026, 1, 1),
    )
    assert record.expires_on == D(2026, 3, 10)
    assert record.status(D(2026, 3, 9)) == LearningStatus.COMPLETED
    assert record.status(D(2026, 3, 10)) == LearningStatus.EXPIRED
    # Changing the item's refresher period changes the status at once: nothing stored stale.
    ig.refresher_months = 24
    ig.save()
    record.refresh_from_db()
    assert record.status(D(2026, 3, 10)) == LearningStatus.COMPLETED


def test_item_without_refresher_never_expires(section, care_coordinator):
    item = learning_item(section, "local-induction", kind=Kind.LOCAL_INDUCTION)
    record = services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.COMPLETED, completed_on=D(2020, 1, 1), as_of=D(2026, 1, 1),
    )
    assert record.status(D(2040, 1, 1)) == LearningStatus.COMPLETED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"stage": "completed", "completed_on": D(2026, 2, 1)}, "completed_on", "future"),
        ({"stage": "completed", "enrolled_on": D(2025, 5, 1), "completed_on": D(2025, 4, 1)},
         "completed_on", "on or after the enrolment date"),
        ({"stage": "completed"}, "completed_on", "Enter the date you completed it"),
        ({"stage": "not_required"}, "not_required_reason", "Say why"),
    ],
)
def test_bad_dates_are_field_errors(section, care_coordinator, fields, field, message):
    item = learning_item(section, "fire-safety")
    with pytest.raises(ValidationError) as error:
        services.learning_record_save(
            actor=care_coordinator.user, person=care_coordinator, item=item,
            as_of=D(2026, 1, 1), **fields,
        )
    assert message in " ".join(error.value.message_dict[field])


def test_second_save_updates_the_one_record_and_audit_keeps_the_old_value(
    section, care_coordinator
):
    from lms.models import AuditEntry, LearningRecord

    item = learning_item(section, "fire-safety")
    first = services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.ENROLLED, enrolled_on=D(2025, 5, 1), as_of=D(2026, 1, 1),
    )
    second = services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.COMPLETED, completed_on=D(2025, 6, 1), as_of=D(2026, 1, 1),
    )
    assert first.pk == second.pk
    assert LearningRecord.objects.count() == 1
    update = AuditEntry.objects.get(action="learning_record.update")
    assert update.before["stage"] == "enrolled"
    assert update.after["stage"] == "completed"


def pci_record(person, item, **fields):
    return services.learning_record_save(
        actor=person.user, person=person, item=item, as_of=D(2026, 6, 1), **fields
    )


def test_pci_status_moves_from_enrolled_to_undertaking_to_qualified(section, care_coordinator):
    module = learning_item(section, "pci-core-skills", kind=Kind.PCI_ELEARNING,
                           provider="Personalised Care Institute", pci_assured=True)
    course = learning_item(section, "pci-health-coaching", kind=Kind.PCI_COURSE,
                           provider="Assured provider", pci_assured=True)
    records = lambda: list(care_coordinator.learning_records.with_item())  # noqa: E731
    assert pci_training_status(records(), D(2026, 6, 1)).state == PCIState.NONE

    pci_record(care_coordinator, course, stage="enrolled", enrolled_on=D(2026, 1, 10))
    status = pci_training_status(records(), D(2026, 6, 1))
    assert (status.state, status.enrolled_on) == (PCIState.ENROLLED, D(2026, 1, 10))

    pci_record(care_coordinator, module, stage="in_progress", enrolled_on=D(2026, 1, 5),
               started_on=D(2026, 2, 1))
    status = pci_training_status(records(), D(2026, 6, 1))
    assert (status.state, status.enrolled_on, status.undertaking_since) == (
        PCIState.UNDERTAKING, D(2026, 1, 5), D(2026, 2, 1))
    # As at a date before she started, she was only enrolled.
    assert pci_training_status(records(), D(2026, 1, 20)).state == PCIState.ENROLLED

    pci_record(care_coordinator, course, stage="completed", enrolled_on=D(2026, 1, 10),
               completed_on=D(2026, 3, 20))
    status = pci_training_status(records(), D(2026, 6, 1))
    assert status.state == PCIState.QUALIFIED
    assert status.qualified_on == D(2026, 3, 20)
    assert status.pci_assured is True
    assert status.provider == "Assured provider"


def test_imported_pci_completion_counts_only_once_verified(section, care_coordinator, supervisor):
    course = learning_item(section, "pci-health-coaching", kind=Kind.PCI_COURSE)
    record = pci_record(care_coordinator, course, stage="completed", completed_on=D(2025, 1, 10))
    record.imported_from = "Hillside PCN"
    record.save()
    records = list(care_coordinator.learning_records.with_item())
    assert pci_training_status(records, D(2026, 6, 1)).state == PCIState.NONE
    services.learning_record_verify(actor=supervisor.user, record=record)
    records = list(care_coordinator.learning_records.with_item())
    assert pci_training_status(records, D(2026, 6, 1)).state == PCIState.QUALIFIED


def test_nobody_verifies_their_own_record(section, care_coordinator):
    item = learning_item(section, "fire-safety")
    record = pci_record(care_coordinator, item, stage="completed", completed_on=D(2026, 1, 1))
    with pytest.raises(ValidationError, match="your own"):
        services.learning_record_verify(actor=care_coordinator.user, record=record)


def test_induction_plan_from_defaults_and_task_statuses(section, care_coordinator):
    care_coordinator.employment_start_date = D(2026, 1, 5)
    care_coordinator.save()
    local = learning_item(section, "local-induction", kind=Kind.LOCAL_INDUCTION,
                          in_induction=True, induction_week=1)
    fire = learning_item(section, "fire-safety", in_induction=True, induction_week=4)
    coaching = learning_item(section, "pci-course", kind=Kind.PCI_COURSE, in_induction=True,
                             induction_week=26)
    learning_item(section, "not-induction")
    plan = services.induction_plan_generate(actor=None, person=care_coordinator)
    assert [(p.item.code, p.due_on) for p in plan] == [
        ("local-induction", D(2026, 1, 12)),
        ("fire-safety", D(2026, 2, 2)),
        ("pci-course", D(2026, 7, 6)),
    ]
    assert services.induction_plan_generate(actor=None, person=care_coordinator) == []

    pci_record(care_coordinator, local, stage="completed", completed_on=D(2026, 1, 9))
    pci_record(care_coordinator, coaching, stage="enrolled", enrolled_on=D(2026, 2, 1))
    progress = induction_progress(
        care_coordinator.induction_items.select_related("item"),
        care_coordinator.learning_records.all(),
        as_of=D(2026, 3, 1),
    )
    assert [t.status for t in progress.tasks] == [
        TaskStatus.COMPLETED, TaskStatus.OVERDUE, TaskStatus.IN_PROGRESS,
    ]
    assert progress.percent == 33
    assert [t.item.code for t in progress.next_actions()] == ["fire-safety", "pci-course"]
    assert fire.code == "fire-safety"
