"""The public verify page: anyone holding a pack's fingerprint (typed, or from the QR code on
every page) can confirm Coordinate issued it, when, and for which PCN.

It shows the PCN, the kind of pack, its "as at" date and contract year, when it was first
issued and how many times: never a coordinator's name or any other personal data. A
fingerprint that is unknown or malformed gets one answer, "not issued by this system", with
no detail, on the same page (with a 404 status at /verify/<fingerprint>/). Guessing is
hopeless (256 bits), and the answer says nothing about anything but the fingerprint asked.
"""

import re

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Max, Min
from django.shortcuts import render

from .models import IssuedPack, PackKind, PackStatus

FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
#: Longer input is not echoed back in full.
MAX_INPUT = 200


def normalise(value: str) -> str:
    """Spaces and line breaks removed, lower case: how people copy a fingerprint from a PDF."""
    return "".join(value.split()).lower()


class VerifyForm(forms.Form):
    fingerprint = forms.CharField(
        label="Fingerprint",
        help_text="The 64 letters and numbers printed at the foot of every page of the pack, "
        "after “Fingerprint (SHA-256)”. Spaces and capitals do not matter.",
        error_messages={"required": "Enter the fingerprint printed on the pack"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )


def issued(fingerprint: str) -> dict | None:
    """What may be said publicly about the packs issued with this fingerprint, or None."""
    fingerprint = normalise(fingerprint)
    if not FINGERPRINT.match(fingerprint):
        return None
    packs = IssuedPack.objects.filter(fingerprint=fingerprint, status=PackStatus.DONE)
    totals = packs.aggregate(count=Count("pk"), first=Min("issued_at"), last=Max("issued_at"))
    if not totals["count"]:
        return None
    first = packs.select_related("pcn").order_by("issued_at", "pk").first()
    return {
        "pcn_name": first.pcn.name,
        "pcn_ods_code": first.pcn.ods_code,
        "kind_label": (
            "Whole PCN: every care coordinator" if first.kind == PackKind.PCN
            else "One care coordinator"
        ),
        "as_of": first.as_of,
        "contract_year": first.contract_year,
        "first_issued_at": totals["first"],
        "last_issued_at": totals["last"],
        "times": totals["count"],
    }


def _render(request, form, fingerprint: str | None, *, not_found_status=200):
    result = issued(fingerprint) if fingerprint else None
    checked = fingerprint is not None
    return render(
        request,
        "compliance/verify/verify.html",
        {"form": form, "checked": checked, "result": result},
        status=not_found_status if checked and result is None else 200,
    )


@login_not_required
def verify(request):
    """The form (GET, so a result has an address of its own) and a typed fingerprint's
    answer; "not issued" is an answer to a question asked, so its status is 200."""
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        value = form.cleaned_data["fingerprint"]
        return _render(request, form, value if len(value) <= MAX_INPUT else "")
    return _render(request, form, None)


@login_not_required
def verify_fingerprint(request, fingerprint):
    """/verify/<fingerprint>/: where the QR code on a pack leads; 404 when not issued."""
    shown = fingerprint[:MAX_INPUT]
    return _render(request, VerifyForm(initial={"fingerprint": shown}), fingerprint,
                   not_found_status=404)
