"""Single-use link tokens (invitations, external assessors): only the digest is stored."""

import hashlib
import secrets


def new_link_token() -> tuple[str, str]:
    """A random token for the link, and the SHA-256 digest to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
