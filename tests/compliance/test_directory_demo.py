"""The demo partner registers, directory and practice awareness: realistic and idempotent."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from lms.compliance import demo_registers, directory_services, partner_services
from lms.compliance.models import (
    DirectoryEntry,
    PartnerOrganisation,
    PracticeAwareness,
    SafeguardingCheck,
)
from lms.compliance.partner_services import ReviewState
from lms.models import Person

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 16)


@time_machine.travel(datetime.datetime(2026, 3, 16, 9, 0), tick=False)
def test_seed_runs_twice_without_duplicating():
    call_command("seed_demo", stdout=io.StringIO())  # people and roles start relative to today

    demo_registers.seed(AS_OF)
    counts = (PartnerOrganisation.objects.count(), SafeguardingCheck.objects.count(),
              DirectoryEntry.objects.count(), PracticeAwareness.objects.count())
    demo_registers.seed(AS_OF)
    demo_registers.seed(AS_OF + datetime.timedelta(days=1))

    assert (PartnerOrganisation.objects.count(), SafeguardingCheck.objects.count(),
            DirectoryEntry.objects.count(), PracticeAwareness.objects.count()) == counts
    assert counts == (6, 7, 5, 3)

    jo = Person.objects.get(user__email="jo.smith@riverside.example")
    kate = Person.objects.get(user__email="kate.lewis@hillside.example")
    riverside, hillside = jo.pcn, kate.pcn
    states = sorted(p.review_state for p in partner_services.register_status(riverside, AS_OF))
    assert states == sorted([ReviewState.OVERDUE, ReviewState.DUE_SOON, ReviewState.CHECKED,
                             ReviewState.CHECKED])
    assert PartnerOrganisation.objects.filter(pcn=hillside).count() == 2

    listed = {e.display_name for e in directory_services.public_entries(riverside, AS_OF)}
    assert listed == {"Amira Khan", "Ben Okafor", "Chloe Evans"}
    assert {e.display_name for e in directory_services.public_entries(hillside, AS_OF)} == {
        "Dev Patel", "Erin Walsh"}
    gaps = {row.practice.name: [p.given_name for p in row.not_told]
            for row in directory_services.practice_awareness(riverside, AS_OF)}
    assert gaps == {"Mill Lane Health Centre": ["Chloe"], "Quayside Surgery": [],
                    "Riverside Medical Centre": []}

    page = Client().get(reverse("directory:public", args=[riverside.ods_code]))
    assert page.status_code == 200 and "Chloe Evans" in page.content.decode()
