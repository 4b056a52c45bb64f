"""Home-page panel for PCN managers: partner safeguarding reviews overdue (or never done) and
practices not yet told about a care coordinator. Shown only when either is non-zero; four
queries whatever the size of the registers.

Registered with lms.panels when the compliance AppConfig.ready() imports this module.
"""

from django.urls import reverse

from lms.panels import home_panel

from . import directory_services, partner_services


@home_panel(order=72)
def registers_needing_action(request, scope, as_of):
    if scope.person_id is None or not scope.managed_pcn_ids:
        return None
    pcn_ids = scope.managed_pcn_ids
    overdue = sum(partner_services.needing_check_counts(pcn_ids, as_of).values())
    not_told = sum(directory_services.practices_not_told_counts(pcn_ids, as_of).values())
    if not overdue and not not_told:
        return None
    single = next(iter(pcn_ids)) if len(pcn_ids) == 1 else None
    return "compliance/partners/panel_registers.html", {
        "overdue": overdue,
        "not_told": not_told,
        "partners_url": (reverse("partners:list", args=[single]) + "?show=overdue"
                         if single else reverse("partners:index")),
        "awareness_url": (reverse("directory:awareness", args=[single])
                          if single else reverse("directory:awareness_index")),
    }
