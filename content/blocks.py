"""The one StreamBlock every curriculum page body is built from: NHS.UK components only."""

from wagtail.blocks import RichTextBlock, StreamBlock
from wagtailnhsukfrontend.blocks import (
    ActionLinkBlock,
    DetailsBlock,
    DoBlock,
    DontBlock,
    InsetTextBlock,
    SummaryListBlock,
    WarningCalloutBlock,
)

# Headings start at h2: the page title is the only h1.
RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class CurriculumStreamBlock(StreamBlock):
    """Body content for curriculum pages, rendered with wagtail-nhsuk-frontend's templates."""

    text = RichTextBlock(features=RICH_TEXT_FEATURES)
    inset_text = InsetTextBlock()
    warning_callout = WarningCalloutBlock()
    details = DetailsBlock()
    do_list = DoBlock()
    dont_list = DontBlock()
    action_link = ActionLinkBlock()
    summary_list = SummaryListBlock()

    class Meta:
        required = False
