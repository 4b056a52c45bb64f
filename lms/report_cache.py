"""Cached cells of the wide reports (training matrix, competency heatmap), per PCN data version.

A report's cells depend only on the data of the PCNs shown, the "as at" date, the filters
that choose its columns and the code. Each audited write bumps its PCN's data version
(`lms.audit.pcns_with_data_versions`; ADR 0007), and so do Wagtail page and snippet
edits and Django admin changes, so cells cached under the versions read *before* building
them are exactly what building again would give: a change shows on the next view.

What is cached is plain data, {person id: tuple of plain cell values}, for every person the
report can show, never HTML: the page draws it for the viewer (CSRF token, names), and one
entry serves every page, status filter and the CSV alike. One entry per report, viewer's
PCNs, date and columns; a new version overwrites it rather than piling up beside it.
"""

import hashlib

from django.core.cache import cache

from .audit import VERSIONED_CACHE_SECONDS, code_digest, data_versions


def _key(report: str, builder: str, pcn_ids, as_of, columns) -> str:
    parts = repr((sorted(pcn_ids), as_of.isoformat(), columns)).encode()
    return (f"reports:{report}:{code_digest((builder,))}:"
            f"{hashlib.sha256(parts).hexdigest()[:24]}")


def cached_cells(report: str, *, builder: str, pcn_ids, as_of, columns, person_ids, build
                 ) -> dict:
    """{person id: cells} for at least `person_ids`, from the cache while the data versions of
    `pcn_ids` (the PCNs whose data the cells read) are unchanged, else from
    `build(person_ids)`, which is then cached.

    `columns` is anything plain that names the columns (the filters that choose them);
    `builder` is the module whose code computes the cells. Someone missing from a cached
    entry (added by a write that bypassed the services) makes it a miss, not a gap.

    Two queries and a cache read when cached (the versions, and the database cache's read);
    else the versions, the cache read, what `build` costs and a cache write.
    """
    pcn_ids = sorted(set(pcn_ids))
    versions = data_versions(pcn_ids)
    version = tuple(versions.get(pk) for pk in pcn_ids)
    key = _key(report, builder, pcn_ids, as_of, columns)
    cached = cache.get(key)
    if cached and cached[0] == version and all(pk in cached[1] for pk in person_ids):
        return cached[1]
    cells = build(person_ids)
    cache.set(key, (version, cells), VERSIONED_CACHE_SECONDS)
    return cells
