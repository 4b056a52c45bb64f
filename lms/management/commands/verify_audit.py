"""Check the audit trail and the evidence it records: `python manage.py verify_audit`.

Every audit entry carries the hash of its own contents and of the entry before it
(lms/audit.py). This recomputes both for the whole trail and lists each entry where the
chain breaks. It then compares every append-only evidence row (sign-offs and their requests,
supervision sessions and addenda, safeguarding discussions, learning records, issued packs)
with what its audit entries recorded (lms/audit_evidence.py), and lists each row changed in
place or written without an audit entry. It exits with status 1 when there is anything, so a
scheduler can alert on it. Keep the newest hash it prints somewhere else (a ticket, the
backup log): entries removed from the end of the trail leave no break, but the newest hash
then differs. `--chain-only` checks the chain alone, for a database whose rows were loaded
without the services (the benchmark's seed_scale, test builders): every such row would be
reported.
"""

from django.core.management.base import BaseCommand, CommandError

from lms.audit import verify_audit_chain
from lms.audit_evidence import EvidenceReport, evidence_mismatches


class Command(BaseCommand):
    help = ("Recompute the audit trail's hash chain and compare the evidence rows with it; "
            "report every entry that breaks the chain and every row changed in place.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--chain-only", action="store_true",
            help="Check the hash chain only, not the evidence rows against it.",
        )

    def handle(self, *args, chain_only=False, **options):
        report = verify_audit_chain()
        evidence = EvidenceReport() if chain_only else evidence_mismatches()
        for found in report.breaks:
            self.stderr.write(f"Audit entry {found.entry_id}: {found.reason}.")
        for mismatch in evidence.mismatches:
            self.stderr.write(f"{mismatch}.")
        problems = []
        if report.breaks:
            problems.append(f"the audit trail is broken in {len(report.breaks)} place(s) "
                            f"among {report.entries:,} entries")
        if evidence.mismatches:
            problems.append(f"{len(evidence.mismatches)} difference(s) between "
                            f"{evidence.rows:,} evidence rows and the audit trail")
        if problems:
            message = "; ".join(problems) + "."
            raise CommandError(message[0].upper() + message[1:])
        if report.newest is None:
            self.stdout.write("The audit trail is empty.")
        else:
            self.stdout.write(
                f"The audit trail is intact: {report.entries:,} entries; the newest is "
                f"{report.newest.pk} ({report.newest.at:%Y-%m-%d %H:%M}), "
                f"hash {report.newest.entry_hash}."
            )
        if not chain_only:
            self.stdout.write(f"{evidence.rows:,} evidence rows match it.")
