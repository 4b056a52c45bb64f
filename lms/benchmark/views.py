"""Bench-only reference page: the home page `wagtail start` gives, served from our stack.

Wagtail ships its starter project as templates for templates
(`wagtail/project_template/`), which `wagtail start` renders with `startproject`. We render
the same three files the same way, once, and serve the default Site's root page with them
as Wagtail's `serve` would (route the page, run the `before_serve_page` hooks, render with
the base `Page.get_context`, which is all the starter's `HomePage(Page): pass` has). So the
comparison is with a fresh Wagtail site, not with one of our own pages. Only
`lms.benchmark.urls` (the bench settings' URLconf) routes here.
"""

import functools
from pathlib import Path

import wagtail
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.template import Context, Engine
from django.template.backends.django import DjangoTemplates
from wagtail import hooks
from wagtail.models import Page, Site

STARTER = Path(wagtail.__file__).resolve().parent / "project_template"
#: What `wagtail start` would call the project: only the global CSS/JS file names use it, and
#: with this name they are the starter's own files (served in the bench settings).
STARTER_PROJECT_NAME = "project_name"
#: Starter template files, by the names the starter's templates use for each other.
STARTER_FILES = {
    "base.html": "project_name/templates/base.html",
    "home/home_page.html": "home/templates/home/home_page.html",
    "home/welcome_page.html": "home/templates/home/welcome_page.html",
}
#: The starter project's context processors (`project_name/settings/base.py`).
STARTER_CONTEXT_PROCESSORS = [
    "django.template.context_processors.debug",
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]


def starter_template_sources() -> dict[str, str]:
    """The starter's templates as `wagtail start` writes them (rendered like `startproject`)."""
    engine = Engine()
    context = {"project_name": STARTER_PROJECT_NAME}
    return {
        name: engine.from_string((STARTER / path).read_text()).render(
            Context(context, autoescape=False))
        for name, path in STARTER_FILES.items()
    }


@functools.cache
def starter_templates() -> DjangoTemplates:
    """A template engine holding only the starter's templates, cached as in production."""
    return DjangoTemplates({
        "NAME": "wagtail-starter",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": STARTER_CONTEXT_PROCESSORS,
            "loaders": [("django.template.loaders.cached.Loader", [
                ("django.template.loaders.locmem.Loader", starter_template_sources()),
            ])],
        },
    })


@login_not_required
def wagtail_starter_home(request):
    """The default Site's root page, rendered with the starter's home page template."""
    route = Page.route_for_request(request, "/")
    if route is None or Site.find_for_request(request) is None:
        raise Http404
    page, args, kwargs = route
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    request.is_preview = False
    template = starter_templates().get_template("home/home_page.html")
    return HttpResponse(template.render(Page.get_context(page, request), request))
