"""Session tokens: random values sent to the browser in a signed cookie and stored only as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE_NAME = "trackoe_session"


def new_token() -> str:
    """Return a random session token of 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the hex SHA-256 of `token`, which is what the database stores."""
    return hashlib.sha256(token.encode()).hexdigest()


def _signature(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def sign(secret: str, token: str) -> str:
    """Return the cookie value for `token`: the token and its HMAC-SHA256 under `secret`."""
    return f"{token}.{_signature(secret, token)}"


def unsign(secret: str, cookie_value: str | None) -> str | None:
    """Return the token of a cookie value whose signature is valid, or None."""
    if not cookie_value or cookie_value.count(".") != 1 or len(cookie_value) > 200:
        return None
    token, signature = cookie_value.split(".")
    if not hmac.compare_digest(signature, _signature(secret, token)):
        return None
    return token
