"""Create the care coordinator curriculum, its editors' permissions and approval workflow.

Safe to run again: pages a person has changed since are left alone (content/services.py).
"""

from django.core.management.base import BaseCommand

from content import services


class Command(BaseCommand):
    help = "Create or update the curriculum pages, editor groups and approval workflow."

    def handle(self, *args, **options):
        outcomes = services.curriculum_seed()
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"  {count:>3} pages {outcome}")
        self.stdout.write(
            "Curriculum ready at /curriculum/. Changes are published only after a "
            "curriculum approver (clinical lead) other than their author approves them."
        )
