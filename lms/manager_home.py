"""The PCN manager's sections of the home page: who supports each care coordinator (DES
clauses 5 and 6) and how far each is through their induction.

They are the same for every manager of the same PCNs on a day, and building them (each
coordinator's supporters, practices and induction tasks) was most of a manager's home page:
about 60 ms for 30 coordinators. So they are rendered once and kept as HTML in the cache
under the PCNs' data versions (`lms.audit.pcns_with_data_versions`: any audited change to
the PCNs' people, roles, learning or induction plans, and any content or admin change), the
date (induction tasks fall overdue by it), and the code and templates that make them.
"""

import datetime
import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

from . import audit
from .models import RoleAssignment
from .support import coordinator_support

TEMPLATES = ("lms/panels/pcn_coordinators.html", "lms/development/_pcn_induction.html")
_MODULES = (__name__, "lms.support", "lms.development_views")


def _key(pcn_ids, as_of: datetime.date) -> str:
    ids = ",".join(str(pk) for pk in pcn_ids)
    return f"home:manager-sections:{hashlib.sha256(ids.encode()).hexdigest()[:16]}:{as_of}"


def manager_sections(pcn_ids, as_of: datetime.date) -> SafeString:
    """The HTML of the manager's sections for these PCNs on `as_of`: one query and a cache
    read when cached; else the support rows and induction progress (a fixed number of
    queries) and a cache write."""
    from .development_views import induction_progress_by_person

    pcn_ids = sorted(set(pcn_ids))
    pcns = audit.pcns_with_data_versions(pcn_ids)
    stamp = (
        tuple((pcn.pk, pcn.data_version) for pcn in pcns),
        audit.code_digest(_MODULES, TEMPLATES),
        get_script_prefix(),
    )
    key = _key(pcn_ids, as_of)
    cached = cache.get(key)
    if cached and cached[0] == stamp:
        return mark_safe(cached[1])  # noqa: S308 (rendered below by autoescaping templates)
    rows = coordinator_support(RoleAssignment.objects.filter(pcn_id__in=pcn_ids), as_of)
    progress = induction_progress_by_person([row.person.pk for row in rows], as_of)
    for row in rows:
        row.induction = progress[row.person.pk]
    context = {
        "managed_pcns": pcns,
        "managed_pcn_rows": rows,
        "pcn_gaps": sum(1 for row in rows if row.missing),
    }
    html = "".join(render_to_string(name, context) for name in TEMPLATES)
    cache.set(key, (stamp, html), audit.VERSIONED_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308
