"""The JSON API through FastAPI's TestClient (no PDF converter: fast)."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vn_union_docs import __version__, load_document, render_docx
from vn_union_docs.documents.doc_types import DOCUMENT_ADAPTER

from .conftest import EXAMPLES, TOKEN, make_client

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def problems(response: Any) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"detail", "problems"}
    return {p["path"]: p["message"] for p in body["problems"]}


# --- render -------------------------------------------------------------------------------

def test_render_docx_is_the_librarys_bytes(client: TestClient, spec58: dict[str, Any]) -> None:
    r = client.post("/api/render", json=spec58)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX
    assert "cong_van-58.docx" in r.headers["content-disposition"]
    expected = render_docx(load_document(EXAMPLES / "58-cdyt-cong-van.yaml"))
    assert hashlib.sha256(r.content).digest() == hashlib.sha256(expected).digest()
    assert client.post("/api/render?format=docx", json=spec58).content == r.content


def test_repeated_keys_and_overlong_numbers_are_refused_by_key(
        client: TestClient, spec58: dict[str, Any]) -> None:
    # As `vn-union-docs render` refuses them (a review found the service rendering the
    # second "number" of a JSON body).
    raw = json.dumps(spec58, ensure_ascii=False)[:-1] + ', "number": 99}'
    r = client.post("/api/render", content=raw.encode(),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "hai lần" in problems(r)["number"]
    raw = json.dumps({**spec58, "number": 1})[:-1].replace('"number": 1', '"number": ' + "9" * 5000)
    r = client.post("/api/render", content=(raw + "}").encode(),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "number_digits" in problems(r)["number"]


def test_bad_spec_gives_422_with_the_librarys_problems(client: TestClient,
                                                       spec58: dict[str, Any]) -> None:
    bad = {**spec58, "signature": {"capacity": "T/M BAN THƯỜNG VỤ", "name": "A"},
           "nguoi_ky": "x"}
    r = client.post("/api/render", json=bad)
    assert r.status_code == 422
    found = problems(r)
    assert "TM." in found["signature.capacity"]
    assert "nguoi_ky" in found and "không có" in found["nguoi_ky"]
    r = client.post("/api/render", json={**spec58, "date": "2023-02-30"})
    assert r.status_code == 422
    assert "không có thật" in " ".join(problems(r).values())


@pytest.mark.parametrize("body, fragment", [
    (b"", "thiếu nội dung"),
    (b"{not json", "JSON sai cú pháp"),
    (b"[1, 2]", "đối tượng JSON"),
    (b'{"number": NaN}', "NaN"),
    (b"[" * 100_000 + b"]" * 100_000, "lồng nhau"),
])
def test_unreadable_json_is_422(client: TestClient, body: bytes, fragment: str) -> None:
    r = client.post("/api/render", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert fragment in r.json()["problems"][0]["message"]


def test_spec_over_1_mb_is_413(client: TestClient, spec58: dict[str, Any]) -> None:
    big = {**spec58, "body": "Đoạn văn. " * 120_000}
    r = client.post("/api/render", json=big)
    assert r.status_code == 413
    assert "1.000.000" in r.json()["problems"][0]["message"]


def test_chunked_body_without_length_is_bounded(tmp_path: Path) -> None:
    with make_client(tmp_path, max_upload_bytes=1000, max_spec_bytes=500) as c:
        def chunks() -> Any:
            for _ in range(10_000):
                yield b" " * 1000
        r = c.post("/api/render", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_a_spec_cannot_name_a_server_path(client: TestClient, spec58: dict[str, Any]) -> None:
    for value in ("/etc/passwd", "../templates/cong_van.docx", "C:\\x.docx", "khong_co"):
        r = client.post("/api/render", json={**spec58, "template": value})
        assert r.status_code == 422, value
        assert "template" in problems(r)
    r = client.post("/api/render", json={**spec58, "template": "cong_van"})
    assert r.status_code == 200


def test_templates_folder_is_served_by_name(tmp_path: Path, spec58: dict[str, Any]) -> None:
    from vn_union_docs.rendering.templates import default_template

    folder = tmp_path / "mau"
    folder.mkdir()
    (folder / "rieng.docx").write_bytes(default_template("cong_van").read_bytes())
    with make_client(tmp_path, templates_dir=folder) as c:
        names = {t["name"]: t for t in c.get("/api/templates").json()}
        assert names["rieng"] == {"name": "rieng", "type": "cong_van", "builtin": False}
        assert names["cong_van"]["builtin"] is True
        assert c.post("/api/render", json={**spec58, "template": "rieng"}).status_code == 200


def test_pdf_without_converters_is_503_in_json(client: TestClient, spec58: dict[str, Any]
                                               ) -> None:
    r = client.post("/api/render?format=pdf", json=spec58)
    assert r.status_code == 503
    assert "pdf" in problems(r)


def test_bad_query_parameter_is_422_in_vietnamese(client: TestClient,
                                                  spec58: dict[str, Any]) -> None:
    r = client.post("/api/render?format=odt", json=spec58)
    assert r.status_code == 422
    assert "phải là một trong" in problems(r)["format"]


def test_render_with_an_uploaded_template(client: TestClient, spec58: dict[str, Any]) -> None:
    from vn_union_docs.rendering.templates import default_template

    raw = default_template("cong_van").read_bytes()
    r = client.post("/api/render", data={"spec": json.dumps(spec58)},
                    files={"template": ("mau.docx", raw, DOCX)})
    assert r.status_code == 200, r.text
    assert zipfile.ZipFile(io.BytesIO(r.content)).testzip() is None
    # A template for another type is refused by its template check.
    other = default_template("ke_hoach").read_bytes()
    r = client.post("/api/render", data={"spec": json.dumps(spec58)},
                    files={"template": ("mau.docx", other, DOCX)})
    assert r.status_code == 422
    assert "template" in problems(r)


# --- safety of uploads ---------------------------------------------------------------------

def _docx_with(name: str, data: bytes, base: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w",
                                                                   zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr(name, data)
    return out.getvalue()


def test_xml_entity_tricks_are_refused(client: TestClient, spec58: dict[str, Any]) -> None:
    base = render_docx(load_document(spec58))
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><a>&lol2;</a>')
    evil = _docx_with("word/evil.xml", laughs, base)
    r = client.post("/api/check", files={"file": ("x.docx", evil, DOCX)})
    assert r.status_code == 422
    assert "DOCTYPE" in problems(r)["file"]


def test_zip_bombs_are_refused(client: TestClient, spec58: dict[str, Any]) -> None:
    base = render_docx(load_document(spec58))
    bomb = _docx_with("word/media/pad.bin", b"\0" * 50_000_000, base)
    assert len(bomb) < 200_000
    r = client.post("/api/check", files={"file": ("x.docx", bomb, DOCX)})
    assert r.status_code == 413
    assert "bom nén" in problems(r)["file"]


def test_upload_over_the_limit_is_413(tmp_path: Path) -> None:
    with make_client(tmp_path, max_upload_bytes=10_000) as c:
        r = c.post("/api/check", files={"file": ("x.pdf", b"%PDF" + b"0" * 20_000)})
        assert r.status_code == 413


# --- check ---------------------------------------------------------------------------------

def test_check_a_spec(client: TestClient, spec58: dict[str, Any]) -> None:
    bad = {**spec58, "body": "# I. Mục đích\n\nNgày 30/02/2023 họp."}
    r = client.post("/api/check", json=bad)
    assert r.status_code == 200
    result = r.json()
    assert result["kind"] == "spec" and result["errors"] >= 1
    rules = {f["rule"] for f in result["findings"]}
    assert {"heading-numbered", "date-impossible"} <= rules, rules
    assert all(f["source"] for f in result["findings"])  # each cites its legal source


def test_check_an_uploaded_docx(client: TestClient, spec58: dict[str, Any]) -> None:
    data = render_docx(load_document(spec58))
    r = client.post("/api/check", files={"file": ("58.docx", data, DOCX)})
    assert r.status_code == 200
    assert r.json()["kind"] == "docx"
    assert r.json()["errors"] == 0, r.json()


def test_check_a_broken_docx_and_a_pdf_without_text(client: TestClient) -> None:
    r = client.post("/api/check", files={"file": ("x.docx", b"PK\x03\x04broken")})
    assert r.status_code == 422
    r = client.post("/api/check", files={"file": ("x.pdf", b"%PDF-1.4 nothing")})
    assert r.status_code == 200
    assert r.json()["findings"][0]["rule"] == "unreadable"


def test_check_a_pdf_reads_its_text(client: TestClient) -> None:
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import NameObject

    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    stream = pypdf.generic.DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 10 100 Td (Ngay 30/02/2023 hop) Tj ET")
    font = pypdf.generic.DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")})
    page = writer.pages[0]
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = pypdf.generic.DictionaryObject({
        NameObject("/Font"): pypdf.generic.DictionaryObject({NameObject("/F1"): font})})
    buf = io.BytesIO()
    writer.write(buf)
    r = client.post("/api/check", files={"file": ("x.pdf", buf.getvalue(), "application/pdf")})
    assert r.status_code == 200
    assert r.json()["kind"] == "pdf"
    assert "date-impossible" in {f["rule"] for f in r.json()["findings"]}


def test_template_check_of_an_upload(client: TestClient) -> None:
    from vn_union_docs.rendering.templates import default_template

    raw = default_template("thong_bao").read_bytes()
    r = client.post("/api/templates/check?type=thong_bao", files={"file": ("t.docx", raw)})
    assert r.status_code == 200 and r.json()["errors"] == 0
    r = client.post("/api/templates/check?type=cong_van", files={"file": ("t.docx", raw)})
    assert r.json()["errors"] >= 1
    assert "wrong-type" in {f["code"] for f in r.json()["findings"]}


# --- schema, lists, OpenAPI ----------------------------------------------------------------

def test_schema_is_the_models_schema(client: TestClient) -> None:
    r = client.get("/api/schema")
    assert r.status_code == 200
    schema = r.json()
    assert schema["oneOf"] == DOCUMENT_ADAPTER.json_schema()["oneOf"]
    assert schema["title"] == "vn-union-docs spec"


def test_types_and_templates(client: TestClient) -> None:
    types = {t["type"]: t for t in client.get("/api/types").json()}
    assert types["ke_hoach"]["abbreviation"] == "KH"
    assert types["thong_bao"]["name"] == "thông báo"
    names = [t["name"] for t in client.get("/api/templates").json()]
    assert {"cong_van", "van_ban", "quyet_dinh"} <= set(names)  # one template per form


def test_openapi_carries_the_version_and_the_spec_schema(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["version"] == __version__
    schemas = doc["components"]["schemas"]
    assert {"Spec", "CongVan", "KeHoach", "ThongBao", "ErrorResponse"} <= set(schemas)
    render = doc["paths"]["/api/render"]["post"]
    assert render["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Spec"}
    assert {"401", "413", "422"} <= set(render["responses"])


def test_unknown_path_is_json_404(client: TestClient) -> None:
    r = client.get("/api/khong-co")
    assert r.status_code == 404
    assert problems(r)


# --- token ---------------------------------------------------------------------------------

def test_token_required_off_the_loopback(tmp_path: Path, spec58: dict[str, Any]) -> None:
    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    app = create_app(ServiceSettings(converters=0, token=TOKEN, job_dir=tmp_path))
    with TestClient(app, client=("203.0.113.7", 4000)) as remote:
        r = remote.post("/api/render", json=spec58)
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert "Authorization" in problems(r)
        r = remote.post("/api/render", json=spec58, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401
        r = remote.post("/api/render", json=spec58,
                        headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200
    # No token configured: only the loopback is served.
    app = create_app(ServiceSettings(converters=0, job_dir=tmp_path))
    with TestClient(app, client=("10.0.0.5", 4000)) as remote:
        assert remote.get("/api/types").status_code == 401
    with TestClient(app, client=("::1", 4000)) as local:
        assert local.get("/api/types").status_code == 200


def test_require_token_everywhere(tmp_path: Path) -> None:
    with make_client(tmp_path, require_token_everywhere=True) as c:
        assert c.get("/api/types").status_code == 401
        assert c.get("/api/types", headers={"X-API-Token": TOKEN}).status_code == 200


def test_cors_origin(tmp_path: Path) -> None:
    with make_client(tmp_path, cors_origins=["https://eoffice.example.vn"]) as c:
        r = c.options("/api/render", headers={"Origin": "https://eoffice.example.vn",
                                              "Access-Control-Request-Method": "POST"})
        assert r.headers["access-control-allow-origin"] == "https://eoffice.example.vn"
        r = c.get("/api/types", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


# --- batch ---------------------------------------------------------------------------------

def _wait(client: TestClient, url: str) -> dict[str, Any]:
    for _ in range(300):
        status = client.get(url).json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {status}")


def test_batch_job_gives_a_zip_with_manifest_and_errors(client: TestClient) -> None:
    rows = (EXAMPLES / "batch" / "cdcs.csv").read_text("utf-8-sig").splitlines()
    cells = rows[3].split(";")
    cells[5] = "nhiều"  # chi_tieu is not a number: row 4 fails
    rows[3] = ";".join(cells)
    data = ("\n".join(rows) + "\n").encode("utf-8")
    spec = (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_bytes()
    r = client.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("cdcs.csv", data)},
                    data={"name": "{{ ma_cdcs }}"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == job["status_url"]
    assert client.get(f"{job['status_url']}/result").status_code in (200, 409)
    status = _wait(client, job["status_url"])
    assert status["state"] == "done", status
    assert status["written"] == len(rows) - 2 and status["failed_rows"] == [4]
    assert status["problems"][0]["row"] == 4
    z = zipfile.ZipFile(io.BytesIO(client.get(status["result_url"]).content))
    names = z.namelist()
    assert "_manifest.csv" in names and "_errors.csv" in names
    assert [n for n in names if n.startswith(".")] == []  # the batch's state is not sent
    assert "0101.docx" in names and len([n for n in names if n.endswith(".docx")]) == len(
        rows) - 2
    assert "dòng" in z.read("_errors.csv").decode("utf-8-sig") or z.read("_errors.csv")


def test_batch_refuses_bad_inputs_at_once(client: TestClient) -> None:
    spec = (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_bytes()
    data = (EXAMPLES / "batch" / "cdcs.csv").read_bytes()
    wrong = b"ma;ten\n1;A\n"
    r = client.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.csv", wrong)})
    assert r.status_code == 422 and r.json()["problems"]
    r = client.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.exe", data)})
    assert r.status_code == 422 and "data" in problems(r)
    r = client.post("/api/batch", files={"spec": ("cv.yaml", b"type: [\n"),
                                         "data": ("d.csv", data)})
    assert r.status_code == 422
    r = client.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.csv", data)},
                    data={"name": "../{{ ma_cdcs }}"})
    assert r.status_code == 202  # names are checked row by row: the job reports them
    status = _wait(client, r.json()["status_url"])
    assert status["written"] == 0 and status["problems"], status
    r = client.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.csv", data)},
                    data={"pdf": "true"})
    assert r.status_code == 503  # no converter in this app
    assert client.get("/api/batch/khong-co").status_code == 404


def test_batch_xlsx_and_row_limit(tmp_path: Path) -> None:
    spec = (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_bytes()
    xlsx = (EXAMPLES / "batch" / "cdcs.xlsx").read_bytes()
    with make_client(tmp_path / "a") as c:
        r = c.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.xlsx", xlsx)})
        assert r.status_code == 202
        assert _wait(c, r.json()["status_url"])["state"] == "done"
    with make_client(tmp_path / "b", max_batch_rows=5) as c:
        r = c.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.xlsx", xlsx)})
        assert r.status_code == 413


def test_request_time_limit_is_503(tmp_path: Path, spec58: dict[str, Any]) -> None:
    with make_client(tmp_path, request_timeout=0.000_001) as c:
        r = c.post("/api/render", json=spec58)
        assert r.status_code == 503
        assert "thời gian" in r.json()["problems"][0]["message"]


def test_a_spec_that_loops_for_ever_is_stopped(tmp_path: Path, spec58: dict[str, Any]) -> None:
    loop = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    with make_client(tmp_path, work_timeout=0.5) as c:
        r = c.post("/api/render", json={**spec58, "body": loop})
        assert r.status_code == 422
        assert "0.5 giây" in r.json()["problems"][0]["message"]
        # The work was stopped, not left running: this process now idles (a loop still
        # running would use a whole core during the second below).
        cpu = time.process_time()
        time.sleep(1.0)
        assert time.process_time() - cpu < 0.5
        assert c.post("/api/render", json=spec58).status_code == 200


def test_a_batch_job_is_stopped_at_its_time_limit(tmp_path: Path) -> None:
    loop = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    spec = (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_text("utf-8")
    spec = spec.replace("body: |", f"body: |\n  {loop}\n", 1)
    data = (EXAMPLES / "batch" / "cdcs.csv").read_bytes()
    with make_client(tmp_path, job_timeout=1.0) as c:
        r = c.post("/api/batch", files={"spec": ("cv.yaml", spec.encode()),
                                        "data": ("d.csv", data)})
        assert r.status_code == 202, r.text
        status = _wait(c, r.json()["status_url"])
        assert status["state"] == "failed"
        assert "1 giây" in status["problems"][-1]["message"]


def test_api_docs_page_works_offline_and_without_token(tmp_path: Path) -> None:
    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    app = create_app(ServiceSettings(converters=0, token=TOKEN, job_dir=tmp_path))
    with TestClient(app, client=("203.0.113.7", 4000)) as remote:
        page = remote.get("/api/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()  # scripts come from the service itself
        assert remote.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200
        assert remote.get("/openapi.json").status_code == 200
        assert remote.get("/api/types").status_code == 401  # the API itself still needs it


def test_shutdown_stops_a_running_job(tmp_path: Path) -> None:
    import threading

    loop = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    spec = (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_text("utf-8")
    spec = spec.replace("body: |", f"body: |\n  {loop}\n", 1)
    data = (EXAMPLES / "batch" / "cdcs.csv").read_bytes()
    c = make_client(tmp_path)
    c.__enter__()
    r = c.post("/api/batch", files={"spec": ("cv.yaml", spec.encode()), "data": ("d.csv", data)})
    assert r.status_code == 202
    store = c.app.state.jobs  # type: ignore[attr-defined]
    job = store.get(r.json()["id"])
    for _ in range(100):
        if job.state == "running":
            break
        time.sleep(0.05)
    closing = threading.Thread(target=c.__exit__, args=(None, None, None))
    closing.start()
    closing.join(timeout=60)  # the job would loop for hours if shutdown waited for it
    assert not closing.is_alive()
    assert job.state == "failed"


def test_check_an_uploaded_yaml_spec(client: TestClient) -> None:
    good = (EXAMPLES / "58-cdyt-cong-van.yaml").read_bytes()
    r = client.post("/api/check", files={"file": ("58.yaml", good)})
    assert r.status_code == 200 and r.json()["kind"] == "spec"
    assert r.json()["errors"] == 0, r.json()
    bad = good.replace(b"TM. BAN", b"T/M BAN")
    r = client.post("/api/check", files={"file": ("58.yaml", bad)})
    result = r.json()
    assert "signature-capacity" in {f["rule"] for f in result["findings"]}
    assert "/tmp" not in r.text  # no server path leaks into the findings
    r = client.post("/api/check", files={"file": ("x.yaml", b"type: [\n")})
    assert r.json()["findings"][0]["rule"] == "unreadable"


def test_pending_jobs_are_bounded(tmp_path: Path) -> None:
    spec = (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_bytes()
    data = (EXAMPLES / "batch" / "cdcs.csv").read_bytes()
    with make_client(tmp_path, max_pending_jobs=1) as c:
        store = c.app.state.jobs  # type: ignore[attr-defined]
        store.new()  # one job held, never finished
        r = c.post("/api/batch", files={"spec": ("cv.yaml", spec), "data": ("d.csv", data)})
        assert r.status_code == 429
        assert "lô chưa xong" in r.json()["problems"][0]["message"]


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.3.4.5", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("localhost", True), ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("testclient", False),
    ("", False), (None, False), ("fe80::1%eth0", False),
])
def test_is_loopback(host: str | None, loopback: bool) -> None:
    from vn_union_docs.service.settings import is_loopback

    assert is_loopback(host) is loopback
