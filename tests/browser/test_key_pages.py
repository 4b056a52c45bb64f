"""Axe scan of the key pages each role uses every day, home page first: no violations of
any impact (every rule axe-core runs by default, best practices included).

One test per role, looping over its pages: each browser test costs a database flush."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from competencies import services as competency_services
from competencies.models import Competency, Framework, FrameworkStatus
from lms.access import today
from lms.compliance.models import PartnerOrganisation
from lms.compliance.packs import coordinator_pack_issue
from lms.models import Person
from supervision.models import NetworkSession, SupervisionSession

from .conftest import SKIP_REASON, chromium_available
from .test_sign_in import ROLES, accessibility_violations, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=SKIP_REASON),
]

ROLE = {role.key: role for role in ROLES}


def peer_session_detail():
    """An upcoming Riverside peer network Amira is invited to (from seed_demo_supervision)."""
    session = NetworkSession.objects.get(
        title="Riverside care coordinator peer network: bring a case")
    return reverse("network_sessions:detail", args=[session.pk])


def amira(url_name):
    """A page about Amira, the demo's care coordinator in induction, as her manager sees it."""
    def path():
        person = Person.objects.get(given_name="Amira")
        return reverse(url_name, args=[person.pk])
    return path


def amiras_session():
    """Amira's most recent supervision session (from seed_demo_supervision)."""
    amira_ = Person.objects.get(given_name="Amira")
    session = SupervisionSession.objects.filter(care_coordinator=amira_).order_by(
        "-held_on", "-pk").first()
    return reverse("supervision:detail", args=[session.pk])


def a_framework():
    """The first framework in use (seed_frameworks), as a coordinator browses it."""
    framework = Framework.objects.filter(status=FrameworkStatus.ACTIVE).order_by("pk").first()
    return reverse("competencies:framework", args=[framework.code])


def a_request_to_review():
    """A sign-off request Amira sends Grace, her supervisor, through the real service."""
    amira_ = Person.objects.get(given_name="Amira")
    grace = Person.objects.get(user__email=ROLE["gp-supervisor"].email)
    competency = Competency.objects.filter(
        framework__status=FrameworkStatus.ACTIVE).order_by("pk").first()
    request = competency_services.sign_off_request_create(
        actor=amira_.user, person=amira_, competency=competency, reviewer=grace)
    return reverse("competencies:review", args=[request.pk])


def partner_detail():
    """The first partner organisation on Amira's PCN's register (from seed_demo_compliance,
    which `make run` runs and the browser tests' demo data leaves out)."""
    call_command("seed_demo_compliance", stdout=io.StringIO())
    amira_ = Person.objects.get(given_name="Amira")
    partner = PartnerOrganisation.objects.filter(pcn=amira_.pcn).order_by("name").first()
    return reverse("partners:detail", args=[partner.pk])


def amiras_pack():
    """A pack of Amira's evidence, issued by her manager through the service the page uses."""
    amira_ = Person.objects.get(given_name="Amira")
    manager = Person.objects.get(user__email=ROLE["pcn-manager"].email)
    pack, _pdf = coordinator_pack_issue(actor=manager.user, person=amira_, pcn=amira_.pcn,
                                        as_of=today())
    return reverse("packs:detail", args=[pack.pk])


# A path, or a function giving one once the demo data is in. Each role's home ("/") first.
PAGES = {
    "care-coordinator": [
        "/",
        "/learning/",
        "/competencies/",
        "/development/",
        "/development/goals/add/",
        "/supervision/",
        "/supervision/record/",
        "/reflections/new/gibbs/",
        "/safeguarding/log/",
        "/network-sessions/",
        peer_session_detail,
        amiras_session,
        a_framework,
        "/reflections/",
        "/safeguarding/",
        lambda: reverse("compliance:mine"),
        lambda: reverse("subject_access:mine"),
        lambda: reverse("packs:mine"),
    ],
    "gp-supervisor": [
        "/",
        "/competencies/queue/",
        a_request_to_review,
        "/learning/verification/",
        "/supervision/to-confirm/",
        "/supervision/team/",
        amiras_session,
        "/reflections/shared/",
        "/network-sessions/",
    ],
    "pcn-manager": [
        "/",
        "/people/",
        "/people/add/",
        "/reports/training-matrix/",
        "/competencies/manager/heatmap/",
        "/development/induction-template/",
        "/supervision/team/",
        "/supervision/cadence/",
        "/supervision/supervisor-load/",
        "/safeguarding/pcn/",
        "/network-sessions/new/",
        lambda: reverse("directory:manage_index"),
        lambda: reverse("directory:awareness_index"),
        lambda: reverse("compliance:dashboard"),
        lambda: reverse("packs:index"),
        lambda: reverse("partners:index"),
        amira("people:detail"),
        amira("compliance:person"),
        amira("development:person_induction"),
        partner_detail,
        amiras_pack,
    ],
    "icb-viewer": [
        "/",
        lambda: reverse("compliance:icb"),
    ],
    "curriculum-editor": [
        "/",
    ],
}


@pytest.mark.parametrize("role_key", list(PAGES))
def test_key_pages_have_no_accessibility_violations(browser_page, demo, role_key):
    call_command("seed_frameworks", stdout=io.StringIO())
    sign_in(browser_page, ROLE[role_key])
    found = {}
    for path in PAGES[role_key]:
        path = path() if callable(path) else path
        response = browser_page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        violations = accessibility_violations(browser_page)
        if violations:
            found[path] = violations
    assert not found, "\n".join(
        f"{path}:\n  " + "\n  ".join(violations) for path, violations in found.items())
