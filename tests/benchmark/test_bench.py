"""`manage.py bench`: correctness of the benchmark's own code, never timing.

Every bench page answers 200 in-process for its person with the small dataset, with the same
query count for the 1- and the 30-coordinator PCN (a real target: a failure here is a
product finding, not a flaky test); wrk's output is parsed; the report rewrite keeps the
text outside its markers; and, when wrk is installed, a short end-to-end run against the
live server writes JSON with throughput and no errors.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse

from lms.benchmark import bench
from lms.models import Role
from tests.conftest import make_person, restore_wagtail_defaults
from tests.factories import ICBFactory, PCNFactory

# Captured from wrk 4.1 with lms/benchmark/wrk_report.lua: /health/ under load, and "/"
# without a session (every answer a redirect to sign-in, which wrk alone calls a success).
WRK_OUTPUT_OK = """\
Running 1s test @ http://127.0.0.1:8765/health/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   219.67ms  291.60ms 905.13ms   79.08%
    Req/Sec   161.00      0.00   161.00    100.00%
  162 requests in 1.00s, 44.46KB read
Requests/sec:    161.68
Transfer/sec:     44.37KB
BENCH_RESULT {"requests": 162, "duration_us": 1001953, "bytes": 45522, "latency_us": {"p50": 1667, "p95": 817188, "p99": 891402, "mean": 219670.3, "max": 905129}, "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}, "non_2xx": 0}
"""  # noqa: E501
WRK_OUTPUT_REDIRECTS = """\
Running 1s test @ http://127.0.0.1:8765/
  1 threads and 1 connections
  1214 requests in 1.10s, 392.42KB read
BENCH_RESULT {"requests": 1214, "duration_us": 1099448, "bytes": 401834, "latency_us": {"p50": 738, "p95": 1540, "p99": 35025, "mean": 1690.3, "max": 45885}, "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}, "non_2xx": 1214}
"""  # noqa: E501


def quiet(*args):
    pass


# --- wrk output and the report (no database) -------------------------------------------


def test_wrk_output_is_read_in_milliseconds():
    result = bench.parse_wrk_output(WRK_OUTPUT_OK)
    assert result.requests == 162
    assert result.requests_per_second == pytest.approx(161.68, abs=0.01)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (1.667, 817.188, 891.402)
    assert (result.socket_errors, result.non_2xx) == (0, 0)


def test_redirects_count_as_failures_although_wrk_calls_them_successes():
    result = bench.parse_wrk_output(WRK_OUTPUT_REDIRECTS)
    assert result.non_2xx == 1214
    target = bench.Target(bench.PAGES_BY_KEY["coordinator-home"], cohort=None,
                          visitor=bench.Visitor(client=None), request=bench.PageRequest("GET", "/"))
    with pytest.raises(bench.BenchError, match="1214 not 2xx"):
        bench.check_load(target, result)


def test_wrk_output_without_a_result_line_is_an_error():
    with pytest.raises(bench.BenchError, match="no result line"):
        bench.parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_results_rewrite_keeps_the_text_around_the_markers():
    text = (f"# Performance\n\nHow to run it.\n\n{bench.RESULTS_START}\nold table\n"
            f"{bench.RESULTS_END}\n\n## Before and after\n\nKept.\n")
    rewritten = bench.rewrite_marked_section(text, "| new | table |")
    assert rewritten == (f"# Performance\n\nHow to run it.\n\n{bench.RESULTS_START}\n"
                         f"| new | table |\n{bench.RESULTS_END}\n\n## Before and after\n\nKept.\n")
    assert bench.rewrite_marked_section(rewritten, "| new | table |") == rewritten


def test_a_file_without_markers_gets_them_at_the_end():
    rewritten = bench.rewrite_marked_section("# Performance\n", "results")
    assert rewritten == f"# Performance\n\n{bench.RESULTS_START}\nresults\n{bench.RESULTS_END}\n"


def _result(key, rps, p95, queries=(5, 5)):
    page = bench.PAGES_BY_KEY[key]
    load = bench.LoadResult(requests=int(rps * 10), duration_s=10, p50_ms=p95 / 2, p95_ms=p95,
                            p99_ms=p95 * 2, socket_errors=0, non_2xx=0)
    return bench.PageResult(key, page.title, page.role, "/", "GET", *queries, load=load,
                            p95_target_ms=page.p95_target_ms)


def test_targets_pass_and_fail_on_the_measured_figures():
    results = [_result("bare", 3000, 1), _result("wagtail-home", 300, 8),
               _result("pcn-dashboard", 250, 150, queries=(30, 12)),
               _result("icb-dashboard", 50, 400), _result("coordinator-pack", 2, 2500)]
    verdicts = {check.name: check.passed for check in bench.check_targets(results)}
    assert verdicts["PCN manager compliance dashboard: p95 < 100 ms"] is False
    assert verdicts["ICB dashboard: p95 < 1,000 ms"] is True
    assert verdicts["One coordinator's evidence pack (PDF): p95 < 2,000 ms"] is False
    assert verdicts["PCN dashboard throughput ≥ Wagtail's starter home page"] is False
    assert verdicts["PCN manager compliance dashboard: same queries for a 1- and a "
                    "30-coordinator PCN"] is False
    assert verdicts["ICB dashboard: same queries for a 1- and a 30-coordinator PCN"] is True
    table = "\n".join(bench.results_table(results))
    assert "| PCN manager compliance dashboard | 250.0 | 75.0 | 150.0 | 300.0 | 2,500 " \
           "| 30 / 12 | 0.083× | 0.833× |" in table


def test_a_page_that_failed_is_shown_and_misses_its_targets():
    failed = _result("icb-dashboard", 0, 0, queries=(None, None))
    failed.load, failed.error = None, "ICB dashboard answered [500, 500] over HTTP, not 200"
    checks = {check.name: check for check in bench.check_targets([failed])}
    assert checks["ICB dashboard: p95 < 1,000 ms"].passed is False
    assert "500" in checks["ICB dashboard: p95 < 1,000 ms"].detail
    assert checks["ICB dashboard: same queries for a 1- and a 30-coordinator PCN"].passed is None
    assert "| ICB dashboard | **failed**: ICB dashboard answered [500, 500]" in "\n".join(
        bench.results_table([failed]))


def test_slow_pages_get_a_run_long_enough_to_finish_requests():
    load = bench.LoadSettings(duration=10, timeout=30)
    assert load.for_page(0.5) == load
    assert (load.for_page(74.2).duration, load.for_page(74.2).timeout) == (223, 297)


def test_unknown_pages_are_refused_by_name():
    with pytest.raises(bench.BenchError, match="nope"):
        bench.pages_named(["bare", "nope"])
    assert [p.key for p in bench.pages_named(["heatmap", "bare"])] == ["bare", "heatmap"]


# --- Every page with the small dataset (in-process) --------------------------------------


def seed_dataset():
    """`seed_scale --small`: the 30- and 1-coordinator PCNs in a big ICB, and four more."""
    call_command("seed_scale", "--small", stdout=io.StringIO())


@pytest.fixture(scope="class")
def subjects(django_db_setup, django_db_blocker):
    """The small dataset, seeded once per class inside a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_dataset()
        yield bench.find_subjects()
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def measured(subjects, django_db_blocker):
    """Every bench page's query counts (each page checked for 200 and its content type)."""
    with django_db_blocker.unblock(), override_settings(ROOT_URLCONF=bench.BENCH_URLCONF):
        return {result.key: result
                for result, _ in bench.count_page_queries(bench.PAGES, subjects, quiet)}


@pytest.mark.django_db
class TestEveryPageWithTheSmallDataset:
    def test_the_subjects_are_two_pcns_with_people_in_every_role(self, subjects):
        assert subjects.big.pcn != subjects.small.pcn
        assert subjects.big.coordinator_count >= subjects.small.coordinator_count >= 1
        for cohort in (subjects.big, subjects.small):
            assert None not in (cohort.coordinator, cohort.supervisor, cohort.manager,
                                cohort.icb_viewer)

    @pytest.mark.parametrize("key", [page.key for page in bench.PAGES])
    def test_each_page_answers_its_person_with_the_same_queries_for_1_and_30(
            self, measured, key):
        # count_page_queries has already checked 200 and the content type for both PCNs.
        result = measured[key]
        assert result.queries_constant, (
            f"{result.title}: {result.queries} queries for the 30-coordinator PCN, "
            f"{result.queries_small_pcn} for the 1-coordinator PCN")

    def test_the_wagtail_reference_is_the_starter_page(self, subjects, client):
        with override_settings(ROOT_URLCONF=bench.BENCH_URLCONF):
            response = client.get("/bench/wagtail-starter/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "template-homepage" in html
        assert "Welcome to your new Wagtail site!" in html
        assert "css/welcome_page" in html and "css/project_name" in html

    def test_the_bench_page_exists_only_in_the_bench_urlconf(self):
        with pytest.raises(NoReverseMatch):
            reverse("bench_wagtail_starter")


# --- End to end with wrk against the live server -----------------------------------------


@pytest.mark.live_benchmark
@pytest.mark.skipif(bench.find_wrk() is None,
                    reason="wrk is missing: install it (`apt-get install wrk`; `make bench` "
                           "does when run as root) to run the benchmark end to end")
def test_a_short_run_against_the_live_server_writes_throughput_and_no_errors(
        live_server, transactional_db, tmp_path):
    restore_wagtail_defaults()
    icb = ICBFactory()
    for count in (3, 1):
        pcn = PCNFactory(icb=icb)
        for _ in range(count):
            make_person(Role.CARE_COORDINATOR, pcn=pcn)
    json_path, doc_path = tmp_path / "performance.json", tmp_path / "performance.md"
    doc_path.write_text(f"# Kept\n\n{bench.RESULTS_START}\nold\n{bench.RESULTS_END}\n")

    # One connection: the live server may share one SQLite connection between threads.
    call_command("bench", base_url=live_server.url, duration=1, warmup=0, connections=1,
                 pages=["bare", "wagtail-home", "coordinator-home"], json_out=json_path,
                 doc=doc_path, stdout=io.StringIO())

    report = json.loads(json_path.read_text())
    pages = {page["key"]: page for page in report["pages"]}
    assert set(pages) == {"bare", "wagtail-home", "coordinator-home"}
    for page in pages.values():
        assert page["requests_per_second"] > 0
        assert page["socket_errors"] == 0 and page["non_2xx"] == 0
    assert pages["bare"]["ratio_to_bare"] == 1
    assert report["dataset"]["active_care_coordinators"] == 4
    doc = doc_path.read_text()
    assert doc.startswith("# Kept\n") and "| Coordinator home |" in doc and "old" not in doc
