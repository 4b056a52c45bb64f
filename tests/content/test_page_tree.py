"""The page tree is constrained: one index, sections under it, items under sections."""

from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from content.models import CurriculumIndexPage, CurriculumSectionPage, LearningItemPage


class PageTreeRules(WagtailPageTestCase):
    def test_the_index_sits_under_the_site_root_and_holds_sections_only(self):
        self.assertCanCreateAt(Page, CurriculumIndexPage)
        self.assertAllowedSubpageTypes(CurriculumIndexPage, {CurriculumSectionPage})

    def test_sections_sit_under_the_index_and_hold_items_only(self):
        self.assertAllowedParentPageTypes(CurriculumSectionPage, {CurriculumIndexPage})
        self.assertAllowedSubpageTypes(CurriculumSectionPage, {LearningItemPage})
        self.assertCanNotCreateAt(Page, CurriculumSectionPage)

    def test_items_sit_under_sections_and_have_no_children(self):
        self.assertAllowedParentPageTypes(LearningItemPage, {CurriculumSectionPage})
        self.assertAllowedSubpageTypes(LearningItemPage, set())
        self.assertCanNotCreateAt(CurriculumIndexPage, LearningItemPage)
        self.assertCanNotCreateAt(Page, LearningItemPage)

    def test_there_is_only_one_curriculum_index_served_at_curriculum(self):
        root = Site.objects.get(is_default_site=True).root_page
        index = CurriculumIndexPage(title="Curriculum", slug="curriculum")
        root.add_child(instance=index)

        self.assertFalse(CurriculumIndexPage.can_create_at(root))
        self.assertEqual(index.url, "/curriculum/")
