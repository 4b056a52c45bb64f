"""One authorization matrix: every URL of the product, asked for by everyone (issue 9, item 1).

Every URL pattern the project's resolver knows is requested as each of these people, with
the objects of our PCN's care coordinator (Amira Khan) in its address:

    anon  nobody signed in
    cc    Amira, our PCN's care coordinator
    sup   her GP clinical supervisor
    sg    her safeguarding GP
    mgr   our PCN's manager
    icb   a viewer for our PCN's ICB
    ed    a curriculum editor (Wagtail admin, no PCN)
    none  someone of our PCN with an account and no role
    xmgr  the manager of another PCN of the same ICB
    xcc   a care coordinator of that other PCN
    xicb  a viewer for another ICB

The answer expected from each is written in `MATRIX`, one row per URL (and method), in that
column order: L (sent to sign in), 200, 302 (sent elsewhere), 403, 404 or 405. Each
request runs in a savepoint that is rolled back, so what one POST changes does not change
the next answer. A "get+post" row also posts an empty form, which must be refused with the
same answer as the GET wherever the GET is refused.

Whatever the answer, nobody outside Amira's PCN (and no one in it without a role, and no
ICB viewer or curriculum editor) is ever shown her name or email address, but on her public
directory listing and the external assessor's link (PUBLIC_LISTING); and no one but the
people in the conversation sees what was said in supervision, safeguarding or a reflection
(MAY_SEE_SECRET).

`test_every_url_is_in_the_matrix` walks the resolver: a URL added to the product fails it
until it has a row here. The admin interfaces (Wagtail's at /cms/ and Django's) and the
allauth account pages belong to those libraries; they are walked as a whole below: each
admin URL refuses everyone but a curriculum editor, and the account pages are in the matrix.

Deeper checks of the same refusals, with real POST data and every record compared after,
are in tests/test_cross_pcn_refusals.py and tests/compliance/test_compliance_refusals.py.
"""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from lms import services
from lms.access import today
from lms.compliance.models import IssuedPack, PackKind, PackStatus
from lms.models import Role
from tests.compliance import builders as compliance_builders
from tests.conftest import enrol_totp, make_person
from tests.factories import PersonFactory
from tests.test_cross_pcn_refusals import SECRET, safeguarding_gp, world  # noqa: F401 fixtures

pytestmark = pytest.mark.django_db

REFUSED = ("L", "403", "404")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

ACTORS = ("anon", "cc", "sup", "sg", "mgr", "icb", "ed", "none", "xmgr", "xcc", "xicb")
#: Who may be shown Amira's name: the people of her PCN who hold a role for her.
MAY_SEE_HER = {"cc", "sup", "sg", "mgr"}
#: Who may be shown what was said (tests/test_cross_pcn_refusals.py SECRET): supervision
#: content is for her and everyone currently supporting her (ADR 0005,
#: supervision/session_access.py `may_read_content`), safeguarding text for her and her
#: safeguarding GP, and her reflection for her and the supervisor she shared it with.
SUPERVISION, SAFEGUARDING, SHARED = {"cc", "sup", "sg"}, {"cc", "sg"}, {"cc", "sup"}
MAY_SEE_SECRET = {
    "topics": SUPERVISION, "notes": SUPERVISION, "action": SUPERVISION,
    "confirmed_topics": SUPERVISION, "session_addendum": SUPERVISION,
    "concern": SAFEGUARDING, "outcome": SAFEGUARDING,
    "reflection": SHARED, "reflection_comment": SHARED,
}
#: Pages that show Amira's name to whoever has the address, by design: her PCN's public
#: directory of care coordinators (DES 7), which she is listed in, and the secret link that
#: lets an external assessor review her sign-off request.
PUBLIC_LISTING = {"directory:public", "assessor_link"}

# (URL name or path, method, address arguments (keys of the world, or literal values),
#  the answer for each of ACTORS in order)
MATRIX = [
    # --- Open to everyone ----------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("health", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("invitation_accept", "get+post", ("invitation_token",),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("assessor_link", "get+post", ("token",),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("assessor_link_file", "get", ("token", "file_link"),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("network_sessions:calendar_feed", "get", ("feed_token",),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("directory:public", "get", ("ods_code",),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("directory:photo", "get", ("ods_code", "entry"),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("verify:index", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("verify:fingerprint", "get", ("fingerprint",),
     "200  200  200  200  200  200  200  200  200  200  200"),
    # The admin sites' sign-in pages, all sent to allauth's (lms/urls.py).
    ("admin_sign_in", "get", (),
     "L    403  403  403  403  403  403  403  403  403  403"),
    ("/django-admin/login/", "get", (),
     "L    403  403  403  403  403  403  403  403  403  403"),
    ("/_util/login/", "get", (),
     "L    403  403  403  403  403  403  403  403  403  403"),
    ("/cms/password_reset/", "get", (),
     "302  302  302  302  302  302  302  302  302  302  302"),
    ("wagtailcore_login", "get", (),
     "L    403  403  403  403  403  403  403  403  403  403"),
    ("wagtail_serve", "get", ("item_url",),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("home", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    # --- Accounts (allauth) --------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("account_login", "get", (),
     "200  302  302  302  302  302  302  302  302  302  302"),
    ("account_logout", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("account_inactive", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("account_signup", "get", (),
     "200  302  302  302  302  302  302  302  302  302  302"),
    ("account_reauthenticate", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("account_email", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("account_email_verification_sent", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("account_change_password", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("account_set_password", "get", (),
     "L    302  302  302  302  302  302  302  302  302  302"),
    ("account_reset_password", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("account_confirm_login_code", "get", (),
     "L    302  302  302  302  302  302  302  302  302  302"),
    ("account_confirm_email", "get", ("nonsense",),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("account_reset_password_from_key_done", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("account_reset_password_from_key", "get", ("0", "nonsense"),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("account_reset_password_done", "get", (),
     "200  200  200  200  200  200  200  200  200  200  200"),
    ("mfa_index", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("mfa_authenticate", "get", (),
     "L    302  302  302  302  302  302  302  302  302  302"),
    ("mfa_reauthenticate", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("mfa_activate_totp", "get", (),
     "L    302  302  302  302  302  302  302  302  302  302"),
    ("mfa_deactivate_totp", "get", (),
     "L    302  302  302  302  302  302  302  302  302  302"),
    ("mfa_view_recovery_codes", "get", (),
     "L    404  404  404  404  404  404  404  404  404  404"),
    ("mfa_generate_recovery_codes", "get", (),
     "L    302  302  302  302  302  302  302  302  302  302"),
    ("mfa_download_recovery_codes", "get", (),
     "L    404  404  404  404  404  404  404  404  404  404"),
    # --- People --------------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("people:list", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("people:add", "get+post", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("people:detail", "get", ("person",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    ("people:edit", "get+post", ("person",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("people:role_add", "get+post", ("person",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("people:role_end", "get+post", ("person", "assignment"),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("people:invitation_resend", "post", ("person",),
     "L    403  403  403  302  403  403  403  404  403  403"),
    ("evidence_file_download", "get", ("certificate",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    # --- Learning records and development ------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("learning:mine", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("learning:record", "get+post", ("item",),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("learning:record_detail", "get", ("record",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    ("learning:verify", "post", ("record",),
     "L    403  302  302  302  404  404  404  404  404  404"),
    ("learning:person", "get", ("person",),
     "L    302  200  200  200  404  404  404  404  404  404"),
    ("learning:record_for", "get+post", ("person", "item"),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("learning:verification_queue", "get", (),
     "L    403  200  200  200  403  403  403  200  403  403"),
    ("development:plan", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("development:goal_add", "get+post", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("development:goal_edit", "get+post", ("goal",),
     "L    200  403  403  403  403  403  403  403  404  403"),
    ("development:goal_comment", "get+post", ("goal",),
     "L    200  200  200  200  403  403  403  404  404  403"),
    ("development:person_plan", "get", ("person",),
     "L    403  200  200  200  403  403  403  404  403  403"),
    ("development:person_induction", "get", ("person",),
     "L    403  200  200  200  403  403  403  404  403  403"),
    ("development:induction_template", "get+post", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("development:induction_template_regenerate", "post", (),
     "L    403  403  403  302  403  403  403  302  403  403"),
    # --- Reports -------------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("reports:training_matrix", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("reports:training_matrix_csv", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("reports:my_record_csv", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reports:my_record_pdf", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reports:person_record_csv", "get", ("person",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    ("reports:person_record_pdf", "get", ("person",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    ("reports:portable_export", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reports:portable_export", "get", ("person",),
     "L    404  404  404  200  404  404  404  404  404  404"),
    ("reports:portable_import", "get+post", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    # --- Competencies --------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("competency_reports:heatmap", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("competency_reports:heatmap_csv", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("competencies:mine", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("competencies:framework", "get", ("framework_code",),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("competencies:competency", "get+post", ("competency",),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("competencies:evidence_withdraw", "post", ("note_link",),
     "L    302  404  404  404  404  404  404  404  404  404"),
    ("competencies:queue", "get", (),
     "L    403  200  200  403  403  403  403  403  403  403"),
    ("competencies:review", "get+post", ("supervisor_request",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    ("competencies:review", "get", ("external_request",),
     "L    200  200  200  200  404  404  404  404  404  404"),
    ("competencies:request_withdraw", "post", ("supervisor_request",),
     "L    302  404  404  404  404  404  404  404  404  404"),
    ("competencies:send_link", "post", ("external_request",),
     "L    302  403  403  302  404  404  404  404  404  404"),
    ("competencies:person", "get", ("person",),
     "L    302  200  200  200  404  404  404  404  404  404"),
    ("competencies:person_framework", "get", ("person", "framework_code"),
     "L    302  200  200  200  404  404  404  404  404  404"),
    ("competencies:person_competency", "get", ("person", "competency"),
     "L    302  200  200  200  404  404  404  404  404  404"),
    # --- Supervision ---------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("supervision:mine", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("supervision:record", "get+post", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("supervision:to_confirm", "get", (),
     "L    200  200  200  403  403  403  403  403  200  403"),
    ("supervision:team", "get", (),
     "L    403  200  200  200  403  403  403  200  403  403"),
    ("supervision:cadence", "get+post", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("supervision:load", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("supervision:person", "get", ("person",),
     "L    403  200  200  200  403  403  403  404  403  403"),
    ("supervision:record_for", "get+post", ("person",),
     "L    403  200  200  403  403  403  403  403  403  403"),
    ("supervision:detail", "get", ("session",),
     "L    200  200  200  200  403  403  403  404  404  403"),
    ("supervision:edit", "get+post", ("session",),
     "L    200  403  403  403  403  403  403  404  404  403"),
    ("supervision:withdraw", "get+post", ("session",),
     "L    200  403  403  403  403  403  403  404  404  403"),
    ("supervision:confirm", "get+post", ("session",),
     "L    403  200  403  403  403  403  403  404  404  403"),
    ("supervision:addendum", "get+post", ("confirmed_session",),
     "L    200  200  403  403  403  403  403  404  404  403"),
    ("supervision:action_add", "get+post", ("session",),
     "L    200  200  403  403  403  403  403  404  404  403"),
    ("supervision:action_done", "post", ("action",),
     "L    302  302  403  403  403  403  403  404  404  403"),
    # --- Safeguarding --------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("safeguarding:mine", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("safeguarding:log", "get+post", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("safeguarding:with_you", "get", (),
     "L    403  403  200  403  403  403  403  403  403  403"),
    ("safeguarding:summary", "get", (),
     "L    403  403  403  200  403  403  403  200  403  403"),
    ("safeguarding:detail", "get", ("discussion",),
     "L    200  404  200  404  403  403  403  404  404  403"),
    ("safeguarding:addendum_add", "get+post", ("discussion",),
     "L    302  404  302  404  403  403  403  404  404  403"),
    ("safeguarding:withdraw", "get+post", ("discussion",),
     "L    200  404  403  404  403  403  403  404  404  403"),
    # --- Reflections ---------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("reflections:mine", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reflections:archived", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reflections:shared", "get", (),
     "L    403  200  200  403  403  403  403  403  403  403"),
    ("reflections:start", "get", (),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reflections:add", "get+post", ("gibbs",),
     "L    200  200  200  200  200  200  200  200  200  200"),
    ("reflections:detail", "get", ("reflection",),
     "L    200  200  404  404  404  404  404  404  404  404"),
    ("reflections:edit", "get+post", ("reflection",),
     "L    200  403  404  404  404  404  404  404  404  404"),
    ("reflections:comment", "post", ("reflection",),
     "L    200  200  404  404  404  404  404  404  404  404"),
    ("reflections:share", "get+post", ("reflection",),
     "L    200  403  404  404  404  404  404  404  404  404"),
    ("reflections:revoke", "post", ("reflection", "share"),
     "L    302  403  404  404  404  404  404  404  404  404"),
    ("reflections:archive", "get+post", ("reflection",),
     "L    200  403  404  404  404  404  404  404  404  404"),
    ("reflections:restore", "post", ("reflection",),
     "L    302  403  404  404  404  404  404  404  404  404"),
    # --- Peer-network sessions -----------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("network_sessions:list", "get", (),
     "L    200  200  200  200  403  403  403  200  200  403"),
    ("network_sessions:create", "get+post", (),
     "L    403  200  200  200  403  403  403  200  403  403"),
    ("network_sessions:detail", "get", ("network_session",),
     "L    200  200  200  200  403  403  403  404  404  403"),
    ("network_sessions:rsvp", "post", ("network_session",),
     "L    200  403  403  403  403  403  403  404  404  403"),
    ("network_sessions:edit", "get+post", ("network_session",),
     "L    403  200  200  200  403  403  403  404  404  403"),
    ("network_sessions:invite", "get+post", ("network_session",),
     "L    403  200  200  200  403  403  403  404  404  403"),
    ("network_sessions:register", "get+post", ("network_session",),
     "L    403  403  403  200  403  403  403  404  404  403"),
    ("network_sessions:cancel", "get+post", ("network_session",),
     "L    403  200  200  200  403  403  403  404  404  403"),
    ("network_sessions:calendar", "get+post", (),
     "L    200  200  200  200  403  403  403  200  200  403"),
    # --- DES compliance ------------------------------------------------------------------
    #      anon cc   sup  sg   mgr  icb  ed   none xmgr xcc  xicb
    ("compliance:dashboard", "get", (),
     "L    403  403  403  200  302  403  403  200  403  302"),
    ("compliance:mine", "get", (),
     "L    302  403  403  403  403  403  403  403  302  403"),
    ("compliance:person", "get", ("person",),
     "L    200  403  403  200  403  403  403  404  404  403"),
    ("compliance:requirement", "get", ("person", "1a"),
     "L    200  403  403  200  403  403  403  404  404  403"),
    ("compliance:icb", "get", (),
     "L    403  403  403  403  200  403  403  403  403  200"),
    ("compliance:icb_pcn", "get", ("pcn",),
     "L    403  403  403  403  200  403  403  403  403  404"),
    ("subject_access:mine", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("partners:index", "get", (),
     "L    302  302  302  302  403  403  403  302  302  403"),
    ("partners:list", "get", ("pcn",),
     "L    200  200  200  200  403  403  403  404  404  403"),
    ("partners:create", "get+post", ("pcn",),
     "L    403  403  403  200  403  403  403  404  404  403"),
    ("partners:detail", "get", ("partner",),
     "L    200  200  200  200  403  403  403  404  404  403"),
    ("partners:edit", "get+post", ("partner",),
     "L    403  403  403  200  403  403  403  404  404  403"),
    ("partners:check", "get+post", ("partner",),
     "L    403  403  403  200  403  403  403  404  404  403"),
    ("partners:archive", "get+post", ("partner",),
     "L    403  403  403  200  403  403  403  404  404  403"),
    ("partners:restore", "post", ("partner",),
     "L    403  403  403  302  403  403  403  404  404  403"),
    ("directory:manage_index", "get", (),
     "L    403  403  403  302  403  403  403  302  403  403"),
    ("directory:manage", "get", ("pcn",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("directory:entry_create", "get+post", ("pcn", "person"),
     "L    403  403  403  302  403  403  403  404  403  403"),
    ("directory:entry_edit", "get+post", ("entry",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("directory:entry_unlist", "get+post", ("entry",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("directory:awareness_index", "get", (),
     "L    403  403  403  302  403  403  403  302  403  403"),
    ("directory:awareness", "get", ("pcn",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("directory:awareness_practice", "get", ("practice",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("directory:awareness_record", "get+post", ("practice",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("packs:index", "get", (),
     "L    302  403  403  302  403  403  403  302  302  403"),
    ("packs:mine", "get", (),
     "L    200  403  403  403  403  403  403  403  200  403"),
    ("packs:pcn", "get+post", ("pcn",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("packs:pcn_coordinator_pack", "post", ("pcn",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("packs:pcn_csv", "get", ("pcn",),
     "L    403  403  403  200  403  403  403  404  403  403"),
    ("packs:detail", "get", ("pack",),
     "L    200  403  403  200  403  403  403  404  404  403"),
    ("packs:download", "get", ("pack",),
     "L    200  403  403  200  403  403  403  404  404  403"),
]


# --- The world -------------------------------------------------------------------------------


@pytest.fixture
def matrix_world(world, pcn, pcn_manager, no_role_person, other_pcn_manager,  # noqa: F811
                 other_coordinator, other_icb_pcn):
    """tests/test_cross_pcn_refusals.py's world (one record of every kind, all Amira's),
    with our PCN's compliance records, an invitation and everybody in the columns."""
    as_of = datetime.date(2026, 6, 1)
    partner = compliance_builders.partner(pcn, added_on=as_of, checked_on=as_of)
    entry = compliance_builders.directory_listing(world["person"], listed_from=as_of)
    entry.photo = services.evidence_file_store(
        actor=None, owner=world["person"],
        uploaded_file=SimpleUploadedFile("photo.png", PNG, content_type="image/png"))
    entry.save(update_fields=["photo"])
    pack = IssuedPack(
        kind=PackKind.COORDINATOR, pcn=pcn, person=world["person"], as_of=as_of,
        contract_year="2026/27", status=PackStatus.DONE, fingerprint="a" * 64,
    )
    pack.file.save("evidence-pack.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    pack.save()
    invited = services.person_create(
        actor=pcn_manager.user, given_name="Ivy", family_name="Invited",
        email="ivy@example.nhs.uk", pcn=pcn,
    )
    _invitation, invitation_token = services.invitation_send(actor=pcn_manager.user,
                                                              person=invited)
    # Through the service, which also puts the editor in the Wagtail admin's group.
    editor = PersonFactory(given_name="Ed", family_name="Itor")
    services.role_assign(actor=pcn_manager.user, person=editor, role=Role.CURRICULUM_EDITOR,
                         starts_on=today() - datetime.timedelta(days=30))
    return {
        **world,
        "partner": partner, "entry": entry, "pack": pack, "fingerprint": pack.fingerprint,
        "practice": pcn.practices.order_by("pk").first(), "ods_code": pcn.ods_code,
        "invitation_token": invitation_token, "framework_code": world["framework"].code,
        "item_url": world["item"].url,
        "people": {
            "cc": world["person"], "sup": world["supervisor"], "sg": world["safeguarding_gp"],
            "mgr": pcn_manager, "icb": world["icb_viewer"], "ed": editor,
            "none": no_role_person, "xmgr": other_pcn_manager, "xcc": other_coordinator,
            "xicb": make_person(Role.ICB_VIEWER, icb=other_icb_pcn.icb, given_name="Fay",
                                family_name="Away"),
        },
    }


def _value(w, key):
    if isinstance(key, str) and key in w:
        value = w[key]
        return value.pk if hasattr(value, "pk") else value
    return key


def url_of(w, target, args):
    if target == "wagtail_serve":  # a curriculum page, served by Wagtail
        return _value(w, args[0])
    if target.startswith("/"):
        return target
    return reverse(target, args=[_value(w, key) for key in args])


def client_for(w, actor):
    client = Client()
    if actor != "anon":
        person = w["people"][actor]
        enrol_totp(person.user)
        client.force_login(person.user)
    return client


def answer(response) -> str:
    status = response.status_code
    if status == 302:
        return "L" if response["Location"].startswith("/accounts/login/") else "302"
    return str(status)


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def leaks(w, actor, target, response) -> list[str]:
    """What this person was shown that they must never be shown."""
    body = body_of(response)
    found = []
    person = w["person"]
    if actor not in MAY_SEE_HER and target not in PUBLIC_LISTING:
        found += [text for text in (person.family_name, person.user.email)
                  if text.encode() in body]
    for key, text in SECRET.items():
        if actor not in MAY_SEE_SECRET[key] and (
                text.encode() in body or text.replace("'", "&#x27;").encode() in body):
            found.append(f"the {key}")
    return found


def ask(client, method, url):
    """One request in a savepoint that is rolled back: nothing it changes outlives it."""
    with transaction.atomic():
        response = client.post(url, {}) if method == "post" else client.get(url)
        body_of(response)  # a streamed file is read inside the savepoint
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_gets_the_answer_written_in_the_matrix(matrix_world, actor):
    w, column = matrix_world, ACTORS.index(actor)
    client = client_for(w, actor)
    wrong, leaked = [], []
    for target, method, args, answers in MATRIX:
        expected = answers.split()[column]
        url = url_of(w, target, args)
        methods = ("get", "post") if method == "get+post" else (method,)
        for each in methods:
            response = ask(client, each, url)
            got = answer(response)
            # A "get+post" row: a refused GET means a refused POST, with the same answer.
            checked = not (method == "get+post" and each == "post") or expected in REFUSED
            if checked and got != expected:
                wrong.append(f"{each.upper()} {target} {url}: expected {expected}, got {got}")
            if found := leaks(w, actor, target, response):
                leaked.append(f"{each.upper()} {target} {url} shows {', '.join(found)}")
    assert not leaked, f"{actor} was shown:\n" + "\n".join(leaked)
    assert not wrong, f"{actor}:\n" + "\n".join(wrong)


# --- Every URL has a row ---------------------------------------------------------------------

#: Libraries whose own permission checks guard their URLs (walked in the test below).
ADMIN_MODULES = ("wagtail.", "django.contrib.admin", "taggit.")


def _patterns(patterns, prefix="", namespace=""):
    """(name or None, route, view module) of every URL pattern."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, route, space)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, route, getattr(entry.callback, "__module__", "") or ""


def _route(route):
    return route.lstrip("^").rstrip("$")


def _is_admin(name, route, module):
    """A page of the Wagtail or Django admin (the project's own sign-in redirects are not)."""
    if module == "lms.urls":
        return False
    return (module.startswith(ADMIN_MODULES) and name != "wagtail_serve") or \
        _route(route).startswith(("cms/", "django-admin/"))


def test_every_url_is_in_the_matrix():
    in_matrix = {target for target, *_ in MATRIX}
    missing = []
    for name, route, module in _patterns(get_resolver().url_patterns):
        if _is_admin(name, route, module):
            continue
        if (name or "/" + _route(route)) not in in_matrix:
            missing.append(name or _route(route))
    assert not missing, f"URLs with no row in MATRIX: {sorted(set(missing))}"


#: Admin addresses that hold no data and are served to anyone signed in.
ADMIN_ASSETS = {
    "wagtailadmin_sprite": "the admin's icon sprite",
    "wagtailadmin_javascript_catalog": "translations of the admin's scripts",
    "admin:logout": "Django admin's sign-out (a sign-out shows nothing)",
}


def _sample_address(name, route):
    """An address for an admin URL: its arguments filled with an id that exists nowhere."""
    if name is None:
        return None if "(" in route or "<" in route else "/" + _route(route)
    for value in (999999, "x"):
        try:
            return reverse(name, kwargs={
                arg: value for arg in re.findall(r"<(?:\w+:)?(\w+)>", route)
            } or None)
        except NoReverseMatch:
            continue
    return None


@pytest.mark.parametrize("actor", ["anon", "cc", "mgr", "none", "xmgr", "icb"])
def test_the_admin_interfaces_refuse_everyone_but_their_editors(matrix_world, actor):
    """Every address of Wagtail's and Django's admin: sent to sign in, refused, or sent to
    the admin's own sign-in page, for everyone who is not a curriculum editor."""
    client = client_for(matrix_world, actor)
    let_in = []
    for name, route, module in _patterns(get_resolver().url_patterns):
        if not _is_admin(name, route, module):
            continue
        url = _sample_address(name, route)
        if url is None:
            continue
        if name in ADMIN_ASSETS:
            continue
        response = ask(client, "get", url)
        location = response.get("Location", "")
        # Wagtail's own password-reset pages are sent to allauth's (lms/urls.py).
        refused = response.status_code in (403, 404, 405) or (
            response.status_code == 302 and ("login" in location or location == "/cms/"
                                             or location == reverse("account_reset_password")))
        if not refused:
            let_in.append(f"{url}: {response.status_code} {location}")
        assert not leaks(matrix_world, actor, name, response), url
    assert not let_in, f"{actor} was let into:\n" + "\n".join(let_in)


def test_control_a_curriculum_editor_reaches_the_wagtail_admin(matrix_world):
    client = client_for(matrix_world, "ed")
    assert client.get("/cms/").status_code == 200
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "login" in response["Location"]
