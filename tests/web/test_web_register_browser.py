"""End to end in Debian's chromium: a service with a real SQLite register that asks for the
token even on the loopback (as for another machine): the clerk logs in, composes a công văn
with «Tự động lấy số từ sổ đăng ký», downloads it, and the register holds the number, the
file name and the sha256 of the file downloaded."""

from __future__ import annotations

import hashlib
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import docx_text

from vn_union_docs.register import Register
from vn_union_docs.service.settings import ServiceSettings

from .conftest import running
from .test_web_browser import _download, _el, _type, _wait, fill_cong_van

TOKEN = "browser-login-token-0123456789"


@pytest.fixture
def registered_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """uvicorn on the loopback, no converters (downloads of .docx only), a SQLite register,
    the token required from every client."""
    db = tmp_path / "so-van-ban-di.sqlite"
    settings = ServiceSettings(converters=0, token=TOKEN, require_token_everywhere=True,
                               register_target=str(db), job_dir=tmp_path / "jobs")
    with running(settings) as (url, _app):
        yield url, db


def test_login_then_a_number_from_the_register(
        registered_server: tuple[str, Path], browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    server, db = registered_server
    browser.get(server + "/")
    _wait(lambda: "/login" in browser.current_url, message="the login form")
    with pytest.raises(urllib.error.HTTPError):  # the API without the cookie or the header
        urllib.request.urlopen(server + "/api/types")
    _type(browser, "#token", "sai-ma-truy-cap")
    _el(browser, "#login-submit").click()
    assert "không đúng" in _wait(lambda: browser.find_elements("css selector", "#login-error"),
                                 message="the wrong-token message")[0].text
    _type(browser, "#token", TOKEN + Keys.ENTER)
    _wait(lambda: browser.find_elements("css selector", "#f-type"), message="the page")
    # The session cookie is HttpOnly: no script on the page can read it.
    assert "vn_union_docs_session" not in browser.execute_script("return document.cookie")

    fill_cong_van(browser, None, ["Các Công đoàn cơ sở trực thuộc"],
                  "Đề nghị các đơn vị báo cáo trước ngày 20/3/2026.", "Như trên")
    # Typing and previewing allocate nothing: the number is given on download.
    _wait(lambda: _el(browser, "output[data-line=number_line]").text.startswith("Số:"),
          message="the number line")
    time.sleep(1.0)
    with Register(str(db)) as register:
        assert register.entries(year=2026) == []

    before = {p.name for p in browser.downloads.glob("*")}
    _el(browser, "#download-docx").click()
    path = _download(browser, ".docx", before)
    assert path.name == "01-CĐYT.docx"
    assert "Số: 01/CĐYT" in docx_text(path.read_bytes())
    with Register(str(db)) as register:
        (entry,) = register.entries(year=2026)
    assert (entry.text, entry.state, entry.file_name) == ("01/CĐYT", "issued", "01-CĐYT.docx")
    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.subject == "tổ chức Tháng Công nhân năm 2026"

    # A second download is a second document: the next number.
    before = {p.name for p in browser.downloads.glob("*")}
    _el(browser, "#download-docx").click()
    assert _download(browser, ".docx", before).name == "02-CĐYT.docx"
    # No script error and no failed request, but the wrong token's own 401 at /login.
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
            and "/login - " not in e["message"]] == []
