"""Home-page panels for supervision: a coordinator's next session and open actions, a
supervisor's records to confirm or write, a PCN manager's cadence per coordinator.

Each runs a fixed number of queries however many coordinators, sessions or actions.
"""

from django.db.models import F

from lms.models import Person
from lms.panels import home_panel

from .cadence import ROLE_SESSION_TYPE, cadence_by_coordinator, cadence_table, coordinators_in_pcns
from .models import SupervisionAction, SupervisionSession
from .session_access import awaiting_confirmation_by

PANEL_ACTIONS = 5
PANEL_COORDINATORS = 25


@home_panel(order=60, per_person=True)
def coordinator_supervision(request, scope, as_of):
    """Next supervision, when each type is due, open actions and records to confirm."""
    if not scope.is_care_coordinator:
        return None
    me = scope.person_id
    latest = (
        SupervisionSession.objects.current()
        .filter(care_coordinator_id=me, held_on__lte=as_of)
        .order_by("-held_on", "-pk")
        .only("next_session_on", "held_on", "session_type")
        .first()
    )
    next_session = latest if latest and latest.next_session_on and \
        latest.next_session_on >= as_of else None
    open_actions = SupervisionAction.objects.open().filter(session__care_coordinator_id=me)
    actions = list(
        open_actions.select_related("owner", "session")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[: PANEL_ACTIONS + 1]
    )
    for action in actions:
        action.overdue = bool(action.due_on and action.due_on < as_of)
    more = len(actions) > PANEL_ACTIONS
    return "supervision/sessions/panel_coordinator.html", {
        "next_session": next_session,
        "cadence": list(cadence_by_coordinator([me], as_of).get(me, {}).values()),
        "actions": actions[:PANEL_ACTIONS],
        "more_actions": more,
        "to_confirm": awaiting_confirmation_by(request.user, as_of)
        .filter(care_coordinator_id=me)
        .count(),
    }


@home_panel(order=61)
def supervisor_supervision(request, scope, as_of):
    """Records waiting for this supervisor's confirmation, and supervisees whose session of
    the supervisor's own type is overdue (records to write)."""
    if not scope.is_supporter:
        return None
    waiting = (
        awaiting_confirmation_by(request.user, as_of)
        .filter(care_coordinator_id__in=scope.supervisee_ids)
        .count()
    )
    cadence = cadence_by_coordinator(scope.supervisee_ids, as_of)
    overdue = []
    for person_id, by_type in cadence.items():
        mine = {ROLE_SESSION_TYPE[role] for role in scope.support_roles_by_supervisee.get(
            person_id, ()) if role in ROLE_SESSION_TYPE}
        late = [c for t, c in by_type.items() if t in mine and c.is_overdue]
        if late:
            overdue.append((person_id, late))
    people = Person.objects.in_bulk([person_id for person_id, _late in overdue])
    rows = sorted(
        ({"person": people[person_id], "late": late} for person_id, late in overdue
         if person_id in people),
        key=lambda row: (row["person"].family_name, row["person"].given_name, row["person"].pk),
    )
    return "supervision/sessions/panel_supervisor.html", {"waiting": waiting, "overdue": rows}


@home_panel(order=62)
def manager_supervision(request, scope, as_of):
    """Supervision cadence per care coordinator of the PCNs this person manages."""
    if not scope.is_pcn_manager:
        return None
    coordinators = coordinators_in_pcns(scope.managed_pcn_ids, as_of).select_related("pcn")
    shown = list(coordinators[: PANEL_COORDINATORS + 1])
    more = len(shown) > PANEL_COORDINATORS
    columns, rows = cadence_table(shown[:PANEL_COORDINATORS], as_of)
    return "supervision/sessions/panel_manager.html", {
        "columns": columns,
        "rows": rows,
        "more": more,
        "overdue": sum(1 for row in rows if row["overdue"]),
    }
