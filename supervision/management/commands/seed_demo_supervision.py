"""Demo supervision, safeguarding, reflection and peer-network records for the demo people.

Run after `seed_demo`. Idempotent: each area's `seed` checks for its rows first.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from lms.access import today

AREAS = ("demo_sessions", "demo_safeguarding", "demo_reflections", "demo_network")


class Command(BaseCommand):
    help = "Add demo supervision sessions, safeguarding logs, reflections and peer sessions."

    @transaction.atomic
    def handle(self, *args, **options):
        as_of = today()
        for area in AREAS:
            importlib.import_module(f"supervision.{area}").seed(as_of)
        self.stdout.write("Demo supervision, reflections and peer-network sessions are in place.")
