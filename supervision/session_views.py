"""Supervision sessions: a coordinator's own, a supervisee's, one record and its workflow
(record, change, withdraw, confirm, addenda, actions), the records waiting for you, the
team's cadence, a PCN's cadence settings and its supervisors' load.

Permissions are checked here through lms.access and session_access: a record outside the
user's scope is not found (404); a page or action for a role the user lacks is refused
(403). A PCN manager sees dates, types, lengths, supervisors and status, never content.
"""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST

from competencies.models import Competency, FrameworkStatus
from lms.access import (
    get_visible_or_404,
    pcns_managed_by,
    require,
    scope_for,
    today,
)
from lms.form_rendering import add_validation_errors
from lms.models import SUPPORT_ROLES, AuditEntry, DevelopmentGoal, Person, Role, RoleAssignment

from . import session_services as services
from .cadence import (
    ROLE_SESSION_TYPE,
    cadence_by_coordinator,
    cadence_table,
    coordinators_in_pcns,
    load_window,
    supervisor_load,
)
from .models import (
    DEFAULT_CADENCE_DAYS,
    Mode,
    SessionType,
    SupervisionAction,
    SupervisionSession,
)
from .session_access import (
    awaiting_confirmation_by,
    coordinators_with_sessions_visible_to,
    is_party,
    may_confirm,
    may_edit,
    may_mark_action_done,
    may_open_session_pages,
    may_read_content,
    sessions_visible_to,
)
from .session_forms import (
    ActionForm,
    AddendumForm,
    CadenceForm,
    ConfirmForm,
    SessionForm,
    WithdrawForm,
)

PER_PAGE = 25
STATUS_TAGS = {
    "withdrawn": ("Withdrawn", "grey"),
    "confirmed": ("Confirmed", "green"),
    "waiting": ("Waiting for confirmation", "yellow"),
}


# --- loading ---------------------------------------------------------------------------------


def _people_by_name():
    return Person.objects.order_by("family_name", "given_name", "pk")


def _with_people(sessions):
    """Sessions with everyone named on them loaded: a fixed number of queries."""
    return sessions.select_related(
        "care_coordinator", "recorded_by", "confirmed_by", "withdrawn_by"
    ).prefetch_related(Prefetch("supervisors", queryset=_people_by_name()))


def _label(session, scope):
    """Status words and colour, and whether this user is the one to confirm it."""
    if session.withdrawn_at:
        key = "withdrawn"
    elif session.confirmed_at:
        key = "confirmed"
    else:
        key = "waiting"
    session.status_label, session.status_colour = STATUS_TAGS[key]
    session.awaiting_me = key == "waiting" and may_confirm(scope, session)
    return session


def _open_actions(coordinator_id, as_of):
    actions = list(
        SupervisionAction.objects.open()
        .filter(session__care_coordinator_id=coordinator_id)
        .select_related("owner", "session")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    for action in actions:
        action.overdue = bool(action.due_on and action.due_on < as_of)
    return actions


def _next_session(coordinator_id, as_of):
    """The next session date agreed at the latest current session, if still ahead."""
    latest = (
        SupervisionSession.objects.current()
        .filter(care_coordinator_id=coordinator_id, held_on__lte=as_of)
        .order_by("-held_on", "-pk")
        .only("next_session_on", "held_on", "session_type")
        .first()
    )
    if latest and latest.next_session_on and latest.next_session_on >= as_of:
        return latest
    return None


def _support_roles(coordinator_id, as_of):
    """[(person, [role labels])] of the coordinator's current supporters, in one query."""
    assignments = (
        RoleAssignment.objects.current(as_of)
        .filter(role__in=SUPPORT_ROLES, care_coordinator_id=coordinator_id)
        .exclude(person_id=coordinator_id)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id", "role")
    )
    people, roles = {}, defaultdict(list)
    for assignment in assignments:
        people.setdefault(assignment.person_id, assignment.person)
        roles[assignment.person_id].append(Role(assignment.role).label)
    return list(people.values()), {pk: ", ".join(labels) for pk, labels in roles.items()}


def _me(scope):
    return Person.objects.select_related("user", "pcn").get(pk=scope.person_id)


def _crumbs(scope, coordinator):
    crumbs = [("Home", reverse("home"))]
    if coordinator.pk == scope.person_id:
        crumbs.append(("Your supervision", reverse("supervision:mine")))
    else:
        crumbs.append((f"{coordinator.full_name}’s supervision",
                       reverse("supervision:person", args=[coordinator.pk])))
    return crumbs


def _session_url(session):
    return reverse("supervision:detail", args=[session.pk])


# --- a coordinator's sessions ----------------------------------------------------------------


def _list_page(request, scope, coordinator, *, own):
    as_of = today()
    content = may_read_content(scope, coordinator.pk)
    sessions = _with_people(
        SupervisionSession.objects.filter(care_coordinator=coordinator)
    ).order_by("-held_on", "-pk")
    page = Paginator(sessions, PER_PAGE).get_page(request.GET.get("page"))
    for session in page.object_list:
        _label(session, scope)
    cadence = cadence_by_coordinator([coordinator.pk], as_of).get(coordinator.pk, {})
    return render(
        request,
        "supervision/sessions/list.html",
        {
            "coordinator": coordinator,
            "own": own,
            "content": content,
            "page": page,
            "as_of": as_of,
            "cadence": list(cadence.values()),
            "next_session": _next_session(coordinator.pk, as_of),
            "actions": _open_actions(coordinator.pk, as_of) if content else [],
            "can_record": own or coordinator.pk in scope.supervisee_ids,
            "record_url": reverse("supervision:record") if own
            else reverse("supervision:record_for", args=[coordinator.pk]),
            "awaiting_me": sum(1 for s in page.object_list if s.awaiting_me),
            "crumbs": [("Home", reverse("home"))],
        },
    )


def mine(request):
    """A care coordinator's own supervision: sessions, next session, cadence, open actions."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return _list_page(request, scope, _me(scope), own=True)


def person(request, person_id):
    """One coordinator's supervision, for their supporters and their PCN's manager."""
    scope = scope_for(request.user)
    require(scope.is_supporter or scope.is_pcn_manager)
    coordinator = get_visible_or_404(
        coordinators_with_sessions_visible_to(request.user).select_related("pcn"), pk=person_id
    )
    if coordinator.pk == scope.person_id:
        return redirect("supervision:mine")
    return _list_page(request, scope, coordinator, own=False)


# --- recording and changing a session ---------------------------------------------------------


def _form_choices(coordinator, as_of):
    supporters, role_labels = _support_roles(coordinator.pk, as_of)
    competencies = list(
        Competency.objects.filter(framework__status=FrameworkStatus.ACTIVE)
        .select_related("framework", "domain")
        .order_by("framework__name", "framework__pk", "domain__sort_order", "sort_order", "pk")
    )
    goals = list(DevelopmentGoal.objects.filter(person=coordinator).order_by("title", "pk"))
    return {
        "supporters": supporters,
        "role_labels": role_labels,
        "competencies": competencies,
        "goals": goals,
    }


def _initial_type(scope, coordinator_id):
    """A supervisor recording starts from the type their role holds, where there is one."""
    for role in (Role.CLINICAL_SUPERVISOR, Role.LINE_MANAGER, Role.SAFEGUARDING_GP):
        if role in scope.support_roles_by_supervisee.get(coordinator_id, ()):
            return ROLE_SESSION_TYPE[role]
    return SessionType.CLINICAL


def _record(request, scope, coordinator):
    as_of = today()
    recorder = _me(scope) if coordinator.pk != scope.person_id else coordinator
    choices = _form_choices(coordinator, as_of)
    kwargs = {"coordinator": coordinator, "recorder": recorder, "as_of": as_of, **choices}
    if request.method == "POST":
        form = SessionForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                session = services.supervision_session_record(
                    actor=request.user, recorded_by=recorder, care_coordinator=coordinator,
                    actions=form.agreed_actions(), as_of=as_of, **form.service_fields(),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                other = (
                    "The supervisors you named can now confirm it is an accurate record."
                    if recorder.pk == coordinator.pk
                    else f"{coordinator.given_name} can now confirm it is an accurate record."
                )
                messages.success(request, f"{session} has been recorded. {other}")
                return redirect(_session_url(session))
    else:
        initial = {"session_type": _initial_type(scope, coordinator.pk)}
        if recorder.pk != coordinator.pk:
            initial["supervisors"] = [recorder.pk]
        form = SessionForm(initial=initial, **kwargs)
    return render(
        request,
        "supervision/sessions/form.html",
        {
            "form": form,
            "coordinator": coordinator,
            "own": coordinator.pk == scope.person_id,
            "session": None,
            "crumbs": _crumbs(scope, coordinator),
        },
    )


def record(request):
    """A care coordinator records one of their own sessions."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator)
    return _record(request, scope, _me(scope))


def record_for(request, person_id):
    """A supervisor records a session with one of the coordinators they support."""
    scope = scope_for(request.user)
    require(scope.is_supporter)
    coordinator = get_visible_or_404(
        Person.objects.filter(pk__in=scope.supervisee_ids).select_related("pcn"), pk=person_id
    )
    return _record(request, scope, coordinator)


def _visible_session(request, session_id, *, with_people=True):
    scope = scope_for(request.user)
    require(may_open_session_pages(scope))
    sessions = sessions_visible_to(request.user)
    if with_people:
        sessions = _with_people(sessions)
    return scope, get_visible_or_404(sessions, pk=session_id)


def _refused_because_locked(request, session, verb):
    if session.withdrawn_at:
        messages.info(request, f"This record was withdrawn, so it cannot be {verb}.")
    else:
        messages.info(
            request,
            f"This record has been confirmed, so it cannot be {verb}. "
            "Add an addendum to correct or add to it.",
        )
    return redirect(_session_url(session))


def edit(request, session_id):
    """The recorder changes their record, until the other party confirms it."""
    scope, session = _visible_session(request, session_id)
    require(may_edit(scope, session))
    if session.confirmed_at or session.withdrawn_at:
        return _refused_because_locked(request, session, "changed")
    as_of = today()
    coordinator = session.care_coordinator
    choices = _form_choices(coordinator, as_of)
    kwargs = {"coordinator": coordinator, "recorder": session.recorded_by, "as_of": as_of,
              "with_actions": False, **choices}
    if request.method == "POST":
        form = SessionForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.supervision_session_update(
                    actor=request.user, session=session, by=session.recorded_by, as_of=as_of,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"Your changes to {session} have been saved.")
                return redirect(_session_url(session))
    else:
        form = SessionForm(
            initial={
                "session_type": session.session_type,
                "held_on": session.held_on,
                "duration_minutes": session.duration_minutes,
                "supervisors": [p.pk for p in session.supervisors.all()],
                "mode": session.mode,
                "topics": session.topics,
                "notes": session.notes,
                "competencies": list(session.competencies.values_list("pk", flat=True)),
                "goals": list(session.goals.values_list("pk", flat=True)),
                "next_session_on": session.next_session_on,
            },
            **kwargs,
        )
    return render(
        request,
        "supervision/sessions/form.html",
        {
            "form": form,
            "coordinator": coordinator,
            "own": coordinator.pk == scope.person_id,
            "session": session,
            "crumbs": _crumbs(scope, coordinator),
        },
    )


def withdraw(request, session_id):
    """The recorder withdraws an unconfirmed record made in error; it stays, marked withdrawn."""
    scope, session = _visible_session(request, session_id)
    require(may_edit(scope, session))
    if session.confirmed_at or session.withdrawn_at:
        return _refused_because_locked(request, session, "withdrawn")
    form = WithdrawForm(request.POST) if request.method == "POST" else WithdrawForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_session_withdraw(
                actor=request.user, session=session, by=session.recorded_by,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"{session} has been withdrawn. It is kept, marked "
                             "withdrawn, with your reason.")
            return redirect(_session_url(session))
    return render(
        request,
        "supervision/sessions/withdraw.html",
        {"form": form, "session": session, "crumbs": _crumbs(scope, session.care_coordinator)},
    )


# --- one record -------------------------------------------------------------------------------


HISTORY_FIELDS = [
    ("session_type", "Type"),
    ("held_on", "Date"),
    ("duration_minutes", "Length (minutes)"),
    ("supervisors", "Supervisors"),
    ("mode", "How it was held"),
    ("topics", "Topics"),
    ("notes", "Notes"),
    ("competencies", "Competencies"),
    ("goals", "Development plan goals"),
    ("next_session_on", "Next session"),
]
HISTORY_ACTIONS = {
    "supervision_session.record": "Recorded",
    "supervision_session.update": "Changed",
    "supervision_session.confirm": "Confirmed as an accurate record",
    "supervision_session.withdraw": "Withdrawn",
}


def _history_value(name, value):
    if value in (None, "", []):
        return "Not given"
    if name == "session_type":
        return SessionType(value).label if value in SessionType.values else value
    if name == "mode":
        return Mode(value).label if value in Mode.values else value
    if name in ("held_on", "next_session_on"):
        try:
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _history(session):
    """The record's audit entries, oldest first, each edit with what changed (before, after)."""
    entries = (
        AuditEntry.objects.filter(
            object_type=SupervisionSession._meta.label_lower, object_id=str(session.pk)
        )
        .select_related("actor__person")
        .order_by("pk")
    )
    history = []
    for entry in entries:
        person = getattr(entry.actor, "person", None) if entry.actor else None
        changes = []
        if entry.action == "supervision_session.update":
            before, after = entry.before or {}, entry.after or {}
            for name, label in HISTORY_FIELDS:
                if before.get(name) != after.get(name):
                    changes.append((label, _history_value(name, before.get(name)),
                                    _history_value(name, after.get(name))))
        history.append({
            "label": HISTORY_ACTIONS.get(entry.action, entry.action),
            "by": person.full_name if person else "The system",
            "at": entry.at,
            "changes": changes,
        })
    return history


def detail(request, session_id):
    """One record: its facts for everyone who may open it; its content for the parties."""
    scope, session = _visible_session(request, session_id)
    as_of = today()
    content = may_read_content(scope, session.care_coordinator_id)
    _label(session, scope)
    party = is_party(scope, session)
    context = {
        "session": session,
        "coordinator": session.care_coordinator,
        "content": content,
        "party": party,
        "as_of": as_of,
        "can_edit": may_edit(scope, session) and not session.confirmed_at
        and not session.withdrawn_at,
        "can_confirm": session.awaiting_me,
        "can_add_addendum": party and session.confirmed_at and not session.withdrawn_at,
        "can_add_action": party and not session.withdrawn_at,
        "crumbs": _crumbs(scope, session.care_coordinator),
    }
    if content:
        actions = list(
            session.actions.select_related("owner", "done_recorded_by")
            .order_by(F("due_on").asc(nulls_last=True), "pk")
        )
        for action in actions:
            action.overdue = bool(not action.done_on and action.due_on
                                  and action.due_on < as_of)
            action.can_mark_done = (
                not action.done_on and not session.withdrawn_at
                and may_mark_action_done(scope, action)
            )
        context.update(
            actions=actions,
            competencies=list(session.competencies.select_related("framework")),
            goals=list(session.goals.all()),
            addenda=list(session.addenda.select_related("added_by")),
            history=_history(session),
        )
    return render(request, "supervision/sessions/detail.html", context)


def confirm(request, session_id):
    """The other party confirms the record is accurate, optionally with a comment."""
    scope, session = _visible_session(request, session_id)
    require(may_read_content(scope, session.care_coordinator_id))
    if session.confirmed_at or session.withdrawn_at:
        return _refused_because_locked(request, session, "confirmed again")
    require(may_confirm(scope, session))
    form = ConfirmForm(request.POST) if request.method == "POST" else ConfirmForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_session_confirm(
                actor=request.user, session=session, by=_me(scope),
                comment=form.cleaned_data["comment"], as_of=today(),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"You have confirmed {session} is an accurate record. "
                             "It is now locked: add an addendum to correct it.")
            return redirect(_session_url(session))
    return render(
        request,
        "supervision/sessions/confirm.html",
        {
            "form": form,
            "session": session,
            "competencies": list(session.competencies.all()),
            "actions": list(session.actions.select_related("owner")),
            "crumbs": _crumbs(scope, session.care_coordinator),
        },
    )


def addendum(request, session_id):
    """Either party adds a correction or addition to a confirmed record."""
    scope, session = _visible_session(request, session_id)
    require(is_party(scope, session))
    if session.withdrawn_at:
        return _refused_because_locked(request, session, "added to")
    if not session.confirmed_at:
        messages.info(request, "This record is not confirmed yet. The person who recorded "
                      "it can still change it, so it takes no addenda.")
        return redirect(_session_url(session))
    form = AddendumForm(request.POST) if request.method == "POST" else AddendumForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.session_addendum_add(
                actor=request.user, session=session, by=_me(scope),
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Your addendum to {session} has been added.")
            return redirect(_session_url(session) + "#addenda")
    return render(
        request,
        "supervision/sessions/addendum.html",
        {"form": form, "session": session, "crumbs": _crumbs(scope, session.care_coordinator)},
    )


def action_add(request, session_id):
    """A party adds an agreed action to a session."""
    scope, session = _visible_session(request, session_id)
    require(is_party(scope, session))
    if session.withdrawn_at:
        return _refused_because_locked(request, session, "given new actions")
    owners = [session.care_coordinator, *session.supervisors.all()]
    kwargs = {"owners": owners, "held_on": session.held_on}
    form = ActionForm(request.POST, **kwargs) if request.method == "POST" \
        else ActionForm(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.supervision_action_add(
                actor=request.user, session=session, action=form.agreed_action()
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Action ‘{action.description}’ has been added.")
            return redirect(_session_url(session) + "#actions")
    return render(
        request,
        "supervision/sessions/action_form.html",
        {"form": form, "session": session, "crumbs": _crumbs(scope, session.care_coordinator)},
    )


@require_POST
def action_done(request, action_id):
    """Mark an agreed action done today: its owner or any party, also after confirmation."""
    scope = scope_for(request.user)
    require(may_open_session_pages(scope))
    action = get_visible_or_404(
        SupervisionAction.objects.filter(session__in=sessions_visible_to(request.user))
        .select_related("session"),
        pk=action_id,
    )
    require(may_mark_action_done(scope, action))
    try:
        services.supervision_action_done(
            actor=request.user, action=action, by=_me(scope), as_of=today()
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action ‘{action.description}’ is marked done.")
    return redirect(_session_url(action.session) + "#actions")


# --- lists across coordinators ----------------------------------------------------------------


def to_confirm(request):
    """Records waiting for this user to confirm them, oldest session first."""
    scope = scope_for(request.user)
    require(scope.is_care_coordinator or scope.is_supporter)
    sessions = _with_people(awaiting_confirmation_by(request.user)).order_by("held_on", "pk")
    page = Paginator(sessions, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/sessions/to_confirm.html",
        {"page": page, "crumbs": [("Home", reverse("home"))]},
    )


def team(request):
    """Supervision cadence of every coordinator the user supports or manages."""
    scope = scope_for(request.user)
    require(scope.is_supporter or scope.is_pcn_manager)
    as_of = today()
    people = Person.objects.filter(
        pk__in=coordinators_in_pcns(scope.managed_pcn_ids, as_of).values("pk")
    ) | Person.objects.filter(pk__in=scope.supervisee_ids)
    people = people.select_related("pcn").order_by("family_name", "given_name", "pk")
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    columns, rows = cadence_table(page.object_list, as_of)
    return render(
        request,
        "supervision/sessions/team.html",
        {
            "page": page,
            "columns": columns,
            "rows": rows,
            "as_of": as_of,
            "is_manager": scope.is_pcn_manager,
            "crumbs": [("Home", reverse("home"))],
        },
    )


# --- a PCN's cadence settings and supervisor load ---------------------------------------------


def _managed_pcn(request):
    """The PCN shown: ?pcn= (or the posted pcn) when someone manages several, else their one."""
    scope = scope_for(request.user)
    require(scope.is_pcn_manager)
    pcns = list(pcns_managed_by(request.user))
    chosen = request.POST.get("pcn") or request.GET.get("pcn")
    if chosen:
        return get_visible_or_404(pcns_managed_by(request.user), pk=chosen), pcns
    return pcns[0], pcns


def _pcn_url(name, pcn, pcns):
    url = reverse(name)
    return f"{url}?pcn={pcn.pk}" if len(pcns) > 1 else url


def cadence_settings(request):
    """A PCN manager sets how often each type of session is expected in their PCN."""
    pcn, pcns = _managed_pcn(request)
    current = services.effective_intervals(pcn)
    kwargs = {"defaults": DEFAULT_CADENCE_DAYS}
    if request.method == "POST":
        form = CadenceForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.cadence_settings_save(
                    actor=request.user, pcn=pcn, intervals=form.intervals()
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"The supervision cadence for {pcn.name} has been "
                                 "saved. Overdue flags now follow it.")
                return redirect(_pcn_url("supervision:cadence", pcn, pcns))
    else:
        form = CadenceForm(
            initial={f"interval_{t}": days for t, days in current.items()}, **kwargs
        )
    return render(
        request,
        "supervision/sessions/cadence.html",
        {
            "form": form,
            "pcn": pcn,
            "pcns": pcns if len(pcns) > 1 else [],
            "crumbs": [("Home", reverse("home"))],
        },
    )


def load(request):
    """Per supervisor in a PCN: supervisees, and sessions held against expected in 90 days."""
    pcn, pcns = _managed_pcn(request)
    as_of = today()
    start, end = load_window(as_of)
    return render(
        request,
        "supervision/sessions/load.html",
        {
            "pcn": pcn,
            "pcns": pcns if len(pcns) > 1 else [],
            "loads": supervisor_load([pcn.pk], as_of),
            "start": start,
            "end": end,
            "crumbs": [("Home", reverse("home"))],
        },
    )
