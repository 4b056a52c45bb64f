"""Role fixtures: two PCNs in one ICB and a third in another ICB, with people in every role.

Staff roles must use MFA; `sign_in` enrols a TOTP authenticator for them so
tests reach the page under test. MFA enforcement itself is tested on its own.
"""

import datetime

import pytest
from allauth.mfa.models import Authenticator

from lms.models import Role
from tests.factories import (
    ICBFactory,
    PCNFactory,
    PersonFactory,
    PracticeFactory,
    RoleAssignmentFactory,
)

START = datetime.date(2025, 1, 6)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Tests marked `long` (a minute or more of work) start first, so that on two xdist workers
    neither is left running one after the other has finished everything else. Otherwise the
    collection order stands."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL: the test databases commit without waiting for the disk
    (`synchronous_commit=off`; they are thrown away, and a crash loses nothing we keep). The
    migrations that build each worker's database, and the transactional tests' flushes, commit
    often."""
    from django.conf import settings
    from django.db import connections

    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] == "django.db.backends.postgresql":
            options = db_settings.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def _flush_postgresql_by_delete():
    """PostgreSQL: a transactional or live-server test ends by emptying every table, which
    Django does with one TRUNCATE of all of them. TRUNCATE makes new files for every table
    and index: about 1 s for our ~120 tables on a quiet machine and 4 s on a busy one, while
    deleting the few hundred rows a test leaves takes under 0.1 s. Django's foreign keys on
    PostgreSQL are deferrable, so the tables are emptied in any order with the checks
    deferred to the flush's commit. Only the test run's flush changes: sequences, when a test
    asks for them reset, still go through Django's own."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


def without_nonces(html: str) -> str:
    """A page with its content-security-policy nonces blanked: they change with every request
    (lms/settings/base.py), so two renderings of the same page differ only there."""
    import re

    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def restore_wagtail_defaults():
    """What Wagtail's data migrations make: the default locale, the page tree's root and its
    welcome page, the default site and the root collection; made again where missing.

    A live-server (transactional) test ends by flushing every table, and the data
    migrations do not run again after a flush: any later live-server test on that worker
    (pytest-django runs them last) would find no site. Each one calls this first."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Site.objects.filter(is_default_site=True).exists():
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.get_children().first() or root.add_child(
            instance=Page(title="Welcome to your new Wagtail site!", slug="home"))
        Site.objects.create(hostname="localhost", port=80, root_page=home,
                            is_default_site=True)


@pytest.fixture
def icb(db):
    return ICBFactory(name="NHS Test Integrated Care Board")


@pytest.fixture
def pcn(icb):
    pcn = PCNFactory(name="Riverside PCN", icb=icb)
    PracticeFactory.create_batch(3, pcn=pcn)
    return pcn


@pytest.fixture
def other_pcn(icb):
    """A second PCN in the same ICB: its people are not ours."""
    pcn = PCNFactory(name="Hillside PCN", icb=icb)
    PracticeFactory.create_batch(2, pcn=pcn)
    return pcn


@pytest.fixture
def other_icb_pcn(db):
    return PCNFactory(name="Faraway PCN", icb=ICBFactory(name="NHS Faraway ICB"))


def make_person(role, *, pcn=None, care_coordinator=None, icb=None, **person_fields):
    person = PersonFactory(pcn=pcn, **person_fields)
    RoleAssignmentFactory(
        person=person,
        role=role,
        pcn=pcn if role in (Role.CARE_COORDINATOR, Role.PCN_MANAGER) or care_coordinator else None,
        icb=icb,
        care_coordinator=care_coordinator,
        starts_on=START,
    )
    return person


@pytest.fixture
def care_coordinator(pcn):
    return make_person(Role.CARE_COORDINATOR, pcn=pcn, given_name="Amira", family_name="Khan")


@pytest.fixture
def supervisor(pcn, care_coordinator):
    return make_person(
        Role.CLINICAL_SUPERVISOR, pcn=pcn, care_coordinator=care_coordinator,
        given_name="Grace", family_name="Hughes", job_title="GP partner",
    )


@pytest.fixture
def pcn_manager(pcn):
    return make_person(Role.PCN_MANAGER, pcn=pcn, given_name="Jo", family_name="Smith",
                       job_title="PCN manager")


@pytest.fixture
def icb_viewer(icb):
    return make_person(Role.ICB_VIEWER, icb=icb, given_name="Liam", family_name="Turner")


@pytest.fixture
def other_coordinator(other_pcn):
    return make_person(Role.CARE_COORDINATOR, pcn=other_pcn, given_name="Dev",
                       family_name="Patel")


@pytest.fixture
def other_pcn_manager(other_pcn):
    return make_person(Role.PCN_MANAGER, pcn=other_pcn, given_name="Kate", family_name="Lewis")


@pytest.fixture
def no_role_person(pcn):
    """Someone with an account in the PCN but no current role."""
    return PersonFactory(pcn=pcn, given_name="Nora", family_name="Role")


def enrol_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


@pytest.fixture
def sign_in(client):
    """Sign a person in (with MFA already set up, as staff must have)."""

    def _sign_in(person):
        enrol_totp(person.user)
        client.force_login(person.user)
        return client

    return _sign_in
