"""The patient-identifier guard: free text that may hold patient-identifiable data is checked
before it is saved (DOMAIN.md, information governance).

`find_identifiers(text)` is a pure function; `guard_form(form, field_names)` puts what it
finds next to each field, so the user's text stays in the form to edit.

What it looks for:
- NHS numbers: ten digits with a valid modulus-11 check digit, written together or as
  3-3-4 groups split by a space or a dash, not part of a longer run of digits;
- dates of birth: a date (numeric or with the month in words) next to "DOB", "D.O.B.",
  "date of birth", "born" or "birthday"; a date on its own is not flagged;
- UK postcodes: outward code of a real postcode area (A9, A99, A9A, AA9, AA99, AA9A),
  an optional space, inward code (9AA), in any case;
- a title and a surname: "Mr Smith", "Mrs O'Brien", "Dr. Jones", "MR SMITH".

Every pattern has bounded repetition only, so the time taken grows in step with the
length of the text (no catastrophic backtracking on long or hostile input).
"""

import bisect
import re
from dataclasses import dataclass

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"
POSTCODE = "postcode"
NAME_WITH_TITLE = "name with a title"

#: How many findings one message lists before saying "and N more".
MESSAGE_LIMIT = 5


@dataclass(frozen=True)
class Finding:
    kind: str  # NHS_NUMBER, DATE_OF_BIRTH, POSTCODE or NAME_WITH_TITLE
    text: str  # the matching text, as typed
    start: int  # offset in the text, from 0
    end: int
    line: int = 1  # line of the text the finding starts on, from 1
    column: int = 0  # character within that line, from 1 (0: not worked out)

    def describe(self) -> str:
        return f"what looks like {_ARTICLE[self.kind]} {self.kind} (“{self.text}”)"

    def where(self) -> str:
        """'at character 12', or 'on line 3, character 5' when the text has several lines."""
        column = self.column or self.start + 1
        if self.line > 1 or column != self.start + 1:
            return f"on line {self.line}, character {column}"
        return f"at character {column}"


_ARTICLE = {
    NHS_NUMBER: "an",
    DATE_OF_BIRTH: "a",
    POSTCODE: "a",
    NAME_WITH_TITLE: "a",
}

# --- NHS numbers -------------------------------------------------------------------------------

# One optional separator between the 3-3-4 groups: space, no-break space, hyphen or dash.
_SEP = "[ \u00a0\\-\u2010-\u2015]"
# Ten digits, optionally grouped 3-3-4, not part of a longer number. The lookahead finds a
# candidate at every start of a run of digits, so one invalid candidate cannot hide a valid
# one that overlaps it.
_NHS_NUMBER = re.compile(rf"(?<!\d)(?=(\d{{3}}{_SEP}?\d{{3}}{_SEP}?\d{{4}})(?!\d))")


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11: weights 10..2 on the first nine digits; 11 - remainder; 11 -> 0; 10 invalid."""
    if not isinstance(digits, str) or len(digits) != 10 or not digits.isdecimal():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


# --- dates of birth -----------------------------------------------------------------------------

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_GAP = r"[ \t\u00a0]{1,3}"  # the space between words of a date
_DATE = (
    r"(?:"
    # 12/03/1950, 12.3.50, 12-03-1950
    r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
    # 1950-03-12
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"
    # 12 March 1950, 12th of Mar. 1950, the 3rd of March, 1950
    rf"|(?:the{_GAP})?\d{{1,2}}{_ORDINAL}(?:{_GAP}of)?{_GAP}(?:{_MONTHS})\.?,?{_GAP}"
    r"(?:\d{4}|\d{2})(?!\d)"
    # March 12, 1950; March 12th 1950
    rf"|(?:{_MONTHS})\.?{_GAP}\d{{1,2}}{_ORDINAL},?{_GAP}(?:\d{{4}}|\d{{2}})(?!\d)"
    r")"
)
_DOB_WORDS = (
    r"d\.?[ ]?o\.?[ ]?b\.?|date[ \t]{1,3}of[ \t]{1,3}birth|born|birthday|birth[ \t]date"
)
# The word, then at most a little punctuation and a linking word, then the date.
_DOB = re.compile(
    rf"(?<![A-Za-z])(?:{_DOB_WORDS})(?![A-Za-z])(?:[ \t]{{1,3}}(?:on|is|was)(?![A-Za-z]))?"
    rf"\s{{0,3}}[:=\-–]?\s{{0,3}}(?:(?:is|was|on|of)\s{{1,3}})?({_DATE})"
    # ...or the date first: "12/03/1950 (DOB)"
    rf"|(?<![\dA-Za-z])({_DATE})\s{{0,3}}[(\[]?\s{{0,3}}(?:d\.?[ ]?o\.?[ ]?b\.?)(?![A-Za-z])",
    re.IGNORECASE,
)

# --- postcodes ----------------------------------------------------------------------------------

#: The 124 postcode areas of the UK and the Crown Dependencies (Royal Mail).
POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L
    LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA
    SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS
    WV YO ZE""".split()
)
# Inward codes never use C, I, K, M, O or V.
_INWARD_LETTERS = frozenset("ABDEFGHJLNPQRSTUWXYZ")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Z]{1,2})(\d[A-Z\d]?)[ \u00a0]?(\d)([A-Z]{2})(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])GIR[ \u00a0]?0AA(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL_SUFFIX = {"1": "st", "2": "nd", "3": "rd"}


def _is_postcode(match: re.Match) -> bool:
    area, _district, digit, letters = match.groups()
    if area is None:  # GIR 0AA
        return True
    if area.upper() not in POSTCODE_AREAS:
        return False
    if not set(letters.upper()) <= _INWARD_LETTERS:
        return False
    # "room G12 3rd floor", "week W4 1st": an ordinal in lower case is a word, not a postcode.
    return letters != _ORDINAL_SUFFIX.get(digit, "th")


# --- a title and a surname ----------------------------------------------------------------------

_PARTICLES = r"(?:(?:van|von|de|del|der|den|da|di|du|la|le)[ ]){0,2}"
_CAPITALISED = r"(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+){0,3}"
_UPPER = r"(?:O['’]|D['’])?[A-Z]{2,}(?:[-'’][A-Z]{2,}){0,3}"
_TITLE = re.compile(
    r"(?<![A-Za-z])(?:"
    rf"(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof)\.?[ \t\u00a0]{{1,3}}({_PARTICLES}(?:{_CAPITALISED}|{_UPPER}))"
    rf"|(?:MRS|MR|MISS|MX)\.?[ \t\u00a0]{{1,3}}({_UPPER})"
    r")(?![A-Za-z])",
)
#: Words after a title that are not surnames ("Ms Teams" is Microsoft Teams).
_NOT_SURNAMES = frozenset(
    {"Teams", "Team", "Word", "Excel", "Outlook", "Office", "Forms", "Access", "PowerPoint"}
)


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def find_identifiers(text: str) -> list[Finding]:
    """Everything in `text` that looks like a patient identifier, in the order it appears."""
    if not text or not isinstance(text, str):
        return []
    spans: list[tuple[str, int, int]] = []
    for match in _NHS_NUMBER.finditer(text):
        candidate = match.group(1)
        digits = "".join(ch for ch in candidate if ch.isdecimal())
        if nhs_number_is_valid(digits):
            spans.append((NHS_NUMBER, match.start(1), match.end(1)))
    for match in _DOB.finditer(text):
        spans.append((DATE_OF_BIRTH, match.start(), match.end()))
    for match in _POSTCODE.finditer(text):
        if _is_postcode(match):
            spans.append((POSTCODE, match.start(), match.end()))
    for match in _TITLE.finditer(text):
        surname = match.group(1) or match.group(2)
        if surname not in _NOT_SURNAMES:
            spans.append((NAME_WITH_TITLE, match.start(), match.end()))
    if not spans:
        return []
    starts = _line_starts(text)
    findings = []
    for kind, start, end in sorted(spans, key=lambda span: (span[1], span[2])):
        line = bisect.bisect_right(starts, start)
        findings.append(
            Finding(kind, text[start:end], start, end, line=line,
                    column=start - starts[line - 1] + 1)
        )
    return findings


def identifier_message(findings: list[Finding]) -> str:
    """One message for a field: what was found, where, and what to do about it."""
    shown = findings[:MESSAGE_LIMIT]
    parts = [f"{finding.describe()} {finding.where()}" for finding in shown]
    more = len(findings) - len(shown)
    if more:
        parts.append(f"{more} more")
    names = any(finding.kind == NAME_WITH_TITLE for finding in findings)
    advice = " For a colleague, write their role instead of their name." if names else ""
    return (
        "Remove patient-identifiable details before saving. This contains "
        + "; ".join(parts)
        + "."
        + advice
    )


def guard_form(form, field_names) -> bool:
    """Add an error to each listed field whose cleaned text holds an identifier.

    Call from a form's clean(). Returns True when nothing was found.
    """
    clean = True
    for name in field_names:
        value = form.cleaned_data.get(name)
        if not isinstance(value, str):
            continue
        findings = find_identifiers(value)
        if findings:
            form.add_error(name, identifier_message(findings))
            clean = False
    return clean
