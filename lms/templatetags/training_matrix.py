"""The training matrix's cells: `{% load training_matrix %}`, `{% matrix_cells row %}`.

A row's cells are drawn in Python, once per row: a 25 × 44 matrix is over a thousand
cells, and the template language spends far longer per cell than `format_html` does.
The markup is what the template would draw: a status word on an NHS.UK tag (colour only
repeats the word), then the date it concerns and any note.
"""

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def short_date(day) -> str:
    """As the `date:"j M Y"` filter writes it (3 Mar 2026), without its per-call setup."""
    return f"{day.day} {MONTHS_3[day.month].title()} {day.year}"


def cell_html(cell) -> str:
    if cell.key == "overdue" and cell.due_on:
        when = f'<span class="coordinate-matrix__date">Due {short_date(cell.due_on)}</span>'
    elif cell.expires_on:
        word = "Expired" if cell.key == "expired" else "Expires"
        when = f'<span class="coordinate-matrix__date">{word} {short_date(cell.expires_on)}</span>'
    else:
        when = ""
    note = f'<span class="coordinate-matrix__date">{escape(cell.note)}</span>' if cell.note else ""
    return (f'<td class="nhsuk-table__cell"><strong class="nhsuk-tag nhsuk-tag--'
            f'{escape(cell.colour)}">{escape(cell.label)}</strong>{when}{note}</td>')


@register.simple_tag
def matrix_cells(row):
    """Every cell of one matrix row, as `<td>`s."""
    return mark_safe("".join(cell_html(cell) for cell in row.cells))
