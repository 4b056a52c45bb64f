"""Build small curriculum trees in tests (the full seed is slower and tested on its own)."""

from wagtail.models import Page

from content.models import CurriculumIndexPage, CurriculumSectionPage, Kind, LearningItemPage


def curriculum_section(title="Training", slug=None):
    index = CurriculumIndexPage.objects.first()
    if index is None:
        home = Page.objects.get(depth=2)
        index = home.add_child(instance=CurriculumIndexPage(title="Curriculum", slug="curriculum"))
    return index.add_child(
        instance=CurriculumSectionPage(title=title, slug=slug or title.lower().replace(" ", "-"))
    )


def learning_item(section, code, *, kind=Kind.STATUTORY_MANDATORY, **fields):
    fields.setdefault("title", code.replace("-", " ").capitalize())
    fields.setdefault("summary", f"About {fields['title']}.")
    return section.add_child(
        instance=LearningItemPage(slug=code, code=code, kind=kind, **fields)
    )
