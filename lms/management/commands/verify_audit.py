"""Check the audit trail's hash chain: `python manage.py verify_audit`.

Every audit entry carries the hash of its own contents and of the entry before it
(lms/audit.py). This recomputes both for the whole trail and lists each entry where the
chain breaks; it exits with status 1 when there is any, so a scheduler can alert on it.
Keep the newest hash it prints somewhere else (a ticket, the backup log): entries removed
from the end of the trail leave no break, but the newest hash then differs.
"""

from django.core.management.base import BaseCommand, CommandError

from lms.audit import verify_audit_chain


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and report any entry that breaks it."

    def handle(self, *args, **options):
        report = verify_audit_chain()
        for found in report.breaks:
            self.stderr.write(f"Audit entry {found.entry_id}: {found.reason}.")
        if report.breaks:
            raise CommandError(
                f"The audit trail is broken in {len(report.breaks)} place(s) "
                f"among {report.entries:,} entries."
            )
        if report.newest is None:
            self.stdout.write("The audit trail is empty.")
            return
        self.stdout.write(
            f"The audit trail is intact: {report.entries:,} entries; the newest is "
            f"{report.newest.pk} ({report.newest.at:%Y-%m-%d %H:%M}), "
            f"hash {report.newest.entry_hash}."
        )
