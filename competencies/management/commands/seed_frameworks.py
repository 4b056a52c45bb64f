"""Create the seeded competency frameworks and the editors' permissions on them.

Run after seed_curriculum (competencies link to learning items). Safe to run again: a
framework an editor has changed is left alone (competencies/frameworks_io.py, Seeding).
"""

from django.core.management.base import BaseCommand

from competencies.frameworks_io import frameworks_seed

SHOWN_NOTES = 5


class Command(BaseCommand):
    help = "Create the seeded competency frameworks; never change one an editor has changed."

    def handle(self, *args, **options):
        outcomes, notes = frameworks_seed()
        for outcome, count in sorted(outcomes.items()):
            self.stdout.write(f"  {count:>3} frameworks {outcome}")
        for note in notes[:SHOWN_NOTES]:
            self.stdout.write(self.style.WARNING(f"  Skipped link: {note}"))
        if len(notes) > SHOWN_NOTES:
            self.stdout.write(self.style.WARNING(
                f"  ... and {len(notes) - SHOWN_NOTES} more competencies with links skipped: "
                "run seed_curriculum, then seed_frameworks again to add them."
            ))
        self.stdout.write("Competency frameworks ready in the admin under Competency frameworks.")
