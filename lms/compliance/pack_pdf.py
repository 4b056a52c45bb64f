"""An evidence pack's content laid out as a PDF (xhtml2pdf through lms.pdf.render_pdf).

Cover, contents, one section per requirement (statuses, then the evidence table), the
statutory and mandatory matrix and the supervision summary. Every page's footer carries the
fingerprint, the verify address, a small QR code of it and "Page N of M". Long tables are
split into ~50-row chunks (STACK.md pitfall 6). The QR code is a PNG data URI, which
xhtml2pdf reads inline: nothing is fetched.

xhtml2pdf lays the document out once; "Page N of M" and the contents' page numbers are then
drawn on with reportlab (`finish`), since asking xhtml2pdf for either makes it lay the whole
document out a second time.
"""

import datetime
import io

import pypdf
import segno
from django.utils import dateformat
from reportlab.pdfgen import canvas

from lms.pdf import chunked, render_pdf

TEMPLATE = "compliance/packs/pack_pdf.html"
#: Items per table in the whole-PCN training matrix (columns, beside the name).
MATRIX_ITEMS_PER_TABLE = 6
STATUS_CLASSES = {
    "met": "status-green",
    "at_risk": "status-orange",
    "not_met": "status-red",
    "not_applicable": "muted",
    "completed": "status-green",
    "expiring": "status-orange",
    "expired": "status-red",
    "overdue": "status-red",
    "due_soon": "status-orange",
    "on_track": "status-green",
}


def long_date(iso: str) -> str:
    """"3 March 2025" from "2025-03-03"; "–" for none."""
    if not iso:
        return "–"
    return dateformat.format(datetime.date.fromisoformat(iso), "j F Y")


def short_date(iso: str) -> str:
    if not iso:
        return "–"
    return dateformat.format(datetime.date.fromisoformat(iso), "j M Y")


def qr_data_uri(url: str, *, scale: int = 4) -> str:
    """A PNG QR code of `url` as a data URI."""
    return segno.make(url, error="m").png_data_uri(scale=scale, border=2)


def _requirement_sections(content: dict) -> list[dict]:
    sections = []
    for index, requirement in enumerate(content["requirements"]):
        statuses, evidence = [], []
        for coordinator in content["coordinators"]:
            result = next(
                (r for r in coordinator["results"] if r["code"] == requirement["code"]), None
            )
            if result is None:
                continue
            statuses.append({
                "name": coordinator["name"],
                "status_label": result["status_label"],
                "status_class": STATUS_CLASSES.get(result["status"], ""),
                "summary": result["summary"],
                "lapses_on": short_date(result["lapses_on"]) if result["lapses_on"] else "",
                "risk": result["risk"],
            })
            evidence += [
                {"name": coordinator["name"], **row, "on": short_date(row["on"])}
                for row in result["evidence"]
            ]
        sections.append({
            "number": index + 1,
            **requirement,
            "status_chunks": chunked(statuses),
            "evidence_chunks": chunked(evidence) if evidence else [],
        })
    return sections


def _training_cell(cell: dict) -> dict:
    dates = []
    if cell["completed_on"]:
        dates.append(f"completed {short_date(cell['completed_on'])}")
    if cell["expires_on"]:
        dates.append(f"expires {short_date(cell['expires_on'])}")
    return {
        **cell,
        "status_class": STATUS_CLASSES.get(cell["status"], ""),
        "dates": ", ".join(dates),
        "completed": short_date(cell["completed_on"]),
        "expires": short_date(cell["expires_on"]),
    }


def _training(content: dict) -> dict:
    items = content["statutory_items"]
    people = [
        {"name": c["name"], "cells": [_training_cell(cell) for cell in c["training"]]}
        for c in content["coordinators"]
    ]
    groups = []
    for start in range(0, len(items), MATRIX_ITEMS_PER_TABLE):
        group_items = items[start:start + MATRIX_ITEMS_PER_TABLE]
        rows = [
            {"name": p["name"], "cells": p["cells"][start:start + MATRIX_ITEMS_PER_TABLE]}
            for p in people
        ]
        groups.append({"items": group_items, "row_chunks": chunked(rows)})
    per_person = [
        {"name": p["name"], "row_chunks": chunked(list(zip(items, p["cells"], strict=True)))}
        for p in people
    ]
    return {"items": items, "groups": groups, "per_person": per_person}


def _supervision_rows(content: dict) -> list[dict]:
    rows = []
    for coordinator in content["coordinators"]:
        summary = coordinator["supervision"]
        discussions = summary["safeguarding_discussions"]
        rows.append({
            "name": coordinator["name"],
            "sessions": [
                {**s, "last": short_date(s["last_held_on"])} for s in summary["sessions"]
            ],
            "last_clinical": short_date(summary["last_clinical_on"]),
            "cadence": [
                {
                    **c,
                    "status_class": STATUS_CLASSES.get(c["status"], ""),
                    "due": short_date(c["due_on"]) if c["due_on"] else "now",
                }
                for c in summary["cadence"]
            ],
            "discussion_count": discussions["count"],
            "discussion_dates": ", ".join(short_date(d) for d in discussions["dates"]),
        })
    return rows


def pack_context(content: dict, *, fingerprint: str, issued_at: datetime.datetime,
                 issued_by: str, verify_url: str) -> dict:
    """Everything the template shows, dates already in words."""
    session_types = [
        {"type": s["type"], "type_label": s["type_label"]}
        for s in (content["coordinators"][0]["supervision"]["sessions"]
                  if content["coordinators"] else [])
    ]
    return {
        "content": content,
        "one_coordinator": content["kind"] == "coordinator",
        "coordinator_names": [c["name"] for c in content["coordinators"]],
        "as_of": long_date(content["as_of"]),
        "contract_year_from": long_date(content["contract_year_starts_on"]),
        "contract_year_to": long_date(content["contract_year_ends_on"]),
        "window_from": long_date(content["supervision_window"]["from"]),
        "window_to": long_date(content["supervision_window"]["to"]),
        "summary_chunks": chunked([
            {
                "name": c["name"],
                "overall_label": c["overall_label"],
                "overall_class": STATUS_CLASSES.get(c["overall"], ""),
                "met": c["met"],
                "applicable": c["applicable"],
                "cells": [
                    {"label": r["status_label"], "class": STATUS_CLASSES.get(r["status"], "")}
                    for r in c["results"]
                ],
            }
            for c in content["coordinators"]
        ]),
        "sections": _requirement_sections(content),
        "training": _training(content),
        "session_types": session_types,
        "supervision_chunks": chunked(_supervision_rows(content)),
        "fingerprint": fingerprint,
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url),
        "issued_at": issued_at,
        "issued_by": issued_by,
    }


# Where `finish` draws, in points from the bottom left, matching the template's @page margins.
CM = 72 / 2.54
SIDE_MARGIN = 1.5 * CM
FOOTER_FIRST_LINE = 2.3 * CM - 16  # level with the footer frame's first line
CONTENTS_PAGE = 1  # the second page, left empty by the template under its "Contents" band
CONTENTS_TOP = 4.2 * CM  # from the top of the page: below the band
CONTENTS_LINE = 17
GREY, TEXT = (0.298, 0.384, 0.447), (0.129, 0.169, 0.196)


def _sections(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    """(title, first page number) of each top-level bookmark: the document's <h1>s."""
    return [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    ]


def _overlay(reader: pypdf.PdfReader) -> pypdf.PdfReader:
    """One page per page of the pack: its "Page N of M", and on page 2 the contents."""
    total = len(reader.pages)
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for index, page in enumerate(reader.pages):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        sheet.setPageSize((width, height))
        sheet.setFont("Helvetica", 7.5)
        sheet.setFillColorRGB(*GREY)
        sheet.drawRightString(width - SIDE_MARGIN, FOOTER_FIRST_LINE,
                              f"Page {index + 1} of {total}")
        if index == CONTENTS_PAGE:
            sheet.setFillColorRGB(*TEXT)
            y = height - CONTENTS_TOP
            for title, number in _sections(reader):
                sheet.setFont("Helvetica", 10)
                sheet.drawString(SIDE_MARGIN, y, title)
                sheet.drawRightString(width - SIDE_MARGIN, y, str(number))
                y -= CONTENTS_LINE
        sheet.showPage()
    sheet.save()
    return pypdf.PdfReader(io.BytesIO(buffer.getvalue()))


def finish(pdf: bytes) -> bytes:
    """Stamp "Page N of M" on every page and write the contents with page numbers."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    overlay = _overlay(reader)
    writer = pypdf.PdfWriter(clone_from=reader)
    for page, stamp in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pack_pdf(content: dict, *, fingerprint: str, issued_at: datetime.datetime,
                    issued_by: str, verify_url: str) -> bytes:
    """The pack as PDF bytes."""
    return finish(render_pdf(TEMPLATE, pack_context(
        content, fingerprint=fingerprint, issued_at=issued_at, issued_by=issued_by,
        verify_url=verify_url,
    )))
