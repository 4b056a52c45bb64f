"""Home-page panels contributed by higher apps (competencies, supervision, compliance).

lms cannot import those apps, so they register here from their AppConfig.ready():

    @home_panel(order=50)
    def sign_off_queue(request, scope, as_of):
        return "competencies/panels/queue.html", {...}   # or None for nothing

Each panel runs its own small, eager-loaded query.
"""

from django.template.loader import render_to_string

_PANELS: list[tuple[int, object]] = []


def home_panel(order: int = 100):
    def register(function):
        _PANELS.append((order, function))
        _PANELS.sort(key=lambda entry: entry[0])
        return function

    return register


def render_home_panels(request, scope, as_of) -> list[str]:
    rendered = []
    for _order, function in _PANELS:
        result = function(request, scope, as_of)
        if result:
            template_name, context = result
            rendered.append(render_to_string(template_name, context, request=request))
    return rendered
