"""The three main journeys walked with the keyboard alone, in Chromium.

No clicks and no filling by selector: only Tab, Enter and Space, typing into whichever
field has the focus, and the arrow keys inside a radio group (a group is one tab stop; the
arrows move the choice, as for any keyboard user). Each journey checks once that the focused
element shows a visible focus indicator, and ends by checking the result.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from competencies import services as competency_services
from competencies.models import Competency, FrameworkStatus, RequestStatus, SignOff
from lms.models import LearningRecord, Person

from .conftest import SKIP_REASON, chromium_available
from .test_sign_in import ROLES, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON),
]

ROLE = {role.key: role for role in ROLES}
# Enough presses to cross the header, the navigation and a long page.
MAX_TABS = 150

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute("type") || "",
        name: el.getAttribute("name") || "",
        value: el.value === undefined ? "" : String(el.value),
        text: (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim(),
        label: el.labels && el.labels.length
            ? el.labels[0].innerText.replace(/\\s+/g, " ").trim() : "",
    };
}"""

FOCUS_INDICATOR = """() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && style.outlineColor !== "rgba(0, 0, 0, 0)";
    return {outline, boxShadow: style.boxShadow, background: style.backgroundColor};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED) or {}


def tab_to(page, matches, what: str) -> dict:
    """Press Tab until the focused element satisfies `matches`."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if element and matches(element):
            return element
        seen.append(element.get("text") or element.get("name") or element.get("tag"))
    raise AssertionError(f"Tab never reached {what} on {page.url}; passed {seen}")


def link_starting(text):
    return lambda el: el["tag"] == "a" and el["text"].startswith(text)


def button(text):
    return lambda el: el["tag"] == "button" and el["text"] == text


def field(name, value=None):
    return lambda el: el["name"] == name and (value is None or el["value"] == value)


def press_enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def assert_focus_visible(page):
    """The focused element has a visible focus indicator: an outline or a box shadow
    (NHS.UK: a yellow background with a dark underline shadow)."""
    style = page.evaluate(FOCUS_INDICATOR)
    assert style["outline"] or style["boxShadow"] != "none", (
        f"no visible focus indicator on {focused(page)}: {style}")


def type_date(page, day_field: str, date: datetime.date):
    """Type a date into the NHS.UK date input whose day box has the focus."""
    assert focused(page)["name"] == day_field, focused(page)
    page.keyboard.type(str(date.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(date.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(date.year))


def test_new_coordinator_completes_an_induction_task_with_the_keyboard(browser_page, demo):
    # Induction plans are made from the curriculum: seed it, then the demo's learning again.
    call_command("seed_curriculum", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    page = browser_page
    sign_in(page, ROLE["care-coordinator"])
    amira = Person.objects.get(user__email=ROLE["care-coordinator"].email)

    # Home: open the induction task list, then the first task with no record yet.
    tab_to(page, lambda el: el["tag"] == "summary" and "induction tasks" in el["text"],
           "the induction task list")
    if page.evaluate("() => !document.activeElement.parentElement.open"):
        page.keyboard.press("Enter")
    link = tab_to(page, link_starting("Record your learning for "), "an induction task")
    assert_focus_visible(page)
    title = link["text"].removeprefix("Record your learning for ").strip()
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text().endswith(title), page.url

    # The record form: the status radios are one tab stop, and the arrow keys move the choice
    # within the group (how every keyboard user chooses a radio); then the date, then save.
    tab_to(page, field("stage"), "the status radios")
    for _ in range(8):
        if focused(page)["label"] == "Completed":
            break
        page.keyboard.press("ArrowDown")
    assert focused(page)["label"] == "Completed", focused(page)
    assert page.evaluate("() => document.activeElement.checked")
    tab_to(page, field("completed_on_day"), "the completion day")
    today = timezone.localdate()
    type_date(page, "completed_on_day", today)
    tab_to(page, button("Save record"), "Save record")
    assert_focus_visible(page)
    press_enter_and_wait(page)

    assert "has been saved" in page.locator(".nhsuk-notification-banner").inner_text()
    record = LearningRecord.objects.get(person=amira, item__title=title)
    assert record.stage == "completed" and record.completed_on == today


def test_supervisor_signs_off_a_competency_with_the_keyboard(browser_page, demo):
    call_command("seed_frameworks", stdout=io.StringIO())
    grace = Person.objects.get(user__email=ROLE["gp-supervisor"].email)
    amira = Person.objects.get(user__email=ROLE["care-coordinator"].email)
    competency = Competency.objects.filter(
        framework__status=FrameworkStatus.ACTIVE).order_by("pk").first()
    request = competency_services.sign_off_request_create(
        actor=amira.user, person=amira, competency=competency, reviewer=grace)

    page = browser_page
    sign_in(page, ROLE["gp-supervisor"])
    # Home → the sign-off queue → the request.
    tab_to(page, link_starting("Review sign-off requests"), "the sign-off queue link")
    assert_focus_visible(page)
    press_enter_and_wait(page)
    tab_to(page, link_starting(competency.title), "the request in the queue")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == competency.title

    # The decision: a level (the first radio of the group), what was seen, sign off.
    tab_to(page, field("sign_off-level"), "the first level")
    page.keyboard.press("Space")
    level = int(focused(page)["value"])
    tab_to(page, field("sign_off-comment"), "the comment")
    page.keyboard.type("Seen leading a care planning conversation with a patient.")
    tab_to(page, button("Sign off"), "Sign off")
    assert_focus_visible(page)
    press_enter_and_wait(page)

    request.refresh_from_db()
    assert request.status == RequestStatus.SIGNED_OFF
    sign_off = SignOff.objects.get(request=request)
    assert sign_off.level == level and sign_off.signed_by == grace.user


def test_manager_downloads_an_evidence_pack_with_the_keyboard(browser_page, demo):
    page = browser_page
    sign_in(page, ROLE["pcn-manager"])
    page.goto("/packs/")  # a manager of one PCN goes straight to its packs
    assert page.locator("h1").inner_text() == "Evidence packs: Riverside Central PCN"

    # One care coordinator's pack: choose Ben by typing his name into the focused list.
    tab_to(page, field("one-person"), "the care coordinator list")
    page.keyboard.type("Ben")
    assert "Ben" in page.evaluate(
        "() => document.activeElement.selectedOptions[0].textContent"), "Ben is not chosen"
    tab_to(page, button("Download the care coordinator’s pack"), "the download button")
    assert_focus_visible(page)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
