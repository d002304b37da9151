"""Shared test helpers: paths, the spec builder, the .docx text readers, and the rule for
tests that need a real component (LibreOffice, PostgreSQL, SoftHSM2, chromium).

Importable from any test folder (``pythonpath = ["tests"]`` in pyproject):
``from conftest import make_spec, docx_paragraphs``.
"""

from __future__ import annotations

import copy
import io
import os
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest

from vn_union_docs.rendering.ooxml import paragraph_text, w

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SEEDS = ROOT.parent / "shared" / "seeds"

CONG_VAN: dict[str, Any] = {
    "type": "cong_van",
    "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế", "code": "CĐYT"},
    "number": 58, "place": "Thái Bình", "date": "2023-02-23",
    "subject": "thử", "recipients": ["Các CĐCS"], "body": "Nội dung.",
    "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "A"},
    "distribution": ["Như trên"],
}


BATCH_SPEC: dict[str, Any] = {
    "type": "cong_van",
    "issuer": {"name": "Liên đoàn Lao động thành phố Thủ Đức", "code": "LĐLĐ"},
    "number": "{{ so }}",
    "place": "Thủ Đức",
    "date": "2023-03-07",
    "subject": "kết quả của {{ ten }}",
    "recipients": ["Ban Chấp hành {{ ten }}"],
    "body": "Đơn vị {{ ten }}.\n",
    "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Lê Văn Thành"},
    "distribution": ["Như trên"],
}
"""A batch spec filled from a row's ``so`` and ``ten`` (batch tests build on it)."""


def make_spec(base: dict[str, Any] | None = None, /, **changes: Any) -> dict[str, Any]:
    """A copy of ``base`` (default: a short công văn) with keys replaced; ``a__b=`` reaches
    into mappings (``signature__name="B"``)."""
    spec = copy.deepcopy(CONG_VAN if base is None else base)
    for key, value in changes.items():
        target = spec
        *parents, last = key.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return spec


def docx_paragraphs(source: bytes | str | Path) -> list[str]:
    """Every paragraph's text in document order, table cells included (the library's one
    paragraph-text reader)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    body = docx.Document(stream).element.body
    return [paragraph_text(p) for p in body.iter(w("p"))]


def docx_text(source: bytes | str | Path) -> str:
    """The document's text, one paragraph a line."""
    return "\n".join(docx_paragraphs(source))


def need(tool: str, install: str) -> str:
    """The path of ``tool``; skip the test where it is missing, but fail in CI (``CI`` set),
    where ``.ci/run`` installs everything the tests use."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed ({install})"
        if os.environ.get("CI"):
            pytest.fail(f"CI must install it: {message}")
        pytest.skip(message)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """In CI (``CI`` set) a skipped test is a failure: ``.ci/run`` installs and starts every
    component the tests use, so a skip there would hide a missing feature."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every component must be present: {reason}"
