"""Generate the national-scale dataset the benchmark runs on (lms/benchmark/scale.py)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from lms.benchmark.scale import (
    SMALL,
    ScaleError,
    ScaleOptions,
    national_shape,
    prerequisites_ensure,
    seed_scale,
    shape_summary,
)

DEFAULTS = ScaleOptions()


class Command(BaseCommand):
    help = (
        "Generate a realistic, deterministic national dataset (default: 42 ICBs, 1,250 PCNs, "
        "10,000 care coordinators, about six million rows). Runs once per database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--icbs", type=int, default=DEFAULTS.icbs)
        parser.add_argument("--pcns", type=int, default=DEFAULTS.pcns)
        parser.add_argument("--coordinators", type=int, default=DEFAULTS.coordinators)
        parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
        parser.add_argument(
            "--as-of", type=datetime.date.fromisoformat, default=DEFAULTS.as_of,
            help="The anchor date every generated date is relative to (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--small", action="store_true",
            help="2 ICBs, 6 PCNs (the 30- and 1-coordinator PCNs among them), 45 coordinators.",
        )
        parser.add_argument(
            "--digest", action="store_true",
            help="Print a hash of every generated row: the same seed and options on the same "
            "database give the same digest (a little slower).",
        )

    def handle(self, *args, **options):
        sizes = SMALL if options["small"] else {
            name: options[name] for name in ("icbs", "pcns", "coordinators")
        }
        scale = ScaleOptions(seed=options["seed"], as_of=options["as_of"], **sizes)
        try:
            self.stdout.write(f"Generating {shape_summary(national_shape(scale))}, "
                              f"as at {scale.as_of:%-d %B %Y}, seed {scale.seed}.")
            prerequisites_ensure(stdout=self.stdout)
            report = seed_scale(scale, write=self.stdout.write, digest=options["digest"])
            self.report = report  # for a caller that passed this command to call_command
        except ScaleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{report.rows:,} rows for {report.coordinators:,} care coordinators in "
            f"{report.seconds:,.1f} s ({report.rows_per_second:,.0f} rows/s; "
            f"{report.writing_seconds:,.1f} s of it writing)."
        ))
        if report.digest:
            self.stdout.write(f"Digest of the generated rows: {report.digest}")
