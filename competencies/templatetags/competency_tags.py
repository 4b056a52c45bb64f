"""Template tags for showing competencies beside the curriculum."""

from django import template

from competencies.models import Competency, FrameworkStatus

register = template.Library()


def competencies_for_item(item):
    """Competencies of frameworks in use that this learning item builds, by framework."""
    if item is None or not getattr(item, "pk", None):
        return Competency.objects.none()
    return (
        Competency.objects.filter(learning_items=item, framework__status=FrameworkStatus.ACTIVE)
        .select_related("framework", "domain")
        .order_by("framework__name", "framework__version", "domain__sort_order", "sort_order",
                  "pk")
    )


# {% competencies_for_item page as comps %}; the function is also used directly.
register.simple_tag(competencies_for_item)
