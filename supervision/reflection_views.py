"""Reflective practice: a person's reflections, writing one in a chosen model, sharing it
with named supporters, comments, archiving with an undo, and "Shared with you".

Every view reaches reflections through supervision.reflection_access: a reflection the user
may not open is not found (404); an action on one they may read but did not write, or a
page for a role they lack, is refused (403).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lms.access import get_visible_or_404, require, scope_for, today
from lms.form_rendering import add_validation_errors
from lms.models import Person

from . import reflection_services as services
from .models import (
    Reflection,
    ReflectionComment,
    ReflectionModel,
    ReflectionShare,
    ReflectionStatus,
)
from .reflection_access import (
    commented_by,
    is_author,
    may_write_reflections,
    own_reflections,
    reflections_visible_to,
    share_candidates,
    shared_with_user,
    support_roles_of,
)
from .reflection_forms import CommentForm, ModelChoiceForm, ReflectionForm, ShareForm

PER_PAGE = 25
STATUS_TAG_COLOURS = {ReflectionStatus.DRAFT: "grey", ReflectionStatus.COMPLETE: "green"}


def _crumbs(*extra):
    return [("Home", reverse("home")), ("Your reflections", reverse("reflections:mine")),
            *extra]


def _writer_scope(request):
    scope = scope_for(request.user)
    require(may_write_reflections(scope))
    return scope


def _list_rows(queryset):
    """Reflections with the counts a list shows, in one query per page."""
    return queryset.annotate(
        live_share_count=Count("shares", filter=Q(shares__revoked_at__isnull=True),
                               distinct=True),
        comment_count=Count("comments", distinct=True),
    ).order_by("-reflected_on", "-pk")


def _tag(reflections):
    for reflection in reflections:
        reflection.tag_colour = STATUS_TAG_COLOURS[reflection.status]
    return reflections


# --- lists -------------------------------------------------------------------------------------


def mine(request):
    """Your reflections: drafts and complete ones, newest first."""
    _writer_scope(request)
    reflections = _list_rows(own_reflections(request.user).current())
    page = Paginator(reflections, PER_PAGE).get_page(request.GET.get("page"))
    _tag(page.object_list)
    archived = own_reflections(request.user).filter(archived_at__isnull=False).exists()
    return render(request, "supervision/reflections/mine.html", {
        "page": page, "has_archived": archived,
        "crumbs": [("Home", reverse("home"))],
    })


def archived(request):
    """Your archived reflections, each restorable."""
    _writer_scope(request)
    reflections = _list_rows(own_reflections(request.user).filter(archived_at__isnull=False))
    page = Paginator(reflections, PER_PAGE).get_page(request.GET.get("page"))
    _tag(page.object_list)
    return render(request, "supervision/reflections/archived.html", {
        "page": page, "crumbs": _crumbs(),
    })


def shared(request):
    """Reflections shared with you by the people you support."""
    scope = scope_for(request.user)
    require(scope.is_supporter)
    reflections = (
        shared_with_user(request.user)
        .select_related("author")
        .annotate(you_commented=commented_by(scope.person_id),
                  comment_count=Count("comments", distinct=True))
        .order_by("-reflected_on", "-pk")
    )
    page = Paginator(reflections, PER_PAGE).get_page(request.GET.get("page"))
    _tag(page.object_list)
    return render(request, "supervision/reflections/shared.html", {
        "page": page, "crumbs": [("Home", reverse("home"))],
    })


# --- writing -----------------------------------------------------------------------------------


def start(request):
    """Step 1: choose the reflective model."""
    _writer_scope(request)
    if request.method == "POST":
        form = ModelChoiceForm(request.POST)
        if form.is_valid():
            return redirect("reflections:add", model=form.cleaned_data["model"])
    else:
        form = ModelChoiceForm(initial={"model": request.GET.get("model")})
    return render(request, "supervision/reflections/start.html", {
        "form": form, "crumbs": _crumbs(),
    })


def _choices(author: Person, reflection: Reflection | None):
    """What the form offers to link, in a fixed number of queries; whatever the reflection
    already links stays offered (a session withdrawn since, a framework retired)."""

    def with_linked(queryset, name):
        if reflection is None:
            return queryset
        model = queryset.model
        return model.objects.filter(
            Q(pk__in=queryset.values("pk"))
            | Q(pk__in=getattr(reflection, name).values("pk"))
        )

    competencies = with_linked(services.linkable_competencies(), "competencies")
    items = with_linked(services.linkable_learning_items(), "learning_items")
    sessions = with_linked(services.linkable_supervision_sessions(author),
                           "supervision_sessions")
    network = with_linked(services.linkable_network_sessions(author), "network_sessions")
    return {
        "competencies": competencies.select_related("framework", "domain").order_by(
            "framework__name", "framework__version", "domain__sort_order", "sort_order", "pk"),
        "items": items.only("title", "path").order_by("path"),
        "supervision_sessions": sessions.order_by("-held_on", "-pk"),
        "network_sessions": network.order_by("-starts_at", "-pk"),
    }


def _initial(reflection: Reflection) -> dict:
    initial = {"title": reflection.title, "reflected_on": reflection.reflected_on}
    for name in services.text_fields(reflection.model):
        initial[name] = getattr(reflection, name)
    for name in ("competencies", "learning_items", "supervision_sessions", "network_sessions"):
        initial[name] = [obj.pk for obj in getattr(reflection, name).all()]
    return initial


def _reflection_form(request, scope, *, model, reflection=None):
    author = Person.objects.get(pk=scope.person_id)
    as_of = today()
    already_complete = reflection is not None and reflection.status == ReflectionStatus.COMPLETE
    choices = _choices(author, reflection)
    if request.method == "POST":
        complete = already_complete or request.POST.get("action") == "complete"
        form = ReflectionForm(request.POST, model=model, complete=complete, as_of=as_of,
                              **choices)
        if form.is_valid():
            status = ReflectionStatus.COMPLETE if complete else ReflectionStatus.DRAFT
            try:
                saved = services.reflection_save(
                    actor=request.user, author=author, reflection=reflection,
                    title=form.cleaned_data["title"],
                    reflected_on=form.cleaned_data["reflected_on"], model=model,
                    status=status, texts=form.texts(), as_of=as_of, **form.links(),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                _saved_message(request, saved, created=reflection is None,
                               completed=complete and not already_complete)
                return redirect("reflections:detail", pk=saved.pk)
    else:
        initial = _initial(reflection) if reflection is not None else {"reflected_on": as_of}
        form = ReflectionForm(initial=initial, model=model, complete=already_complete,
                              as_of=as_of, **choices)
    crumbs = _crumbs()
    if reflection is not None:
        crumbs.append((reflection.title, reverse("reflections:detail", args=[reflection.pk])))
    return render(request, "supervision/reflections/form.html", {
        "form": form, "reflection": reflection, "model": model,
        "model_label": ReflectionModel(model).label,
        "already_complete": already_complete, "crumbs": crumbs,
    })


def _saved_message(request, reflection, *, created, completed):
    if completed:
        text = f"‘{reflection.title}’ is saved and marked complete."
        evidence = reflection.competencies.count()
        if evidence:
            text += (f" It is now evidence for {evidence} "
                     f"competenc{'ies' if evidence != 1 else 'y'}.")
    elif created:
        text = f"‘{reflection.title}’ is saved as a draft. Only you can see it."
    else:
        text = f"Your changes to ‘{reflection.title}’ are saved."
    messages.success(request, text)


def add(request, model):
    """Step 2: write a reflection in the chosen model."""
    scope = _writer_scope(request)
    if model not in ReflectionModel.values:
        raise Http404
    return _reflection_form(request, scope, model=model)


def edit(request, pk):
    """The author changes their reflection (the model stays the one it was written in)."""
    scope = scope_for(request.user)
    reflection = get_visible_or_404(reflections_visible_to(request.user), pk=pk)
    require(is_author(scope, reflection))
    if reflection.archived_at is not None:
        messages.info(request, "This reflection is archived. Restore it to change it.")
        return redirect("reflections:detail", pk=reflection.pk)
    return _reflection_form(request, scope, model=reflection.model, reflection=reflection)


# --- reading and commenting --------------------------------------------------------------------


def _detail_queryset(request):
    return reflections_visible_to(request.user).select_related("author").prefetch_related(
        Prefetch("competencies", queryset=_competency_queryset()),
        "learning_items",
        "supervision_sessions",
        "network_sessions",
        Prefetch("comments", queryset=ReflectionComment.objects.select_related("author")),
    )


def _competency_queryset():
    from competencies.models import Competency

    return Competency.objects.select_related("framework").order_by(
        "framework__name", "sort_order", "pk")


def _detail(request, reflection, comment_form=None, status=200):
    scope = scope_for(request.user)
    own = is_author(scope, reflection)
    shares = []
    if own:
        shares = list(reflection.shares.filter(revoked_at__isnull=True)
                      .select_related("shared_with").order_by("shared_at", "pk"))
    can_comment = reflection.archived_at is None
    crumbs = _crumbs() if own else [("Home", reverse("home")),
                                    ("Shared with you", reverse("reflections:shared"))]
    return render(request, "supervision/reflections/detail.html", {
        "reflection": reflection,
        "own": own,
        "tag_colour": STATUS_TAG_COLOURS[reflection.status],
        "shares": shares,
        "comments": list(reflection.comments.all()),
        "comment_form": comment_form or CommentForm(),
        "form": comment_form,
        "can_comment": can_comment,
        "crumbs": crumbs,
    }, status=status)


def detail(request, pk):
    """One reflection: its author, or a supporter it is shared with."""
    reflection = get_visible_or_404(_detail_queryset(request), pk=pk)
    return _detail(request, reflection)


@require_POST
def comment(request, pk):
    """Add a comment; the author replies the same way. Comments are never edited."""
    scope = scope_for(request.user)
    reflection = get_visible_or_404(_detail_queryset(request), pk=pk)
    form = CommentForm(request.POST)
    if reflection.archived_at is not None:
        messages.info(request, "This reflection is archived. Restore it to add comments.")
        return redirect("reflections:detail", pk=reflection.pk)
    if form.is_valid():
        try:
            services.reflection_comment_add(
                actor=request.user, reflection=reflection,
                author=Person.objects.get(pk=scope.person_id),
                text=form.cleaned_data["text"], as_of=today(),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Your comment has been added.")
            return redirect(reverse("reflections:detail", args=[reflection.pk]) + "#comments")
    return _detail(request, reflection, comment_form=form)


# --- sharing -----------------------------------------------------------------------------------


def share(request, pk):
    """The author shares the reflection with people who currently support them."""
    scope = scope_for(request.user)
    reflection = get_visible_or_404(reflections_visible_to(request.user), pk=pk)
    require(is_author(scope, reflection))
    if reflection.archived_at is not None:
        messages.info(request, "This reflection is archived. Restore it to share it.")
        return redirect("reflections:detail", pk=reflection.pk)
    as_of = today()
    candidates = list(share_candidates(reflection.author, as_of).order_by(
        "family_name", "given_name"))
    roles = support_roles_of(reflection.author, as_of)
    already = set(reflection.shares.filter(revoked_at__isnull=True)
                  .values_list("shared_with_id", flat=True))
    kwargs = {"candidates": candidates, "roles": roles, "already": already}
    if request.method == "POST":
        form = ShareForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                created = services.reflection_share(
                    actor=request.user, reflection=reflection, people=form.chosen_people(),
                    as_of=as_of,
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                names = ", ".join(s.shared_with.full_name for s in created)
                messages.success(request, f"‘{reflection.title}’ is now shared with {names}.")
                return redirect("reflections:detail", pk=reflection.pk)
    else:
        form = ShareForm(**kwargs)
    shared_with = [person for person in candidates if person.pk in already]
    return render(request, "supervision/reflections/share.html", {
        "form": form, "reflection": reflection, "shared_with": shared_with,
        "crumbs": _crumbs((reflection.title, reverse("reflections:detail",
                                                     args=[reflection.pk]))),
    })


@require_POST
def revoke(request, pk, share_id):
    """The author stops sharing with one person; the share is kept, marked revoked."""
    scope = scope_for(request.user)
    reflection = get_visible_or_404(reflections_visible_to(request.user), pk=pk)
    require(is_author(scope, reflection))
    share_row = get_visible_or_404(
        ReflectionShare.objects.filter(reflection=reflection, revoked_at__isnull=True)
        .select_related("shared_with"),
        pk=share_id,
    )
    services.reflection_share_revoke(actor=request.user, share=share_row)
    messages.success(
        request,
        f"{share_row.shared_with.full_name} can no longer see ‘{reflection.title}’.",
    )
    return redirect("reflections:detail", pk=reflection.pk)


# --- archiving ---------------------------------------------------------------------------------


def archive(request, pk):
    """Confirm, then archive: the reflection leaves your list and sharees' sight; undoable."""
    scope = scope_for(request.user)
    reflection = get_visible_or_404(reflections_visible_to(request.user), pk=pk)
    require(is_author(scope, reflection))
    if reflection.archived_at is not None:
        return redirect("reflections:detail", pk=reflection.pk)
    if request.method == "POST":
        services.reflection_archive(actor=request.user, reflection=reflection)
        messages.success(
            request,
            f"‘{reflection.title}’ is archived. It is kept, and you can restore it on this page.",
        )
        return redirect("reflections:detail", pk=reflection.pk)
    live_shares = reflection.shares.filter(revoked_at__isnull=True).count()
    return render(request, "supervision/reflections/archive.html", {
        "reflection": reflection, "live_shares": live_shares,
        "crumbs": _crumbs((reflection.title, reverse("reflections:detail",
                                                     args=[reflection.pk]))),
    })


@require_POST
def restore(request, pk):
    """Undo archiving."""
    scope = scope_for(request.user)
    reflection = get_visible_or_404(reflections_visible_to(request.user), pk=pk)
    require(is_author(scope, reflection))
    services.reflection_restore(actor=request.user, reflection=reflection)
    messages.success(request, f"‘{reflection.title}’ is restored to your reflections.")
    return redirect("reflections:detail", pk=reflection.pk)
