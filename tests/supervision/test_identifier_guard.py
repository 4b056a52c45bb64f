"""The patient-identifier guard (issue 6 point 5): a pure function, tested by its properties.

Every valid NHS number is caught however it is written and whatever surrounds it; a wrong
check digit is not an NHS number; dates of birth are caught next to a word that says so and
not otherwise; postcodes of every outward shape in any case; a title and a surname. Ordinary
sentences a care coordinator writes pass.
"""

import datetime

from django import forms
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from supervision.identifier_guard import (
    DATE_OF_BIRTH,
    NAME_WITH_TITLE,
    NHS_NUMBER,
    POSTCODE,
    find_identifiers,
    guard_form,
    identifier_message,
    nhs_number_is_valid,
)

# No example database on disk (the suite leaves nothing behind in the working tree), and no
# per-example deadline (a loaded CI machine is not a failure of the guard).
quiet = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_digit(nine: str) -> int | None:
    """The NHS modulus-11 check digit, written out independently of the module: None = 10."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    digit = (11 - remainder) % 11
    return None if digit == 10 else digit


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@st.composite
def valid_nhs_numbers(draw):
    nine = draw(nine_digits)
    digit = check_digit(nine)
    assume(digit is not None)
    return nine + str(digit)


@st.composite
def prefixes_with_check_digit_10(draw):
    """Nine digits whose weighted sum leaves remainder 1, so the check digit would be 10."""
    eight = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    total = sum(int(d) * (10 - i) for i, d in enumerate(eight))
    ninth = (1 - total) * 6 % 11  # the ninth digit's weight is 2, and 2 x 6 = 12 = 1 (mod 11)
    assume(ninth < 10)
    return eight + str(ninth)


@st.composite
def wrong_check_digit_numbers(draw):
    nine = draw(nine_digits)
    digit = check_digit(nine)
    last = draw(st.sampled_from([d for d in "0123456789" if d != str(digit)]))
    return nine + last


def written(digits: str, style: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return {"plain": digits, "spaces": f"{a} {b} {c}", "dashes": f"{a}-{b}-{c}"}[style]


styles = st.sampled_from(["plain", "spaces", "dashes"])
# Surrounding text of any kind, except a digit right next to the number (which would make
# it part of a longer number, not an NHS number).
prefixes = st.text(max_size=40).filter(lambda s: not s or not s[-1].isdecimal())
suffixes = st.text(max_size=40).filter(lambda s: not s or not s[0].isdecimal())


def kinds(text):
    return [finding.kind for finding in find_identifiers(text)]


# --- NHS numbers -------------------------------------------------------------------------------


@quiet
@given(valid_nhs_numbers(), styles, prefixes, suffixes)
@example("9434765919", "spaces", "NHS no. ", ".")  # the NHS's published test number
@example("9434765919", "plain", "ref", "x")
def test_every_valid_nhs_number_is_caught_however_written_and_wherever(
    digits, style, prefix, suffix
):
    number = written(digits, style)
    text = prefix + number + suffix
    findings = find_identifiers(text)
    assert any(
        f.kind == NHS_NUMBER and f.start == len(prefix) and f.end == len(prefix) + len(number)
        and f.text == number
        for f in findings
    ), (text, findings)


@quiet
@given(wrong_check_digit_numbers(), styles, prefixes, suffixes)
@example("9434765918", "spaces", "NHS no. ", ".")
def test_a_wrong_check_digit_is_not_an_nhs_number(digits, style, prefix, suffix):
    number = written(digits, style)
    text = prefix + number + suffix
    start, end = len(prefix), len(prefix) + len(number)
    assert not [
        f for f in find_identifiers(text)
        if f.kind == NHS_NUMBER and f.start < end and f.end > start
    ], text
    assert not nhs_number_is_valid(digits)


@quiet
@given(prefixes_with_check_digit_10(), styles)
def test_when_the_check_digit_would_be_10_no_last_digit_makes_a_valid_number(nine, style):
    assert check_digit(nine) is None
    for last in "0123456789":
        assert not nhs_number_is_valid(nine + last)
        assert NHS_NUMBER not in kinds(written(nine + last, style))


def test_a_check_digit_of_10_means_no_valid_number():
    # 1 2 3 4 5 6 7 8 9 weighted 10..2: 10+18+24+28+30+30+28+24+18 = 210; 210 = 19 x 11 + 1;
    # 11 - 1 = 10, so no tenth digit makes 123456789? a valid NHS number.
    assert check_digit("123456789") is None
    for last in "0123456789":
        assert not nhs_number_is_valid("123456789" + last)
        assert find_identifiers(f"NHS number 123 456 789{last}") == []


def test_longer_and_shorter_runs_of_digits_are_not_nhs_numbers():
    assert NHS_NUMBER not in kinds("19434765919")  # eleven digits
    assert NHS_NUMBER not in kinds("94347659190")
    assert NHS_NUMBER not in kinds("943476591")  # nine
    assert NHS_NUMBER not in kinds("call 0113 496 0000 or 07700 900123")


def test_an_invalid_run_does_not_hide_a_valid_number_next_to_it():
    text = "ref 123-943 476 5919"
    assert [(f.kind, f.text) for f in find_identifiers(text)] == [
        (NHS_NUMBER, "943 476 5919")
    ]


def test_nhs_number_is_valid_refuses_what_is_not_ten_plain_digits():
    for value in (None, 9434765919, "943476591", "94347659190", "943 476 5919",
                  "²" * 10, "abcdefghij", ""):
        assert nhs_number_is_valid(value) is False
    assert nhs_number_is_valid("9434765919") is True
    # Full-width digits typed on some keyboards are still the same number.
    assert NHS_NUMBER in kinds("NHS ９４３４７６５９１９")


# --- dates of birth -----------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


DATE_STYLES = {
    "dd/mm/yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "d/m/yyyy": lambda d: f"{d.day}/{d.month}/{d.year}",
    "dd.mm.yy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}",
    "dd-mm-yyyy": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "iso": lambda d: d.isoformat(),
    "d Month yyyy": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "dth Mon yyyy": lambda d: f"{ordinal(d.day)} {MONTHS[d.month - 1][:3]} {d.year}",
    "dth of Month, yyyy": lambda d: f"{ordinal(d.day)} of {MONTHS[d.month - 1]}, {d.year}",
    "Month d, yyyy": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "MON d yyyy": lambda d: f"{MONTHS[d.month - 1][:3].upper()} {d.day} {d.year}",
}
DOB_WORDS = ["DOB", "dob", "DoB", "D.O.B.", "d.o.b", "Date of birth", "date of birth",
             "DATE OF BIRTH", "born", "Born", "born on", "birthday"]
JOINERS = [" ", ": ", ":", " - ", " is ", ": was "]
birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31))
date_styles = st.sampled_from(sorted(DATE_STYLES))
plain_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.", max_size=30)


@quiet
@given(birth_dates, date_styles, st.sampled_from(DOB_WORDS), st.sampled_from(JOINERS),
       plain_words, plain_words)
def test_a_date_next_to_a_date_of_birth_word_is_caught(
    day, style, word, joiner, before, after
):
    date_text = DATE_STYLES[style](day)
    assume(not (word.startswith("born") and joiner.strip(" :") in ("is", "was")))
    prefix = f"{before} {word}{joiner}"
    text = f"{prefix}{date_text} {after}"
    word_start, date_end = len(before) + 1, len(prefix) + len(date_text)
    assert any(
        f.kind == DATE_OF_BIRTH and f.start == word_start and f.end == date_end
        for f in find_identifiers(text)
    ), (text, find_identifiers(text))


@quiet
@given(birth_dates, date_styles, st.sampled_from(
    ["Met on", "Supervision held", "Next session", "Reviewed with my supervisor on",
     "The webinar on", "Action due"]
))
def test_a_date_on_its_own_is_not_flagged(day, style, words):
    text = f"{words} {DATE_STYLES[style](day)}."
    assert find_identifiers(text) == [], text


def test_a_date_written_before_dob_is_caught():
    assert kinds("Seen with her mother, 04/07/1962 (DOB), at home") == [DATE_OF_BIRTH]


def test_words_that_only_contain_dob_or_born_are_not_dates_of_birth():
    assert find_identifiers("Dobson 12/03/1950") == []
    assert find_identifiers("a newborn 12/03/2025 clinic") == []
    assert find_identifiers("stubborn 12 March 2025") == []


# --- postcodes ----------------------------------------------------------------------------------

ONE_LETTER_AREAS = ["B", "E", "G", "L", "M", "N", "S", "W"]
TWO_LETTER_AREAS = ["AB", "BT", "CF", "EC", "EH", "LS", "NE", "SW", "WC", "YO", "ZE", "TR"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DIGIT = st.sampled_from("0123456789")
LETTER = st.sampled_from("ABCDEFGHJKLMNPRSTUVWXY")


@st.composite
def postcodes(draw):
    """Every outward shape: A9, A99, A9A, AA9, AA99, AA9A; then the inward code 9AA."""
    shape = draw(st.sampled_from(["A9", "A99", "A9A", "AA9", "AA99", "AA9A"]))
    area = draw(st.sampled_from(ONE_LETTER_AREAS if shape.count("A") == 1 or shape == "A9A"
                                else TWO_LETTER_AREAS))
    if shape == "A9A":
        area = draw(st.sampled_from(ONE_LETTER_AREAS))
    district = draw(DIGIT)
    if shape.endswith("99"):
        district += draw(DIGIT)
    elif shape.endswith("9A"):
        district += draw(LETTER)
    inward = draw(DIGIT) + draw(st.sampled_from(INWARD_LETTERS)) + draw(
        st.sampled_from(INWARD_LETTERS))
    space = draw(st.sampled_from([" ", ""]))
    code = f"{area}{district}{space}{inward}"
    lower = draw(st.lists(st.booleans(), min_size=len(code), max_size=len(code)))
    code = "".join(ch.lower() if low else ch for ch, low in zip(code, lower, strict=True))
    # Documented exception: "1st", "2nd", "3rd", "4th" in lower case are ordinals
    # ("room G12 3rd floor"), not inward codes.
    suffix = {"1": "st", "2": "nd", "3": "rd"}.get(inward[0], "th")
    assume(code[-2:] != suffix)
    return code


@quiet
@given(postcodes(), st.sampled_from(["Lives near ", "Moved to ", "(", "", "Address: "]),
       st.sampled_from([".", ")", " last year", "", ", near the surgery"]))
def test_every_postcode_shape_is_caught_in_any_case(code, before, after):
    text = f"{before}{code}{after}"
    assert any(
        f.kind == POSTCODE and f.start == len(before) and f.text == code
        for f in find_identifiers(text)
    ), (text, find_identifiers(text))


ORDINARY = [
    "Met on 12/03/2025 to review my caseload.",
    "Call 0113 496 0000 to book.",
    "I am on Band 4 and working towards level 3.",
    "The PCN held its MDT meeting; the SPLW and HWBC joined on MS Teams.",
    "Reviewed the PCSP and PAM level 2 with my GP supervisor.",
    "Covid19 2nd dose clinic; B12 injections; HbA1c 48 mmol/mol; H1N1.",
    "Room G12 on the 3rd floor; the W4 1st session.",
    "Agreed three actions, due by 31 March 2026, with the practice manager.",
    "Ms Teams call at 10am with the ICB workforce lead.",
    "I miss working with the team; the Dr was running late.",
    "A 2-day PCI-assured course, 6.5 CPD hours, module 1 of 3.",
    "Referral to social prescribing for support with housing and benefits.",
    "Action learning set 4: what went well, what I would change.",
    "Safeguarding adults level 3 refresher is due in 2027.",
]


def test_ordinary_sentences_a_coordinator_writes_pass():
    for sentence in ORDINARY:
        assert find_identifiers(sentence) == [], sentence


def test_outward_codes_of_places_that_are_not_postcode_areas_are_not_postcodes():
    assert find_identifiers("QA1 2BB and XY12 3AB") == []
    # Inward codes never use C, I, K, M, O or V.
    assert find_identifiers("LS1 4CK") == []


# --- a title and a surname ----------------------------------------------------------------------

surnames = st.one_of(
    st.from_regex(r"[A-Z][a-z]{1,12}", fullmatch=True),
    st.from_regex(r"O'[A-Z][a-z]{2,8}", fullmatch=True),
    st.from_regex(r"Mc[A-Z][a-z]{2,8}", fullmatch=True),
    st.from_regex(r"[A-Z][a-z]{2,8}-[A-Z][a-z]{2,8}", fullmatch=True),
)
titles = st.sampled_from(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Dr.", "Mr.", "Prof"])


@quiet
@given(titles, surnames, st.sampled_from(["Saw ", "", "Spoke to ", "with "]),
       st.sampled_from([" today.", "", ", who", "'s carer"]))
def test_a_title_and_a_surname_is_caught(title, surname, before, after):
    assume(surname not in ("Teams", "Team", "Word", "Excel", "Outlook", "Office", "Forms",
                           "Access"))
    name = f"{title} {surname}"
    text = f"{before}{name}{after}"
    assert any(
        f.kind == NAME_WITH_TITLE and f.start == len(before) and f.text == name
        for f in find_identifiers(text)
    ), (text, find_identifiers(text))


def test_the_named_examples_are_caught_whole():
    for name in ("Mr Smith", "Mrs O'Brien", "Dr. Jones", "Ms Smith-Jones", "MR SMITH",
                 "Mrs O’Brien", "Mr de Souza", "Miss McDonald"):
        assert [(f.kind, f.text) for f in find_identifiers(f"Visited {name} at home")] == [
            (NAME_WITH_TITLE, name)
        ], name


# --- the message --------------------------------------------------------------------------------


def test_the_message_says_what_was_found_and_where():
    findings = find_identifiers("Saw Mr Smith, NHS 943 476 5919")
    message = identifier_message(findings)
    assert message.startswith("Remove patient-identifiable details before saving.")
    assert "a name with a title (“Mr Smith”) at character 5" in message
    assert "an NHS number (“943 476 5919”) at character 19" in message
    assert "write their role instead of their name" in message


def test_the_message_gives_the_line_in_text_of_several_lines():
    text = "First line is fine.\nSecond line too.\nLives at LS1 4DY now."
    [finding] = find_identifiers(text)
    assert (finding.line, finding.column) == (3, 10)
    assert "a postcode (“LS1 4DY”) on line 3, character 10" in identifier_message([finding])
    assert "role instead" not in identifier_message([finding])


def test_many_findings_make_a_short_message():
    findings = find_identifiers("943 476 5919 " * 40)
    assert len(findings) == 40
    message = identifier_message(findings)
    assert message.count("NHS number") == 5
    assert "35 more" in message


# --- guard_form ---------------------------------------------------------------------------------


class NoteForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea)
    topic = forms.CharField(required=False)
    count = forms.IntegerField(required=False)

    def clean(self):
        cleaned = super().clean()
        guard_form(self, ["notes", "topic", "count", "missing"])
        return cleaned


def test_guard_form_puts_the_message_next_to_the_field_and_keeps_the_text():
    typed = "Discussed Mrs O'Brien's care plan.\nDOB 01/02/1940"
    form = NoteForm({"notes": typed, "topic": "Care planning", "count": "3"})
    assert not form.is_valid()
    assert list(form.errors) == ["notes"]
    [message] = form.errors["notes"]
    assert "“Mrs O'Brien”" in message and "“DOB 01/02/1940”" in message
    assert form["notes"].value() == typed


def test_guard_form_passes_clean_text():
    form = NoteForm({"notes": "Discussed care planning with my supervisor.", "count": "2"})
    assert form.is_valid(), form.errors


# --- long and hostile input ---------------------------------------------------------------------


def test_huge_input_is_handled():
    """Patterns have bounded repetition only; these 200 000-character texts would take
    minutes each with nested or unbounded quantifiers."""
    n = 200_000
    assert find_identifiers("1" * n) == []
    assert find_identifiers("dob" + " " * n) == []
    assert find_identifiers("date of birth" + "\t" * n + "12/03/1950") == []
    assert find_identifiers("Mr" + " " * n + "Smith") == []
    assert find_identifiers("12/03/" * (n // 6)) == []
    assert find_identifiers("LS1" + " " * n + "4DY") == []
    assert find_identifiers("a" * n + "\n" * n) == []
    assert len(find_identifiers("Mr Smith " * (n // 9))) == n // 9
    assert len(find_identifiers(("x" * 100 + " 943 476 5919 ") * (n // 114))) == n // 114


@quiet
@given(st.text(max_size=500))
def test_any_text_gives_findings_inside_the_text_in_order(text):
    findings = find_identifiers(text)
    assert findings == sorted(findings, key=lambda f: (f.start, f.end))
    for finding in findings:
        assert text[finding.start:finding.end] == finding.text
        assert finding.line == text.count("\n", 0, finding.start) + 1
