"""Peer-network and MDT sessions: the list, a session's page and reply, arranging, inviting,
the attendance register, cancelling, and the personal calendar feed.

Permissions are checked here through lms.access and supervision.network_access: a page for a
role the user lacks is 403, a session outside their reach is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from content.models import LearningItemPage
from lms.access import get_visible_or_404, require, scope_for, today
from lms.form_rendering import add_validation_errors
from lms.models import PCN, Person
from lms.tokens import token_digest

from . import calendar_feed, network_services
from .models import RSVP, Attendance, Audience, SessionInvitation
from .network_access import (
    can_arrange,
    can_edit,
    can_take_register,
    may_use_sessions,
    organiser_pcn_ids,
    sessions_visible_to,
)
from .network_forms import CancelForm, InviteForm, RegisterForm, RSVPForm, SessionForm

SESSIONS_PER_PAGE = 25
RSVP_TAG_COLOURS = {RSVP.PENDING: "grey", RSVP.YES: "green", RSVP.NO: "red",
                    RSVP.MAYBE: "yellow"}
ATTENDANCE_TAG_COLOURS = {Attendance.UNRECORDED: "grey", Attendance.ATTENDED: "green",
                          Attendance.APOLOGIES: "yellow", Attendance.ABSENT: "red"}
#: How far back the coordinator's line about joint working looks.
JOINT_WORKING_DAYS = 365
FEED_TOKEN_KEY = "network_sessions.calendar_feed_token"


def _scope(request):
    scope = scope_for(request.user)
    require(may_use_sessions(scope))
    return scope


def _me(scope) -> Person:
    return Person.objects.select_related("pcn").get(pk=scope.person_id)


def _visible(request, pk):
    return get_visible_or_404(
        sessions_visible_to(request.user).select_related(
            "pcn", "facilitator", "learning_item", "created_by"),
        pk=pk,
    )


def _crumbs(session=None):
    crumbs = [("Home", reverse("home")), ("Sessions", reverse("network_sessions:list"))]
    if session is not None:
        crumbs.append((session.title, reverse("network_sessions:detail", args=[session.pk])))
    return crumbs


def tag_invitation(invitation):
    """Give an invitation the NHS.UK tag colours of its reply and attendance."""
    invitation.rsvp_colour = RSVP_TAG_COLOURS[invitation.rsvp]
    invitation.attendance_colour = ATTENDANCE_TAG_COLOURS[invitation.attendance]
    return invitation


# --- the list --------------------------------------------------------------------------------


def session_list(request):
    """Upcoming (or past) sessions the user is invited to, facilitates or may arrange."""
    scope = _scope(request)
    now, as_of = timezone.now(), today()
    past = request.GET.get("when") == "past"
    sessions = (
        sessions_visible_to(request.user)
        .select_related("pcn", "facilitator")
        .annotate(
            invited_count=Count("invitations"),
            attending_count=Count("invitations", filter=Q(invitations__rsvp=RSVP.YES)),
            attended_count=Count("invitations",
                                 filter=Q(invitations__attendance=Attendance.ATTENDED)),
        )
        .prefetch_related(Prefetch(
            "invitations",
            queryset=SessionInvitation.objects.filter(person_id=scope.person_id),
            to_attr="mine",
        ))
    )
    if past:
        sessions = sessions.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        sessions = sessions.filter(ends_at__gte=now).order_by("starts_at", "pk")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    arranging = organiser_pcn_ids(request.user)
    for session in page.object_list:
        session.my_invitation = tag_invitation(session.mine[0]) if session.mine else None
        session.organised_by_me = (session.pcn_id in arranging
                                   or session.facilitator_id == scope.person_id)
    joint_working = None
    if scope.is_care_coordinator:
        joint_working = {"last": network_services.last_joint_working(scope.person_id, as_of)}
    return render(request, "supervision/network/list.html", {
        "page": page,
        "past": past,
        "can_arrange_any": bool(arranging),
        "joint_working": joint_working,
        "crumbs": [("Home", reverse("home"))],
    })


# --- one session -------------------------------------------------------------------------------


def session_detail(request, pk):
    scope = _scope(request)
    session = _visible(request, pk)
    return _render_detail(request, scope, session)


def _render_detail(request, scope, session, *, rsvp_form=None):
    now = timezone.now()
    user = request.user
    invitation = SessionInvitation.objects.filter(session=session,
                                                  person_id=scope.person_id).first()
    may_edit, may_arrange = can_edit(user, session), can_arrange(user, session)
    may_register = can_take_register(user, session)
    invitations = []
    if may_edit or may_register:
        invitations = [tag_invitation(i) for i in session.invitations.select_related("person__pcn")
                       .order_by("person__family_name", "person__given_name", "pk")]
    rsvp_open = bool(invitation and not session.cancelled_at and session.ends_at > now)
    if rsvp_form is None and rsvp_open:
        initial = {} if invitation.rsvp == RSVP.PENDING else {"rsvp": invitation.rsvp}
        rsvp_form = RSVPForm(initial=initial)
    replies = {choice: 0 for choice in RSVP}
    attendance = {choice: 0 for choice in Attendance}
    for row in invitations:
        replies[row.rsvp] += 1
        attendance[row.attendance] += 1
    return render(request, "supervision/network/detail.html", {
        "session": session,
        "invitation": tag_invitation(invitation) if invitation else None,
        "invitations": invitations,
        "reply_counts": [(RSVP(k).label, v) for k, v in replies.items() if v],
        "attendance_counts": [(Attendance(k).label, v) for k, v in attendance.items() if v],
        "rsvp_form": rsvp_form,
        "form": rsvp_form,
        "rsvp_open": rsvp_open,
        "started": session.starts_at <= now,
        "ended": session.ends_at <= now,
        "may_edit": may_edit and not session.cancelled_at,
        "may_arrange": may_arrange and not session.cancelled_at,
        "may_register": may_register and not session.cancelled_at,
        "credit_item": network_services.credit_item(session),
        "credit_hours": network_services.credit_hours(session),
        "is_icb_wide": session.audience == Audience.ICB,
        "crumbs": _crumbs(),
    })


@require_POST
def session_rsvp(request, pk):
    """The invitee's reply: attending, not attending or maybe."""
    scope = _scope(request)
    session = _visible(request, pk)
    invitation = SessionInvitation.objects.filter(session=session,
                                                  person_id=scope.person_id).first()
    require(invitation is not None)
    form = RSVPForm(request.POST)
    if form.is_valid():
        try:
            network_services.rsvp_record(actor=request.user, invitation=invitation,
                                         rsvp=form.cleaned_data["rsvp"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            label = RSVP(form.cleaned_data["rsvp"]).label.lower()
            messages.success(request, f"Your reply to ‘{session.title}’ has been saved: {label}.")
            return redirect("network_sessions:detail", pk=session.pk)
    return _render_detail(request, scope, session, rsvp_form=form)


# --- arranging ------------------------------------------------------------------------------------


def _items():
    return list(LearningItemPage.objects.live().only("title", "path", "depth").order_by("path"))


def session_create(request):
    """Arrange a session for a PCN the user manages or supports coordinators in."""
    scope = _scope(request)
    pcn_ids = organiser_pcn_ids(request.user)
    require(bool(pcn_ids))
    as_of = today()
    me = _me(scope)
    pcns = list(PCN.objects.filter(pk__in=pcn_ids).order_by("name"))
    people = list(network_services.facilitator_choices(pcn_ids, as_of))
    kwargs = {"pcns": pcns, "people": people, "items": _items(), "as_of": as_of}
    if request.method == "POST":
        form = SessionForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                session = network_services.network_session_create(
                    actor=request.user, pcn=form.cleaned_data["pcn_object"], created_by=me,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"‘{session.title}’ has been arranged. Now choose who "
                                          "to invite.")
                return redirect("network_sessions:invite", pk=session.pk)
    else:
        initial = {"audience": Audience.PCN}
        if me.pk in {p.pk for p in people}:
            initial["facilitator"] = me.pk
        if len(pcns) > 1 and me.pcn_id in pcn_ids:
            initial["pcn"] = me.pcn_id
        form = SessionForm(initial=initial, **kwargs)
    return render(request, "supervision/network/form.html", {
        "form": form, "session": None, "crumbs": _crumbs(),
    })


def session_edit(request, pk):
    """Change a session's details: its organisers and its facilitator."""
    _scope(request)
    session = _visible(request, pk)
    require(can_edit(request.user, session))
    if session.cancelled_at:
        messages.info(request, "This session was cancelled, so it cannot be changed.")
        return redirect("network_sessions:detail", pk=session.pk)
    as_of = today()
    people = list(network_services.facilitator_choices([session.pcn_id], as_of))
    if session.facilitator_id not in {p.pk for p in people}:
        people.append(session.facilitator)
    kwargs = {"pcns": [session.pcn], "people": people, "items": _items(), "as_of": as_of,
              "fixed_pcn": session.pcn}
    if request.method == "POST":
        form = SessionForm(request.POST, **kwargs)
        if form.is_valid():
            before = (session.starts_at, session.ends_at, session.venue, session.online_link)
            try:
                saved = network_services.network_session_update(
                    actor=request.user, session=session, as_of=as_of, **form.service_fields()
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                moved = before != (saved.starts_at, saved.ends_at, saved.venue,
                                   saved.online_link)
                text = f"‘{saved.title}’ has been saved."
                if moved and saved.invitations.exists():
                    text += " Everyone invited has been emailed the new time and place."
                messages.success(request, text)
                return redirect("network_sessions:detail", pk=session.pk)
    else:
        form = SessionForm(initial=SessionForm.initial_for(session), **kwargs)
    return render(request, "supervision/network/form.html", {
        "form": form, "session": session, "crumbs": _crumbs(session),
    })


def session_invite(request, pk):
    """Choose invitees; each new one is emailed the details with a calendar file."""
    _scope(request)
    session = _visible(request, pk)
    require(can_edit(request.user, session))
    if session.cancelled_at:
        messages.info(request, "This session was cancelled, so nobody can be invited.")
        return redirect("network_sessions:detail", pk=session.pk)
    as_of = today()
    invited = list(session.invitations.select_related("person__pcn")
                   .order_by("person__family_name", "person__given_name", "pk"))
    invitable = network_services.invitable_people(session, as_of)
    kwargs = {"invitable": invitable, "already_invited": {i.person_id for i in invited}}
    if request.method == "POST":
        form = InviteForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                new = network_services.invitations_send(
                    actor=request.user, session=session, people=form.cleaned_data["people"],
                    as_of=as_of,
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                count = len(new)
                messages.success(
                    request,
                    f"{count} {'person has' if count == 1 else 'people have'} been invited "
                    "and emailed the details with a calendar file.",
                )
                return redirect("network_sessions:detail", pk=session.pk)
    else:
        form = InviteForm(**kwargs)
    return render(request, "supervision/network/invite.html", {
        "form": form, "session": session, "invited": [tag_invitation(i) for i in invited],
        "is_icb_wide": session.audience == Audience.ICB, "crumbs": _crumbs(session),
    })


def session_cancel(request, pk):
    """Cancel a session with a reason; it is kept, and invitees are emailed."""
    _scope(request)
    session = _visible(request, pk)
    require(can_arrange(request.user, session))
    if session.cancelled_at:
        messages.info(request, "This session has already been cancelled.")
        return redirect("network_sessions:detail", pk=session.pk)
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                network_services.network_session_cancel(
                    actor=request.user, session=session, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"‘{session.title}’ has been cancelled. Everyone "
                                          "invited has been emailed.")
                return redirect("network_sessions:detail", pk=session.pk)
    else:
        form = CancelForm()
    return render(request, "supervision/network/cancel.html", {
        "form": form, "session": session, "invited_count": session.invitations.count(),
        "crumbs": _crumbs(session),
    })


# --- the register ---------------------------------------------------------------------------------


def session_register(request, pk):
    """Attended, apologies or absent for each invitee, once the session has started."""
    scope = _scope(request)
    session = _visible(request, pk)
    require(can_take_register(request.user, session))
    now = timezone.now()
    invitations = list(session.invitations.select_related("person__pcn")
                       .order_by("person__family_name", "person__given_name", "pk"))
    opened = session.starts_at <= now and not session.cancelled_at
    context = {"session": session, "opened": opened, "invitations": invitations,
               "starts_at": timezone.localtime(session.starts_at),
               "credit_item": network_services.credit_item(session),
               "credit_hours": network_services.credit_hours(session),
               "crumbs": _crumbs(session)}
    if request.method == "POST":
        form = RegisterForm(request.POST, invitations=invitations)
        valid = form.is_valid()
        if session.cancelled_at:
            form.add_error(None, "This session was cancelled, so it has no register.")
        elif not opened:
            start = context["starts_at"]
            form.add_error(None, f"The register opens when the session starts, at "
                                 f"{start:%H:%M} on {start:%-d %B %Y}.")
        elif valid:
            try:
                outcome = network_services.register_save(
                    actor=request.user, recorded_by=_me(scope), session=session,
                    attendance=form.attendance(), as_of=today(), now=now,
                    notes=form.cleaned_data["notes"], themes=form.cleaned_data["themes"],
                    other_attendees=form.cleaned_data["other_attendees"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _register_message(outcome))
                return redirect("network_sessions:detail", pk=session.pk)
    else:
        form = RegisterForm(
            initial={"notes": session.notes, "themes": session.themes,
                     "other_attendees": session.other_attendees},
            invitations=invitations,
        )
    context["form"] = form
    return render(request, "supervision/network/register.html", context)


def _people(people) -> str:
    return f"{len(people)} {'person' if len(people) == 1 else 'people'}"


def _register_message(outcome) -> str:
    parts = ["The register has been saved."]
    if outcome.credited:
        parts.append(f"CPD hours added to the learning records of {_people(outcome.credited)}.")
    if outcome.removed:
        parts.append(f"CPD hours taken off the learning records of "
                     f"{_people(outcome.removed)}.")
    if outcome.item is None:
        parts.append("No CPD hours were credited: the curriculum has no item for this type of "
                     "session. Choose a curriculum item for the session, then save the register "
                     "again.")
    return " ".join(parts)


# --- the calendar feed -------------------------------------------------------------------------


def calendar(request):
    """Create, regenerate or turn off the secret address of the user's calendar feed."""
    scope = _scope(request)
    person = _me(scope)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _feed, token = calendar_feed.calendar_feed_create(actor=request.user, person=person)
            request.session[FEED_TOKEN_KEY] = token
            messages.success(request, "Your calendar feed address has been made. Copy it now: "
                                      "it is shown only once.")
        elif action == "revoke":
            if calendar_feed.calendar_feed_revoke(actor=request.user, person=person):
                messages.success(request, "Your calendar feed address has been turned off. "
                                          "Calendars using it will stop updating.")
            else:
                messages.info(request, "You have no calendar feed to turn off.")
        else:
            return HttpResponseBadRequest("Choose to make or turn off the feed address.")
        return redirect("network_sessions:calendar")
    feed = calendar_feed.live_feed(person)
    token = request.session.pop(FEED_TOKEN_KEY, None)
    new_url = None
    if token and feed is not None and feed.token_digest == token_digest(token):
        new_url = calendar_feed.feed_url(token)
    return render(request, "supervision/network/calendar.html", {
        "feed": feed, "new_url": new_url, "days_back": calendar_feed.FEED_DAYS_BACK,
        "crumbs": _crumbs(),
    })


@login_not_required
@require_safe
def calendar_feed_ics(request, token):
    """The feed itself, for calendar apps: no sign-in, the secret address is the key."""
    feed = calendar_feed.feed_for_token(token)
    if feed is None:
        raise Http404
    body = calendar_feed.person_feed(feed.person, timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coordinate.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response

