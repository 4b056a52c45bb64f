"""Anonymise people who left long ago: `python manage.py apply_retention [--years N] [--dry-run]`.

The rule and what it keeps are in lms/compliance/retention.py. Run it on a schedule (daily
is fine: a second run finds nobody new). It prints ids and leaving dates, never names.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms.compliance.retention import apply_retention, retention_cutoff, retention_years


class Command(BaseCommand):
    help = ("Anonymise people who left more than RETENTION_YEARS (or --years) years ago, "
            "keeping the rows that count as evidence.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None,
                            help="Years after leaving (default: the RETENTION_YEARS setting).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Say who would be anonymised and what would change; "
                            "change nothing.")

    def handle(self, *args, years=None, dry_run=False, **options):
        years = retention_years() if years is None else years
        if years < 1:
            raise CommandError("--years must be at least 1.")
        today = timezone.localdate()
        cutoff = retention_cutoff(today, years)
        results = apply_retention(as_of=today, years=years, dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        for result in results:
            self.stdout.write(
                f"{verb} person {result.person_id} (left {result.left_on:%-d %B %Y}): "
                f"{result.texts} text field(s) replaced, {result.files} file(s) deleted."
            )
        summary = (f"{len(results)} person(s) who left before {cutoff:%-d %B %Y} "
                   f"({years} years) {'would be' if dry_run else 'were'} anonymised.")
        if dry_run:
            summary += " Dry run: nothing was changed."
        self.stdout.write(summary)
