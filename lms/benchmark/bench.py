"""The side-by-side benchmark behind `manage.py bench` (and `make bench`).

One run measures, on the same machine and data: two references (a bare view returning
"ok" and the home page `wagtail start` gives) and our key pages, each requested by the
person who uses it. Per page: SQL queries counted in-process for a 30- and a 1-coordinator
PCN's people, then throughput and latency from wrk against gunicorn. The targets of issue 8
are checked and the results written as JSON and as the marked section of
`docs/performance.md`. Nothing here times anything in the test suite: tests check only that
the commands work.
"""

import datetime
import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competencies.models import SelfAssessment, SignOff, SignOffRequest
from lms.access import today
from lms.compliance.models import IssuedPack
from lms.models import ICB, PCN, LearningRecord, Person, Practice, Role, RoleAssignment
from supervision.models import Reflection, SessionInvitation, SupervisionSession

from .scale import benchmark_subjects

BENCH_URLCONF = "lms.benchmark.urls"
BENCH_SETTINGS = "lms.settings.bench"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
RESULT_MARKER = "BENCH_RESULT "
RESULTS_START = "<!-- bench:results:start -->"
RESULTS_END = "<!-- bench:results:end -->"
BIG_PCN_COORDINATORS = 30
WORKER_TIMEOUT_SECONDS = 900
SMALL_PCN_COORDINATORS = 1
#: Targets (issue 8). Key pages: p95 under 100 ms; the ICB dashboard and one coordinator's
#: evidence pack have their own, looser, targets.
KEY_PAGE_P95_MS = 100
ICB_DASHBOARD_P95_MS = 1000
PACK_P95_MS = 2000


class BenchError(Exception):
    """The benchmark cannot measure a page (wrong status, no subject, wrk or server failed)."""


# --- Who requests the pages --------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """One PCN and the people who request its pages (None where nobody holds the role)."""

    pcn: PCN
    coordinator_count: int
    coordinator: Person | None
    supervisor: Person | None
    manager: Person | None
    icb: ICB
    icb_viewer: Person | None


@dataclass(frozen=True)
class Subjects:
    """The 30-coordinator PCN in the biggest ICB, and the 1-coordinator PCN to compare."""

    big: Cohort
    small: Cohort


def active_coordinator_assignments(as_of: datetime.date):
    """Current care coordinator roles in a PCN, of people who have not left."""
    return (RoleAssignment.objects.current(as_of).care_coordinators()
            .filter(pcn__isnull=False, person__left_on__isnull=True))


def coordinators_per_pcn(as_of: datetime.date) -> dict[int, int]:
    """{PCN id: number of active care coordinators} for every PCN with one or more."""
    rows = (active_coordinator_assignments(as_of).values("pcn")
            .annotate(n=Count("person", distinct=True)))
    return {row["pcn"]: row["n"] for row in rows}


def closest_pcn_id(counts: dict[int, int], wanted: int, exclude=()) -> int | None:
    """The PCN whose coordinator count is nearest `wanted` (lowest id on a tie)."""
    candidates = [(abs(n - wanted), pcn_id) for pcn_id, n in counts.items()
                  if pcn_id not in exclude]
    return min(candidates)[1] if candidates else None


def biggest_icb_id(as_of: datetime.date) -> int | None:
    """The ICB with the most active care coordinators (lowest id on a tie)."""
    row = (active_coordinator_assignments(as_of).values("pcn__icb")
           .annotate(n=Count("person", distinct=True)).order_by("-n", "pcn__icb").first())
    return row["pcn__icb"] if row else None


def role_holder(as_of: datetime.date, role: str, **scope) -> Person | None:
    """The longest-standing current holder of a role for a scope (a PCN, an ICB)."""
    assignment = (RoleAssignment.objects.current(as_of).filter(role=role, **scope)
                  .filter(person__left_on__isnull=True).select_related("person__user")
                  .order_by("starts_on", "pk").first())
    return assignment.person if assignment else None


def supervisor_and_supervisee(pcn: PCN, as_of: datetime.date):
    """The clinical supervisor of the PCN's coordinators with the most pending sign-off
    requests from them, and the supervisee with the most of those: (supervisor, coordinator).
    (None, the longest-serving coordinator) when nobody supervises them."""
    coordinators = active_coordinator_assignments(as_of).filter(pcn=pcn)
    supervision = list(
        RoleAssignment.objects.current(as_of)
        .filter(role=Role.CLINICAL_SUPERVISOR, person__left_on__isnull=True,
                care_coordinator__in=coordinators.values("person_id"))
        .order_by("starts_on", "pk"))
    if not supervision:
        first = coordinators.select_related("person__user").order_by("starts_on", "pk").first()
        return None, first.person if first else None
    pending = list(  # (reviewer id, coordinator id, requests), most requests first
        SignOffRequest.objects.pending()
        .filter(reviewer__in=[a.person_id for a in supervision],
                person__in=coordinators.values("person_id"))
        .values_list("reviewer", "person").annotate(n=Count("pk")).order_by("-n", "person"))
    waiting = Counter()
    for reviewer, _person, n in pending:
        waiting[reviewer] += n
    chosen = max(supervision, key=lambda a: waiting[a.person_id])  # the earliest on a tie
    coordinator_id = next((person for reviewer, person, _ in pending
                           if reviewer == chosen.person_id), chosen.care_coordinator_id)
    people = Person.objects.select_related("user").in_bulk([chosen.person_id, coordinator_id])
    return people[chosen.person_id], people[coordinator_id]


def cohort_for(pcn: PCN, coordinator_count: int, icb: ICB, as_of: datetime.date) -> Cohort:
    supervisor, coordinator = supervisor_and_supervisee(pcn, as_of)
    return Cohort(
        pcn=pcn,
        coordinator_count=coordinator_count,
        coordinator=coordinator,
        supervisor=supervisor,
        manager=role_holder(as_of, Role.PCN_MANAGER, pcn=pcn),
        icb=icb,
        icb_viewer=role_holder(as_of, Role.ICB_VIEWER, icb=icb),
    )


def find_subjects(as_of: datetime.date | None = None) -> Subjects:
    """The 30- and 1-coordinator PCNs of `seed_scale`'s big ICB, with the people of each.

    On other data (the demo seeds) the nearest: the PCN with about 30 active care
    coordinators, preferring the ICB with the most, and the one with about 1."""
    as_of = as_of or today()
    counts = coordinators_per_pcn(as_of)
    try:
        chosen = benchmark_subjects(as_of)
    except LookupError:
        big_pcn, small_pcn, big_icb = nearest_subjects(counts, as_of)
    else:
        big_pcn, small_pcn, big_icb = chosen.pcn_30, chosen.pcn_1, chosen.icb
    return Subjects(
        big=cohort_for(big_pcn, counts[big_pcn.pk], big_icb, as_of),
        small=cohort_for(small_pcn, counts[small_pcn.pk], small_pcn.icb, as_of),
    )


def nearest_subjects(counts: dict[int, int], as_of: datetime.date) -> tuple[PCN, PCN, ICB]:
    """(about-30 PCN, about-1 PCN, biggest ICB) when no PCN has exactly the wanted counts."""
    if len(counts) < 2:
        raise BenchError("The benchmark needs two PCNs with care coordinators: run "
                         "`manage.py seed_scale` (or the demo seeds) first.")
    icb_id = biggest_icb_id(as_of)
    in_big_icb = set(PCN.objects.filter(icb_id=icb_id).values_list("pk", flat=True))
    big_id = closest_pcn_id({k: v for k, v in counts.items() if k in in_big_icb},
                            BIG_PCN_COORDINATORS)
    if big_id is None or counts[big_id] != BIG_PCN_COORDINATORS:
        big_id = closest_pcn_id(counts, BIG_PCN_COORDINATORS)
    small_id = closest_pcn_id(counts, SMALL_PCN_COORDINATORS, exclude={big_id})
    pcns = PCN.objects.select_related("icb").in_bulk([big_id, small_id])
    return pcns[big_id], pcns[small_id], ICB.objects.get(pk=icb_id)


# --- The pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """One request as the load generator will send it."""

    method: str
    path: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BenchPage:
    key: str
    title: str
    #: Which of a cohort's people requests it (None: a reference, requested anonymously).
    role: str | None
    content_type: str
    request: Callable[[Cohort], PageRequest]
    #: Its p95 target in milliseconds (None: a reference, no target).
    p95_target_ms: int | None = None


def _get(url_name: str) -> Callable[[Cohort], PageRequest]:
    return lambda cohort: PageRequest("GET", reverse(url_name))


def _pcn_dashboard(cohort: Cohort) -> PageRequest:
    return PageRequest("GET", f"{reverse('compliance:dashboard')}?pcn={cohort.pcn.pk}")


def _own_pack(cohort: Cohort) -> PageRequest:
    """A care coordinator builds and downloads their own evidence pack as at today (POST)."""
    as_of = today()
    return PageRequest("POST", reverse("packs:mine"), {
        "as_of_day": str(as_of.day), "as_of_month": str(as_of.month),
        "as_of_year": str(as_of.year),
    })


PAGES = [
    BenchPage("bare", "Bare Django view (\"ok\", /health/)", None, "text/plain", _get("health")),
    BenchPage("wagtail-home", "Wagtail's starter home page", None, "text/html",
              _get("bench_wagtail_starter")),
    BenchPage("coordinator-home", "Coordinator home", "coordinator", "text/html",
              _get("home"), KEY_PAGE_P95_MS),
    BenchPage("sign-off-queue", "Supervisor sign-off queue", "supervisor", "text/html",
              _get("competencies:queue"), KEY_PAGE_P95_MS),
    BenchPage("pcn-dashboard", "PCN manager compliance dashboard", "manager", "text/html",
              _pcn_dashboard, KEY_PAGE_P95_MS),
    BenchPage("training-matrix", "Training matrix", "manager", "text/html",
              _get("reports:training_matrix"), KEY_PAGE_P95_MS),
    BenchPage("heatmap", "Competency heatmap", "manager", "text/html",
              _get("competency_reports:heatmap"), KEY_PAGE_P95_MS),
    BenchPage("icb-dashboard", "ICB dashboard", "icb_viewer", "text/html",
              _get("compliance:icb"), ICB_DASHBOARD_P95_MS),
    BenchPage("coordinator-pack", "One coordinator's evidence pack (PDF)", "coordinator",
              "application/pdf", _own_pack, PACK_P95_MS),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}


def pages_named(keys) -> list[BenchPage]:
    """The pages with these keys, in the benchmark's order (all of them for none)."""
    if not keys:
        return list(PAGES)
    unknown = sorted(set(keys) - set(PAGES_BY_KEY))
    if unknown:
        raise BenchError(f"Unknown page(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(PAGES_BY_KEY)}")
    return [page for page in PAGES if page.key in set(keys)]


# --- Signed-in visitors ------------------------------------------------------------------


@dataclass
class Visitor:
    """A signed-in (or anonymous) browser: a test client and the cookies wrk will send."""

    client: Client
    cookies: dict = field(default_factory=dict)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.cookies.items()))


def enrol_totp(user) -> None:
    """Staff without a second factor are sent to set one up; enrol one as tests do."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def visitor_for(person: Person | None) -> Visitor:
    """A client signed in as the person (in-process, no password) and its session cookie."""
    client = Client(SERVER_NAME="127.0.0.1")
    if person is None:
        return Visitor(client)
    enrol_totp(person.user)
    client.force_login(person.user)
    name = settings.SESSION_COOKIE_NAME
    return Visitor(client, {name: client.cookies[name].value})


def with_csrf(visitor: Visitor) -> Visitor:
    """Add the CSRF cookie (taken from a page with a form) that a POST sends back."""
    response = visitor.client.get(reverse("packs:mine"))
    cookie = visitor.client.cookies.get(settings.CSRF_COOKIE_NAME)
    if response.status_code != 200 or cookie is None:
        raise BenchError(f"No CSRF cookie from {reverse('packs:mine')} "
                         f"(status {response.status_code})")
    visitor.cookies[settings.CSRF_COOKIE_NAME] = cookie.value
    return visitor


def request_data(visitor: Visitor, request: PageRequest) -> dict:
    """The form data, with the CSRF token when it is a POST."""
    if request.method != "POST":
        return dict(request.data)
    return {**request.data, "csrfmiddlewaretoken": visitor.cookies[settings.CSRF_COOKIE_NAME]}


@dataclass
class Target:
    """One page, its person and request, for one cohort."""

    page: BenchPage
    cohort: Cohort
    visitor: Visitor
    request: PageRequest

    @property
    def body(self) -> str:
        data = request_data(self.visitor, self.request)
        return urlencode(data) if self.request.method == "POST" else ""


def target_for(page: BenchPage, cohort: Cohort, visitors: dict) -> Target:
    """The page for a cohort, requested by the right person (visitors cache their sign-in)."""
    person = getattr(cohort, page.role) if page.role else None
    if page.role and person is None:
        raise BenchError(f"{page.title}: {cohort.pcn.name} has no {page.role.replace('_', ' ')}"
                         " to request it")
    key = person.pk if person else None
    if key not in visitors:
        visitors[key] = visitor_for(person)
    visitor = visitors[key]
    request = page.request(cohort)
    if request.method == "POST" and settings.CSRF_COOKIE_NAME not in visitor.cookies:
        with_csrf(visitor)
    return Target(page, cohort, visitor, request)


# --- Query counts (in-process) -----------------------------------------------------------


def send(target: Target):
    client, request = target.visitor.client, target.request
    if request.method == "POST":
        return client.post(request.path, request_data(target.visitor, request))
    return client.get(request.path)


def check_response(target: Target, response) -> None:
    """200 with the page's content type (a PDF must start like one), else a BenchError."""
    page = target.page
    content_type = response.get("Content-Type", "")
    where = f"{page.title} ({target.request.method} {target.request.path})"
    if response.status_code != 200:
        location = response.get("Location", "")
        raise BenchError(f"{where} answered {response.status_code}"
                         f"{' to ' + location if location else ''}, not 200")
    if not content_type.startswith(page.content_type):
        raise BenchError(f"{where} answered {content_type!r}, not {page.content_type}")
    if page.content_type == "application/pdf" and not response.content.startswith(b"%PDF"):
        raise BenchError(f"{where} is not a PDF")


def count_queries(target: Target) -> tuple[int, float]:
    """SQL queries for one warm request (the first fills per-process caches), and its
    seconds."""
    check_response(target, send(target))
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = send(target)
        seconds = time.perf_counter() - started
    check_response(target, response)
    return len(queries.captured_queries), seconds


# --- Load (wrk against gunicorn) ---------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def parse_wrk_output(output: str) -> LoadResult:
    """Read the JSON line wrk_report.lua's done() prints (microseconds in, ms out)."""
    for line in output.splitlines():
        if line.startswith(RESULT_MARKER):
            data = json.loads(line[len(RESULT_MARKER):])
            break
    else:
        raise BenchError(f"wrk printed no result line:\n{output[-2000:]}")
    errors = data["errors"]
    return LoadResult(
        requests=int(data["requests"]),
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["latency_us"]["p50"] / 1000,
        p95_ms=data["latency_us"]["p95"] / 1000,
        p99_ms=data["latency_us"]["p99"] / 1000,
        socket_errors=sum(int(errors[k]) for k in ("connect", "read", "write", "timeout")),
        non_2xx=int(data["non_2xx"]),
    )


@dataclass(frozen=True)
class LoadSettings:
    duration: int = 10
    warmup: int = 2
    threads: int = 1
    connections: int = 2
    timeout: int = 30

    def for_page(self, request_seconds: float) -> "LoadSettings":
        """Stretched for a page whose one request takes `request_seconds` (in-process), so
        each connection finishes a few requests and none times out."""
        return replace(self, duration=max(self.duration, math.ceil(3 * request_seconds)),
                       timeout=max(self.timeout, math.ceil(4 * request_seconds)))


def find_wrk(path: str | None = None) -> str | None:
    return path or shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists()
                                           else None)


def wrk_command(wrk: str, url: str, target: Target, *, seconds: int,
                load: LoadSettings) -> list[str]:
    command = [wrk, f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s",
               f"--timeout={load.timeout}s", "-s", str(WRK_SCRIPT)]
    if target.visitor.cookies:
        command += ["-H", f"Cookie: {target.visitor.cookie_header}"]
    if target.request.method == "POST":
        command += ["-H", "Content-Type: application/x-www-form-urlencoded"]
    return [*command, url]


def run_wrk(wrk: str, base_url: str, target: Target, *, seconds: int,
            load: LoadSettings) -> LoadResult:
    url = base_url.rstrip("/") + target.request.path
    env = {**os.environ, "BENCH_METHOD": target.request.method, "BENCH_BODY": target.body}
    finished = subprocess.run(
        wrk_command(wrk, url, target, seconds=seconds, load=load),
        env=env, capture_output=True, text=True, timeout=seconds + load.timeout + 60,
    )
    if finished.returncode != 0:
        raise BenchError(f"wrk failed for {target.page.title} ({finished.returncode}):\n"
                         f"{finished.stderr or finished.stdout}")
    return parse_wrk_output(finished.stdout)


def measure(wrk: str, base_url: str, target: Target, load: LoadSettings) -> LoadResult:
    """A short warm-up, then the measured run; any error or non-2xx fails the page, as does
    a measured run that finished no request (a slow page may finish none while warming up).

    wrk abandons the requests still running when its time is up, but sync workers finish
    them: the server is drained first, so the measured run starts with idle workers."""
    if load.warmup:
        check_load(target, run_wrk(wrk, base_url, target, seconds=load.warmup, load=load),
                   warmup=True)
    drain(base_url, target, load)
    return check_load(target, run_wrk(wrk, base_url, target, seconds=load.duration, load=load))


def send_over_http(base_url: str, target: Target, timeout: float) -> int:
    """One request as wrk sends it, without following redirects: its status."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    headers = {"Cookie": target.visitor.cookie_header} if target.visitor.cookies else {}
    if target.request.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(target.request.method, target.request.path,
                           body=target.body.encode() or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as error:  # refused, reset, timed out
        raise BenchError(f"{target.page.title}: {error!r} from {base_url}") from error
    finally:
        connection.close()


def drain(base_url: str, target: Target, load: LoadSettings) -> None:
    """One request per connection at once, waited for: each waits until a worker is free
    (as long as a worker may take: a warm-up may have started filling a slow cache)."""
    with ThreadPoolExecutor(max_workers=load.connections) as pool:
        statuses = list(pool.map(
            lambda _: send_over_http(base_url, target, WORKER_TIMEOUT_SECONDS),
            range(load.connections)))
    if any(status != 200 for status in statuses):
        raise BenchError(f"{target.page.title} answered {statuses} over HTTP, not 200")


def check_load(target: Target, result: LoadResult, *, warmup: bool = False) -> LoadResult:
    if result.socket_errors or result.non_2xx or (not warmup and not result.requests):
        raise BenchError(
            f"{target.page.title}: {result.requests} requests, {result.non_2xx} not 2xx, "
            f"{result.socket_errors} socket errors ({target.request.method} "
            f"{target.request.path}{', warm-up' if warmup else ''}): it measures nothing")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(base_url: str, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(f"{base_url}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise BenchError(f"gunicorn did not answer {base_url}/health/ within {seconds:.0f} s")


@contextmanager
def gunicorn_server(*, workers: int = 2, log_path: Path | None = None):
    """gunicorn with sync workers and the bench settings on a free port; yields its URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS}
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi:application", "--workers", str(workers),
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         # Long enough that a slow page is measured (and fails its target), not killed.
         "--timeout", str(WORKER_TIMEOUT_SECONDS), "--graceful-timeout", "5",
         "--log-level", "warning"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_healthy(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not subprocess.DEVNULL:
            log.close()


# --- Results and targets -----------------------------------------------------------------


@dataclass
class PageResult:
    key: str
    title: str
    role: str | None
    path: str
    method: str
    queries: int | None
    queries_small_pcn: int | None
    #: One warm request in-process (the 30-coordinator PCN's person), in milliseconds.
    in_process_ms: float = 0.0
    load: LoadResult | None = None
    p95_target_ms: int | None = None
    #: Why the page could not be measured ("" when it was).
    error: str = ""

    @property
    def queries_constant(self) -> bool | None:
        if self.queries is None or self.queries_small_pcn is None:
            return None
        return self.queries == self.queries_small_pcn

    def as_dict(self, references: dict) -> dict:
        data = {key: value for key, value in asdict(self).items() if key != "load"}
        data["queries_constant"] = self.queries_constant
        if self.load is not None:
            data.update(asdict(self.load))
            data["requests_per_second"] = round(self.load.requests_per_second, 2)
            for name, reference in references.items():
                data[f"ratio_to_{name}"] = ratio(self.load, reference)
        return data


def ratio(load: LoadResult, reference: LoadResult | None) -> float | None:
    """This page's throughput as a fraction of a reference's."""
    if reference is None or not reference.requests_per_second:
        return None
    return round(load.requests_per_second / reference.requests_per_second, 4)


@dataclass(frozen=True)
class TargetCheck:
    name: str
    passed: bool | None  # None: not measured in this run
    detail: str

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[self.passed]


def check_targets(results: list[PageResult]) -> list[TargetCheck]:
    """Issue 8's targets: p95 per page, the PCN dashboard against Wagtail's home page,
    and query counts the same for a 1- and a 30-coordinator PCN."""
    by_key = {result.key: result for result in results}
    checks = []
    for result in results:
        if result.p95_target_ms is None:
            continue
        name = f"{result.title}: p95 < {result.p95_target_ms:,} ms"
        if result.error:
            checks.append(TargetCheck(name, False, f"page failed: {result.error}"))
        elif result.load is None:
            checks.append(TargetCheck(name, None, "no load run"))
        else:
            checks.append(TargetCheck(name, result.load.p95_ms < result.p95_target_ms,
                                      f"p95 {result.load.p95_ms:,.1f} ms"))
    dashboard, wagtail = by_key.get("pcn-dashboard"), by_key.get("wagtail-home")
    name = "PCN dashboard throughput ≥ Wagtail's starter home page"
    if dashboard and wagtail and dashboard.load and wagtail.load:
        checks.append(TargetCheck(
            name, dashboard.load.requests_per_second >= wagtail.load.requests_per_second,
            f"{dashboard.load.requests_per_second:,.1f} vs "
            f"{wagtail.load.requests_per_second:,.1f} req/s"))
    else:
        checks.append(TargetCheck(name, None, "needs both pages in the run"))
    for result in results:
        if result.role is None:
            continue
        checks.append(TargetCheck(
            f"{result.title}: same queries for a 1- and a 30-coordinator PCN",
            result.queries_constant,
            "not counted" if result.queries_constant is None
            else f"{result.queries_small_pcn} vs {result.queries} queries"))
    return checks


# --- Run facts ---------------------------------------------------------------------------


def dataset_size() -> dict[str, int]:
    """Rows of the main tables, and the organisations and coordinators they describe."""
    as_of = today()
    return {
        "icbs": ICB.objects.count(),
        "pcns": PCN.objects.count(),
        "practices": Practice.objects.count(),
        "people": Person.objects.count(),
        "active_care_coordinators": active_coordinator_assignments(as_of)
        .values("person").distinct().count(),
        "role_assignments": RoleAssignment.objects.count(),
        "learning_records": LearningRecord.objects.count(),
        "self_assessments": SelfAssessment.objects.count(),
        "sign_off_requests": SignOffRequest.objects.count(),
        "sign_offs": SignOff.objects.count(),
        "supervision_sessions": SupervisionSession.objects.count(),
        "reflections": Reflection.objects.count(),
        "network_session_invitations": SessionInvitation.objects.count(),
        "issued_packs": IssuedPack.objects.count(),
    }


def git_commit() -> str:
    """The checked-out commit, marked when the work tree has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=settings.BASE_DIR,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=settings.BASE_DIR, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (with uncommitted changes)" if dirty else commit


def database_version() -> str:
    if connection.vendor == "postgresql":
        version = connection.pg_version  # e.g. 150004 for 15.4
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return f"{connection.display_name} {connection.Database.sqlite_version}" if (
        connection.vendor == "sqlite") else connection.display_name


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "database": database_version(),
        # Taken before the run: anything else running takes cores from the server and wrk.
        "load_average_1_min": round(os.getloadavg()[0], 2),
    }


def subject_summary(subjects: Subjects) -> dict:
    def person(p):
        return p.full_name if p else None

    def cohort(c: Cohort):
        return {"pcn": c.pcn.name, "care_coordinators": c.coordinator_count, "icb": c.icb.name,
                "coordinator": person(c.coordinator), "supervisor": person(c.supervisor),
                "pcn_manager": person(c.manager), "icb_viewer": person(c.icb_viewer)}

    return {"big": cohort(subjects.big), "small": cohort(subjects.small)}


# --- Writing the results -----------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}×"


def results_table(results: list[PageResult]) -> list[str]:
    """Markdown table rows: one per page, throughput ratios to the two references."""
    loads = {result.key: result.load for result in results}
    rows = ["| Page | req/s | p50 ms | p95 ms | p99 ms | requests | SQL queries "
            "(30 / 1 coordinator) | × bare view | × Wagtail home |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for result in results:
        load = result.load
        queries = (f"{result.queries}" if result.role is None
                   else f"{result.queries} / {result.queries_small_pcn}")
        if result.error:
            rows.append(f"| {result.title} | **failed**: {result.error} | | | | | {queries} | | |")
            continue
        if load is None:
            rows.append(f"| {result.title} | – | – | – | – | – | {queries} | – | – |")
            continue
        rows.append(
            f"| {result.title} | {load.requests_per_second:,.1f} | {_ms(load.p50_ms)} "
            f"| {_ms(load.p95_ms)} | {_ms(load.p99_ms)} | {load.requests:,} | {queries} "
            f"| {_ratio(ratio(load, loads.get('bare')))} "
            f"| {_ratio(ratio(load, loads.get('wagtail-home')))} |")
    return rows


def results_markdown(report: dict, results: list[PageResult],
                     checks: list[TargetCheck]) -> str:
    run, data = report["run"], report["dataset"]
    subjects = report["subjects"]
    lines = [
        f"Run {run['date']} on commit `{run['commit']}`: {run['machine']['cores']} cores "
        f"({run['machine']['cpu']}; load average {run['machine']['load_average_1_min']} "
        f"before the run), {run['machine']['database']}, server: {run['server']}; "
        f"wrk `-t{run['load']['threads']} -c{run['load']['connections']}` for "
        f"{run['load']['duration']} s per page (longer for slow pages) after a "
        f"{run['load']['warmup']} s warm-up.",
        "",
        f"Dataset: {data['icbs']:,} ICBs, {data['pcns']:,} PCNs, {data['people']:,} people "
        f"({data['active_care_coordinators']:,} active care coordinators), "
        f"{data['learning_records']:,} learning records, {data['self_assessments']:,} "
        f"self-assessments, {data['sign_off_requests']:,} sign-off requests, "
        f"{data['sign_offs']:,} sign-offs, {data['supervision_sessions']:,} supervision "
        f"sessions, {data['reflections']:,} reflections, "
        f"{data['network_session_invitations']:,} network-session invitations.",
        "",
        f"Pages for the 30-coordinator PCN are requested by {subjects['big']['pcn']}'s people "
        f"({subjects['big']['care_coordinators']} coordinators; ICB dashboard: "
        f"{subjects['big']['icb']}); query counts are compared with "
        f"{subjects['small']['pcn']} ({subjects['small']['care_coordinators']} coordinator"
        f"{'' if subjects['small']['care_coordinators'] == 1 else 's'}).",
        "",
        *results_table(results),
        "",
        "| Target | Result | Measured |",
        "| --- | --- | --- |",
        *(f"| {check.name} | **{check.verdict}** | {check.detail} |" for check in checks),
    ]
    return "\n".join(lines)


def rewrite_marked_section(text: str, section: str) -> str:
    """Replace what lies between the results markers, keeping everything else; add the
    markers at the end when the file has none."""
    block = f"{RESULTS_START}\n{section.strip()}\n{RESULTS_END}"
    pattern = re.compile(re.escape(RESULTS_START) + r".*?" + re.escape(RESULTS_END), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return f"{text.rstrip()}\n\n{block}\n" if text.strip() else f"{block}\n"


def write_report(report: dict, markdown: str, *, json_path: Path, doc_path: Path) -> None:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    existing = doc_path.read_text() if doc_path.exists() else ""
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(rewrite_marked_section(existing, markdown))


def build_report(results: list[PageResult], checks: list[TargetCheck], *, subjects: Subjects,
                 load: LoadSettings, server: str, machine_facts: dict) -> dict:
    references = {"bare": next((r.load for r in results if r.key == "bare"), None),
                  "wagtail_home": next((r.load for r in results if r.key == "wagtail-home"),
                                       None)}
    return {
        "run": {
            "date": timezone.now().isoformat(timespec="seconds"),
            "commit": git_commit(),
            "machine": machine_facts,
            "server": server,
            "load": asdict(load),
        },
        "dataset": dataset_size(),
        "subjects": subject_summary(subjects),
        "pages": [result.as_dict(references) for result in results],
        "targets": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks],
    }


# --- The run -----------------------------------------------------------------------------


def count_page_queries(pages: list[BenchPage], subjects: Subjects,
                       progress: Callable[[str], None] = print
                       ) -> list[tuple[PageResult, Target | None]]:
    """Check every page answers 200 for its person and count its queries for both PCNs.
    A page that cannot be requested is recorded with its error (and no target to load)."""
    visitors, measured = {}, []
    for page in pages:
        result = PageResult(key=page.key, title=page.title, role=page.role, path="",
                            method="", queries=None, queries_small_pcn=None,
                            p95_target_ms=page.p95_target_ms)
        try:
            big = target_for(page, subjects.big, visitors)
            result.path, result.method = big.request.path, big.request.method
            result.queries, seconds = count_queries(big)
            result.in_process_ms = round(seconds * 1000, 1)
            small = target_for(page, subjects.small, visitors)
            same_request = (small.visitor is big.visitor and small.request == big.request)
            result.queries_small_pcn = (result.queries if same_request
                                        else count_queries(small)[0])
        except Exception as error:  # the test client re-raises the view's own error
            result.error = (str(error) if isinstance(error, BenchError)
                            else f"{type(error).__name__}: {error}".strip())
            progress(f"  {page.title}: FAILED: {result.error}")
            measured.append((result, None))
            continue
        progress(f"  {page.title}: {result.queries} queries"
                 + ("" if page.role is None
                    else f" (1-coordinator PCN: {result.queries_small_pcn})")
                 + f", {result.in_process_ms:,.0f} ms")
        measured.append((result, big))
    return measured


def load_pages(measured: list[tuple[PageResult, Target | None]], *, wrk: str, base_url: str,
               load: LoadSettings, progress: Callable[[str], None] = print) -> None:
    """wrk each page in turn against the running server; fills each result's `load`, or
    its `error`. A page slower than the run allows gets a longer run (and wrk timeout)."""
    for result, target in measured:
        if target is None:
            continue
        page_load = load.for_page(result.in_process_ms / 1000)
        if page_load.duration > load.duration:
            progress(f"  ({result.title}: {result.in_process_ms / 1000:,.1f} s a request, so "
                     f"{page_load.duration} s measured, wrk timeout {page_load.timeout} s)")
        try:
            result.load = measure(wrk, base_url, target, page_load)
        except BenchError as error:
            result.error = str(error)
            progress(f"  {result.title}: FAILED: {error}")
            continue
        progress(f"  {result.title}: {result.load.requests_per_second:,.1f} req/s, "
                 f"p50 {_ms(result.load.p50_ms)} ms, p95 {_ms(result.load.p95_ms)} ms")


def summary_lines(results: list[PageResult], checks: list[TargetCheck]) -> list[str]:
    """What the command prints at the end: the table, then each target's verdict."""
    return [*results_table(results), "",
            *(f"{check.verdict:4}  {check.name} ({check.detail})" for check in checks)]


@dataclass
class Run:
    """One benchmark run's results, target verdicts and report (see `run_benchmark`)."""

    results: list[PageResult]
    checks: list[TargetCheck]
    report: dict

    @property
    def failed(self) -> list[PageResult]:
        return [result for result in self.results if result.error]


def run_benchmark(page_keys, *, load: LoadSettings, wrk: str, base_url: str | None = None,
                  workers: int = 2, server_log: Path | None = None,
                  progress: Callable[[str], None] = print) -> Run:
    """Count queries in-process, then load each page against `base_url` or a gunicorn
    started for the run, and check the targets. In-process requests use the bench URLconf
    (the caller arranges it: see the `bench` command)."""
    machine_facts = machine()  # before the run adds its own load
    pages = pages_named(page_keys)
    subjects = find_subjects()
    progress(f"30-coordinator PCN: {subjects.big.pcn} ({subjects.big.coordinator_count}); "
             f"1-coordinator PCN: {subjects.small.pcn} ({subjects.small.coordinator_count}); "
             f"ICB: {subjects.big.icb}")
    progress("SQL queries per request (in-process, warm):")
    measured = count_page_queries(pages, subjects, progress)
    progress(f"Load: wrk -t{load.threads} -c{load.connections}, {load.warmup} s warm-up + "
             f"{load.duration} s per page")
    if base_url:
        server = f"at {base_url}"
        load_pages(measured, wrk=wrk, base_url=base_url, load=load, progress=progress)
    else:
        server = f"gunicorn, {workers} sync workers, {BENCH_SETTINGS}"
        with gunicorn_server(workers=workers, log_path=server_log) as started_url:
            load_pages(measured, wrk=wrk, base_url=started_url, load=load, progress=progress)
    results = [result for result, _target in measured]
    checks = check_targets(results)
    report = build_report(results, checks, subjects=subjects, load=load, server=server,
                          machine_facts=machine_facts)
    return Run(results, checks, report)
