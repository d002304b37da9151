"""Fixtures of the web page tests: the app on a TestClient, a real uvicorn server with one
resident converter, and Debian's chromium driven through chromium-driver (Selenium).

Selenium rather than Playwright: Debian's ``chromium-driver`` is built from the same source as
its ``chromium``, so the two always match, and Selenium talks to it over plain W3C WebDriver.
Playwright's Python package ships its own Node driver pinned to the Chromium builds it
downloads; pointed at Debian's chromium with ``executable_path`` it works but is outside what
it supports, and its browser download is impossible here.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import need
from fastapi.testclient import TestClient

from vn_union_docs.service.app import create_app
from vn_union_docs.service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
LOOPBACK = ("127.0.0.1", 50001)
CHROMIUM = os.environ.get("VN_UNION_DOCS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("VN_UNION_DOCS_CHROMEDRIVER", "/usr/bin/chromedriver")


def _missing(message: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(message)


def need_libreoffice() -> None:
    """Skip (fail under CI) when LibreOffice or Debian's python3-uno is missing."""
    from vn_union_docs.rendering.pdf import find_soffice
    from vn_union_docs.rendering.pdf_pool import find_uno_python

    if find_soffice() is None:
        _missing("the preview needs LibreOffice: apt-get install libreoffice-writer-nogui")
    elif find_uno_python() is None:
        _missing("the resident converters need python3-uno: apt-get install python3-uno")


def need_chromium() -> None:
    """Skip (fail under CI) without Debian's chromium and chromium-driver."""
    need(CHROMIUM, "apt-get install chromium")
    need(CHROMEDRIVER, "apt-get install chromium-driver")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app without converters, as a loopback client."""
    settings = ServiceSettings(converters=0, job_dir=tmp_path / "jobs")
    with TestClient(create_app(settings), client=LOOPBACK) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running(settings: ServiceSettings) -> Iterator[tuple[str, Any]]:
    """The service's app on uvicorn, 127.0.0.1, a free port: yields its base URL and app."""
    import uvicorn

    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning",
                            lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 90
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}", app
    finally:
        srv.should_exit = True
        thread.join(60)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``vn-union-docs serve``'s app on uvicorn, 127.0.0.1, a free port, one resident
    converter; yields its base URL."""
    need_libreoffice()
    settings = ServiceSettings(converters=1, converter_timeout=60,
                               job_dir=tmp_path_factory.mktemp("jobs"))
    with running(settings) as (url, app):
        if not app.state.converters.available:
            pytest.fail("the resident converter did not start")
        yield url


def make_browser(download_dir: Path, width: int = 1366, height: int = 768) -> Any:
    """Headless Debian chromium through chromium-driver, downloads into ``download_dir``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--lang=vi-VN", f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir),
        "download.prompt_for_download": False,
        "intl.accept_languages": "vi-VN,vi",
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(download_dir)})
    set_viewport(driver, width, height)
    return driver


def set_viewport(driver: Any, width: int, height: int, mobile: bool = False) -> None:
    """The page's viewport exactly ``width`` × ``height`` CSS pixels (screenshots)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A fresh headless chromium (own profile: no draft left from another test)."""
    need_chromium()
    driver = make_browser(tmp_path / "downloads")
    driver.downloads = tmp_path / "downloads"
    try:
        yield driver
    finally:
        driver.quit()
