"""Uploaded evidence: one private storage, one validator, one permission-checked download.

Files are stored outside the static and media URLs and served only by
`lms.views.evidence_file_download`, as attachments, to people who may see
the owner's records. The type is decided by the file's first bytes, never by
its name or the browser's word.
"""

import hashlib
import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils.text import get_valid_filename

#: Detected type -> (the leading bytes that identify it, file extension).
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
ALLOWED_LABEL = "a PDF, PNG or JPEG"


def evidence_storage():
    return storages["evidence"]


def sniff_content_type(uploaded_file) -> str | None:
    """The allowed type the file's content shows it to be, or None."""
    position = uploaded_file.tell() if hasattr(uploaded_file, "tell") else 0
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(position)
    for content_type, (magic, _extension) in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def validate_evidence_upload(uploaded_file) -> str:
    """Refuse empty, oversized or disallowed files; return the detected content type."""
    max_bytes = settings.EVIDENCE_MAX_BYTES
    if uploaded_file.size == 0:
        raise ValidationError("The selected file is empty.", code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB.",
            code="too_big",
        )
    content_type = sniff_content_type(uploaded_file)
    if content_type is None:
        raise ValidationError(f"The selected file must be {ALLOWED_LABEL}.", code="type")
    return content_type


def safe_file_name(original_name: str, content_type: str) -> str:
    """A plain file name whose extension matches the detected type."""
    stem = os.path.splitext(os.path.basename(original_name or ""))[0]
    stem = get_valid_filename(stem)[:80] or "evidence"
    return stem + ALLOWED_TYPES[content_type][1]


def file_sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


class EvidenceUploadField(forms.FileField):
    """A file field that applies the evidence validator and remembers the detected type."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"A PDF, PNG or JPEG file, up to {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.",
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and hasattr(uploaded, "size") and uploaded is not initial:
            uploaded.detected_content_type = validate_evidence_upload(uploaded)
        return uploaded
