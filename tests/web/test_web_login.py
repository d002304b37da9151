"""Logging in from another machine: the token in a form, then an HttpOnly SameSite=Strict
session cookie the service accepts as well as the Authorization header."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from vn_union_docs.service.app import create_app
from vn_union_docs.service.sessions import COOKIE, SESSION_SECONDS, session_value, valid_session
from vn_union_docs.service.settings import ServiceSettings

TOKEN = "another-machine-token-0123456789"
REMOTE = ("10.0.0.5", 40000)


def _client(tmp_path: Path, token: str | None = TOKEN) -> TestClient:
    settings = ServiceSettings(converters=0, token=token, job_dir=tmp_path / "jobs")
    return TestClient(create_app(settings), client=REMOTE, follow_redirects=False)


def test_the_page_sends_a_browser_to_the_login_form(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        page = client.get("/batch?x=1")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fbatch%3Fx%3D1"
        form = client.get("/login?next=/batch")
        assert form.status_code == 200
        assert 'name="token"' in form.text and 'type="password"' in form.text
        assert 'value="/batch"' in form.text
        assert "Đăng nhập" in form.text
        assert client.get("/web/static/style.css").status_code == 200  # the form's style
        assert client.get("/api/types").status_code == 401  # the API still answers 401


def test_login_sets_a_strict_httponly_cookie_the_api_accepts(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        wrong = client.post("/login", data={"token": "nope", "next": "/batch"})
        assert wrong.status_code == 401 and "không đúng" in wrong.text
        assert COOKIE not in wrong.cookies
        ok = client.post("/login", data={"token": TOKEN, "next": "/batch"})
        assert ok.status_code == 303 and ok.headers["location"] == "/batch"
        header = ok.headers["set-cookie"]
        assert header.startswith(COOKIE + "=")
        assert "HttpOnly" in header and "SameSite=strict" in header.replace("Strict", "strict")
        assert "Secure" not in header  # plain http on the office network
        assert TOKEN not in header  # the cookie is not the token
        # The client keeps the cookie: the page and the API now answer.
        assert client.get("/").status_code == 200
        assert client.get("/api/types").status_code == 200
        assert client.post("/web/api/inspect", json={"spec": {"type": "cong_van"}}
                           ).status_code == 200
        out = client.post("/logout")
        assert out.status_code == 303
        client.cookies.clear()
        assert client.get("/api/types").status_code == 401


def test_a_forged_expired_or_foreign_cookie_is_refused(tmp_path: Path) -> None:
    now = int(time.time())
    assert valid_session(session_value(TOKEN, now + 60), TOKEN)
    assert not valid_session(session_value(TOKEN, now - 1), TOKEN)  # expired
    assert not valid_session(session_value("other-token-0123456789", now + 60), TOKEN)
    assert not valid_session(f"{now + 60}.{'0' * 64}", TOKEN)
    assert not valid_session("garbage", TOKEN)
    assert not valid_session(TOKEN, TOKEN)  # the token itself is not a session
    with _client(tmp_path) as client:
        client.cookies.set(COOKIE, session_value(TOKEN, now - 5))
        assert client.get("/api/types").status_code == 401
        client.cookies.set(COOKIE, session_value(TOKEN, now + SESSION_SECONDS))
        assert client.get("/api/types").status_code == 200


def test_next_never_leaves_the_service(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example",
                       "javascript:alert(1)"):
            response = client.post("/login", data={"token": TOKEN, "next": target})
            assert response.headers["location"] == "/", target


def test_without_a_token_the_login_says_why(tmp_path: Path) -> None:
    with _client(tmp_path, token=None) as client:
        response = client.post("/login", data={"token": "anything-at-all-123"})
        assert response.status_code == 401 and "--token-env" in response.text
