"""The register, signing and edXML through the service, with a real SQLite register and real
PAdES signatures (pyHanko) made with throw-away keys."""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pypdf import PdfReader

from vn_union_docs.service.app import create_app
from vn_union_docs.service.settings import ServiceSettings

from .conftest import EXAMPLES, LOOPBACK

SIGNING = EXAMPLES / "signing"
PASSWORD = "mật khẩu thử"


def _document_xml(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml").decode()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from vn_union_docs.signing import demo

    pki = demo.make_pki()
    folder = tmp_path_factory.mktemp("keys")
    paths = {}
    for who in ("signer", "organisation"):
        paths[who] = folder / f"{who}.p12"
        paths[who].write_bytes(pki.certs[who].pkcs12(PASSWORD))
    return paths


@pytest.fixture
def registered(tmp_path: Path, keys: dict[str, Path]) -> Iterator[TestClient]:
    settings = ServiceSettings(converters=0, job_dir=tmp_path / "jobs",
                               register_target=str(tmp_path / "so.sqlite"),
                               sign_key=keys["signer"], sign_password=SecretStr(PASSWORD))
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        yield client


@pytest.fixture
def auto_spec(spec58: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec58)
    spec["number"] = "auto"
    spec["issuer"]["organ_id"] = "000.01.23.H56"
    return spec


def test_auto_numbers_come_from_the_register_and_are_recorded(
        registered: TestClient, auto_spec: dict[str, Any]) -> None:
    first = registered.post("/api/render?format=docx&file=cv-a.docx", json=auto_spec)
    assert first.status_code == 200, first.text
    assert "Số: 01/CĐYT" in _document_xml(first.content)
    assert "01" in first.headers["content-disposition"]
    second = registered.post("/api/render?format=docx", json=auto_spec)
    assert "Số: 02/CĐYT" in _document_xml(second.content)
    again = registered.post("/api/render?format=docx&file=cv-a.docx", json=auto_spec)
    assert "Số: 01/CĐYT" in _document_xml(again.content)  # same file: same number

    listed = registered.get("/api/register/2023")
    assert listed.status_code == 200
    rows = {row["number"]: row for row in listed.json()}
    assert set(rows) == {"01/CĐYT", "02/CĐYT"}
    assert rows["01/CĐYT"]["state"] == "issued"
    assert rows["01/CĐYT"]["file_name"] == "cv-a.docx"
    assert rows["01/CĐYT"]["sha256"] == hashlib.sha256(again.content).hexdigest()
    assert rows["02/CĐYT"]["sha256"] == hashlib.sha256(second.content).hexdigest()
    assert registered.get("/api/register/2024").json() == []


def test_cancel_and_export(registered: TestClient, auto_spec: dict[str, Any]) -> None:
    for _ in range(2):
        assert registered.post("/api/render", json=auto_spec).status_code == 200
    cancelled = registered.post("/api/register/2023/cancel",
                                json={"number": "02/CĐYT", "reason": "ký sai thẩm quyền"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    twice = registered.post("/api/register/2023/cancel",
                            json={"number": "02/CĐYT", "reason": "lần nữa"})
    assert twice.status_code == 422 and "đã hủy" in twice.text
    unknown = registered.post("/api/register/2023/cancel",
                              json={"number": "09/CĐYT", "reason": "x"})
    assert unknown.status_code == 422 and "không có số 09/CĐYT" in unknown.text
    # A cancelled number is never given again.
    third = registered.post("/api/render", json=auto_spec)
    assert "Số: 03/CĐYT" in _document_xml(third.content)

    xlsx = registered.get("/api/register/2023/export?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert any("01/CĐYT" in str(c) or c == "01" for c in cells)
    docx = registered.get("/api/register/2023/export?format=docx")
    assert docx.status_code == 200 and "ký sai thẩm quyền" in _document_xml(docx.content)
    empty = registered.get("/api/register/2030/export?format=docx")
    assert empty.status_code == 422 and "chưa có văn bản nào" in empty.text


def test_without_a_register(spec58: dict[str, Any], tmp_path: Path) -> None:
    settings = ServiceSettings(converters=0, job_dir=tmp_path)
    spec = {**spec58, "number": "auto"}
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        refused = client.post("/api/render", json=spec)
        assert refused.status_code == 422
        assert refused.json()["problems"][0]["path"] == "number"
        assert "--register" in refused.json()["problems"][0]["message"]
        assert client.get("/api/register/2023").status_code == 404
        sign = client.post("/api/sign", files={"file": ("a.pdf", b"%PDF-1.4")},
                           data={"role": "signer"})
        assert sign.status_code == 404 and "--sign-key" in sign.text


def test_a_file_name_is_never_a_path(registered: TestClient, auto_spec: dict[str, Any]) -> None:
    for bad in ("../x.docx", "a/b.docx", "..", "C:\\x.docx"):
        response = registered.post("/api/render", params={"file": bad}, json=auto_spec)
        assert response.status_code == 422, bad
    assert registered.get("/api/register/2023").json() == []  # nothing allocated


def test_sign_then_check_the_signature(registered: TestClient) -> None:
    draft = (SIGNING / "58-cdyt-du-thao.pdf").read_bytes()
    signed = registered.post("/api/sign", files={
        "file": ("58-du-thao.pdf", draft, "application/pdf"),
        "image": ("signature.png", (SIGNING / "signature.png").read_bytes(), "image/png")},
        data={"role": "signer"})
    assert signed.status_code == 200, signed.text
    assert signed.content.startswith(b"%PDF") and len(signed.content) > len(draft)
    assert signed.content[: len(draft)] == draft  # an incremental update
    from vn_union_docs.signing import verify_pdf

    (report,) = verify_pdf(signed.content)
    assert report.role is not None and report.role.value == "signer"
    assert report.intact and report.valid

    checked = registered.post("/api/check", files={"file": ("x.pdf", signed.content)})
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["kind"] == "pdf"
    assert [s["role"] for s in body["signatures"]] == ["signer"]
    assert body["signatures"][0]["valid"] is True
    rules = {f["rule"] for f in body["findings"]}
    assert any(rule.startswith("signature.") for rule in rules)

    unsigned = registered.post("/api/check", files={"file": ("x.pdf", draft)}).json()
    assert unsigned["signatures"] == []
    assert "signature.none" in {f["rule"] for f in unsigned["findings"]}

    # The same role twice, a role that does not exist, not a PDF: 422, nothing signed.
    twice = registered.post("/api/sign", files={
        "file": ("s.pdf", signed.content),
        "image": ("signature.png", (SIGNING / "signature.png").read_bytes())},
        data={"role": "signer"})
    assert twice.status_code == 422
    assert registered.post("/api/sign", files={"file": ("s.pdf", draft)},
                           data={"role": "boss"}).status_code == 422
    assert registered.post("/api/sign", files={"file": ("s.pdf", b"not a pdf")},
                           data={"role": "signer"}).status_code == 422


def test_a_request_cannot_name_a_key(registered: TestClient) -> None:
    """Fields other than the form's are ignored: the key is the server's."""
    draft = (SIGNING / "58-cdyt-du-thao.pdf").read_bytes()
    response = registered.post("/api/sign", files={
        "file": ("d.pdf", draft),
        "image": ("signature.png", (SIGNING / "signature.png").read_bytes())},
        data={"role": "signer", "key": "/etc/shadow", "password": "x"})
    assert response.status_code == 200
    openapi = registered.get("/openapi.json").json()
    fields = openapi["paths"]["/api/sign"]["post"]["requestBody"]["content"][
        "multipart/form-data"]["schema"]["properties"]
    assert "key" not in fields and "password" not in fields


def test_edxml_envelope_of_a_registered_number(
        registered: TestClient, auto_spec: dict[str, Any]) -> None:
    rendered = registered.post("/api/render?file=cv.docx", json=auto_spec)
    assert rendered.status_code == 200
    draft = (SIGNING / "58-cdyt-du-thao.pdf").read_bytes()
    signed = registered.post("/api/sign", files={
        "file": ("d.pdf", draft),
        "image": ("signature.png", (SIGNING / "signature.png").read_bytes())},
        data={"role": "signer"}).content
    import json

    response = registered.post("/api/register/2023/edxml", files={
        "pdf": ("01-cdyt.pdf", signed, "application/pdf")}, data={
        "number": "01/CĐYT", "spec": json.dumps(auto_spec, ensure_ascii=False),
        "to": ["000.00.00.G22=Tổng Liên đoàn Lao động Việt Nam"]})
    assert response.status_code == 200, response.text
    from vn_union_docs.exchange import read, verify

    subject = verify(response.content)
    assert "Đào Văn Truyền" in subject or subject
    envelope = read(response.content)
    assert envelope.number == 1 and envelope.notation.upper() == "CĐYT"
    assert envelope.attachments[0].data == signed
    assert [r.organ_id for r in envelope.recipients] == ["000.00.00.G22"]
    # An unsigned PDF is refused (NĐ 30/2020, Điều 17.2).
    refused = registered.post("/api/register/2023/edxml", files={
        "pdf": ("01-cdyt.pdf", draft, "application/pdf")}, data={
        "number": "01/CĐYT", "spec": json.dumps(auto_spec, ensure_ascii=False),
        "to": ["000.00.00.G22=Tổng Liên đoàn Lao động Việt Nam"]})
    assert refused.status_code == 422 and "chưa được ký số" in refused.text
    pages = len(PdfReader(io.BytesIO(signed)).pages)
    assert pages >= 1


def test_clerks_rendering_at_once_never_share_a_number(
        registered: TestClient, auto_spec: dict[str, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> str:
        response = registered.post(f"/api/render?file=cv-{i}.docx", json=auto_spec)
        assert response.status_code == 200, response.text
        import re

        found = re.search(r"Số: \d+/CĐYT", _document_xml(response.content))
        assert found is not None
        return found.group(0)

    with ThreadPoolExecutor(8) as pool:
        printed = list(pool.map(one, range(24)))
    assert sorted(printed) == [f"Số: {n:02d}/CĐYT" for n in range(1, 25)]
    rows = registered.get("/api/register/2023").json()
    assert len(rows) == 24 and all(r["state"] == "issued" and r["sha256"] for r in rows)
