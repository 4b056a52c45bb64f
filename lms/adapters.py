"""django-allauth behaviour for this product."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Nobody signs themselves up: PCN managers invite people into roles."""
        return False
