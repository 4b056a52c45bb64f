"""The one PDF renderer: a Django template rendered to PDF by xhtml2pdf.

Used for learning-record downloads now and evidence packs later. Templates
extend `lms/pdf/base.html` (NHS-blue header band, page numbers in the footer).
xhtml2pdf fetches nothing from the network here and reads local files only
from the static folders (STACK.md pitfall 6); long tables must be split into
chunks (`chunked`), because each row costs more the longer its table is.
"""

import io
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

#: Rows per table: past ~50 rows xhtml2pdf slows down sharply (STACK.md pitfall 6).
TABLE_CHUNK_ROWS = 50


class PDFRenderError(Exception):
    """xhtml2pdf reported an error: a template bug, never the user's doing."""


def chunked(rows, size: int = TABLE_CHUNK_ROWS) -> list[list]:
    """Split rows into tables of at most `size` rows."""
    rows = list(rows)
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]


def _static_roots() -> tuple[Path, ...]:
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", ())]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return tuple(r.resolve() for r in roots if r.exists())


def link_callback(uri: str, rel: str) -> str:
    """Map /static/ URLs to files on disk; everything else is refused (empty path)."""
    static_url = settings.STATIC_URL or "/static/"
    if uri.startswith(static_url):
        found = finders.find(uri.removeprefix(static_url))
        if found:
            return str(found)
    return ""


def _policy() -> ResourceAccessPolicy:
    roots = _static_roots()
    # Static files only, and nothing over the network: the documents are ours, but the
    # data in them is not, so the renderer gets no more reach than it needs.
    return ResourceAccessPolicy.server(
        base_dir=roots[0] if roots else None,
        extra_roots=roots[1:],
        allow_remote=False,
        max_render_seconds=120,
    )


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template to PDF bytes."""
    html = render_to_string(template_name, context)
    out = io.BytesIO()
    result = pisa.CreatePDF(
        html,
        dest=out,
        encoding="utf-8",
        link_callback=link_callback,
        resource_policy=_policy(),
    )
    if result.err:
        raise PDFRenderError(f"xhtml2pdf could not render {template_name}")
    return out.getvalue()
