"""Fill the cache with every PCN's compliance results and every ICB's summary for a date.

Run it from the scheduler after the nightly quiet period (and after a deploy, which starts
a fresh cache): results stay valid until a change concerns the PCN, so the first manager or
ICB viewer of the day does not wait for a whole ICB to be evaluated.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms.compliance import engine
from lms.models import ICB


class Command(BaseCommand):
    help = "Cache every PCN's DES compliance results and every ICB's summary for a date."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="The date (YYYY-MM-DD); today by default.")

    def handle(self, *args, as_of=None, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
            engine.requirement_set_for(day)
        except (ValueError, engine.ValidationError) as error:
            raise CommandError(f"--as-of: {error}") from error
        started = time.monotonic()
        total = 0
        icbs = list(ICB.objects.order_by("name", "pk"))
        for number, icb in enumerate(icbs, start=1):
            total += engine.warm_cached_results(icb.pk, day)
            self.stdout.write(f"{number}/{len(icbs)} {icb.name}: {total:,} coordinators so far, "
                              f"{time.monotonic() - started:.0f} s")
        self.stdout.write(self.style.SUCCESS(
            f"Cached results as at {day:%d %B %Y} for {total:,} coordinators in "
            f"{len(icbs)} ICBs in {time.monotonic() - started:.0f} s."))
