"""Send staff who must use two-factor authentication to set it up first."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .access import mfa_required_for

# Paths a user without MFA may still reach: sign-in/out, MFA set-up, static files.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/invitations/")


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and mfa_required_for(user)
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.info(
                request,
                "Your role gives you access to other people's records, so you must set up "
                "two-factor authentication before you continue.",
                fail_silently=True,
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
