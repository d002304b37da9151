"""Logging in from another machine's browser (``GET/POST /login``, ``POST /logout``).

The service asks clients that are not on the loopback for the API token. Programs send it as
``Authorization: Bearer …``; a browser opening the page cannot, so ``/login`` takes the token
in a form and sets a session cookie the service accepts as well as the header:
``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page can make the
browser send it, so no cross-site request forgery), ``Secure`` when the page came over HTTPS.

The cookie is not the token: it is ``EXPIRY.HMAC-SHA256(token, EXPIRY)``, so it ends after
:data:`SESSION_SECONDS`, and changing the token ends every session.
"""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vn_union_docs.service.sessions import COOKIE, SESSION_SECONDS, session_value

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

def _safe_next(target: str | None) -> str:
    """Only a path on this service (``/batch``), never another site (``//evil``, ``/\\evil``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(c in target for c in "\r\n\\") or len(target) > 500:
        return "/"
    return target


def _login_page(next_path: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    from vn_union_docs.service.web import _page

    response = _page("login.html", next=_safe_next(next_path), error=error)
    response.status_code = status
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(next: str = "/") -> HTMLResponse:
    """The login form (Vietnamese)."""
    return _login_page(next)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=1000)],
          next: Annotated[str, Form(max_length=1000)] = "/") -> Response:
    """Check the token; on success set the session cookie and go to ``next``."""
    expected: str | None = request.app.state.settings.token
    if expected is None or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        message = ("máy chủ chưa đặt mã truy cập; người quản trị hãy chạy serve với --token-env"
                   if expected is None else "mã truy cập không đúng")
        return _login_page(next, message, status=401)
    expires = int(time.time()) + SESSION_SECONDS
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, session_value(expected, expires), max_age=SESSION_SECONDS,
                        path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout() -> Response:
    """End the session (the cookie is removed)."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
