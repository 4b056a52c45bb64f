"""`manage.py bench`: the side-by-side benchmark (docs/performance.md says how to read it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from lms.benchmark import bench


class Command(BaseCommand):
    help = ("Count each bench page's SQL queries for a 30- and a 1-coordinator PCN, load it "
            "with wrk against gunicorn (2 sync workers), check the targets and write "
            "docs/performance.json and the results section of docs/performance.md. Exits "
            "non-zero when a page fails (not when a target is missed).")

    def add_arguments(self, parser):
        parser.add_argument("--pages", nargs="+", metavar="PAGE",
                            help=f"Only these pages (of: {', '.join(bench.PAGES_BY_KEY)}).")
        parser.add_argument("--duration", type=int, default=10,
                            help="Seconds of measured load per page (default 10).")
        parser.add_argument("--warmup", type=int, default=2,
                            help="Seconds of unmeasured load first (default 2).")
        parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1).")
        parser.add_argument("--connections", type=int, default=2,
                            help="wrk open connections (default 2).")
        parser.add_argument("--workers", type=int, default=2,
                            help="gunicorn sync workers (default 2).")
        parser.add_argument("--base-url",
                            help="Load an already running server instead of starting gunicorn.")
        parser.add_argument("--wrk", help="The wrk program (default: wrk on PATH).")
        parser.add_argument("--json-out", type=Path,
                            default=settings.BASE_DIR / "docs" / "performance.json")
        parser.add_argument("--doc", type=Path,
                            default=settings.BASE_DIR / "docs" / "performance.md",
                            help="Markdown file whose marked results section is rewritten.")
        parser.add_argument("--server-log", type=Path,
                            help="Append gunicorn's output here (default: discarded).")

    def handle(self, *args, **options):
        wrk = bench.find_wrk(options["wrk"])
        if wrk is None:
            raise CommandError("wrk is missing: install it (`apt-get install wrk`, which "
                               "`make bench` does when run as root).")
        load = bench.LoadSettings(
            duration=options["duration"], warmup=options["warmup"],
            threads=options["threads"], connections=options["connections"],
        )
        # The bench-only reference page is in the bench URLconf; in-process requests (and a
        # live server in this process, as in the tests) must see it too.
        with override_settings(ROOT_URLCONF=bench.BENCH_URLCONF):
            try:
                run = bench.run_benchmark(
                    options["pages"], load=load, wrk=wrk, base_url=options["base_url"],
                    workers=options["workers"], server_log=options["server_log"],
                    progress=self.stdout.write,
                )
            except bench.BenchError as error:
                raise CommandError(str(error)) from error
            markdown = bench.results_markdown(run.report, run.results, run.checks)
        bench.write_report(run.report, markdown, json_path=options["json_out"],
                           doc_path=options["doc"])
        self.stdout.write("\n" + "\n".join(bench.summary_lines(run.results, run.checks)))
        self.stdout.write(f"\nWrote {options['json_out']} and the results section of "
                          f"{options['doc']}")
        if run.failed:
            raise CommandError("Pages failed: " + "; ".join(
                f"{result.title}: {result.error}" for result in run.failed))
