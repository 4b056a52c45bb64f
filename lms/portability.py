"""A person's learning record as a document: summary rows (CSV, PDF) and a portable zip.

The portable record lets a care coordinator take their learning to a new PCN:
`portable_record_export` writes a zip (record.json, the certificates, a PDF copy);
`portable_record_import` checks every part of such a zip before writing anything, then
creates the records in one transaction, marked `imported_from`. Imported records count
only once a supervisor or manager here verifies them (LearningRecord.counts).

record.json, format_version 1:
    {"format_version": 1, "generator": "Coordinate",
     "exported_at": ISO datetime, "exported_on": ISO date,
     "exporting_pcn": {"name": str, "ods_code": str} | null,
     "person": {"given_name", "family_name", "full_name", "email"},
     "pdf": "learning-record.pdf",
     "records": {<learning item code>: {
         "title", "kind", "stage", "not_required_reason", "enrolled_on", "started_on",
         "completed_on" (ISO dates or null), "provider", "provider_pci_assured" (bool),
         "cpd_hours", "hours_out_of_practice" (decimal strings or null), "notes",
         "verified" (bool), "verified_at", "verified_by", "imported_from",
         "created_at", "updated_at",
         "certificates": [{"path": "certificates/<code>/<file>", "name", "content_type",
                           "size", "sha256"}]}}}
"""

import datetime
import decimal
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from content.models import LearningItemPage

from . import services
from .audit import audit_record
from .files import validate_evidence_upload
from .learning import PCITrainingStatus, pci_training_status
from .models import RECORDED_STAGES, LearningRecord, Person
from .pdf import chunked, render_pdf

FORMAT_VERSION = 1
RECORD_JSON = "record.json"
PDF_NAME = "learning-record.pdf"

#: Limits on an uploaded portable record (zip bombs, oversized parts, too many files).
MAX_ZIP_BYTES = 60 * 1024 * 1024
MAX_MEMBERS = 400
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RECORDS = 1000
MAX_CERTIFICATES_PER_RECORD = 10

CERTIFICATE_PATH = re.compile(
    r"^certificates/[a-z0-9]+(?:-[a-z0-9]+)*/[A-Za-z0-9][A-Za-z0-9._-]{0,150}$"
)
SHA256 = re.compile(r"^[0-9a-f]{64}$")
DATE_FIELDS = ("enrolled_on", "started_on", "completed_on")
DECIMAL_FIELDS = ("cpd_hours", "hours_out_of_practice")
TEXT_LIMITS = {"not_required_reason": 300, "provider": 150, "notes": 20000}


# --- The record as rows: CSV, PDF ------------------------------------------------------


@dataclass
class RecordRow:
    """One learning record as shown in downloads."""

    record: LearningRecord
    status: str
    status_label: str
    status_colour: str
    expires_on: datetime.date | None
    verification: str

    @property
    def item(self):
        return self.record.item


@dataclass
class LearningRecordSummary:
    person: Person
    as_of: datetime.date
    generated_at: datetime.datetime
    pci: PCITrainingStatus
    rows: list = field(default_factory=list)

    @property
    def row_chunks(self):
        return chunked(self.rows)


def _display_name(user) -> str:
    if user is None:
        return ""
    try:
        return user.person.full_name
    except Person.DoesNotExist:
        return user.email


def verification_text(record: LearningRecord) -> str:
    """Whether someone here has checked the record, in words."""
    if record.verified_at:
        by = _display_name(record.verified_by)
        return f"Verified {timezone.localtime(record.verified_at):%-d %b %Y}" + (
            f" by {by}" if by else ""
        )
    if record.imported_from:
        return f"Imported from {record.imported_from}: not verified, does not count yet"
    if record.certificates.all():
        return "Certificate not yet verified"
    return "Not verified"


def person_records(person: Person):
    """One person's records with everything the summary reads, in curriculum order."""
    return (
        LearningRecord.objects.filter(person=person)
        .with_item()
        .select_related("verified_by__person")
        .prefetch_related("certificates")
        .order_by("item__path")
    )


def learning_record_summary(person: Person, as_of: datetime.date) -> LearningRecordSummary:
    """A person's learning record on `as_of`: PCI status and one row per record."""
    records = list(person_records(person))
    rows = [
        RecordRow(
            record=r,
            status=r.status(as_of),
            status_label=r.status_label(as_of),
            status_colour=r.status_colour(as_of),
            expires_on=r.expires_on,
            verification=verification_text(r),
        )
        for r in records
    ]
    return LearningRecordSummary(
        person=person, as_of=as_of, generated_at=timezone.localtime(),
        pci=pci_training_status(records, as_of), rows=rows,
    )


CSV_HEADER = [
    "Code", "Learning item", "Kind", "Status", "Enrolled on", "Started on", "Completed on",
    "Expires on", "Provider", "PCI-assured provider", "CPD hours", "Hours out of practice",
    "Certificates", "Verification", "Notes",
]


def summary_csv_rows(summary: LearningRecordSummary) -> list[list]:
    """The summary as CSV rows, header first (dates ISO; the caller guards formulae)."""

    def iso(day):
        return day.isoformat() if day else ""

    rows = [CSV_HEADER]
    for row in summary.rows:
        r = row.record
        rows.append([
            r.item.code or "", r.item.title, r.item.get_kind_display(), row.status_label,
            iso(r.enrolled_on), iso(r.started_on), iso(r.completed_on), iso(row.expires_on),
            r.provider, "Yes" if r.provider_pci_assured else "No",
            "" if r.cpd_hours is None else str(r.cpd_hours),
            "" if r.hours_out_of_practice is None else str(r.hours_out_of_practice),
            len(r.certificates.all()), row.verification, r.notes,
        ])
    return rows


def summary_pdf(summary: LearningRecordSummary) -> bytes:
    """The summary as an NHS-styled PDF."""
    return render_pdf("lms/pdf/learning_record.html", {"summary": summary})


# --- Export ----------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def _record_json(record: LearningRecord, certificates: list) -> dict:
    return {
        "title": record.item.title,
        "kind": record.item.kind,
        "stage": record.stage,
        "not_required_reason": record.not_required_reason,
        "enrolled_on": _iso(record.enrolled_on),
        "started_on": _iso(record.started_on),
        "completed_on": _iso(record.completed_on),
        "provider": record.provider,
        "provider_pci_assured": record.provider_pci_assured,
        "cpd_hours": None if record.cpd_hours is None else str(record.cpd_hours),
        "hours_out_of_practice": (
            None if record.hours_out_of_practice is None else str(record.hours_out_of_practice)
        ),
        "notes": record.notes,
        "verified": record.verified_at is not None,
        "verified_at": _iso(record.verified_at),
        "verified_by": _display_name(record.verified_by),
        "imported_from": record.imported_from,
        "created_at": _iso(record.created_at),
        "updated_at": _iso(record.updated_at),
        "certificates": certificates,
    }


def portable_record_export(*, actor, person: Person, as_of=None) -> bytes:
    """The person's portable record as zip bytes; the export itself is audited."""
    as_of = as_of or timezone.localdate()
    summary = learning_record_summary(person, as_of)
    now = timezone.now()
    buffer = io.BytesIO()
    records = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in summary.rows:
            record = row.record
            code = record.item.code
            if not code:  # an item without a stable code cannot be matched elsewhere
                continue
            certificates = []
            for index, evidence in enumerate(record.certificates.all(), start=1):
                with evidence.file.open("rb") as handle:
                    data = handle.read()
                name = get_valid_filename(evidence.original_name)[:120] or "certificate"
                path = f"certificates/{code}/{index}-{name}"
                archive.writestr(path, data)
                certificates.append({
                    "path": path,
                    "name": evidence.original_name,
                    "content_type": evidence.content_type,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                })
            records[code] = _record_json(record, certificates)
        pcn = person.pcn
        document = {
            "format_version": FORMAT_VERSION,
            "generator": "Coordinate",
            "exported_at": now.isoformat(),
            "exported_on": as_of.isoformat(),
            "exporting_pcn": {"name": pcn.name, "ods_code": pcn.ods_code} if pcn else None,
            "person": {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "full_name": person.full_name,
                "email": person.email,
            },
            "pdf": PDF_NAME,
            "records": records,
        }
        archive.writestr(RECORD_JSON, json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr(PDF_NAME, summary_pdf(summary))
    with transaction.atomic():
        audit_record(actor=actor, action="portable_record.export", obj=person,
                     after={"records": sorted(records), "exported_on": as_of})
    return buffer.getvalue()


def export_file_name(person: Person, as_of: datetime.date) -> str:
    stem = get_valid_filename(f"learning-record-{person.given_name}-{person.family_name}")
    return f"{stem}-{as_of.isoformat()}.zip"


# --- Import ----------------------------------------------------------------------------


class PortableRecordError(ValidationError):
    """The uploaded file cannot be imported; the message says why, in plain words."""


NOT_A_RECORD = (
    "The selected file is not a learning record exported from Coordinate. "
    "Choose the .zip file you were given."
)
NEWER_VERSION = (
    "This file was made by a newer version of Coordinate (format {found}; this service reads "
    "format {supported}). Ask for the record to be exported again, or try later once this "
    "service has been updated."
)


@dataclass
class CertificateIn:
    name: str
    content: bytes
    content_type: str

    def as_upload(self):
        upload = SimpleUploadedFile(self.name, self.content, content_type=self.content_type)
        upload.detected_content_type = self.content_type
        return upload


@dataclass
class RecordIn:
    code: str
    title: str
    fields: dict
    certificates: list
    source_verification: dict


@dataclass
class PortableRecord:
    """A validated portable record, ready to import."""

    exporting_pcn: str
    exported_on: datetime.date
    person_name: str
    person_email: str
    records: list

    @property
    def source_label(self) -> str:
        return f"{self.exporting_pcn}, exported {self.exported_on:%-d %B %Y}"[:200]


@dataclass
class ImportResult:
    source: str
    created: list = field(default_factory=list)  # LearningRecord
    skipped_existing: list = field(default_factory=list)  # (code, title)
    skipped_unknown: list = field(default_factory=list)  # (code, title)
    certificates: int = 0


def _safe_member_name(name: str) -> bool:
    parts = name.split("/")
    return not (
        not name or "\\" in name or name.startswith("/") or ":" in name
        or "\x00" in name or any(p in (".", "..") for p in parts)
    )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
    if info.file_size > limit:
        raise PortableRecordError(f"{what} in the file is too large.")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)  # the header's size may lie: never read past the limit
    if len(data) > limit:
        raise PortableRecordError(f"{what} in the file is too large.")
    return data


def _fail(code, message):
    raise PortableRecordError(f"The record for ‘{code}’ in the file is not valid: {message}")


def _text(code, data, name, limit):
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit:
        _fail(code, f"{name} must be text of up to {limit} characters.")
    return value


def _date(code, data, name):
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        _fail(code, f"{name} must be a date like 2026-03-15.")


def _hours(code, data, name):
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        _fail(code, f"{name} must be a number of hours.")
    try:
        hours = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        _fail(code, f"{name} must be a number of hours.")
    if not hours.is_finite() or hours < 0 or hours > decimal.Decimal("999.9"):
        _fail(code, f"{name} must be between 0 and 999.9.")
    return hours.quantize(decimal.Decimal("0.1"))


def _record_fields(code: str, data: dict, as_of: datetime.date) -> dict:
    stages = {value for value, _label in RECORDED_STAGES}
    stage = data.get("stage")
    if stage not in stages:
        _fail(code, f"the status ‘{stage}’ is not one this service knows.")
    pci_assured = data.get("provider_pci_assured", False)
    if not isinstance(pci_assured, bool):
        _fail(code, "provider_pci_assured must be true or false.")
    fields = {
        "stage": stage,
        "provider_pci_assured": pci_assured,
        **{name: _text(code, data, name, limit) for name, limit in TEXT_LIMITS.items()},
        **{name: _date(code, data, name) for name in DATE_FIELDS},
        **{name: _hours(code, data, name) for name in DECIMAL_FIELDS},
    }
    try:
        services.validate_learning_dates(
            stage=stage, enrolled_on=fields["enrolled_on"], started_on=fields["started_on"],
            completed_on=fields["completed_on"],
            not_required_reason=fields["not_required_reason"], as_of=as_of,
        )
    except ValidationError as error:
        _fail(code, " ".join(error.messages))
    return fields


def _certificates(code, data, archive, members, used, budget) -> list[CertificateIn]:
    entries = data.get("certificates", [])
    if not isinstance(entries, list) or len(entries) > MAX_CERTIFICATES_PER_RECORD:
        _fail(code, f"certificates must be a list of at most {MAX_CERTIFICATES_PER_RECORD}.")
    certificates = []
    for entry in entries:
        if not isinstance(entry, dict):
            _fail(code, "each certificate must be described by an object.")
        path, sha = entry.get("path"), entry.get("sha256")
        if not isinstance(path, str) or not CERTIFICATE_PATH.match(path) or (
            not path.startswith(f"certificates/{code}/")
        ):
            _fail(code, "a certificate has a file path this service does not accept.")
        if not isinstance(sha, str) or not SHA256.match(sha):
            _fail(code, "a certificate has no valid SHA-256 checksum.")
        if path not in members:
            _fail(code, f"the certificate {path} is missing from the file.")
        if path in used:
            _fail(code, f"the certificate {path} is listed twice.")
        used.add(path)
        content = _read_member(archive, members[path], budget.per_file, f"The certificate {path}")
        budget.spend(len(content))
        if hashlib.sha256(content).hexdigest() != sha:
            raise PortableRecordError(
                f"The certificate {path} does not match its checksum: the file has been changed "
                "or damaged since it was exported. Nothing has been imported."
            )
        name = entry.get("name") if isinstance(entry.get("name"), str) else path.rsplit("/", 1)[1]
        upload = SimpleUploadedFile(name[:255] or "certificate", content)
        try:
            content_type = validate_evidence_upload(upload)
        except ValidationError as error:
            _fail(code, f"the certificate {path}: {' '.join(error.messages)}")
        certificates.append(CertificateIn(upload.name, content, content_type))
    return certificates


@dataclass
class _Budget:
    per_file: int
    left: int = MAX_TOTAL_BYTES

    def spend(self, size):
        self.left -= size
        if self.left < 0:
            raise PortableRecordError("The file holds more data than a learning record can.")


def portable_record_read(upload, *, as_of: datetime.date) -> PortableRecord:
    """Check every part of an uploaded portable record and return it; raise on any problem."""
    from django.conf import settings

    if upload.size > MAX_ZIP_BYTES:
        raise PortableRecordError(
            f"The selected file must be smaller than {MAX_ZIP_BYTES // (1024 * 1024)} MB."
        )
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return _read_archive(archive, as_of, _Budget(per_file=settings.EVIDENCE_MAX_BYTES))
    except PortableRecordError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, ValueError, KeyError, UnicodeDecodeError) as error:
        raise PortableRecordError(NOT_A_RECORD) from error


def _read_archive(archive: zipfile.ZipFile, as_of, budget: _Budget) -> PortableRecord:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PortableRecordError("The file holds more files than a learning record can.")
    members = {}
    for info in infos:
        if not _safe_member_name(info.filename):
            raise PortableRecordError(
                f"The file contains a file name that is not allowed: {info.filename[:100]}"
            )
        if info.flag_bits & 0x1:
            raise PortableRecordError("The file is password-protected. Export it again.")
        if info.filename in members:
            raise PortableRecordError(f"The file contains {info.filename[:100]} twice.")
        if not info.is_dir():
            members[info.filename] = info
    if RECORD_JSON not in members:
        raise PortableRecordError(NOT_A_RECORD)
    raw = _read_member(archive, members[RECORD_JSON], MAX_JSON_BYTES, "record.json")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PortableRecordError(NOT_A_RECORD) from None
    if not isinstance(document, dict):
        raise PortableRecordError(NOT_A_RECORD)
    version = document.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise PortableRecordError(NOT_A_RECORD)
    if version > FORMAT_VERSION:
        raise PortableRecordError(NEWER_VERSION.format(found=version, supported=FORMAT_VERSION))
    person = document.get("person")
    records = document.get("records")
    pcn = document.get("exporting_pcn") or {}
    if not isinstance(person, dict) or not isinstance(records, dict) or not isinstance(pcn, dict):
        raise PortableRecordError(NOT_A_RECORD)
    if len(records) > MAX_RECORDS:
        raise PortableRecordError("The file holds more records than a learning record can.")
    try:
        exported_on = datetime.date.fromisoformat(document.get("exported_on"))
    except (TypeError, ValueError):
        raise PortableRecordError(NOT_A_RECORD) from None
    used: set = set()
    parsed = []
    for code, data in records.items():
        if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code) or (
            len(code) > 80
        ):
            raise PortableRecordError(
                f"The file contains a learning item code this service cannot read: {code[:80]}"
            )
        if not isinstance(data, dict):
            _fail(code, "it must be an object.")
        title = data.get("title") if isinstance(data.get("title"), str) else code
        verified_at = data.get("verified_at")
        parsed.append(RecordIn(
            code=code,
            title=title[:255],
            fields=_record_fields(code, data, as_of),
            certificates=_certificates(code, data, archive, members, used, budget),
            source_verification={
                "verified": data.get("verified") is True,
                "verified_at": verified_at if isinstance(verified_at, str) else None,
                "verified_by": str(data.get("verified_by") or "")[:200],
                "imported_from": str(data.get("imported_from") or "")[:200],
            },
        ))
    expected = {RECORD_JSON, *used}
    if PDF_NAME in members:
        pdf = _read_member(archive, members[PDF_NAME], MAX_PDF_BYTES, "The PDF copy")
        if not pdf.startswith(b"%PDF-"):
            raise PortableRecordError("The PDF copy in the file is not a PDF.")
        expected.add(PDF_NAME)
    unexpected = sorted(set(members) - expected)
    if unexpected:
        raise PortableRecordError(
            "The file contains something that is not part of a learning record: "
            f"{', '.join(name[:100] for name in unexpected[:5])}"
        )
    pcn_name = pcn.get("name") if isinstance(pcn.get("name"), str) else ""
    return PortableRecord(
        exporting_pcn=pcn_name.strip()[:150] or "another organisation",
        exported_on=exported_on,
        person_name=str(person.get("full_name") or "")[:200],
        person_email=str(person.get("email") or "")[:200],
        records=parsed,
    )


def portable_record_import(*, actor, person: Person, upload, as_of=None) -> ImportResult:
    """Import a portable record for `person`: all of it, or (on any error) none of it.

    Records are created unverified and marked `imported_from`; an existing record for the
    same item is kept and reported as skipped, as are items this curriculum does not have.
    """
    as_of = as_of or timezone.localdate()
    portable = portable_record_read(upload, as_of=as_of)
    stored = []
    try:
        return _import(actor=actor, person=person, portable=portable, stored=stored)
    except BaseException:
        # The database rolled back; files already written to storage must go too.
        for evidence in stored:
            evidence.file.storage.delete(evidence.file.name)
        raise


@transaction.atomic
def _import(*, actor, person: Person, portable: PortableRecord, stored: list) -> ImportResult:
    source = portable.source_label
    items = {
        item.code: item
        for item in LearningItemPage.objects.live().filter(
            code__in=[r.code for r in portable.records]
        )
    }
    # Lock the person's records so a record saved meanwhile is not duplicated.
    existing = set(
        LearningRecord.objects.select_for_update().filter(person=person)
        .values_list("item_id", flat=True)
    )
    result = ImportResult(source=source)
    now = timezone.now()
    for entry in portable.records:
        item = items.get(entry.code)
        if item is None:
            result.skipped_unknown.append((entry.code, entry.title))
            continue
        if item.pk in existing:
            result.skipped_existing.append((entry.code, item.title))
            continue
        record = LearningRecord.objects.create(
            person=person, item=item, imported_from=source, created_by=actor,
            created_at=now, updated_at=now, **entry.fields,
        )
        certificate_ids = []
        for certificate in entry.certificates:
            evidence = services.evidence_file_store(
                actor=actor, owner=person, uploaded_file=certificate.as_upload()
            )
            stored.append(evidence)
            record.certificates.add(evidence)
            certificate_ids.append(evidence.pk)
        result.certificates += len(certificate_ids)
        audit_record(
            actor=actor, action="learning_record.import", obj=record,
            after={
                **{name: getattr(record, name) for name in services.RECORD_FIELDS},
                "item": item.pk, "imported_from": source, "certificates": certificate_ids,
                "source_verification": entry.source_verification,
            },
        )
        result.created.append(record)
    audit_record(
        actor=actor, action="portable_record.import", obj=person,
        after={
            "source": source,
            "file_person": {"name": portable.person_name, "email": portable.person_email},
            "created": [r.item.code for r in result.created],
            "skipped_existing": [code for code, _ in result.skipped_existing],
            "skipped_unknown": [code for code, _ in result.skipped_unknown],
        },
    )
    return result
