"""Every form takes hypothesis-generated input without a server error, and what it stores is
shown escaped (issue 9, item 4).

The forms are the ones the hostile-input walk finds (tests/test_bad_input.py): every product
page, visited as each role in turn, parsed for its forms. Each distinct form (by method, URL
name and fields) is fuzzed once, as the first person to meet it, by a hypothesis property.
About half the posts are rough: text boxes get any unicode (NUL and control characters
included), text of 10,000 to 200,000 characters, HTML, template and SQL payloads, and numbers
written every way; choices, dates and hidden fields mostly keep a valid value and sometimes
get an unknown id or a payload. The others are sensible (`_sensible`): every field a value it
is likely to accept and the free text a short marked payload, so that many are stored. Each
post runs in a rolled-back savepoint (`_request`), which also visits the page the post
redirected to and the page the form was on while the post's changes are there.

A post must never give a 5xx. Every markup payload carries a marker, `<i data-fuzz="field">`:
the marker must never come back raw, on the form shown again with its errors or on the pages
after a successful post. The test also counts the forms whose payload was stored and shown
escaped, so that a walk that stores nothing fails rather than passes.

Deterministic: hypothesis derandomised, no example database, forms in walk order (the real
dates are counted from today, as the forms' own rules are).
"""

import copy
import datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from tests import test_bad_input
from tests.conftest import enrol_totp
from tests.test_bad_input import (
    SKIPPED_ACTIONS,
    WALKERS,
    FormParser,
    _flat,
    _form_kind,
    _request,
    forms_on,
    product_urls,
)

pytestmark = pytest.mark.django_db
world = test_bad_input.world  # the walk's fixture: every object its pages need

EXAMPLES = 15
fuzzing = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # A failure is reported as it was found: shrinking requests against a whole page costs
    # minutes, and the message names the field and value anyway.
    phases=(Phase.explicit, Phase.generate),
    verbosity=Verbosity.quiet,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)

RAW_MARKER = '<i data-fuzz="'
ESCAPED_MARKER = "&lt;i data-fuzz=&quot;"
# What must never be in a page raw: the marker, and the payloads' own markup should the marker
# be cut off (a truncated title), and a template payload evaluated.
NEVER_RAW = (RAW_MARKER, "<script>alert(", "onerror=alert(1)>", "FUZZ-TEMPLATE")

MARKUP = [
    "{m}<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>{m}',
    "javascript:alert(1)//{m}",
    "<a href=\"javascript:alert(1)\">{m}</a>",
    '{{{{ "fuzz-template"|upper }}}}{m}{{% debug %}}',
    "{m}' OR 1=1 --",
    "'; DROP TABLE lms_person; --{m}",
    '{m}" OR ""="',
]
SCALARS = ["0", "-1", "999999", "99999999999999999999", "1.5e308", "-0", "NaN", "inf", "1e-999",
           "0x10", "١٢٣", "", " ", "null", "None", "[]", "{}", "\x00", "1\x00", "%00", "%s%s%n"]
# Values a form may well accept in a number or time box, so that the rest of the post counts.
PLAUSIBLE = ["1", "2", "30", "60", "1.5", "10:00", "11:30"]

any_char = st.characters(exclude_categories=("Cs",))  # a surrogate cannot be sent as UTF-8
control_char = st.characters(max_codepoint=0x1F) | st.sampled_from(
    ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u202e", "\u200b", "\ufffe", "\U0010ffff"])


@st.composite
def huge_text(draw):
    """10,000 to 200,000 characters: a few random ones repeated (drawing each is too slow)."""
    unit = draw(st.text(any_char, min_size=1, max_size=4))
    size = draw(st.integers(10_000, 200_000))
    return (unit * size)[:size]


numbers_as_text = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**400).map(lambda n: str(-n)),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def text_values(marker):
    """A text box: unicode, control characters, huge text, markup, SQL and numbers."""
    marked = st.sampled_from(MARKUP).map(lambda p: p.format(m=marker))
    return st.one_of(
        marked,
        marked,
        st.text(any_char, max_size=60).map(lambda s: s + marker),
        st.text(any_char, max_size=300),
        st.text(control_char, min_size=1, max_size=20).map(lambda s: f"a{s}{marker}"),
        huge_text(),
        st.sampled_from(MARKUP).map(lambda p: p.format(m=marker) * 3000),
        numbers_as_text,
        st.sampled_from(SCALARS + PLAUSIBLE),
    )


def wrong_values(marker):
    """A choice, id or hidden value that is not one of the form's own."""
    return st.one_of(st.sampled_from(SCALARS), numbers_as_text,
                     st.sampled_from(MARKUP).map(lambda p: p.format(m=marker)),
                     st.text(any_char, max_size=20))


def _dates_around_today():
    today = datetime.date.today()
    days = (-400, -30, -1, 0, 1, 14, 90)
    return [today + datetime.timedelta(days=d) for d in days]


real_dates = st.sampled_from(_dates_around_today()).map(
    lambda d: (str(d.day), str(d.month), str(d.year)))


def date_values(marker):
    """Day, month and year boxes: a real date (past, today or future) or nonsense."""
    part = st.one_of(st.sampled_from(SCALARS + ["31", "13", "2026", "0001", "9999", "99999"]),
                     numbers_as_text, st.text(any_char, max_size=8), st.just(marker))
    return st.one_of(real_dates, real_dates, real_dates, st.tuples(part, part, part),
                     huge_text().map(lambda s: (s, s, s)),
                     st.just(("", "", "")))


class _HintParser(FormParser):
    """FormParser, also noting each box's `inputmode` and `maxlength`: how to fill a form so
    that it is accepted, and the payload stored."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        attrs = dict(attrs)
        if self._form is not None and tag in ("input", "textarea") and attrs.get("name"):
            hints = self._form.setdefault("hints", {})
            hints[attrs["name"]] = {"inputmode": attrs.get("inputmode"),
                                    "maxlength": int(attrs.get("maxlength") or 10**6)}


def _hints(html, url):
    """For each form `forms_on` keeps, in the same order: the choices of each select, radio
    group and checkbox group, and each box's hints (`_HintParser`)."""
    parser = _HintParser()
    parser.feed(html)
    kept = []
    for raw in parser.forms:
        target = urlsplit(raw["action"])
        if target.netloc or (target.path or url.split("?")[0]).startswith(SKIPPED_ACTIONS):
            continue
        choices = {name: [v for v in values if v] for name, values in raw["options"].items()}
        for name, kind, value, _default in raw["fields"]:
            if kind == "checkbox":
                choices.setdefault(name, []).append(value)
        kept.append({"choices": choices, "boxes": raw.get("hints", {})})
    return kept


def _sensible(draw, form, name, kind, marker):
    """A value the field is likely to accept; free text gets a short marked payload."""
    default = _flat(form["baseline"]).get(name)
    choices = form["choices"].get(name)
    box = form["boxes"].get(name, {})
    if kind in ("select", "radio"):
        return draw(st.sampled_from(choices)) if choices else default
    if kind == "checkbox":
        return draw(st.lists(st.sampled_from(choices), unique=True, min_size=1, max_size=2)) \
            if choices else default
    if kind == "hidden" or (default and kind not in ("text", "textarea")):
        return default
    if box.get("inputmode") in ("numeric", "decimal"):
        return default or draw(st.sampled_from(["1", "2", "30"]))
    if name.endswith("_time"):
        return default or ("11:30" if name.startswith("end") else "10:00")
    if kind == "email":
        return "fuzz@example.nhs.uk"
    if kind == "url":
        return "https://example.org/fuzz"
    if kind == "tel":
        return "01632 960000"
    if kind == "password":
        return "Correct-horse-battery-staple-9"
    payload = draw(st.sampled_from(MARKUP + ["{m}"])).format(m=marker)
    return payload if len(payload) <= box.get("maxlength", 10**6) else marker


@st.composite
def form_posts(draw, form):
    """One post to `form`. Sensible: every field a value it is likely to accept, free text a
    short payload (so that it is stored). Rough: each field fuzzed, kept or left out."""
    baseline = _flat(form["baseline"])
    kinds, choices = form["kinds"], form["choices"]
    rough = draw(st.booleans())
    data = dict(form["submits"][:1])
    dates = {n.rsplit("_", 1)[0] for n in kinds if n.endswith(("_day", "_month", "_year"))}
    dates = {d for d in dates if all(f"{d}_{p}" in kinds for p in ("day", "month", "year"))}
    for date in sorted(dates):
        marker = f'<i data-fuzz="{date}">'
        day, month, year = draw(date_values(marker) if rough else real_dates)
        data.update({f"{date}_day": day, f"{date}_month": month, f"{date}_year": year})
    for name, kind in kinds.items():
        if name in data or kind in ("file", "submit") or name == "csrfmiddlewaretoken":
            continue
        marker = f'<i data-fuzz="{name}">'
        default = baseline.get(name)
        if not rough:
            value = _sensible(draw, form, name, kind, marker)
        elif kind in ("select", "radio"):
            good = st.sampled_from(choices[name]) if choices.get(name) else st.just(default)
            value = draw(st.one_of(good, good, good, wrong_values(marker), st.none()))
        elif kind == "checkbox":
            good = st.lists(st.sampled_from(choices[name]), unique=True, max_size=3) \
                if choices.get(name) else st.just([])
            value = draw(st.one_of(good, good, st.lists(wrong_values(marker), max_size=2)))
            value = value or None
        elif kind == "hidden":
            value = draw(st.one_of(st.just(default), st.just(default), st.just(default),
                                   wrong_values(marker)))
        else:  # text, textarea, search, email, url, tel, number, password, time, date
            value = draw(st.one_of(text_values(marker), st.just(default)))
        if value is not None:
            data[name] = value
    return data


def _shown(data):
    return {k: (f"{v[:40]!r}… ({len(v)} chars)" if isinstance(v, str) and len(v) > 40 else v)
            for k, v in data.items()}


def _raw_payloads(html):
    return [raw for raw in NEVER_RAW if raw in html]


def _check_post(client, who, url, form, data, stats):
    """One fuzzed request to `form`: no 5xx, no payload raw on any page it leads to."""
    method = "GET" if form["method"] == "get" else "POST"
    cookies = copy.deepcopy(client.cookies)
    response, error, after = _request(client, method, form["path"], data,
                                      follow_redirect_check=url)
    # Accepting an invitation signs the new person in; their session went with the savepoint.
    client.cookies = cookies
    where = f"{who}: {method} {form['path']} (form on {url}) {_shown(data)}"
    assert error is None, f"{where} -> {error}"
    status = response.status_code
    assert status < 500, f"{where} -> {status}"
    if status in (301, 302, 303):
        raw = _raw_payloads(after)
        assert not raw, f"{where} -> stored and shown raw after the redirect: {raw}"
        if ESCAPED_MARKER in after:
            stats["stored and shown escaped"].add(_form_kind(form))
    elif "html" in response.get("Content-Type", ""):
        html = response.content.decode(errors="replace")
        raw = _raw_payloads(html)
        assert not raw, f"{where} -> {status} shows what was typed raw: {raw}"


def _fuzz_form(client, who, url, form, stats):
    @fuzzing
    @given(data=form_posts(form))
    def any_post_is_safe(data):
        _check_post(client, who, url, form, data, stats)

    any_post_is_safe()


def _walk_forms(request, world):
    """(person, signed-in client, page, form) for each distinct form, first person first."""
    urls, clients, found = product_urls(world), {}, {}
    for who in WALKERS:
        client = clients[who] = Client()
        if who != "anonymous":
            user = request.getfixturevalue(who).user
            enrol_totp(user)
            client.force_login(user)
        for url in urls:
            response, error, _ = _request(client, "GET", url)
            if error or response.status_code != 200 or \
                    "html" not in response.get("Content-Type", ""):
                continue  # the walk in test_bad_input reports these
            html = response.content.decode()
            for form, hints in zip(forms_on(html, url), _hints(html, url), strict=True):
                form.update(hints)
                found.setdefault(_form_kind(form), (who, client, url, form))
    return list(found.values())


def _fuzzable(form):
    return any(kind not in ("submit", "file") and name != "csrfmiddlewaretoken"
               for name, kind in form["kinds"].items())


@pytest.mark.long
def test_every_form_takes_fuzzed_input_safely(request, world):
    """Each form the walk meets, fuzzed as the first person to meet it: no 5xx, no payload
    shown raw, and a fair share of forms store a payload and show it escaped."""
    stats = {"stored and shown escaped": set()}
    failures, forms = [], [f for f in _walk_forms(request, world) if _fuzzable(f[3])]
    for who, client, url, form in forms:
        try:
            _fuzz_form(client, who, url, form, stats)
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
    assert not failures, "\n".join(failures)
    stored = stats["stored and shown escaped"]
    print(f"{len(stored)} of {len(forms)} forms stored a payload and showed it escaped")
    assert len(stored) >= len(forms) // 3, (
        f"only {len(stored)} of {len(forms)} forms stored a payload and showed it escaped: "
        f"{sorted(k[1] for k in stored)}")


def test_the_check_tells_a_raw_payload_from_an_escaped_one():
    """What the fuzzing looks for: every markup payload, shown raw, is caught; escaped, it is
    not, and its escaped marker is what counts as stored and shown escaped."""
    for payload in MARKUP:
        typed = payload.format(m='<i data-fuzz="title">')
        assert _raw_payloads(f"<p>{typed}</p>"), payload
        assert not _raw_payloads(f"<p>{escape(typed)}</p>"), payload
        assert ESCAPED_MARKER in escape(typed)
