"""Induction plans, PCN induction templates and personal development plans."""

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.contrib import messages
from django.db.models import F, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from content.models import LearningItemPage

from . import services
from .access import (
    get_visible_or_404,
    pcns_managed_by,
    record_owners_visible_to,
    require,
    scope_for,
    today,
)
from .development_forms import (
    CommentForm,
    GoalForm,
    TemplateAddForm,
    TemplateEntryFormSet,
)
from .learning import InductionProgress, TaskStatus, induction_progress, induction_template_entries
from .models import (
    DevelopmentGoal,
    GoalComment,
    GoalStatus,
    InductionPlanItem,
    InductionTemplate,
    LearningRecord,
    Person,
    RoleAssignment,
)
from .page_urls import page_urls

#: NHS.UK tag colour for each induction task status (the tag's words carry the meaning).
TASK_TAG_COLOURS = {
    TaskStatus.NOT_STARTED: "grey",
    TaskStatus.IN_PROGRESS: "blue",
    TaskStatus.OVERDUE: "red",
    TaskStatus.COMPLETED: "green",
}
GOAL_TAG_COLOURS = {
    GoalStatus.NOT_STARTED: "grey",
    GoalStatus.IN_PROGRESS: "blue",
    GoalStatus.ACHIEVED: "green",
    GoalStatus.STOPPED: "white",
}


# --- induction progress (read by home() and the pages below) ---------------------------------


class _PlanRow(NamedTuple):
    pk: int
    person_id: int
    item_id: int
    due_on: datetime.date


class _TaskItem(NamedTuple):
    """What a task list shows of a learning item: a page built for each of ~45 tasks cost
    more than the rest of the list."""

    pk: int
    title: str
    live: bool
    url_path: str


class _TaskPlanRow(NamedTuple):
    pk: int
    person_id: int
    item_id: int
    due_on: datetime.date
    item: _TaskItem


class _RecordRow(NamedTuple):
    person_id: int
    item_id: int
    stage: str
    imported_from: str
    verified_at: datetime.datetime | None

    counts = LearningRecord.counts  # the same rule as the model's


def induction_progress_by_person(
    person_ids, as_of: datetime.date, *, with_items: bool = False
) -> dict[int, InductionProgress]:
    """Each person's induction progress on `as_of`, in two queries whatever the number of people.

    `with_items` also loads each task's learning item (title, URL) for a task list.
    """
    plan_items = InductionPlanItem.objects.filter(person_id__in=person_ids)
    # Only records of items in someone's plan can mark a task: other learning is not loaded.
    records = LearningRecord.objects.filter(
        person_id__in=person_ids,
        item_id__in=InductionPlanItem.objects.filter(person_id__in=person_ids)
        .values("item_id").order_by(),
    ).order_by()
    if with_items:
        # A task list shows each item's title and links to its page (its URL comes from
        # url_path): plain values, as building pages would build every page's clusters.
        plan_items = (
            _TaskPlanRow(pk, person_id, item_id, due_on, _TaskItem(item_id, *item))
            for pk, person_id, item_id, due_on, *item in plan_items.values_list(
                "pk", "person_id", "item_id", "due_on", "item__title", "item__live",
                "item__url_path",
            )
        )
        records = records.only("person_id", "item_id", "stage", "imported_from", "verified_at")
    else:
        # Counts for a table of people (thousands of rows for a PCN): plain values, no models.
        plan_items = (
            _PlanRow(*row) for row in plan_items.order_by("due_on", "pk")
            .values_list("pk", "person_id", "item_id", "due_on")
        )
        records = (
            _RecordRow(*row) for row in records
            .values_list("person_id", "item_id", "stage", "imported_from", "verified_at")
        )
    plan_by_person, records_by_person = defaultdict(list), defaultdict(list)
    for plan_item in plan_items:
        plan_by_person[plan_item.person_id].append(plan_item)
    for record in records:
        records_by_person[record.person_id].append(record)
    progress = {}
    for person_id in person_ids:
        progress[person_id] = induction_progress(
            plan_by_person[person_id], records_by_person[person_id], as_of
        )
        for task in progress[person_id].tasks:
            task.tag_colour = TASK_TAG_COLOURS[task.status]
    return progress


#: A stand-in id in a URL reversed once, swapped for each task's id (see `_url_with_id`).
_ID_SLOT = 2147483647


def _url_with_id(viewname, *args):
    """`reverse(viewname, args=[*args, id])` as a function of the last id, after one reverse:
    a task list of ~45 tasks otherwise reversed two URLs per task."""
    before, _slot, after = reverse(viewname, args=[*args, _ID_SLOT]).rpartition(str(_ID_SLOT))
    return lambda pk: f"{before}{pk}{after}"


def induction_task_list(
    scope, person: Person, as_of: datetime.date, request=None, progress=None
) -> dict:
    """A task list of one person's induction, where each task's "record" link goes, and each
    live item's page URL (as `{% pageurl %}` gives it, for `request`'s site). `progress`:
    their `induction_progress_by_person(..., with_items=True)`, when already at hand."""
    if progress is None:
        progress = induction_progress_by_person([person.pk], as_of, with_items=True)[person.pk]
    own = person.pk == scope.person_id
    manages = person.pcn_id is not None and person.pcn_id in scope.managed_pcn_ids
    if own:
        record_url = _url_with_id("learning:record")
    elif manages:
        record_url = _url_with_id("learning:record_for", person.pk)
    else:
        record_url = None
    record_detail_url = _url_with_id("learning:record_detail")
    item_urls = page_urls([task.item for task in progress.tasks if task.item.live], request)
    for task in progress.tasks:
        task.record_url = record_url(task.plan_item.item_id) if record_url else ""
        task.record_detail_url = record_detail_url(task.record.pk) if task.record else ""
        task.item_url = item_urls.get(task.item.pk, "")
    return {"progress": progress, "own": own, "subject": person}


def person_induction(request, person_id):
    """One supervisee's (or PCN member's) induction task list."""
    scope = scope_for(request.user)
    require(scope.is_supporter or scope.is_pcn_manager)
    person = get_visible_or_404(
        record_owners_visible_to(request.user).select_related("pcn"), pk=person_id
    )
    if person.pk == scope.person_id:
        return redirect("home")
    as_of = today()
    context = induction_task_list(scope, person, as_of, request)
    context.update(
        person=person,
        as_of=as_of,
        crumbs=[("Home", reverse("home"))],
        can_manage=person.pcn_id in scope.managed_pcn_ids,
    )
    return render(request, "lms/development/person_induction.html", context)


# --- a PCN's induction template ----------------------------------------------------------------


def _managed_pcn(request):
    """The PCN whose template is shown: ?pcn= when someone manages several, else their one."""
    scope = scope_for(request.user)
    require(scope.is_pcn_manager)
    pcns = pcns_managed_by(request.user)
    chosen = request.POST.get("pcn") or request.GET.get("pcn")
    if chosen:
        return get_visible_or_404(pcns, pk=chosen), pcns
    return pcns.first(), pcns


def _template_url(pcn, pcns) -> str:
    url = reverse("development:induction_template")
    return f"{url}?pcn={pcn.pk}" if len(pcns) > 1 else url


def _current_coordinators(pcn, as_of):
    assignments = (
        RoleAssignment.objects.current(as_of)
        .care_coordinators()
        .filter(pcn=pcn, person__left_on__isnull=True)
        .select_related("person")
        .order_by("person__family_name", "person__given_name")
    )
    people = {}
    for assignment in assignments:
        people.setdefault(assignment.person_id, assignment.person)
    return list(people.values())


def _plans_missing(coordinators, entries) -> tuple[int, int]:
    """How many coordinators' plans lack items of the template, and how many tasks in all."""
    wanted = {item.pk for item, _week in entries}
    have = defaultdict(set)
    for person_id, item_id in InductionPlanItem.objects.filter(
        person__in=[p.pk for p in coordinators]
    ).values_list("person_id", "item_id"):
        have[person_id].add(item_id)
    missing = [len(wanted - have[person.pk]) for person in coordinators]
    return sum(1 for n in missing if n), sum(missing)


def induction_template(request):
    """A PCN manager changes which items their PCN's induction plan has, and when each is due."""
    pcn, pcns = _managed_pcn(request)
    as_of = today()
    saved = InductionTemplate.objects.filter(pcn=pcn).select_related("updated_by").first()
    entries = induction_template_entries(pcn)
    live_items = {
        item.pk: item
        for item in LearningItemPage.objects.live().only("title", "path", "url_path", "depth")
    }
    initial = [{"item": item.pk, "due_week": week} for item, week in entries]
    in_template = {item.pk for item, _week in entries}
    available = [item for pk, item in live_items.items() if pk not in in_template]
    form_kwargs = {"live_items": live_items}
    if request.method == "POST":
        formset = TemplateEntryFormSet(request.POST, initial=initial, form_kwargs=form_kwargs)
        add_form = TemplateAddForm(request.POST, available_items=available)
        if formset.is_valid() and add_form.is_valid():
            new_entries = _unique(formset.entries() + [e for e in [add_form.entry()] if e])
            services.induction_template_save(actor=request.user, pcn=pcn, entries=new_entries)
            messages.success(
                request,
                f"The induction plan for {pcn.name} has been saved. New care coordinators’ "
                "plans will be made from it.",
            )
            return redirect(_template_url(pcn, pcns))
    else:
        formset = TemplateEntryFormSet(initial=initial, form_kwargs=form_kwargs)
        add_form = TemplateAddForm(available_items=available)
    coordinators = _current_coordinators(pcn, as_of)
    plans_missing, tasks_missing = _plans_missing(coordinators, entries)
    return render(
        request,
        "lms/development/induction_template.html",
        {
            "pcn": pcn,
            "pcns": pcns if len(pcns) > 1 else [],
            "saved": saved,
            "formset": formset,
            "add_form": add_form,
            "forms": [formset, add_form],
            "coordinators": coordinators,
            "plans_missing": plans_missing,
            "tasks_missing": tasks_missing,
            "crumbs": [("Home", reverse("home"))],
        },
    )


def _unique(entries):
    """Drop a repeated item (a stale or doctored form), keeping its first week."""
    seen, unique = set(), []
    for item, week in entries:
        if item.pk not in seen:
            seen.add(item.pk)
            unique.append((item, week))
    return unique


@require_POST
def induction_template_regenerate(request):
    """Add the template's items that current coordinators' plans lack; nothing else changes."""
    pcn, pcns = _managed_pcn(request)
    added_people, added_tasks = 0, 0
    for person in _current_coordinators(pcn, today()):
        added = services.induction_plan_generate(actor=request.user, person=person, pcn=pcn)
        added_people += bool(added)
        added_tasks += len(added)
    if added_tasks:
        messages.success(
            request,
            f"{added_tasks} task{'s' if added_tasks != 1 else ''} added to "
            f"{added_people} care coordinator{'s’' if added_people != 1 else '’s'} "
            f"plan{'s' if added_people != 1 else ''}.",
        )
    else:
        messages.info(request, "Every care coordinator’s plan already has every item.")
    return redirect(_template_url(pcn, pcns))


# --- personal development plans ------------------------------------------------------------


def _goals(person: Person, as_of: datetime.date):
    """A person's goals with linked live items and comments, in three queries."""
    goals = list(
        DevelopmentGoal.objects.filter(person=person)
        .prefetch_related(
            Prefetch(
                "learning_items",
                queryset=LearningItemPage.objects.live().order_by("path"),
                to_attr="live_items",
            ),
            Prefetch(
                "comments",
                queryset=GoalComment.objects.select_related("author").order_by("created_at", "pk"),
                to_attr="comment_list",
            ),
        )
        .order_by(F("target_date").asc(nulls_last=True), "pk")
    )
    for goal in goals:
        goal.tag_colour = GOAL_TAG_COLOURS[goal.status]
        goal.target_passed = bool(
            goal.target_date
            and goal.target_date < as_of
            and goal.status in (GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS)
        )
    return goals


def _plan_context(request, scope, person: Person) -> dict:
    as_of = today()
    goals = _goals(person, as_of)
    open_statuses = (GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS)
    return {
        "person": person,
        "own": person.pk == scope.person_id,
        "as_of": as_of,
        "has_goals": bool(goals),
        "goal_groups": [
            ("Current goals", "current", [g for g in goals if g.status in open_statuses]),
            ("Achieved", "achieved", [g for g in goals if g.status == GoalStatus.ACHIEVED]),
            ("No longer goals", "stopped", [g for g in goals if g.status == GoalStatus.STOPPED]),
        ],
        "comment_form": CommentForm(),
        "crumbs": [("Home", reverse("home"))],
    }


def plan(request):
    """A care coordinator's own personal development plan."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    person = Person.objects.get(pk=scope.person_id)
    return render(request, "lms/development/plan.html", _plan_context(request, scope, person))


def person_plan(request, person_id):
    """A supervisee's development plan, for their supervisors and PCN managers to comment on."""
    scope = scope_for(request.user)
    require(scope.is_supporter or scope.is_pcn_manager)
    person = get_visible_or_404(record_owners_visible_to(request.user), pk=person_id)
    if person.pk == scope.person_id:
        return redirect("development:plan")
    return render(request, "lms/development/plan.html", _plan_context(request, scope, person))


def _own_goal_scope(request):
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return scope


def _live_items():
    return list(LearningItemPage.objects.live().only("title", "path").order_by("path"))


def goal_add(request):
    scope = _own_goal_scope(request)
    return _goal_form(request, scope, goal=None)


def goal_edit(request, goal_id):
    scope = _own_goal_scope(request)
    goal = get_visible_or_404(DevelopmentGoal.objects.filter(person_id=scope.person_id),
                              pk=goal_id)
    return _goal_form(request, scope, goal=goal)


def _goal_form(request, scope, *, goal):
    items = _live_items()
    if request.method == "POST":
        form = GoalForm(request.POST, items=items)
    elif goal is not None:
        initial = {name: getattr(goal, name) for name in GoalForm.SERVICE_FIELDS}
        initial["learning_items"] = list(goal.learning_items.values_list("pk", flat=True))
        form = GoalForm(initial=initial, items=items)
    else:
        form = GoalForm(items=items)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.get(pk=scope.person_id)
        saved = services.development_goal_save(
            actor=request.user,
            person=person,
            goal=goal,
            learning_items=form.chosen_items(),
            **form.service_fields(),
        )
        verb = "added to" if goal is None else "saved in"
        messages.success(request, f"‘{saved.title}’ has been {verb} your development plan.")
        return redirect(reverse("development:plan") + f"#goal-{saved.pk}")
    return render(
        request,
        "lms/development/goal_form.html",
        {
            "form": form,
            "goal": goal,
            "crumbs": [("Home", reverse("home")),
                       ("Your development plan", reverse("development:plan"))],
        },
    )


def goal_comment(request, goal_id):
    """Add a comment to a goal: the coordinator, their supporters and PCN managers. Never edited."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator or scope.is_supporter or scope.is_pcn_manager)
    goal = get_visible_or_404(
        DevelopmentGoal.objects.filter(person__in=record_owners_visible_to(request.user))
        .select_related("person"),
        pk=goal_id,
    )
    own = goal.person_id == scope.person_id
    require(not own or scope.is_care_coordinator)
    plan_url = (
        reverse("development:plan") if own
        else reverse("development:person_plan", args=[goal.person_id])
    )
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.goal_comment_add(
            actor=request.user,
            goal=goal,
            author=Person.objects.get(pk=scope.person_id),
            text=form.cleaned_data["text"],
        )
        messages.success(request, f"Your comment on ‘{goal.title}’ has been added.")
        return redirect(f"{plan_url}#goal-{goal.pk}")
    comments = goal.comments.select_related("author").order_by("created_at", "pk")
    plan_label = "Your development plan" if own else f"{goal.person.full_name}’s development plan"
    return render(
        request,
        "lms/development/goal_comment.html",
        {
            "form": form,
            "goal": goal,
            "own": own,
            "comments": comments,
            "plan_url": plan_url,
            "crumbs": [("Home", reverse("home")), (plan_label, plan_url)],
        },
    )
