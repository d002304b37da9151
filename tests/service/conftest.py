"""Fixtures of the service tests: an app without converters (fast), and the real pool."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vn_union_docs.documents.spec import read_spec
from vn_union_docs.service.app import create_app
from vn_union_docs.service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TOKEN = "t0ken-for-the-tests-0123456789"
LOOPBACK = ("127.0.0.1", 50000)


def need_libreoffice() -> None:
    """Skip (fail under CI) when LibreOffice or Debian's python3-uno is missing."""
    from vn_union_docs.rendering.pdf import find_soffice
    from vn_union_docs.rendering.pdf_pool import find_uno_python

    missing = None
    if find_soffice() is None:
        missing = "LibreOffice: apt-get install libreoffice-writer-nogui"
    elif find_uno_python() is None:
        missing = "python3-uno: apt-get install python3-uno"
    if missing:
        message = f"resident PDF converters need {missing}"
        (pytest.fail if os.environ.get("CI") else pytest.skip)(message)


def need(tool: str) -> None:
    """Skip (fail under CI) when ``tool`` is not on PATH."""
    if shutil.which(tool) is None:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"this test needs {tool}: apt-get install poppler-utils")


@pytest.fixture(scope="session")
def spec58() -> dict[str, Any]:
    """The 2-page công văn 58/CĐYT as a JSON-ready dict."""
    data = read_spec(EXAMPLES / "58-cdyt-cong-van.yaml")
    return json.loads(json.dumps(data, default=str))


def make_client(tmp: Path | None = None, **overrides: Any) -> TestClient:
    """A TestClient on the loopback, no PDF converters unless ``converters`` is given."""
    settings = ServiceSettings(**{"converters": 0, "token": TOKEN,
                                  **({"job_dir": tmp} if tmp else {}), **overrides})
    return TestClient(create_app(settings), client=LOOPBACK)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app without converters, as a loopback client (no token needed)."""
    with make_client(tmp_path / "jobs") as c:
        yield c


@pytest.fixture(scope="module")
def pdf_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with one real resident converter (LibreOffice through unoserver)."""
    need_libreoffice()
    with make_client(tmp_path_factory.mktemp("jobs"), converters=1,
                     converter_timeout=60) as c:
        if not c.app.state.converters.available:  # type: ignore[attr-defined]
            pytest.fail("the converter pool did not start")
        yield c
