"""Home-page panels contributed by higher apps (competencies, supervision, compliance).

lms cannot import those apps, so they register here from their AppConfig.ready():

    @home_panel(order=50)
    def sign_off_queue(request, scope, as_of):
        return "competencies/panels/queue.html", {...}   # or None for nothing

Each panel runs its own small, eager-loaded query.

A care coordinator's own panels may be registered with `per_person=True`: their results are
then cached with the home page's own coordinator data (`CoordinatorCache`), so the
coordinator's home page, the page they open most, runs their queries only after something
concerning them changed, or on a new day.
"""

import hashlib
import importlib
import pathlib
from functools import cache as once
from functools import partial

from django.core.cache import cache
from django.template import RequestContext
from django.template.loader import get_template

from .audit import VERSIONED_CACHE_SECONDS, data_version

_PANELS: list[tuple[int, object]] = []
#: The panels registered with `per_person=True`.
_PER_PERSON: set = set()
#: A coordinator's entry is kept at most this long (a new day or change replaces it anyway).
PER_PERSON_TIMEOUT = VERSIONED_CACHE_SECONDS


def home_panel(order: int = 100, *, per_person: bool = False):
    """Register a home panel. `per_person`: its result is cached for the signed-in care
    coordinator. Only for a panel whose result depends on nothing but the coordinator's own
    records and roles (every change to them is audited), content, and `as_of`: never the time
    of day or query parameters. Its context is pickled, so keep it to plain values and a few
    model instances."""

    def register(function):
        _PANELS.append((order, function))
        _PANELS.sort(key=lambda entry: entry[0])
        if per_person:
            _PER_PERSON.add(function)
        return function

    return register


def render_home_panels(request, scope, as_of, mine: "CoordinatorCache | None" = None) -> list[str]:
    """Each panel's HTML, in order, as `render_to_string(template, context, request=request)`
    would give it. The per-person panels' results come from `mine` when given.

    The panels share one request context, so the context processors (the navigation alone
    reverses a dozen URLs) run once for all of them rather than once per panel; each panel
    still sees only its own variables and the processors'."""
    panels = []
    for _order, function in _PANELS:
        if mine is not None and function in _PER_PERSON:
            result = mine.get(_name(function), partial(function, request, scope, as_of))
        else:
            result = function(request, scope, as_of)
        if result:
            panels.append(result)
    if not panels:
        return []
    templates = [get_template(template_name).template for template_name, _context in panels]
    context = RequestContext(request)
    rendered = []
    with context.bind_template(templates[0]):
        for template, (_template_name, panel_context) in zip(templates, panels, strict=True):
            with context.push(panel_context):
                rendered.append(template.render(context))
    return rendered


class CoordinatorCache:
    """A care coordinator's own home-page data, computed once per data version and day.

    One cache entry per coordinator holds every part (`get`), so a home page reads it in two
    queries (the data version and the entry) whatever it shows. The entry is used only if it
    was made on the same date at the same data version of the PCNs the coordinator works in;
    otherwise it is made afresh and replaces the old one, so that there is one entry per
    coordinator (per deploy), not one per change, to crowd cached compliance results out.
    Every audited write about the coordinator's records is marked with that PCN, or with none
    when it may concern several (`lms.audit.concerned_pcn_id` marks a coordinator's records
    with a PCN only when it is the one PCN they have coordinated in), and people, roles and
    content change every PCN's version, so any change shows on the next view. Writes made
    around the services show after the timeout, as for cached compliance results (ADR 0007)."""

    def __init__(self, request, scope, as_of):
        # The code is in the key, so that no entry pickled by other code is ever unpickled.
        self.key = f"home-coordinator:{_code_version()}:{scope.person_id}:{request.user.pk}"
        self.stamp = (as_of.isoformat(), data_version(scope.coordinator_pcn_ids))
        stored = cache.get(self.key)
        self.parts = stored["parts"] if stored and stored["stamp"] == self.stamp else {}
        self.changed = False

    def get(self, name: str, compute):
        """The part called `name`, computed (and kept for `save`) when the entry lacks it."""
        if name not in self.parts:
            self.parts[name] = compute()
            self.changed = True
        return self.parts[name]

    def save(self) -> None:
        if self.changed:
            cache.set(self.key, {"stamp": self.stamp, "parts": self.parts}, PER_PERSON_TIMEOUT)
            self.changed = False


def coordinator_cache(request, scope, as_of) -> CoordinatorCache | None:
    """The signed-in care coordinator's `CoordinatorCache`; None for anyone else."""
    if not scope.is_care_coordinator:
        return None
    return CoordinatorCache(request, scope, as_of)


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


@once
def _code_version() -> str:
    """A digest of the code of lms and of every app with per-person panels: a deploy that
    changes what a part computes, or its models, starts new cache entries."""
    folders = {pathlib.Path(__file__).parent} | {
        pathlib.Path(importlib.import_module(function.__module__).__file__).parent
        for function in _PER_PERSON
    }
    digest = hashlib.sha256()
    for folder in sorted(folders):
        for path in sorted(folder.glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
