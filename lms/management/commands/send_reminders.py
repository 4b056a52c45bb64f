"""Email the day's reminders: safe to run from cron as often as you like.

Each email is sent in its own transaction with its ReminderSent row (unique person + kind +
day): a second run the same day sends nothing twice, and a send that fails rolls its row
back so the next run tries again. PCN managers' digests are keyed on the week's Monday,
so they go out once a week, on the first run of that week.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lms.models import ReminderSent
from lms.reminders import (
    COORDINATOR_DUE,
    KINDS,
    MANAGER_DIGEST,
    SUPERVISOR_VERIFY,
    Reminder,
    reminders_for,
)

SUBJECTS = {
    COORDINATOR_DUE: "Your learning: action needed",
    SUPERVISOR_VERIFY: "Learning records waiting for you to verify",
    MANAGER_DIGEST: "Weekly learning digest for your PCN",
}
TEMPLATES = {
    COORDINATOR_DUE: "lms/email/reminder_coordinator",
    SUPERVISOR_VERIFY: "lms/email/reminder_supervisor",
    MANAGER_DIGEST: "lms/email/reminder_manager_digest",
}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def build_email(reminder: Reminder, connection=None) -> EmailMultiAlternatives:
    """The email for one reminder, with plain text and HTML parts and absolute links."""
    context = {
        **reminder.context,
        "person": reminder.person,
        "site_url": settings.SITE_URL.rstrip("/"),
        "home_url": absolute(reverse("home")),
        "my_record_url": absolute(reverse("reports:my_record_pdf")),
        "matrix_url": absolute(reverse("reports:training_matrix") + "?status=expiring-30"),
    }
    template = TEMPLATES[reminder.kind]
    message = EmailMultiAlternatives(
        subject=SUBJECTS[reminder.kind],
        body=render_to_string(template + ".txt", context),
        to=[reminder.person.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string(template + ".html", context), "text/html")
    return message


class Command(BaseCommand):
    help = "Email today's learning reminders (once per person, kind and day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be emailed; send nothing."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        as_of = self._parse_date(date) if date else timezone.localdate()
        reminders = reminders_for(as_of)
        already = set(
            ReminderSent.objects.filter(
                sent_on__in={r.sent_on for r in reminders}, kind__in=KINDS
            ).values_list("person_id", "kind", "sent_on")
        )
        counts = {kind: {"sent": 0, "skipped": 0, "failed": 0} for kind in KINDS}
        connection = None if dry_run else get_connection()
        for reminder in reminders:
            key = (reminder.person.pk, reminder.kind, reminder.sent_on)
            if key in already:
                counts[reminder.kind]["skipped"] += 1
                continue
            if dry_run:
                self.stdout.write(f"Would send {reminder.kind} to {reminder.person.email}")
                counts[reminder.kind]["sent"] += 1
                continue
            counts[reminder.kind][self._send(reminder, connection)] += 1
        verb = "Would send" if dry_run else "Sent"
        for kind in KINDS:
            c = counts[kind]
            self.stdout.write(
                f"{kind}: {verb.lower()} {c['sent']}, already sent {c['skipped']}"
                + (f", failed {c['failed']}" if c["failed"] else "")
            )
        total = sum(c["sent"] for c in counts.values())
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} reminder(s) for {as_of}."))
        if any(c["failed"] for c in counts.values()):
            raise CommandError("Some reminders could not be sent; the next run will retry them.")

    def _send(self, reminder: Reminder, connection) -> str:
        try:
            with transaction.atomic():
                # The row and the email stand or fall together: if sending fails the row is
                # rolled back; if another run got here first the insert fails and we skip.
                ReminderSent.objects.create(
                    person=reminder.person, kind=reminder.kind, sent_on=reminder.sent_on
                )
                build_email(reminder, connection).send()
        except IntegrityError:
            return "skipped"
        except Exception as error:  # noqa: BLE001 - one failed address must not stop the rest
            self.stderr.write(f"Could not send {reminder.kind} to {reminder.person.email}: {error}")
            return "failed"
        return "sent"

    @staticmethod
    def _parse_date(value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError("--date must be a date like 2026-11-24.") from None
