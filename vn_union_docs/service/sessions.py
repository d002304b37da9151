"""The session cookie of a browser logged in at ``/login`` (see :mod:`.login`).

Its value is ``EXPIRY.HMAC-SHA256(token, EXPIRY)``: not the token, ending by itself, and
ended for everyone when the token changes. Kept apart from the login page so that the
token check (``responses.token_problem``) needs nothing from the web page.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["COOKIE", "SESSION_SECONDS", "session_value", "valid_session"]

#: Name of the session cookie.
COOKIE = "vn_union_docs_session"
#: How long a login lasts (a working day).
SESSION_SECONDS = 12 * 3600


def session_value(token: str, expires: int) -> str:
    """The cookie for a session of ``token`` ending at ``expires`` (Unix time)."""
    mac = hmac.new(token.encode(), f"vn-union-docs-session:{expires}".encode(), hashlib.sha256)
    return f"{expires}.{mac.hexdigest()}"


def valid_session(value: str | None, token: str, now: float | None = None) -> bool:
    """Whether a cookie value is an unexpired session of ``token``."""
    if not value or "." not in value or len(value) > 200:
        return False
    expires_text, _, _ = value.partition(".")
    if not expires_text.isdigit():
        return False
    expires = int(expires_text)
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(value.encode(), session_value(token, expires).encode())
