"""Hostile input never makes a 500, and nothing typed is shown back unescaped.

Every URL of the product (enumerated from the URL resolver, so a new page is noticed) is
visited by each role with hostile query parameters; every form found on those pages is
posted with missing fields, over-long and unicode text, impossible dates, negative numbers,
unknown and mistyped ids, and an HTML file named .pdf. A post must give 200 with an error
shown next to the field (keeping what was typed) or a redirect; never a 500. Each request
runs in a rolled-back savepoint, so one form's success does not change the next page.

Each hostile value goes into each field of a form once per test run (a date's three boxes
together); a form with the same address and fields met again (on another page, or by
another role) gets only the posts that differ from one person to another. The people walk
one after another in one test, always in the same order, so which of them gives a form
every value is the same in every run: the first one that meets it.

Hostile query parameters: each page gets every hostile value of every parameter within a
few all-together requests; a parameter the page reads (noted while it answers, see
`reading_query_keys`) is also sent alone with each of its hostile values. A parameter the
page never looks at cannot change what it does, so sending it alone would only repeat the
all-together request.
"""

import contextlib
import datetime
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from wagtail.models import Page

from competencies import services as competency_services
from competencies.models import EvidenceKind, FrameworkStatus
from lms import services
from lms.compliance.models import IssuedPack, PackKind, PackStatus
from lms.models import GoalStatus, LearningStatus, Role, RoleAssignment
from supervision.models import ReflectionModel
from tests.competencies.test_progress_rules import make_framework
from tests.compliance import builders as compliance_builders
from tests.conftest import enrol_totp
from tests.curriculum import curriculum_section, learning_item
from tests.factories import RoleAssignmentFactory
from tests.test_cross_pcn_refusals import supervision_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
LONG = "x" * 10_000
UNICODE = ("ẞ𝓧😀\u202e" * 500)[:2000]

# Query parameters: all together (ALL_TOGETHER_QUERIES), and each alone to a page that reads it.
HOSTILE_QUERIES = [
    {"page": "abc"},
    {"page": "-1"},
    {"page": "99999"},
    {"page": "0"},
    {"kind": "<script>"},
    {"framework": "\x00"},
    {"framework": "999999"},
    {"domain": "x"},
    {"status": "' OR 1=1 --"},
    {"q": UNICODE},
    {"q": "q" * 2000},
    {"pcn": "notanumber"},
    {"pcn": "999999"},
    {"pcn": "-1"},
    {"show": SCRIPT},
    {"next": "https://evil.example/"},
]


def _all_together(queries):
    """Every hostile value of every parameter, in as few requests as the parameter with the
    most values needs; the first is each parameter's last value (the old all-together query)."""
    values = {}
    for query in queries:
        for key, value in query.items():
            values.setdefault(key, []).append(value)
    layers = max(len(v) for v in values.values())
    return [{key: vals[-1 - i] for key, vals in values.items() if i < len(vals)}
            for i in range(layers)]


ALL_TOGETHER_QUERIES = _all_together(HOSTILE_QUERIES)
# Values put into one field at a time of an otherwise untouched form.
HOSTILE_VALUES = [LONG, UNICODE, SCRIPT, "-1", "999999", "x", "' OR 1=1 --", "1.5e308", ""]
# (day, month, year) for every date field of a form at once.
HOSTILE_DATES = [
    ("31", "2", "2026"),
    ("1", "1", "abcd"),
    ("", "3", "2026"),
    ("1", "13", "2026"),
    ("0", "0", "0"),
    ("-1", "-1", "-2026"),
    ("1", "1", "99999"),
    ("1", "1", "0001"),
    ("1", "1", "9999"),
    (LONG, LONG, LONG),
]

# Not the product's own pages: allauth, the admin sites and Wagtail's front end (the
# curriculum pages are visited from the page tree instead), and the health check.
SKIPPED_PREFIXES = ("accounts/", "cms/", "django-admin/", "_util/", "health/")
SKIPPED_ACTIONS = ("/accounts/", "/cms/", "/django-admin/", "/_util/")
# Forms that answer a success with a page rather than a redirect (the single-use assessor
# link has nowhere to send the assessor back to): a 200 there is checked by its template.
SUCCESS_PAGE = {"/assess/": "competencies/assessor/link_done.html"}


# --- the data the object pages need ---------------------------------------------------------


@pytest.fixture
def world(care_coordinator, supervisor, pcn_manager, icb_viewer):
    """A learning record, a goal, a framework with a pending sign-off request, and so on."""
    section = curriculum_section()
    item = learning_item(section, "fire-safety", title="Fire safety")
    other_item = learning_item(section, "information-governance",
                               title="Information governance")
    record = services.learning_record_save(
        actor=care_coordinator.user, person=care_coordinator, item=item,
        stage=LearningStatus.COMPLETED, completed_on=datetime.date(2025, 3, 4),
        certificate=SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"),
    )
    goal = services.development_goal_save(
        actor=care_coordinator.user, person=care_coordinator,
        title="Learn motivational interviewing",
        description="Within a year.", status=GoalStatus.IN_PROGRESS, learning_items=[other_item],
    )
    services.goal_comment_add(actor=supervisor.user, goal=goal, author=supervisor,
                              text="Good plan.")
    framework = make_framework(count=1)
    framework.status = FrameworkStatus.ACTIVE  # only a framework in use takes ratings
    framework.save()
    competency = framework.competencies.get()
    competency.learning_items.add(item)
    competency_services.self_assessment_record(
        actor=care_coordinator.user, person=care_coordinator, competency=competency, level=2,
        narrative="I coordinate care plans.",
    )
    file_link = competency_services.evidence_link_add(
        actor=care_coordinator.user, person=care_coordinator, competency=competency,
        kind=EvidenceKind.FILE,
        uploaded_file=SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf"),
    )
    sign_off_request = competency_services.sign_off_request_create(
        actor=care_coordinator.user, person=care_coordinator, competency=competency,
        reviewer=supervisor,
    )
    external_request = competency_services.sign_off_request_create(
        actor=care_coordinator.user, person=care_coordinator, competency=competency,
        assessor_name="Sam Jones", assessor_role="Pharmacist",
        assessor_email="sam.jones@example.nhs.uk",
    )
    _link, assessor_token = competency_services.assessor_link_send(
        actor=care_coordinator.user, request=external_request)
    invited = services.person_create(
        actor=pcn_manager.user, given_name="Ivy", family_name="Invited",
        email="ivy@example.nhs.uk", pcn=care_coordinator.pcn,
    )
    _invitation, invitation_token = services.invitation_send(actor=pcn_manager.user,
                                                              person=invited)
    assignment = RoleAssignment.objects.filter(person=care_coordinator).first()
    # The supervisor is also the coordinator's safeguarding GP, so their run covers the
    # safeguarding GP's pages and forms too.
    RoleAssignmentFactory(person=supervisor, role=Role.SAFEGUARDING_GP,
                          pcn=care_coordinator.pcn, care_coordinator=care_coordinator,
                          starts_on=assignment.starts_on)
    # Supervision records of every kind: an unconfirmed session (with an action) the
    # coordinator may change and the supervisor may confirm, a confirmed one taking addenda,
    # a safeguarding log with an open follow-up, a complete reflection shared with the
    # supervisor, a peer session under way (replies and the register both open) facilitated
    # by the supervisor, arranged by the manager, with the coordinator invited.
    supervision = supervision_world(
        care_coordinator=care_coordinator, supervisor=supervisor, safeguarding_gp=supervisor,
        organiser=pcn_manager, facilitator=supervisor,
    )
    pk_by_namespace = {
        "safeguarding": supervision["discussion"].pk,
        "reflections": supervision["reflection"].pk,
        "network_sessions": supervision["network_session"].pk,
    }
    # The compliance app's objects: a checked partner, the coordinator's directory entry and
    # an issued pack (the pages that build packs build real ones).
    pcn = care_coordinator.pcn
    as_of = datetime.date(2026, 6, 1)
    partner = compliance_builders.partner(pcn, added_on=as_of, checked_on=as_of)
    entry = compliance_builders.directory_listing(care_coordinator, listed_from=as_of)
    pack = IssuedPack.objects.create(
        kind=PackKind.COORDINATOR, pcn=pcn, person=care_coordinator, as_of=as_of,
        contract_year="2026/27", status=PackStatus.DONE, fingerprint="a" * 64,
    )
    pk_by_namespace["partners"] = partner.pk
    pk_by_namespace["directory"] = entry.pk
    compliance_args = {
        "pcn_pk": pcn.pk, "pcn_id": pcn.pk, "person_pk": care_coordinator.pk,
        "practice_pk": pcn.practices.order_by("pk").first().pk, "ods_code": pcn.ods_code,
        "entry_pk": entry.pk, "pack_id": pack.pk, "fingerprint": pack.fingerprint,
    }
    by_name = {
        name: {"pk": pk_by_namespace[name.split(":")[0]]}
        for name, _route, arguments in _walk(get_resolver().url_patterns)
        if "pk" in arguments and name.split(":")[0] in pk_by_namespace
    }
    # Each URL argument, by URL name (or "*" for any URL).
    return {
        "*": {
            "person_id": care_coordinator.pk,
            "item_id": item.pk,
            "competency_id": competency.pk,
            "code": framework.code,
            "goal_id": goal.pk,
            "assignment_pk": assignment.pk,
            "evidence_id": file_link.pk,
            "pk": care_coordinator.pk,
            "session_id": supervision["session"].pk,
            "action_id": supervision["action"].pk,
            "share_id": supervision["share"].pk,
            "model": ReflectionModel.GIBBS,
            **compliance_args,
        },
        **by_name,
        "compliance:requirement": {"code": "1a"},
        "supervision:addendum": {"session_id": supervision["confirmed_session"].pk},
        "network_sessions:calendar_feed": {"token": supervision["feed_token"]},
        "learning:record_detail": {"pk": record.pk},
        "learning:verify": {"pk": record.pk},
        "competencies:evidence_withdraw": {"pk": file_link.pk},
        "competencies:review": {"pk": sign_off_request.pk},
        "competencies:request_withdraw": {"pk": sign_off_request.pk},
        "competencies:send_link": {"pk": external_request.pk},
        "assessor_link": {"token": assessor_token},
        "assessor_link_file": {"token": assessor_token},
        "invitation_accept": {"token": invitation_token},
        "evidence_file_download": {"pk": record.certificates.get().pk},
    }


# --- URL enumeration -------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace="", converters=()):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        names = list(converters) + list(getattr(entry.pattern, "converters", {}) or {})
        names += list(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, space, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route, tuple(dict.fromkeys(names))


def product_urls(world):
    """Every product URL, filled in with the world's objects; fails on an unknown argument."""
    urls = []
    for name, route, arguments in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith(SKIPPED_PREFIXES) or name.startswith("wagtail"):
            continue
        values = {**world["*"], **world.get(name, {})}
        missing = [arg for arg in arguments if arg not in values]
        assert not missing, f"{name} ({route}) needs {missing}: add them to the world fixture"
        urls.append(reverse(name, kwargs={arg: values[arg] for arg in arguments}))
    pages = Page.objects.live().filter(depth__gt=2).specific()
    urls += [page.url for page in pages if page.url]
    return sorted(set(urls))


# --- form parsing ----------------------------------------------------------------------------


class FormParser(HTMLParser):
    """Each <form>: method, action, enctype and its fields with their default values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": [],  # (name, type, value, default?)
                "options": {},
            }
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if name:
                    form["fields"].append((name, "submit", attrs.get("value", ""), False))
                return
            default = kind not in ("checkbox", "radio") or "checked" in attrs
            form["fields"].append((name, kind, attrs.get("value", "on" if kind in (
                "checkbox", "radio") else ""), default))
            if kind == "radio":
                form["options"].setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "button" and name:
            form["fields"].append((name, "submit", attrs.get("value", ""), False))
        elif tag == "select" and name:
            self._select = name
            form["fields"].append((name, "select", None, True))
            form["options"][name] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form["options"][self._select].append(value)
            if "selected" in attrs:
                form.setdefault("selected", {}).setdefault(self._select, []).append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            name, text = self._textarea
            self._form["fields"].append((name, "textarea", text.lstrip("\n"), True))
            self._textarea = None


def forms_on(html, url):
    parser = FormParser()
    parser.feed(html)
    found = []
    for form in parser.forms:
        action = form["action"]
        target = urlsplit(action)
        if target.netloc:
            continue
        path = target.path or url.split("?")[0]
        if path.startswith(SKIPPED_ACTIONS):
            continue
        baseline, files, kinds = {}, [], {}
        for name, kind, value, default in form["fields"]:
            kinds.setdefault(name, kind)
            if kind == "file":
                files.append(name)
            elif kind == "select":
                chosen = form.get("selected", {}).get(name)
                options = [o for o in form["options"].get(name, []) if o]
                if chosen:
                    baseline[name] = chosen
                elif options:
                    baseline[name] = [options[0]]
            elif default and kind != "submit" and kind != "password":
                baseline.setdefault(name, []).append(value)
        # A radio group with nothing checked: pick the first choice.
        for name, options in form["options"].items():
            if kinds.get(name) == "radio" and name not in baseline and options:
                baseline[name] = [options[0]]
        submits = [(n, v) for n, kind, v, _ in form["fields"] if kind == "submit"]
        found.append({
            "method": form["method"],
            "path": path + (f"?{target.query}" if target.query else ""),
            "baseline": baseline,
            "files": files,
            "kinds": kinds,
            "submits": submits,
        })
    return found


# --- requests --------------------------------------------------------------------------------


class Problems(list):
    def add(self, who, method, url, data, outcome):
        shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v)
                 for k, v in (data or {}).items()}
        self.append(f"{who}: {method} {url} {shown} -> {outcome}")


def _request(client, method, url, data=None, follow_redirect_check=None):
    """Send one request in a rolled-back savepoint; return (response, error, extra html)."""
    extra = ""
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, data or {})
            else:
                response = client.post(url, data or {})
            if response.status_code in (301, 302, 303) and follow_redirect_check:
                location = response.headers["Location"]
                if location.startswith("/") and not location.startswith(SKIPPED_ACTIONS):
                    extra = client.get(location).content.decode(errors="replace")
                    if follow_redirect_check != location:  # not the same page twice
                        extra += client.get(follow_redirect_check).content.decode(
                            errors="replace")
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - a 500, reported with the request that made it
        return None, f"{type(error).__name__}: {str(error)[:200]}", ""
    return response, None, extra


class _ReadingQueryDict(QueryDict):
    """A request's GET that notes each key the page looks up, and "*" when it takes the query
    as a whole (iterates it, copies it, re-encodes it, asks whether it is empty...)."""

    def __init__(self, query_string=None, mutable=False, encoding=None, reads=None):
        self._reads = set()  # parsing the query string is not the page reading it
        super().__init__(query_string, mutable=mutable, encoding=encoding)
        self._reads = set() if reads is None else reads  # a copy: the copying was noted

    def __getitem__(self, key):
        self._reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._reads.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._reads.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._reads.add(key)
        return super().getlist(key, default)


def _reads_whole(name):
    def method(self, *args, **kwargs):
        self._reads.add("*")
        return getattr(QueryDict, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


for _name in ("__iter__", "__len__", "__eq__", "__copy__", "__deepcopy__", "__reduce__",
              "__getstate__", "keys", "items", "lists", "values", "dict", "copy", "urlencode"):
    setattr(_ReadingQueryDict, _name, _reads_whole(_name))


@contextlib.contextmanager
def reading_query_keys():
    """Within the block, every request's GET notes into the yielded set the keys read."""
    reads = set()

    def get(request):
        if "_reading_GET" not in request.__dict__:
            raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
            request.__dict__["_reading_GET"] = _ReadingQueryDict(raw, encoding=request._encoding,
                                                                reads=reads)
        return request.__dict__["_reading_GET"]

    def set_(request, value):
        request.__dict__["_reading_GET"] = value

    def delete(request):
        request.__dict__.pop("_reading_GET", None)

    with mock.patch.object(WSGIRequest, "GET", property(get, set_, delete)):
        yield reads


def _flat(data):
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in data.items()}


def _post_variants(form, every_value=True):
    """(label, data, typed text that should be shown back) for one form; without
    `every_value`, only the empty, hidden-only and default posts and the impossible dates."""
    baseline = _flat(form["baseline"])
    kinds = form["kinds"]
    hidden = {k: v for k, v in baseline.items() if kinds.get(k) == "hidden"}
    submit = dict(form["submits"][:1])
    yield "empty", {}, None
    yield "only hidden fields", {**hidden, **submit}, None
    yield "defaults", {**baseline, **submit}, None
    names = [n for n, kind in kinds.items() if kind not in ("file", "submit")]
    dates = sorted({n.rsplit("_", 1)[0] for n in names
                    if n.endswith(("_day", "_month", "_year"))})
    date_parts = {f"{date}_{part}": date for date in dates for part in ("day", "month", "year")}
    for name in names if every_value else []:
        if name in date_parts:
            continue  # a date's three boxes take each value together, below
        for value in HOSTILE_VALUES:
            typed = value if kinds[name] in ("text", "textarea", "email") and value else None
            yield f"{name}={value[:12]!r}", {**baseline, **submit, name: value}, (name, typed)
    # Each hostile value in all three boxes of one date at once (HOSTILE_DATES below mixes
    # good and bad parts).
    for date in dates if every_value else []:
        parts = [name for name, whose in date_parts.items() if whose == date and name in kinds]
        for value in HOSTILE_VALUES:
            typed = value if kinds[parts[0]] in ("text", "textarea", "email") and value \
                else None
            yield (f"{date}={value[:12]!r}", {**baseline, **submit, **dict.fromkeys(parts, value)},
                   (parts[0], typed))
    for day, month, year in HOSTILE_DATES:
        data = {**baseline, **submit}
        for date in dates:
            data.update({f"{date}_day": day, f"{date}_month": month, f"{date}_year": year})
        if dates:
            yield f"dates={day[:4]}/{month[:4]}/{year[:5]}", data, None
    for name in form["files"]:
        html = SimpleUploadedFile("certificate.pdf", b"<html><script>alert(1)</script></html>",
                                  content_type="application/pdf")
        yield f"{name}=HTML as .pdf", {**baseline, **submit, name: html}, None


def _has_error(html):
    return "nhsuk-error-message" in html or "nhsuk-error-summary" in html


def _form_fields(form):
    return form["method"], form["path"], tuple(sorted(form["kinds"]))


def _form_kind(form):
    """A form by method, URL name and fields: the same form for another object (another goal,
    another learning item) is the same form. Wagtail's pages keep their address."""
    path, _, query = form["path"].partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        return _form_fields(form)
    name = form["path"] if match.url_name == "wagtail_serve" else match.view_name
    if query and name != form["path"]:
        name += f"?{query}"
    return form["method"], name, tuple(sorted(form["kinds"]))


def _check_page(client, who, url, problems, checked=None, given_every_value=None):
    """GET the page with hostile queries, then every form on it.

    `checked` holds the forms already posted by this person (the same address, fields and
    defaults on another page): they are skipped. `given_every_value` holds the forms (by
    method, URL name and fields: `_form_kind`) that have had every hostile value in every
    field in this test run, as someone else or for another object: this person sends them
    only the empty, hidden-only and default posts and the impossible dates, which are what
    differ from one person to another.
    """
    checked = set() if checked is None else checked
    given_every_value = set() if given_every_value is None else given_every_value
    with reading_query_keys() as reads:
        response, error, _ = _request(client, "GET", url)
    if error:
        problems.add(who, "GET", url, None, error)
        return
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    _check_queries(client, who, url, problems, reads)
    html = response.content.decode()
    for form in forms_on(html, url):
        key = (*_form_fields(form), repr(form["baseline"]))
        if key in checked:
            continue
        checked.add(key)
        every_value = _form_kind(form) not in given_every_value
        given_every_value.add(_form_kind(form))
        if form["method"] == "get":
            for name in form["kinds"] if every_value else []:
                for value in HOSTILE_VALUES:
                    hostile, error, _ = _request(client, "GET", form["path"], {name: value})
                    if error or hostile.status_code >= 500:
                        problems.add(who, "GET", form["path"], {name: value},
                                     error or hostile.status_code)
            continue
        _check_form(client, who, url, form, problems, every_value)


def _check_queries(client, who, url, problems, reads):
    """Hostile query parameters: all together, then each parameter the page reads (`reads`,
    noted while it answered; "*" for the query as a whole) alone with each hostile value. A
    parameter read only when another is present is noted in the all-together requests."""
    for query in ALL_TOGETHER_QUERIES:
        with reading_query_keys() as more:
            hostile, error, _ = _request(client, "GET", url, query)
        reads |= more
        if error or hostile.status_code >= 500:
            problems.add(who, "GET", url, query, error or hostile.status_code)
    # A parameter's value that made an all-together request on its own was sent alone already.
    sent = {i for i, query in enumerate(HOSTILE_QUERIES) if query in ALL_TOGETHER_QUERIES}
    while True:
        todo = [i for i, query in enumerate(HOSTILE_QUERIES)
                if i not in sent and ("*" in reads or reads.intersection(query))]
        if not todo:
            return
        for i in todo:
            sent.add(i)
            with reading_query_keys() as more:
                hostile, error, _ = _request(client, "GET", url, HOSTILE_QUERIES[i])
            reads |= more
            if error or hostile.status_code >= 500:
                problems.add(who, "GET", url, HOSTILE_QUERIES[i], error or hostile.status_code)


def _check_form(client, who, url, form, problems, every_value=True):
    for label, data, typed in _post_variants(form, every_value):
        response, error, after = _request(client, "POST", form["path"], data,
                                          follow_redirect_check=url)
        if error:
            problems.add(who, "POST", form["path"], data, error)
            continue
        status = response.status_code
        if status == 200 and response.get("Content-Disposition", "").startswith("attachment"):
            continue  # a valid request for a download (an evidence pack, a CSV)
        if status == 200:
            html = response.content.decode(errors="replace")
            if SCRIPT in html:
                problems.add(who, "POST", form["path"], data, "raw <script> shown back")
            done = [t for prefix, t in SUCCESS_PAGE.items() if form["path"].startswith(prefix)]
            if done and done[0] in [t.name for t in response.templates]:
                continue
            if label not in ("defaults",) and not _has_error(html):
                problems.add(who, "POST", form["path"], data, "200 without an error message")
            if typed and typed[1] and typed[1] not in html and \
                    typed[1].replace("'", "&#x27;") not in html and \
                    typed[1].replace("<", "&lt;").replace(">", "&gt;") not in html:
                problems.add(who, "POST", form["path"], data,
                             f"what was typed into {typed[0]} was lost")
        elif status in (301, 302, 303):
            if SCRIPT in after:
                problems.add(who, "POST", form["path"], data, "stored <script> shown raw")
        elif status >= 500 or status not in (400, 403, 404, 405):
            problems.add(who, "POST", form["path"], data, status)


# --- the tests -------------------------------------------------------------------------------

# Who walks, in this order: the first to meet a form gives it every hostile value.
WALKERS = ["care_coordinator", "supervisor", "pcn_manager", "icb_viewer", "anonymous"]


@pytest.mark.long
def test_hostile_input_to_every_page_and_form(request, world):
    """Each role, then someone not signed in, walks every page and form (WALKERS).

    One test rather than one per role: the first person to meet a form gives it every
    hostile value and the others only the posts that differ from one person to another,
    which needs every walk in one process and in a fixed order (pytest-xdist would put one
    test per role on whichever worker is free). Each problem names the person who met it.
    """
    problems, given_every_value, urls = Problems(), set(), product_urls(world)
    for who in WALKERS:
        client = Client()
        if who != "anonymous":
            user = request.getfixturevalue(who).user
            enrol_totp(user)
            client.force_login(user)
        checked = set()
        for url in urls:
            _check_page(client, who, url, problems, checked, given_every_value)
    assert not problems, "\n".join(problems)


def test_the_walk_sees_which_query_parameters_a_page_reads(sign_in, care_coordinator):
    """The walk sends a parameter alone only to pages that read it: reading must be noticed,
    key by key, and a page that takes the whole query (a bound form) gets every parameter."""
    client = sign_in(care_coordinator)
    with reading_query_keys() as reads:
        assert client.get(reverse("learning:mine")).status_code == 200
    assert {"kind", "page"} <= reads and "*" not in reads
    with reading_query_keys() as reads:
        assert client.get(reverse("verify:index"), {"fingerprint": "x"}).status_code == 200
    assert "*" in reads
    # Outside the block, requests' GET is Django's own again.
    assert type(client.get(reverse("learning:mine")).wsgi_request.GET) is QueryDict


def test_unknown_ids_in_urls_are_not_found(world, sign_in, pcn_manager, care_coordinator):
    problems = Problems()
    for person in (pcn_manager, care_coordinator):
        client = sign_in(person)
        for name, route, arguments in _walk(get_resolver().url_patterns):
            if route.lstrip("^").startswith(SKIPPED_PREFIXES) or name.startswith("wagtail"):
                continue
            values = {**world["*"], **world.get(name, {})}
            for arg in arguments:
                wrong = {**values, arg: "nosuchtoken" if arg in ("token", "code") else 999999}
                url = reverse(name, kwargs={a: wrong[a] for a in arguments})
                response, error, _ = _request(client, "GET", url)
                if error or response.status_code >= 500:
                    problems.add(str(person), "GET", url, None, error or response.status_code)
    assert not problems, "\n".join(problems)


# --- stored free text is shown escaped -------------------------------------------------------


def assert_escaped(client, url):
    html = client.get(url).content.decode()
    assert SCRIPT not in html, url
    assert ESCAPED_SCRIPT in html, url


def _date(prefix, day=""):
    return {f"{prefix}_day": day, f"{prefix}_month": "", f"{prefix}_year": ""}


def test_a_goal_title_and_comment_are_shown_escaped(world, sign_in, care_coordinator,
                                                     supervisor):
    client = sign_in(care_coordinator)
    page = forms_on(client.get(reverse("development:goal_add")).content.decode(),
                    reverse("development:goal_add"))
    form = next(f for f in page if f["method"] == "post")
    data = {**_flat(form["baseline"]), "title": SCRIPT, "description": SCRIPT}
    response = client.post(form["path"], data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_escaped(client, reverse("development:plan"))
    goal = care_coordinator.development_goals.get(title=SCRIPT)
    response = client.post(reverse("development:goal_comment", args=[goal.pk]), {"text": SCRIPT})
    assert response.status_code == 302
    assert_escaped(client, reverse("development:goal_comment", args=[goal.pk]))
    client = sign_in(supervisor)
    assert_escaped(client, reverse("development:person_plan", args=[care_coordinator.pk]))


def test_a_learning_record_note_is_shown_escaped(world, sign_in, care_coordinator, pcn_manager):
    record = care_coordinator.learning_records.get()
    client = sign_in(care_coordinator)
    url = reverse("learning:record", args=[record.item_id])
    form = next(f for f in forms_on(client.get(url).content.decode(), url)
                if f["method"] == "post" and "notes" in f["kinds"])
    response = client.post(form["path"], {**_flat(form["baseline"]), "notes": SCRIPT})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_escaped(client, reverse("learning:record_detail", args=[record.pk]))
    client = sign_in(pcn_manager)
    assert_escaped(client, reverse("learning:record_detail", args=[record.pk]))


def test_a_self_assessment_narrative_is_shown_escaped(world, sign_in, care_coordinator,
                                                      supervisor):
    competency_id = world["*"]["competency_id"]
    client = sign_in(care_coordinator)
    url = reverse("competencies:competency", args=[competency_id])
    found = forms_on(client.get(url).content.decode(), url)
    form = next(f for f in found if f["method"] == "post" and "assess-narrative" in f["kinds"])
    data = {**_flat(form["baseline"]), "assess-level": "2", "assess-narrative": SCRIPT}
    response = client.post(form["path"], data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_escaped(client, url)
    client = sign_in(supervisor)
    assert_escaped(client, reverse("competencies:person_competency",
                                   args=[care_coordinator.pk, competency_id]))
