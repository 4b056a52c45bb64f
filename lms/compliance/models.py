"""Records only the compliance layer holds: the DES 4 partner register, the DES 7 directory
and practice awareness, and issued evidence packs.

Everything is dated so a pack "as at" a past date sees the register as it stood then:
checks and awareness records are appended, never edited; directory listings and partners
are ended or archived, never deleted.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# --- DES 4: partner organisations ------------------------------------------------------------


class PartnerOrganisationQuerySet(models.QuerySet):
    def current(self, as_of: datetime.date | None = None):
        """Partners on the register (on `as_of`, when given)."""
        if as_of is None:
            return self.filter(archived_at__isnull=True)
        return self.filter(added_on__lte=as_of).filter(
            Q(archived_at__isnull=True) | Q(archived_at__date__gt=as_of)
        )


class PartnerOrganisation(models.Model):
    """An organisation a PCN's care coordinators direct patients to (DES clause 4)."""

    pcn = models.ForeignKey("lms.PCN", on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=200)
    offers = models.TextField(
        "what they offer",
        help_text="For example: friendship, belonging, knowledge, skills, confidence.",
    )
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    added_on = models.DateField(default=datetime.date.today)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    archived_reason = models.CharField(max_length=300, blank=True)

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["pcn", "name"])]

    def __str__(self):
        return self.name


class SafeguardingCheck(models.Model):
    """One check of a partner's basic safeguarding processes (DES 4(a)); appended, never edited.

    The latest check on or before a date is the one in force; its `review_due_on` is when
    the next check is due.
    """

    partner = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="safeguarding_checks"
    )
    checked_on = models.DateField()
    checked_by = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(
        "what was checked", help_text="For example: safeguarding policy seen, named lead."
    )
    evidence = models.ForeignKey(
        "lms.EvidenceFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_due_on = models.DateField("next review due")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        indexes = [models.Index(fields=["partner", "checked_on"])]

    def __str__(self):
        return f"Safeguarding check of {self.partner} on {self.checked_on:%d %B %Y}"


# --- DES 7: the published directory and practice awareness -------------------------------------


class DirectoryEntryQuerySet(models.QuerySet):
    def listed(self, as_of: datetime.date):
        """Entries published on `as_of`."""
        return self.filter(listed_from__lte=as_of).filter(
            Q(listed_until__isnull=True) | Q(listed_until__gt=as_of)
        )


class DirectoryEntry(models.Model):
    """A care coordinator's entry in their PCN's "Meet your care coordinators" page.

    Unlisting sets `listed_until`; a later listing is a new row, so the history stays.
    """

    person = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, related_name="directory_entries"
    )
    pcn = models.ForeignKey("lms.PCN", on_delete=models.PROTECT, related_name="directory_entries")
    display_name = models.CharField(max_length=150)
    about = models.TextField("about me", blank=True)
    how_to_refer = models.TextField("how to refer patients")
    practices = models.ManyToManyField("lms.Practice", related_name="directory_entries")
    photo = models.ForeignKey(
        "lms.EvidenceFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Optional. Shown on the public page only while the entry is listed.",
    )
    listed_from = models.DateField()
    listed_until = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DirectoryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "pk"]
        indexes = [models.Index(fields=["pcn", "listed_from"])]

    def __str__(self):
        return f"{self.display_name} ({self.pcn})"


class AwarenessMethod(models.TextChoices):
    STAFF_MEETING = "staff_meeting", "Practice staff meeting"
    EMAIL = "email", "Email to all staff"
    NEWSLETTER = "newsletter", "Newsletter or bulletin"
    INTRANET = "intranet", "Intranet or shared drive"
    INDUCTION = "induction", "Staff induction"
    OTHER = "other", "Other"


class PracticeAwareness(models.Model):
    """A record that a member practice's staff were told who the PCN's care coordinators are."""

    practice = models.ForeignKey(
        "lms.Practice", on_delete=models.PROTECT, related_name="awareness_records"
    )
    told_on = models.DateField()
    method = models.CharField(max_length=20, choices=AwarenessMethod.choices)
    told_by = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="+")
    coordinators = models.ManyToManyField(
        "lms.Person", related_name="practice_awareness_records",
        help_text="The care coordinators the staff were told about.",
    )
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-told_on", "-pk"]
        indexes = [models.Index(fields=["practice", "told_on"])]

    def __str__(self):
        return f"{self.practice} told on {self.told_on:%d %B %Y}"


# --- evidence packs -----------------------------------------------------------------------------


def _pack_path(instance, filename):
    import secrets

    return f"packs/{instance.pcn_id}/{secrets.token_hex(16)}/{filename}"


def _evidence_storage():
    from lms.files import evidence_storage

    return evidence_storage()


class PackKind(models.TextChoices):
    COORDINATOR = "coordinator", "One care coordinator"
    PCN = "pcn", "Whole PCN"


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class IssuedPackQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status__in=[PackStatus.QUEUED, PackStatus.RUNNING])


class IssuedPack(models.Model):
    """An evidence pack this system built: what, for whom, as at when, and its fingerprint.

    The fingerprint is the SHA-256 of the pack's content (everything but its issue time),
    so the same data and date give the same fingerprint; `/verify/` looks packs up by it.
    """

    kind = models.CharField(max_length=20, choices=PackKind.choices)
    pcn = models.ForeignKey("lms.PCN", on_delete=models.PROTECT, related_name="issued_packs")
    person = models.ForeignKey(
        "lms.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The care coordinator, for a one-coordinator pack.",
    )
    as_of = models.DateField("as at")
    contract_year = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    error = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    file = models.FileField(
        upload_to=_pack_path, storage=_evidence_storage, blank=True, max_length=300
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True, blank=True)

    objects = IssuedPackQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["pcn", "kind", "as_of", "status"])]
        constraints = [
            # A PCN pack asked for twice while the first is still being built is the same
            # pack: the database refuses a second one even if two requests race.
            models.UniqueConstraint(
                fields=["pcn", "as_of"],
                condition=Q(kind="pcn", status__in=["queued", "running"]),
                name="one_pcn_pack_in_progress",
            ),
        ]

    def __str__(self):
        return f"Evidence pack for {self.person or self.pcn} as at {self.as_of:%d %B %Y}"
