"""Signed-in sessions: they end after inactivity; staff must set up two-factor
authentication, and nobody enrolled may skip it.

0. `SessionIdleTimeoutMiddleware` signs out a session left unused for longer than
   `SESSION_IDLE_TIMEOUT` seconds (on top of `SESSION_COOKIE_AGE`, the most a session
   lasts however busy).

1. `RequireMFAMiddleware` sends supervisors, PCN managers, ICB viewers and
   curriculum editors (lms.access.MFA_REQUIRED_ROLES) who have no TOTP
   authenticator to allauth's set-up page before anything else.
2. `undo_login_without_second_factor` signs straight back out anyone with an
   authenticator whose sign-in, during a web request, did not pass allauth's
   second-factor stage. Only allauth's sign-in has that stage; every other
   sign-in page is redirected to it in lms/urls.py, and this catches any that
   appears later (a new package's login view, say) instead of trusting it.
"""

import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from .access import must_set_up_mfa

# Paths a user without MFA may still reach: sign-in/out, MFA set-up, static files, and
# the single-use links (invitations, external assessors) that never use the session.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/invitations/", "/assess/")

SET_UP_MFA_MESSAGE = (
    "Your role gives you access to other people's records, so you must set up "
    "two-factor authentication before you continue."
)


def _add_message(request, response, level, text):
    """Add a flash message whether or not MessageMiddleware has run yet for this request.

    This middleware may sit before MessageMiddleware; a redirect returned from here
    then never reaches it, so the message is stored on the response directly.
    """
    if hasattr(request, "_messages"):
        messages.add_message(request, level, text, fail_silently=True)
        return
    storage = default_storage(request)
    storage.add(level, text)
    storage.update(response)


SIGNED_OUT_IDLE_MESSAGE = (
    "You were signed out because you had not used Coordinate for {minutes} minutes. "
    "Sign in again to continue."
)
#: The session's last-activity time is written at most this often (seconds): once a minute,
#: not on every request, so that reading pages does not write to the session store.
IDLE_STAMP_EVERY = 60
LAST_ACTIVITY_KEY = "coordinate_last_activity"


class SessionIdleTimeoutMiddleware:
    """After `SESSION_IDLE_TIMEOUT` seconds without a request, the next request is signed
    out before anything else sees it, and sent to sign in again (told why, and brought back
    afterwards). 0 turns it off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > timeout:
                logout(request)
                response = redirect_to_login(request.get_full_path())
                _add_message(request, response, messages.INFO,
                             SIGNED_OUT_IDLE_MESSAGE.format(minutes=max(1, timeout // 60)))
                return response
            if last is None or now - last >= IDLE_STAMP_EVERY:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and must_set_up_mfa(user)
        ):
            response = redirect(reverse("mfa_activate_totp"))
            _add_message(request, response, messages.INFO, SET_UP_MFA_MESSAGE)
            return response
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="lms.undo_login_without_second_factor")
def undo_login_without_second_factor(sender, request, user, **kwargs):
    """Sign out again anyone with MFA set up whose web sign-in skipped the second factor.

    allauth records each step of a sign-in in the session; its second-factor
    stage records an "mfa" step before the user is signed in. Sign-ins outside
    a web request (the test client's `force_login`, a shell) have no HTTP
    method and are left alone.
    """
    if request is None or not getattr(request, "method", None):
        return
    if not Authenticator.objects.filter(user=user).exists():
        return
    if any(r.get("method") == "mfa" for r in get_authentication_records(request, user)):
        return
    logout(request)
