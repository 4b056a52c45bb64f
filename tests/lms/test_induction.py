"""Induction plans: the coordinator's task list, supervisors' view, the PCN's template."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Kind
from lms import services
from lms.models import InductionPlanItem, InductionTemplate, LearningStatus, Role
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item
from tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db
D = datetime.date
#: The coordinators started on 6 January 2025 (conftest.START); "today" is 10 February 2025.
TODAY = datetime.datetime(2025, 2, 10, 12, 0)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def induction_items(db):
    """Four induction items, due in weeks 2, 4, 8 and 12, and one item outside induction."""
    section = curriculum_section("Induction")
    items = {
        "overdue": learning_item(section, "local-induction", kind=Kind.LOCAL_INDUCTION,
                                 title="Local induction", in_induction=True, induction_week=2),
        "done": learning_item(section, "information-governance", title="Information governance",
                              in_induction=True, induction_week=4),
        "started": learning_item(section, "care-certificate", kind=Kind.ELFH_COURSE,
                                 title="Care Certificate", in_induction=True, induction_week=8),
        "todo": learning_item(section, "pci-core-skills", kind=Kind.PCI_ELEARNING,
                              title="PCI core skills", in_induction=True, induction_week=12),
    }
    items["extra"] = learning_item(section, "health-inequalities", title="Health inequalities")
    return items


def give_plan(person, items):
    """The plan generated from the curriculum defaults, with a completion and a course started."""
    services.induction_plan_generate(actor=None, person=person)
    services.learning_record_save(
        actor=person.user, person=person, item=items["done"],
        stage=LearningStatus.COMPLETED, completed_on=D(2025, 1, 30), as_of=D(2025, 2, 10),
    )
    services.learning_record_save(
        actor=person.user, person=person, item=items["started"],
        stage=LearningStatus.IN_PROGRESS, started_on=D(2025, 2, 3), as_of=D(2025, 2, 10),
    )


# --- the coordinator's home page ---------------------------------------------------------------


def test_coordinator_home_shows_each_task_with_its_status_and_due_date(
    sign_in, care_coordinator, induction_items
):
    give_plan(care_coordinator, induction_items)
    html = sign_in(care_coordinator).get(reverse("home")).content.decode()
    assert "Your induction" in html
    assert "<strong>1 of 4</strong> tasks completed" in html
    assert "1 overdue" in html
    assert 'class="nhsuk-task-list"' in html
    # Each status in words: a tag for open tasks, plain text for completed ones.
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">In progress</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--grey">Not started</strong>' in html
    assert "nhsuk-task-list__status--completed" in html
    assert "Due by 20 January 2025" in html  # week 2 after 6 January
    assert "Due by 31 March 2025" in html  # week 12
    # Links to the item's page and to the record form.
    assert induction_items["todo"].url in html
    assert reverse("learning:record", args=[induction_items["todo"].pk]) in html
    assert "Health inequalities" not in html  # not an induction item


def test_next_actions_put_the_overdue_task_first(sign_in, care_coordinator, induction_items):
    give_plan(care_coordinator, induction_items)
    response = sign_in(care_coordinator).get(reverse("home"))
    next_actions = response.context["induction"]["progress"].next_actions()
    assert [t.item.title for t in next_actions] == [
        "Local induction", "Care Certificate", "PCI core skills"]
    html = response.content.decode()
    section = html[html.index("What to do next"):html.index("induction tasks</span>")]
    assert section.index("Local induction") < section.index("Care Certificate")
    assert "<strong>overdue</strong>, was due 20 January 2025" in section


def test_coordinator_without_a_plan_is_told_where_it_comes_from(sign_in, care_coordinator):
    html = sign_in(care_coordinator).get(reverse("home")).content.decode()
    assert "You do not have any induction tasks yet" in html
    assert "nhsuk-task-list" not in html


def test_assigning_the_role_generates_the_plan_shown_on_home(
    sign_in, pcn_manager, pcn, induction_items
):
    person = PersonFactory(pcn=pcn, employment_start_date=D(2025, 2, 3))
    services.role_assign(actor=pcn_manager.user, person=person, role=Role.CARE_COORDINATOR,
                         pcn=pcn, starts_on=D(2025, 2, 3))
    html = sign_in(person).get(reverse("home")).content.decode()
    assert "<strong>0 of 4</strong> tasks completed" in html
    assert "Due by 17 February 2025" in html


# --- supervisors and PCN managers ---------------------------------------------------------------


def test_supervisor_sees_supervisee_progress_on_home(
    sign_in, supervisor, care_coordinator, induction_items
):
    give_plan(care_coordinator, induction_items)
    html = sign_in(supervisor).get(reverse("home")).content.decode()
    assert "1 of 4 completed" in html
    assert "1 overdue" in html
    assert reverse("development:person_induction", args=[care_coordinator.pk]) in html
    assert reverse("development:person_plan", args=[care_coordinator.pk]) in html


def test_supervisor_opens_a_supervisees_task_list(
    sign_in, supervisor, care_coordinator, induction_items
):
    give_plan(care_coordinator, induction_items)
    response = sign_in(supervisor).get(
        reverse("development:person_induction", args=[care_coordinator.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Amira Khan’s induction" in html
    assert "Overdue" in html and "Care Certificate" in html
    # A supervisor does not record for them, but can open a record to verify it.
    assert reverse("learning:record", args=[induction_items["todo"].pk]) not in html
    record = care_coordinator.learning_records.get(item=induction_items["done"])
    assert reverse("learning:record_detail", args=[record.pk]) in html


def test_pcn_manager_opens_their_coordinators_task_list_and_can_record(
    sign_in, pcn_manager, care_coordinator, induction_items
):
    give_plan(care_coordinator, induction_items)
    client = sign_in(pcn_manager)
    home = client.get(reverse("home")).content.decode()
    assert "1 of 4 completed" in home
    assert reverse("development:induction_template") in home
    html = client.get(
        reverse("development:person_induction", args=[care_coordinator.pk])
    ).content.decode()
    assert reverse(
        "learning:record_for", args=[care_coordinator.pk, induction_items["todo"].pk]
    ) in html


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("other_pcn_manager", 404),  # has the role, but the person is outside their scope
        ("no_role_person", 403),
        ("other_coordinator", 403),  # a coordinator has no supervisor or manager role
        ("icb_viewer", 403),  # ICB viewers never open individual records
    ],
)
def test_person_induction_is_refused_outside_scope(
    request, sign_in, care_coordinator, viewer, status
):
    client = sign_in(request.getfixturevalue(viewer))
    url = reverse("development:person_induction", args=[care_coordinator.pk])
    assert client.get(url).status_code == status


def test_supervisor_of_someone_else_gets_not_found(sign_in, pcn, care_coordinator):
    other_cc = make_person(Role.CARE_COORDINATOR, pcn=pcn)
    other_supervisor = make_person(Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=other_cc)
    url = reverse("development:person_induction", args=[care_coordinator.pk])
    assert sign_in(other_supervisor).get(url).status_code == 404


def add_supervisees(pcn, supervisor, count, items):
    """More coordinators this supervisor supports, each with a plan and some records."""
    for _ in range(count):
        cc = make_person(Role.CARE_COORDINATOR, pcn=pcn)
        RoleAssignmentFactory(person=supervisor, role=Role.CLINICAL_SUPERVISOR,
                              care_coordinator=cc, pcn=pcn)
        give_plan(cc, items)


def test_supervisor_home_queries_do_not_grow_with_supervisees(
    sign_in, supervisor, care_coordinator, pcn, induction_items, django_assert_num_queries
):
    give_plan(care_coordinator, induction_items)
    client = sign_in(supervisor)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    add_supervisees(pcn, supervisor, 5, induction_items)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("home"))
    assert len(response.context["supervisees"]) == 6
    assert response.content.decode().count("1 of 4 completed") == 6


def test_coordinator_home_and_task_list_queries_do_not_grow_with_tasks(
    sign_in, supervisor, care_coordinator, induction_items, django_assert_num_queries
):
    give_plan(care_coordinator, induction_items)
    url = reverse("development:person_induction", args=[care_coordinator.pk])

    def queries(person, address):
        client = sign_in(person)  # one test client: signing in replaces the last person
        client.get(address)  # the first request after a change does one-off work (caches)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        return len(captured), response

    home_before, _ = queries(care_coordinator, reverse("home"))
    list_before, _ = queries(supervisor, url)
    section = curriculum_section("More")
    for n in range(6):
        learning_item(section, f"extra-{n}", in_induction=True, induction_week=20 + n)
    services.induction_plan_generate(actor=None, person=care_coordinator)
    list_after, response = queries(supervisor, url)
    assert response.context["progress"].total == 10
    home_after, home = queries(care_coordinator, reverse("home"))
    assert home.context["induction"]["progress"].total == 10
    assert home_before > 0 and list_before > 0
    assert (home_after, list_after) == (home_before, list_before)


# --- the PCN's induction template ------------------------------------------------------------


def template_data(rows, add_item="", add_week=""):
    """POST data: rows of (item, week, remove) and an optional item to add."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "add-add_item": str(add_item),
        "add-add_week": str(add_week),
    }
    for i, (item, week, remove) in enumerate(rows):
        data[f"form-{i}-item"] = str(item.pk)
        data[f"form-{i}-due_week"] = str(week)
        if remove:
            data[f"form-{i}-remove"] = "on"
    return data


def test_manager_sees_the_curriculum_default_template(sign_in, pcn_manager, induction_items):
    response = sign_in(pcn_manager).get(reverse("development:induction_template"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "uses the curriculum’s suggested induction plan" in html
    assert [f.initial["due_week"] for f in response.context["formset"]] == [2, 4, 8, 12]
    # Items not in the plan are offered to add, grouped by curriculum section.
    assert '<optgroup label="Induction">' in html
    assert "Health inequalities" in html


def test_bad_week_shows_a_field_error_and_keeps_what_was_typed(
    sign_in, pcn_manager, induction_items
):
    i = induction_items
    data = template_data([(i["overdue"], 2, False), (i["done"], 200, False),
                          (i["started"], 8, False), (i["todo"], "abc", False)])
    response = sign_in(pcn_manager).post(reverse("development:induction_template"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert "There is a problem" in html
    assert "The week must be 104 or less" in html
    assert "Enter the week as a number, like 4" in html
    assert 'href="#id_form-1-due_week"' in html  # the summary links to the field
    assert 'value="200"' in html and 'value="abc"' in html
    assert not InductionTemplate.objects.exists()


def test_week_zero_and_add_without_week_are_refused(sign_in, pcn_manager, induction_items):
    i = induction_items
    rows = [(i["overdue"], 0, False), (i["done"], 4, False), (i["started"], 8, False),
            (i["todo"], 12, False)]
    html = sign_in(pcn_manager).post(
        reverse("development:induction_template"),
        template_data(rows, add_item=i["extra"].pk),
    ).content.decode()
    assert "The week must be 1 or more" in html
    assert "Enter the week to complete the new item by" in html
    assert not InductionTemplate.objects.exists()


def test_manager_changes_removes_and_adds_items(sign_in, pcn_manager, pcn, induction_items):
    i = induction_items
    rows = [(i["overdue"], 1, False), (i["done"], 4, True), (i["started"], 8, False),
            (i["todo"], 10, False)]
    client = sign_in(pcn_manager)
    response = client.post(
        reverse("development:induction_template"),
        template_data(rows, add_item=i["extra"].pk, add_week=6),
        follow=True,
    )
    assert "The induction plan for Riverside PCN has been saved" in response.content.decode()
    template = InductionTemplate.objects.get(pcn=pcn)
    assert template.updated_by == pcn_manager.user
    assert sorted(template.items.values_list("item__title", "due_week")) == [
        ("Care Certificate", 8), ("Health inequalities", 6), ("Local induction", 1),
        ("PCI core skills", 10)]
    assert "This is Riverside PCN’s own plan" in response.content.decode()


def test_template_change_then_regenerate_adds_only_missing_items(
    sign_in, pcn_manager, pcn, care_coordinator, other_coordinator, induction_items
):
    i = induction_items
    services.induction_plan_generate(actor=None, person=care_coordinator)
    services.induction_plan_generate(actor=None, person=other_coordinator)
    before = {p.item_id: p.due_on for p in care_coordinator.induction_items.all()}
    client = sign_in(pcn_manager)
    rows = [(i["overdue"], 3, False), (i["done"], 4, True), (i["started"], 8, False),
            (i["todo"], 12, False)]
    client.post(reverse("development:induction_template"),
                template_data(rows, add_item=i["extra"].pk, add_week=6))
    page = client.get(reverse("development:induction_template")).content.decode()
    assert "1 of 1 care coordinator does not have every item" in page

    response = client.post(reverse("development:induction_template_regenerate"),
                           {"pcn": pcn.pk}, follow=True)
    assert "1 task added to 1 care coordinator’s plan" in response.content.decode()
    after = {p.item_id: p.due_on for p in care_coordinator.induction_items.all()}
    # The new item is due week 6 after the start date; nothing else changed or went.
    assert after.pop(i["extra"].pk) == D(2025, 2, 17)
    assert after == before
    # Another PCN's coordinator is untouched.
    assert not other_coordinator.induction_items.filter(item=i["extra"]).exists()
    # Running it again adds nothing.
    again = client.post(reverse("development:induction_template_regenerate"), follow=True)
    assert "already has every item" in again.content.decode()
    assert InductionPlanItem.objects.filter(person=care_coordinator).count() == 5


@pytest.mark.parametrize("viewer", ["care_coordinator", "supervisor", "no_role_person"])
def test_template_pages_need_the_pcn_manager_role(request, sign_in, viewer, induction_items):
    client = sign_in(request.getfixturevalue(viewer))
    assert client.get(reverse("development:induction_template")).status_code == 403
    assert client.post(reverse("development:induction_template_regenerate")).status_code == 403


def test_manager_cannot_open_another_pcns_template(
    sign_in, pcn_manager, other_pcn, other_coordinator, induction_items
):
    client = sign_in(pcn_manager)
    url = reverse("development:induction_template")
    assert client.get(f"{url}?pcn={other_pcn.pk}").status_code == 404
    response = client.post(reverse("development:induction_template_regenerate"),
                           {"pcn": other_pcn.pk})
    assert response.status_code == 404
    assert not other_coordinator.induction_items.exists()


def test_regenerate_needs_post(sign_in, pcn_manager):
    response = sign_in(pcn_manager).get(reverse("development:induction_template_regenerate"))
    assert response.status_code == 405


def test_progress_for_a_table_of_people_matches_the_task_list(
    care_coordinator, supervisor, induction_items, django_assert_num_queries
):
    """The counts path (plain values, for tables) and the task-list path give the same
    statuses, and an imported record counts only once verified."""
    from lms.development_views import induction_progress_by_person
    from lms.models import LearningRecord

    give_plan(care_coordinator, induction_items)
    services.learning_record_save(  # learning outside the plan changes nothing
        actor=care_coordinator.user, person=care_coordinator,
        item=learning_item(curriculum_section("Other"), "other-learning"),
        stage=LearningStatus.COMPLETED, completed_on=D(2025, 1, 30), as_of=D(2025, 2, 10),
    )

    def statuses(**kwargs):
        with django_assert_num_queries(2):
            progress = induction_progress_by_person([care_coordinator.pk], D(2025, 2, 10),
                                                    **kwargs)[care_coordinator.pk]
        return [(task.plan_item.item_id, task.status) for task in progress.tasks], \
            progress.completed

    assert statuses() == statuses(with_items=True)
    assert statuses()[1] == 1
    done = LearningRecord.objects.filter(person=care_coordinator, item=induction_items["done"])
    done.update(imported_from="Old PCN")
    assert statuses() == statuses(with_items=True)
    assert statuses()[1] == 0
    services.learning_record_verify(actor=supervisor.user, record=done.get())
    assert statuses()[1] == 1
