"""django-allauth behaviour for this product."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # One message whether or not the email address has an account.
        "email_password_mismatch": (
            "The email address or password is not correct. Check them and try again, "
            "or reset your password."
        ),
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. Try again in a few minutes, "
            "or reset your password."
        ),
    }

    def is_open_for_signup(self, request):
        """Nobody signs themselves up: PCN managers invite people into roles."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A password sign-in moments ago is enough to set up a first authenticator.

        allauth asks for the password again before any MFA change, and counts
        only a re-entered password as recent, so staff sent to set up MFA straight
        after signing in would be asked for the password they have just typed.
        For someone with no authenticator yet, a password sign-in in this session
        within ACCOUNT_REAUTHENTICATION_TIMEOUT counts. Changing or removing an
        existing authenticator (or its recovery codes) still asks again.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        if not required or app != "allauth.mfa":
            return required
        request = self.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return required
        if Authenticator.objects.filter(user=user).exists():
            return required
        now = time.time()
        recent_password_sign_in = any(
            record.get("method") == "password"
            and now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
            for record in get_authentication_records(request, user)
        )
        return not recent_password_sign_in
