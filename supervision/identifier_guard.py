"""The patient-identifier guard: free text that may hold patient-identifiable data is checked
before it is saved (DOMAIN.md, information governance).

`find_identifiers(text)` is a pure function; `guard_form(form, field_names)` puts what it
finds next to each field, so the user's text stays in the form to edit.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str  # "NHS number", "date of birth", "postcode", "name with a title"
    text: str  # the matching text, as typed
    start: int
    end: int

    def describe(self) -> str:
        return f"what looks like {_ARTICLE[self.kind]} {self.kind} (“{self.text}”)"


_ARTICLE = {
    "NHS number": "an",
    "date of birth": "a",
    "postcode": "a",
    "name with a title": "a",
}

# Ten digits, optionally grouped 3-3-4 with spaces or dashes; not part of a longer number.
_NHS_NUMBER = re.compile(r"(?<![\d])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?![\d])")


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11: weights 10..2 on the first nine digits; 11 - remainder; 11 -> 0; 10 invalid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{2,4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"
)
_DOB = re.compile(
    rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birthday)\s*[:\-]?\s*(?:is\s+)?"
    rf"({_DATE})",
    re.IGNORECASE,
)

# UK postcodes: outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA).
_POSTCODE = re.compile(
    r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b",
    re.IGNORECASE,
)

_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Master|Dr|Prof)\.?\s+([A-Z][a-z'’\-]+)",
)


def find_identifiers(text: str) -> list[Finding]:
    """Everything in `text` that looks like a patient identifier, in the order it appears."""
    if not text:
        return []
    findings = []
    for match in _NHS_NUMBER.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            findings.append(Finding("NHS number", match.group(0), match.start(), match.end()))
    for match in _DOB.finditer(text):
        findings.append(Finding("date of birth", match.group(0), match.start(), match.end()))
    for match in _POSTCODE.finditer(text):
        findings.append(Finding("postcode", match.group(0), match.start(), match.end()))
    for match in _TITLE.finditer(text):
        findings.append(
            Finding("name with a title", match.group(0), match.start(), match.end())
        )
    return sorted(findings, key=lambda finding: (finding.start, finding.end))


def identifier_message(findings: list[Finding]) -> str:
    """One message for a field: what was found, where (by character count) and what to do."""
    parts = [f"{finding.describe()} at character {finding.start + 1}" for finding in findings]
    return (
        "Remove patient-identifiable details before saving. This contains "
        + "; ".join(parts)
        + "."
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
