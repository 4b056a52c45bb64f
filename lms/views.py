"""Home pages per role, people management and invitation acceptance."""

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .access import (
    get_visible_or_404,
    pcns_managed_by,
    people_manageable_by,
    record_owners_visible_to,
    require,
    scope_for,
    today,
)
from .form_rendering import add_validation_errors
from .forms import InvitationAcceptForm, PersonAddForm, PersonEditForm, RoleAssignForm, RoleEndForm
from .manager_home import manager_sections
from .models import EvidenceFile, Person, Practice, Role, RoleAssignment
from .panels import coordinator_cache, render_home_panels
from .support import coordinator_support, icb_pcn_summaries

PEOPLE_PER_PAGE = 25


def home(request):
    """One page per user, composed of a panel for each role they hold."""
    from .development_views import induction_progress_by_person, induction_task_list

    as_of = today()
    scope = scope_for(request.user, as_of)
    context = {"scope": scope, "as_of": as_of}
    # A coordinator's own data (their support, induction and own panels) is cached.
    mine = coordinator_cache(request, scope, as_of)
    my_support = []
    if mine is not None:
        my_support = mine.get("lms.my_support", lambda: coordinator_support(
            RoleAssignment.objects.filter(person_id=scope.person_id), as_of
        ))
        context["my_support"] = my_support
        induction = mine.get("lms.induction", lambda: induction_progress_by_person(
            [scope.person_id], as_of, with_items=True
        )[scope.person_id])
    if scope.person_id:
        # A coordinator's support rows hold their person already: no query of its own.
        context["me"] = (
            my_support[0].person if my_support else Person.objects.get(pk=scope.person_id)
        )
    if scope.is_supporter:
        rows = coordinator_support(
            RoleAssignment.objects.filter(person_id__in=scope.supervisee_ids), as_of
        )
        progress = induction_progress_by_person([row.person.pk for row in rows], as_of)
        for row in rows:
            row.my_roles = sorted(
                Role(r).label for r in scope.support_roles_by_supervisee.get(row.person.pk, ())
            )
            row.induction = progress[row.person.pk]
        context["supervisees"] = rows
    if scope.is_pcn_manager:
        context["manager_sections"] = manager_sections(scope.managed_pcn_ids, as_of)
    if scope.is_icb_viewer:
        context["icb_pcns"] = icb_pcn_summaries(scope.icb_ids, as_of)
    context["contributed_panels"] = render_home_panels(request, scope, as_of, mine)
    if mine is not None:
        mine.save()
        # After saving: the task list adds this request's URLs to the cached tasks.
        context["induction"] = induction_task_list(
            scope, context["me"], as_of, request, progress=induction
        )
    return render(request, "lms/home.html", context)


def _people_crumbs(person=None):
    crumbs = [("Home", reverse("home")), ("People", reverse("people:list"))]
    if person is not None:
        crumbs.append((person.full_name, reverse("people:detail", args=[person.pk])))
    return crumbs


def _manager_scope(request):
    scope = scope_for(request.user)
    require(scope.is_pcn_manager)
    return scope


def people_list(request):
    """A PCN manager's people, with their current roles, a page at a time."""
    _manager_scope(request)
    as_of = today()
    show_left = request.GET.get("show") == "left"
    people = people_manageable_by(request.user).select_related("user", "pcn")
    people = people.filter(left_on__isnull=not show_left)
    people = people.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.current(as_of).select_related(
                "care_coordinator", "pcn", "icb"
            ),
            to_attr="current_roles",
        )
    )
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lms/people_list.html",
        {"page": page, "show_left": show_left, "crumbs": [("Home", reverse("home"))]},
    )


def person_add(request):
    _manager_scope(request)
    pcns = pcns_managed_by(request.user)
    posted = request.method == "POST"
    form = PersonAddForm(request.POST if posted else None, pcns=pcns, initial={"pcn": pcns.first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = _create_person_with_role(request, data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _added_message(person, data))
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "lms/person_form.html",
        {"form": form, "adding": True, "crumbs": _people_crumbs()},
    )


def _create_person_with_role(request, data):
    from django.db import transaction

    with transaction.atomic():
        person = services.person_create(
            actor=request.user,
            email=data["email"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            pcn=data["pcn"],
            job_title=data["job_title"],
            employment_start_date=data["employment_start_date"],
            funding_route=data["funding_route"],
            afc_band=data["afc_band"],
        )
        if data["role"]:
            services.role_assign(
                actor=request.user,
                person=person,
                role=data["role"],
                pcn=data["pcn"],
                starts_on=data["employment_start_date"] or today(),
            )
        if data["send_invitation"]:
            services.invitation_send(actor=request.user, person=person)
    return person


def _added_message(person, data):
    message = f"{person.full_name} has been added."
    if data["send_invitation"]:
        message += f" An invitation has been sent to {person.email}."
    return message


def _manageable_person(request, pk):
    _manager_scope(request)
    return get_visible_or_404(
        people_manageable_by(request.user).select_related("user", "pcn"), pk=pk
    )


def person_detail(request, pk):
    """A person's details and role history: PCN managers, the person, their supporters."""
    person = get_visible_or_404(
        record_owners_visible_to(request.user).select_related("user", "pcn"), pk=pk
    )
    scope = scope_for(request.user)
    can_manage = person.pcn_id in scope.managed_pcn_ids
    assignments = (
        person.role_assignments.select_related("care_coordinator", "pcn", "icb", "created_by",
                                                "ended_by")
        .prefetch_related("practices")
        .order_by("-starts_on", "-pk")
    )
    as_of = today()
    now = timezone.now()
    invitation = person.invitations.first() if can_manage else None
    supporters = (
        person.support_assignments.current(as_of).select_related("person")
        .order_by("role", "person__family_name")
    )
    return render(
        request,
        "lms/person_detail.html",
        {
            "person": person,
            "crumbs": _people_crumbs() if can_manage else [("Home", reverse("home"))],
            "details": [
                ("Email", person.email),
                ("Job title", person.job_title),
                ("PCN", person.pcn),
                ("Employment start date",
                 person.employment_start_date and f"{person.employment_start_date:%-d %B %Y}"),
                ("Funding route", person.get_funding_route_display()),
                ("Agenda for Change band", person.get_afc_band_display()),
            ],
            "can_manage": can_manage,
            "is_self": person.pk == scope.person_id,
            "is_coordinator": any(
                a.role == Role.CARE_COORDINATOR for a in assignments if a.is_current(as_of)
            ),
            "current_roles": [a for a in assignments if a.is_current(as_of)],
            "past_roles": [a for a in assignments if not a.is_current(as_of)],
            "supporters": supporters,
            "invitation": invitation,
            "invitation_state": invitation.state(now) if invitation else None,
            "can_invite": can_manage and not person.user.has_usable_password()
            and person.left_on is None,
        },
    )


def person_edit(request, pk):
    person = _manageable_person(request, pk)
    initial = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "job_title": person.job_title,
        "pcn": person.pcn,
        "employment_start_date": person.employment_start_date,
        "funding_route": person.funding_route,
        "afc_band": person.afc_band,
        "left_on": person.left_on,
    }
    posted = request.method == "POST"
    form = PersonEditForm(request.POST if posted else None, pcns=pcns_managed_by(request.user),
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.person_update(
                actor=request.user,
                person=person,
                email=data.pop("email"),
                pcn=data.pop("pcn"),
                **data,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"{person.full_name}’s details have been saved.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "lms/person_form.html",
        {"form": form, "person": person, "crumbs": _people_crumbs(person)},
    )


def role_add(request, pk):
    person = _manageable_person(request, pk)
    as_of = today()
    coordinators = (
        Person.objects.filter(
            pk__in=RoleAssignment.objects.current(as_of)
            .care_coordinators()
            .filter(pcn_id=person.pcn_id)
            .values("person_id")
        )
        .exclude(pk=person.pk)
    )
    form = RoleAssignForm(
        request.POST if request.method == "POST" else None,
        coordinators=coordinators,
        practices=Practice.objects.filter(pcn_id=person.pcn_id),
        initial={"starts_on": as_of},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.role_assign(
                actor=request.user,
                person=person,
                role=data["role"],
                pcn=person.pcn,
                care_coordinator=data["care_coordinator"],
                practices=data["practices"],
                starts_on=data["starts_on"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                f"{person.full_name} is now {assignment.get_role_display().lower()} "
                f"{assignment.scope_label} from {assignment.starts_on:%-d %B %Y}.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "lms/role_form.html",
        {"form": form, "person": person, "crumbs": _people_crumbs(person)},
    )


def role_end(request, pk, assignment_pk):
    person = _manageable_person(request, pk)
    assignment = get_visible_or_404(
        person.role_assignments.select_related("care_coordinator", "pcn"), pk=assignment_pk
    )
    posted = request.method == "POST"
    form = RoleEndForm(request.POST if posted else None, initial={"ends_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.role_end(
                actor=request.user,
                assignment=assignment,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                f"{person.full_name}’s role as {assignment.get_role_display().lower()} "
                f"ends on {assignment.ends_on:%-d %B %Y}. The record is kept in their history.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "lms/role_end.html",
        {
            "form": form,
            "person": person,
            "assignment": assignment,
            "crumbs": _people_crumbs(person),
        },
    )


@require_POST
def invitation_resend(request, pk):
    person = _manageable_person(request, pk)
    try:
        services.invitation_send(actor=request.user, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation has been sent to {person.email}.")
    return redirect("people:detail", pk=person.pk)


@login_not_required
def invitation_accept(request, token):
    """Set a password from an invitation link, then sign in."""
    invitation = services.invitation_for_token(token)
    state = invitation.state(timezone.now()) if invitation else "unknown"
    if state != "pending":
        return render(request, "lms/invitation_unusable.html", {"state": state}, status=410
                      if state in {"expired", "accepted", "revoked"} else 404)
    person = invitation.person
    posted = request.method == "POST"
    form = InvitationAcceptForm(request.POST if posted else None, user=person.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except ValidationError:
            return render(request, "lms/invitation_unusable.html", {"state": "accepted"},
                          status=410)
        login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
        # Counts as a fresh password sign-in, so staff go straight on to set up MFA.
        record_authentication(request, person.user, method="password")
        messages.success(request, "Your password has been set and you are signed in.")
        return redirect("home")
    return render(request, "lms/invitation_accept.html", {"form": form, "person": person})


def evidence_file_download(request, pk):
    """An evidence file, as an attachment, to people who may see its owner's records."""
    evidence = get_visible_or_404(
        EvidenceFile.objects.filter(owner__in=record_owners_visible_to(request.user)), pk=pk
    )
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError:  # removed under retention (apply_retention): the row stays
        raise Http404("This file is no longer held") from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
