"""Personal development plans: goals, linked learning, comments from supervisors and replies."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms import services
from lms.models import AuditEntry, DevelopmentGoal, GoalComment, GoalStatus, Role
from tests.conftest import make_person
from tests.curriculum import curriculum_section, learning_item
from tests.lms.test_people import date_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(db):
    coaching = curriculum_section("Personalised care")
    elearning = curriculum_section("e-LfH courses", slug="elfh")
    return {
        "coaching": learning_item(coaching, "health-coaching", title="Health coaching"),
        "sdm": learning_item(coaching, "shared-decision-making", title="Shared decision making"),
        "mecc": learning_item(elearning, "mecc", title="Making Every Contact Count"),
    }


def goal_data(**overrides):
    data = {
        "title": "Lead a health coaching conversation",
        "description": "Shadow the HWBC twice, then lead one with feedback.",
        **date_fields("target_date", "2027-03-31"),
        "status": GoalStatus.IN_PROGRESS,
        "last_reviewed_on_day": "", "last_reviewed_on_month": "", "last_reviewed_on_year": "",
    }
    data.update(overrides)
    return data


def make_goal(person, title="Lead a health coaching conversation", items=(), **fields):
    return services.development_goal_save(
        actor=person.user, person=person, title=title, learning_items=list(items), **fields
    )


def test_empty_plan_says_what_to_do(sign_in, care_coordinator):
    html = sign_in(care_coordinator).get(reverse("development:plan")).content.decode()
    assert "Your development plan" in html
    assert "You have not set any goals yet" in html
    assert reverse("development:goal_add") in html


def test_coordinator_adds_a_goal_with_learning(sign_in, care_coordinator, items):
    client = sign_in(care_coordinator)
    form_page = client.get(reverse("development:goal_add")).content.decode()
    # Learning items are grouped under their curriculum section.
    assert "Personalised care" in form_page and "e-LfH courses" in form_page
    data = goal_data(learning_items=[items["coaching"].pk, items["mecc"].pk])
    response = client.post(reverse("development:goal_add"), data, follow=True)
    html = response.content.decode()
    goal = DevelopmentGoal.objects.get(person=care_coordinator)
    assert response.redirect_chain[-1][0] == reverse("development:plan") + f"#goal-{goal.pk}"
    assert "has been added to your development plan" in html
    assert goal.target_date == datetime.date(2027, 3, 31)
    assert goal.status == GoalStatus.IN_PROGRESS
    assert set(goal.learning_items.all()) == {items["coaching"], items["mecc"]}
    assert "Making Every Contact Count" in html and items["mecc"].url in html
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">In progress</strong>' in html
    assert AuditEntry.objects.filter(action="development_goal.create").exists()


def test_goal_without_a_title_is_refused_and_input_kept(sign_in, care_coordinator, items):
    data = goal_data(title="", learning_items=[items["sdm"].pk], target_date_month="13")
    response = sign_in(care_coordinator).post(reverse("development:goal_add"), data)
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "Enter your goal" in html
    assert "Enter a real date" in html
    assert "Shadow the HWBC twice" in html  # the description is kept
    assert f'value="{items["sdm"].pk}" checked' in html  # and the chosen item
    assert not DevelopmentGoal.objects.exists()


def test_coordinator_edits_a_goal_and_stops_it_without_deleting(
    sign_in, care_coordinator, items
):
    goal = make_goal(care_coordinator, items=[items["coaching"]])
    client = sign_in(care_coordinator)
    form_page = client.get(reverse("development:goal_edit", args=[goal.pk])).content.decode()
    assert 'value="Lead a health coaching conversation"' in form_page
    assert f'value="{items["coaching"].pk}" checked' in form_page
    data = goal_data(status=GoalStatus.STOPPED, learning_items=[],
                     **date_fields("last_reviewed_on", "2026-01-15"))
    response = client.post(reverse("development:goal_edit", args=[goal.pk]), data, follow=True)
    html = response.content.decode()
    goal.refresh_from_db()
    assert goal.status == GoalStatus.STOPPED
    assert goal.last_reviewed_on == datetime.date(2026, 1, 15)
    assert not goal.learning_items.exists()
    assert "No longer goals" in html and "No longer a goal" in html
    update = AuditEntry.objects.get(action="development_goal.update")
    assert update.before["status"] == GoalStatus.NOT_STARTED
    assert update.after["status"] == GoalStatus.STOPPED


def test_review_date_in_the_future_is_refused(sign_in, care_coordinator):
    goal = make_goal(care_coordinator)
    data = goal_data(**date_fields("last_reviewed_on", "2099-01-01"))
    html = sign_in(care_coordinator).post(
        reverse("development:goal_edit", args=[goal.pk]), data
    ).content.decode()
    assert "The review date must be today or in the past" in html


def test_supervisor_comments_and_coordinator_replies(sign_in, supervisor, care_coordinator):
    goal = make_goal(care_coordinator)
    client = sign_in(supervisor)
    plan = client.get(reverse("development:person_plan", args=[care_coordinator.pk]))
    assert plan.status_code == 200
    html = plan.content.decode()
    assert "Amira Khan’s development plan" in html
    assert reverse("development:goal_edit", args=[goal.pk]) not in html  # comment only
    response = client.post(reverse("development:goal_comment", args=[goal.pk]),
                           {"text": "Good plan. Book a session with Sam."}, follow=True)
    assert response.redirect_chain[-1][0] == (
        reverse("development:person_plan", args=[care_coordinator.pk]) + f"#goal-{goal.pk}"
    )
    assert "Good plan. Book a session with Sam." in response.content.decode()

    client = sign_in(care_coordinator)
    client.post(reverse("development:goal_comment", args=[goal.pk]),
                {"text": "Booked for next Tuesday."})
    html = client.get(reverse("development:plan")).content.decode()
    assert html.index("Good plan.") < html.index("Booked for next Tuesday.")
    assert "Grace Hughes" in html and "Amira Khan (you)" in html
    authors = list(GoalComment.objects.order_by("pk").values_list("author", flat=True))
    assert authors == [supervisor.pk, care_coordinator.pk]
    assert AuditEntry.objects.filter(action="development_goal.comment").count() == 2


def test_empty_comment_is_refused_on_its_own_page(sign_in, supervisor, care_coordinator):
    goal = make_goal(care_coordinator)
    response = sign_in(supervisor).post(
        reverse("development:goal_comment", args=[goal.pk]), {"text": "  "}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "Enter your comment" in html
    assert not GoalComment.objects.exists()


def test_comments_cannot_be_changed_or_deleted(sign_in, supervisor, care_coordinator):
    from django.urls import NoReverseMatch

    for name in ("comment_edit", "comment_delete", "goal_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"development:{name}", args=[1])


def test_a_coordinator_cannot_see_or_touch_another_coordinators_plan(
    sign_in, care_coordinator, pcn
):
    goal = make_goal(care_coordinator)
    colleague = make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Col", family_name="League")
    client = sign_in(colleague)
    # A coordinator has no supervisor role: refused. Someone else's goal: not found.
    assert client.get(
        reverse("development:person_plan", args=[care_coordinator.pk])
    ).status_code == 403
    assert client.get(reverse("development:goal_edit", args=[goal.pk])).status_code == 404
    assert client.post(reverse("development:goal_edit", args=[goal.pk]),
                       goal_data(title="Hijacked")).status_code == 404
    assert client.post(reverse("development:goal_comment", args=[goal.pk]),
                       {"text": "Hello"}).status_code == 404
    goal.refresh_from_db()
    assert goal.title != "Hijacked"
    assert not GoalComment.objects.exists()
    # Their own plan does not show the other's goals.
    assert "Lead a health coaching" not in client.get(
        reverse("development:plan")).content.decode()


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("other_pcn_manager", 404), ("no_role_person", 403), ("icb_viewer", 403)],
)
def test_plan_pages_are_refused_outside_scope(request, sign_in, care_coordinator, viewer, status):
    goal = make_goal(care_coordinator)
    client = sign_in(request.getfixturevalue(viewer))
    assert client.get(
        reverse("development:person_plan", args=[care_coordinator.pk])
    ).status_code == status
    assert client.post(reverse("development:goal_comment", args=[goal.pk]),
                       {"text": "x"}).status_code == status


@pytest.mark.parametrize("viewer", ["supervisor", "pcn_manager", "no_role_person"])
def test_only_care_coordinators_have_their_own_plan(request, sign_in, viewer, care_coordinator):
    client = sign_in(request.getfixturevalue(viewer))
    assert client.get(reverse("development:plan")).status_code == 403
    assert client.get(reverse("development:goal_add")).status_code == 403


def test_pcn_manager_can_read_and_comment(sign_in, pcn_manager, care_coordinator):
    goal = make_goal(care_coordinator)
    client = sign_in(pcn_manager)
    assert client.get(
        reverse("development:person_plan", args=[care_coordinator.pk])
    ).status_code == 200
    client.post(reverse("development:goal_comment", args=[goal.pk]), {"text": "Noted."})
    assert GoalComment.objects.get().author == pcn_manager


def test_plan_queries_do_not_grow_with_goals(
    sign_in, supervisor, care_coordinator, items, django_assert_num_queries
):
    def add_goal(n):
        goal = make_goal(care_coordinator, title=f"Goal {n}",
                         items=[items["coaching"], items["mecc"]])
        services.goal_comment_add(actor=supervisor.user, goal=goal, author=supervisor,
                                  text=f"Comment {n}")
        services.goal_comment_add(actor=care_coordinator.user, goal=goal,
                                  author=care_coordinator, text=f"Reply {n}")

    add_goal(0)
    urls = [(care_coordinator, reverse("development:plan")),
            (supervisor, reverse("development:person_plan", args=[care_coordinator.pk]))]
    baselines = []
    for person, url in urls:
        client = sign_in(person)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        baselines.append(len(queries))
    for n in range(1, 6):
        add_goal(n)
    for (person, url), baseline in zip(urls, baselines, strict=True):
        client = sign_in(person)
        with django_assert_num_queries(baseline):
            response = client.get(url)
        assert response.content.decode().count("Making Every Contact Count") == 6
