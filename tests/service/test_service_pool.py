"""The resident LibreOffice converters, for real (unoserver under Debian's python3-uno)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vn_union_docs import load_document, render_docx
from vn_union_docs.errors import LibreOfficeError
from vn_union_docs.rendering.pdf_pool import CONVERTERS_ENV, ConverterPool

from .conftest import need, need_libreoffice


def _text(pdf: bytes, tmp_path: Path) -> str:
    need("pdftotext")
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split(")")[-1].split()[0] == "Z")


@pytest.fixture(scope="module")
def pool() -> Any:
    need_libreoffice()
    with ConverterPool(2, timeout=60) as p:
        yield p


@pytest.fixture(scope="module")
def docx58() -> bytes:
    root = Path(__file__).resolve().parents[2]
    return render_docx(load_document(root / "examples" / "58-cdyt-cong-van.yaml"))


def test_converts_and_is_reused(pool: ConverterPool, docx58: bytes, tmp_path: Path) -> None:
    pdf = pool.convert(docx58)
    assert pdf.startswith(b"%PDF") and _pages(pdf) == 2
    text = _text(pdf, tmp_path)
    assert "Số: 58/CĐYT" in text and "Đào Văn Truyền" in text
    before = sum(c.conversions for c in pool._all)
    with ThreadPoolExecutor(4) as ex:  # more callers than converters: they queue
        pdfs = list(ex.map(pool.convert, [docx58] * 6))
    assert all(_pages(p) == 2 for p in pdfs)
    assert sum(c.conversions for c in pool._all) == before + 6
    assert pool.restarts == 0


def test_pdfa(pool: ConverterPool, docx58: bytes) -> None:
    assert b"pdfaid:part" in pool.convert(docx58, pdfa=True)


def test_garbage_is_a_libreoffice_error_not_a_crash(pool: ConverterPool, docx58: bytes
                                                     ) -> None:
    with pytest.raises(LibreOfficeError):
        pool.convert(b"PK\x03\x04 not really a docx" * 10)
    assert _pages(pool.convert(docx58)) == 2  # the converter still works


def test_a_dead_converter_is_restarted(pool: ConverterPool, docx58: bytes) -> None:
    victim = pool._all[0]
    assert victim.process is not None
    os.killpg(victim.process.pid, signal.SIGKILL)
    victim.process.wait()
    restarts = pool.restarts
    pdfs = [pool.convert(docx58) for _ in range(3)]  # one of them meets the dead one
    assert all(_pages(p) == 2 for p in pdfs)
    assert pool.restarts == restarts + 1
    assert all(c.process is not None and c.process.poll() is None for c in pool._all)


def test_a_hung_converter_is_killed_and_restarted_and_close_ends_all(docx58: bytes) -> None:
    need_libreoffice()
    with ConverterPool(1, timeout=60) as p:
        first = p._all[0]
        assert first.process is not None
        # Freeze LibreOffice (SIGSTOP): the call cannot finish in time.
        p.timeout = 2
        soffice = subprocess.run(["pgrep", "-g", str(first.process.pid), "soffice.bin"],
                                 capture_output=True, text=True).stdout.split()
        assert soffice, "no soffice.bin in the converter's process group"
        for pid in soffice:
            os.kill(int(pid), signal.SIGSTOP)
        with pytest.raises(LibreOfficeError, match="treo"):
            p.convert(docx58)
        assert p.restarts == 1
        assert not _alive(first.process.pid)
        p.timeout = 60
        assert _pages(p.convert(docx58)) == 2  # the new converter works
        group = p._all[0].process.pid  # type: ignore[union-attr]
    # Closed: no process of the converter's group is left.
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True).stdout
    assert [pid for pid in left.split() if _alive(int(pid))] == []


def test_converters_die_with_a_killed_owner() -> None:
    need_libreoffice()
    code = ("from vn_union_docs.rendering.pdf_pool import ConverterPool\n"
            "p = ConverterPool(1); p.start()\n"
            "print(p._all[0].process.pid, flush=True)\n"
            "import time; time.sleep(300)\n")
    owner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    group = int(owner.stdout.readline())
    owner.kill()  # SIGKILL: no cleanup code runs in the owner
    owner.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True)
        if not [pid for pid in left.stdout.split() if _alive(int(pid))]:
            return
        time.sleep(0.3)
    pytest.fail(f"converter group {group} outlived its killed owner")


def test_render_and_batch_use_a_running_pool(pool: ConverterPool, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``$VN_UNION_DOCS_CONVERTERS`` sends convert_to_pdf (render/batch --pdf) to the pool."""
    from vn_union_docs.rendering.pdf import convert_to_pdf

    root = Path(__file__).resolve().parents[2]
    docs = []
    for name in ("58-cdyt-cong-van", "12-tb-cdyt-thong-bao"):
        path = tmp_path / f"{name}.docx"
        render_docx(load_document(root / "examples" / f"{name}.yaml"), path)
        docs.append(path)
    monkeypatch.setenv(CONVERTERS_ENV, ",".join(pool.addresses))
    monkeypatch.setenv("VN_UNION_DOCS_SOFFICE", "/nonexistent")  # no soffice of its own
    monkeypatch.setenv("PATH", "/nonexistent")
    out = convert_to_pdf(docs, tmp_path / "pdf")  # no soffice reachable: the pool did it
    assert [p.name for p in out] == ["58-cdyt-cong-van.pdf", "12-tb-cdyt-thong-bao.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in out)
    monkeypatch.setenv(CONVERTERS_ENV, "127.0.0.1:1")
    with pytest.raises(LibreOfficeError):
        convert_to_pdf(docs, tmp_path / "pdf2")


def test_api_pdf_and_batch_pdf(pdf_client: TestClient, spec58: dict[str, Any],
                               tmp_path: Path) -> None:
    import io
    import zipfile

    r = pdf_client.post("/api/render?format=pdf", json=spec58)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert _pages(r.content) == 2
    assert "V/v tiếp tục triển khai" in _text(r.content, tmp_path)
    assert pdf_client.get("/api/health").json()["pdf"] is True
    root = Path(__file__).resolve().parents[2] / "examples" / "batch"
    rows = (root / "cdcs.csv").read_text("utf-8-sig").splitlines()[:4]
    r = pdf_client.post("/api/batch", data={"pdf": "true", "name": "{{ ma_cdcs }}"},
                        files={"spec": ("cv.yaml", (root / "cong_van_cdcs.yaml").read_bytes()),
                               "data": ("d.csv", "\n".join(rows).encode())})
    assert r.status_code == 202, r.text
    for _ in range(600):
        status = pdf_client.get(r.json()["status_url"]).json()
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status["state"] == "done" and status["pdfs"] == 3, status
    names = zipfile.ZipFile(io.BytesIO(pdf_client.get(status["result_url"]).content)).namelist()
    assert {"0101.docx", "0101.pdf", "0103.pdf", "_manifest.csv"} <= set(names)


def test_a_pool_that_cannot_start_says_why_once(docx58: bytes) -> None:
    pool = ConverterPool(1, uno_python="/nonexistent/python3", soffice=sys.executable)
    with pytest.raises(LibreOfficeError, match="không chạy được") as first:
        pool.start()
    with pytest.raises(LibreOfficeError) as second:
        pool.convert(docx58)
    assert second.value is first.value  # remembered, not a second start-up attempt
    assert not pool.available
    pool.close()
