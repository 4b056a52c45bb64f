"""Demo DES 4 partner register, DES 7 directory entries and practice awareness records.

Run after `seed_demo` and `seed_demo_supervision`. Idempotent.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from lms.access import today
from lms.compliance import demo_registers


class Command(BaseCommand):
    help = "Add the demo partner register, care coordinator directory and practice awareness."

    @transaction.atomic
    def handle(self, *args, **options):
        demo_registers.seed(today())
        self.stdout.write("Demo partner register, directory and practice awareness are in place.")
