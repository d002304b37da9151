"""The page's server side through the framework's test client: the HTML, the form envelope,
printed lines, findings with key paths, YAML load/save, downloads, limits."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import docx_text
from fastapi.testclient import TestClient

from vn_union_docs import load_document
from vn_union_docs.documents.doc_types import DOCUMENT_ADAPTER, MODELS
from vn_union_docs.documents.spec import read_spec
from vn_union_docs.service.web import _STATIC, _json_for_script, forms

from .conftest import EXAMPLES, need_libreoffice


def _form(spec: dict[str, Any], **yaml: str) -> dict[str, Any]:
    return {"spec": spec, "yaml": yaml}


def _spec58() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(
        read_spec(EXAMPLES / "58-cdyt-cong-van.yaml"), default=str))
    return data


class _Page(HTMLParser):
    """Option texts and where the first script is, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []
        self._in_option = False
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "option":
            self._in_option = True
        if tag == "script" and values.get("src"):
            self.events.append(("script", values["src"] or ""))
        for key in ("src", "href"):
            if values.get(key):
                self.urls.append(values[key] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._in_option = False

    def handle_data(self, data: str) -> None:
        if self._in_option and data.strip():
            self.events.append(("option", data.strip()))


def test_page_names_every_document_type_before_any_script(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = _Page()
    page.feed(response.text)
    kinds = [kind for kind, _ in page.events]
    options = [text for kind, text in page.events if kind == "option"]
    assert "script" in kinds and kinds.index("script") > len(options) - 1
    names = {t["name"] for t in forms.document_types()}
    assert len(names) == len(MODELS)
    assert {"Công văn", "Kế hoạch", "Thông báo"} <= names
    assert names <= set(options)
    assert '<html lang="vi">' in response.text


def test_page_loads_nothing_from_outside(client: TestClient) -> None:
    """Offline: every URL the page and its files use is the service's own, and the browser is
    told to load nothing else (Content-Security-Policy)."""
    for path in ("/", "/batch"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self';" in policy
        page = _Page()
        page.feed(response.text)
        for url in page.urls:
            assert url.startswith(("/", "#", "data:")), url
    for name in _STATIC:
        response = client.get(f"/web/static/{name}")
        assert response.status_code == 200
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", response.text), name
        assert "@import" not in response.text


def test_the_form_is_built_from_the_library_schema(client: TestClient) -> None:
    text = client.get("/").text
    embedded = re.search(r'<script type="application/json" id="schema">(.*?)</script>', text, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == DOCUMENT_ADAPTER.json_schema()
    served = client.get("/api/schema").json()  # the service adds $schema and a title
    assert {k: served[k] for k in DOCUMENT_ADAPTER.json_schema()} == DOCUMENT_ADAPTER.json_schema()


def test_json_in_a_script_cannot_close_it() -> None:
    text = _json_for_script({"x": "</script><script>alert(1)</script>&"})
    assert "</" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"x": "</script><script>alert(1)</script>&"}


def test_static_files_are_a_fixed_list(client: TestClient) -> None:
    assert client.get("/web/static/app.js").headers["content-type"].startswith("text/javascript")
    for bad in ("../__init__.py", "..%2F__init__.py", "forms.py", "templates/index.html"):
        assert client.get(f"/web/static/{bad}").status_code == 404
    etag = client.get("/web/static/style.css").headers["etag"]
    assert client.get("/web/static/style.css", headers={"If-None-Match": etag}).status_code == 304


def test_inspect_prints_the_lines_while_the_rest_is_empty(client: TestClient) -> None:
    spec = {"type": "ke_hoach", "issuer": {"code": "cđyt"}, "number": 5,
            "place": "Hà Nội", "date": "2026-03-05"}
    data = client.post("/web/api/inspect", json=_form(spec)).json()
    assert data["valid"] is False
    assert data["lines"] == {"number_line": "Số: 05/KH-CĐYT",
                             "place_date": "Hà Nội, ngày 05 tháng 3 năm 2026"}
    paths = {p["path"] for p in data["problems"]}
    assert {"issuer.name", "subject", "body", "signature"} <= paths
    draft = client.post("/web/api/inspect", json=_form(
        {"type": "cong_van", "place": "Thái Bình", "draft_year": 2027})).json()
    assert draft["lines"]["place_date"] == "Thái Bình, ngày      tháng      năm 2027"


def test_inspect_puts_findings_at_their_key_paths(client: TestClient) -> None:
    spec = _spec58()
    spec["distribution"] = ["Như trên", "LĐLĐ tỉnh (để b/c);"]
    spec["issuer"]["code"] = "CDYT"
    data = client.post("/web/api/inspect", json=_form(spec)).json()
    places = {f["place"]: f for f in data["findings"]}
    assert places["distribution[1]"]["rule"] == "distribution-items"
    assert places["issuer.code"]["rule"] == "symbol-letter-d"
    assert "NĐ 30/2020" in places["distribution[1]"]["source"]
    assert data["lines"]["number_line"] == "Số: 58/CDYT"


def test_free_form_data_is_yaml_text(client: TestClient) -> None:
    spec = _spec58()
    data_text = "progress: {achieved: 493, target: 779}\nreported_on: 2023-02-23\n"
    spec.pop("data")
    good = client.post("/web/api/inspect", json=_form(spec, data=data_text)).json()
    assert good["valid"], good["problems"]
    bad = client.post("/web/api/inspect", json=_form(spec, data="progress: [1, 2\n")).json()
    assert not bad["valid"]
    assert [p["path"] for p in bad["problems"]] == ["data"]
    assert "YAML" in bad["problems"][0]["message"]


def test_a_request_cannot_name_a_server_file(client: TestClient) -> None:
    spec = _spec58() | {"template": "/etc/passwd"}
    response = client.post("/web/api/inspect", json=_form(spec))
    assert response.status_code == 200  # a problem on the form, not a refused request
    data = response.json()
    assert [p["path"] for p in data["problems"]] == ["template"]
    assert "đường dẫn" in data["problems"][0]["message"]
    response = client.post("/web/api/render?format=docx", json=_form(spec))
    assert response.status_code == 422


def test_the_served_templates_are_offered_by_name(tmp_path: Path) -> None:
    import shutil

    from vn_union_docs.rendering.templates import templates_dir
    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    from .conftest import LOOPBACK

    own = tmp_path / "mau"
    own.mkdir()
    shutil.copy(templates_dir() / "cong_van.docx", own / "mau_cdyt.docx")
    app = create_app(ServiceSettings(converters=0, templates_dir=own, job_dir=tmp_path / "j"))
    with TestClient(app, client=LOOPBACK) as c:
        labels = re.search(r'<script type="application/json" id="labels">(.*?)</script>',
                           c.get("/").text, re.S)
        assert labels is not None
        offered = json.loads(labels.group(1))["templates"]
        assert {"name": "mau_cdyt", "type": "cong_van", "builtin": False} in offered
        spec = _spec58() | {"template": "mau_cdyt"}
        assert c.post("/web/api/inspect", json=_form(spec)).json()["valid"]
        assert c.post("/web/api/render?format=docx", json=_form(spec)).status_code == 200
        wrong = _spec58() | {"type": "ke_hoach", "template": "mau_cdyt"}
        response = c.post("/web/api/render?format=docx", json=_form(wrong))
        assert response.status_code == 422
        assert response.json()["problems"][0]["path"] == "template"
        missing = _spec58() | {"template": "khong_co"}
        answer = c.post("/web/api/inspect", json=_form(missing))
        assert answer.status_code == 200
        problems = answer.json()["problems"]
        assert [p["path"] for p in problems] == ["template"]


def test_yaml_save_and_load_round_trip_through_the_command_line_reader(
        client: TestClient, tmp_path: Path) -> None:
    spec = _spec58()
    data_yaml = forms.dump_yaml(spec.pop("data"))
    spec["date"] = "23/02/2023"  # as the clerk typed it
    saved = client.post("/web/api/yaml/dump", json=_form(spec, data=data_yaml))
    assert saved.status_code == 200
    assert "van-ban.yaml" in saved.headers["content-disposition"]
    text = saved.text
    assert "date: 2023-02-23" in text and "body: |" in text
    path = tmp_path / "saved.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_document(path) == load_document(EXAMPLES / "58-cdyt-cong-van.yaml")
    loaded = client.post("/web/api/yaml/load", json={"text": text, "freeform": ["data"]}).json()
    assert loaded["spec"]["date"] == "2023-02-23"
    assert "progress:" in loaded["yaml"]["data"]
    again = client.post("/web/api/inspect",
                        json=_form(loaded["spec"] | {"data": None}, data=loaded["yaml"]["data"]))
    assert again.json()["valid"]


@pytest.mark.parametrize(("text", "key", "says"), [
    ("a: 1\na: 2\n", "", "duplicate"),
    ('type: cong_van\nsubject: "\\ud800"\n', "subject", "surrogate"),
    ("number: " + "9" * 5_000 + "\n", "dòng 1", "number_digits"),
])
def test_yaml_load_names_what_it_cannot_take(client: TestClient, text: str, key: str,
                                             says: str) -> None:
    # These were 500s (a review): the page's «Mở tệp YAML…» reads as the command line does.
    response = client.post("/web/api/yaml/load", json={"text": text})
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["path"] == key and says in problem["message"]


def test_yaml_load_keeps_an_impossible_date_for_the_check(client: TestClient) -> None:
    loaded = client.post("/web/api/yaml/load", json={"text": "type: cong_van\ndate: 2023-02-30\n"})
    assert loaded.status_code == 200 and loaded.json()["spec"]["date"] == "2023-02-30"


def test_yaml_load_refuses_what_is_not_a_spec(client: TestClient) -> None:
    response = client.post("/web/api/yaml/load", json={"text": "- a\n- b\n"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["message"].startswith("tệp phải là")
    broken = client.post("/web/api/yaml/load", json={"text": "type: [cong_van\n"})
    assert broken.status_code == 422
    assert "dòng" in broken.json()["problems"][0]["message"]


def test_docx_download_is_named_after_the_number(client: TestClient) -> None:
    response = client.post("/web/api/render?format=docx", json=_form(_spec58()))
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''58-C%C4%90YT.docx" in disposition
    assert 'filename="58-CDYT.docx"' in disposition
    text = docx_text(response.content)
    assert "Số: 58/CĐYT" in text and "Kính gửi: Các Công đoàn cơ sở trực thuộc" in text


def test_an_invalid_spec_is_422_with_every_problem(client: TestClient) -> None:
    spec = _spec58()
    spec["signature"]["capacity"] = "T/M BAN THƯỜNG VỤ"
    del spec["subject"]
    response = client.post("/web/api/render?format=docx", json=_form(spec))
    assert response.status_code == 422
    paths = {p["path"] for p in response.json()["problems"]}
    assert paths == {"signature.capacity", "subject"}


def test_a_spec_over_the_limit_is_413(tmp_path: Path) -> None:
    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    from .conftest import LOOPBACK

    app = create_app(ServiceSettings(converters=0, max_spec_bytes=10_000, job_dir=tmp_path))
    with TestClient(app, client=LOOPBACK) as small:
        spec = _spec58() | {"body": "Nội dung. " * 2_000}
        assert small.post("/web/api/inspect", json=_form(spec)).status_code == 413


def test_a_chunked_body_over_the_limit_is_413(tmp_path: Path) -> None:
    # Without Content-Length the page's own check saw nothing; a 5 MB body kept the
    # service busy (a review). The guard counts it against the spec limit.
    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    from .conftest import LOOPBACK

    app = create_app(ServiceSettings(converters=0, max_spec_bytes=10_000, job_dir=tmp_path))

    def chunks() -> Any:
        yield b'{"spec": {"type": "cong_van", "body": "'
        for _ in range(100):
            yield b"a" * 1_000
        yield b'"}}'

    with TestClient(app, client=LOOPBACK) as small:
        response = small.post("/web/api/inspect", content=chunks(),
                              headers={"content-type": "application/json"})
        assert response.status_code == 413


def test_preview_pages_are_png_images_of_the_pdf(tmp_path: Path) -> None:
    need_libreoffice()
    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    from .conftest import LOOPBACK

    app = create_app(ServiceSettings(converters=1, job_dir=tmp_path))
    with TestClient(app, client=LOOPBACK) as c:
        first = c.post("/web/api/preview", json=_form(_spec58())).json()
        assert first["valid"] and first["page_count"] == 2
        assert len(first["pages"]) == 2
        assert all(p.startswith("data:image/png;base64,") for p in first["pages"])
        again = c.post("/web/api/preview", json=_form(_spec58())).json()
        assert again["key"] == first["key"]  # same .docx bytes, same pages
        changed = _spec58() | {"subject": "một trích yếu khác"}
        other = c.post("/web/api/preview", json=_form(changed)).json()
        assert other["key"] != first["key"] and other["pages"] != first["pages"]
        invalid = c.post("/web/api/preview", json=_form({"type": "cong_van"})).json()
        assert invalid["pages"] is None and invalid["problems"]
        pdf = c.post("/web/api/render?format=pdf", json=_form(_spec58()))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_one_message_per_mistake(client: TestClient) -> None:
    """A key the model refuses is not reported a second time by the checker."""
    spec = _spec58()
    spec["signature"]["capacity"] = "T/M BAN THƯỜNG VỤ"
    data = client.post("/web/api/inspect", json=_form(spec)).json()
    assert [p["path"] for p in data["problems"]] == ["signature.capacity"]
    assert not [f for f in data["findings"] if f["place"].startswith("signature.capacity")]


def test_without_converters_the_form_still_checks(client: TestClient) -> None:
    """``serve --converters 0``: no page images and no PDF, but findings and .docx."""
    spec = _spec58()
    spec["issuer"]["code"] = "CDYT"
    data = client.post("/web/api/preview", json=_form(spec)).json()
    assert data["valid"] and data["pages"] is None
    assert "--converters" in data["pdf_error"]
    assert any(f["place"] == "issuer.code" for f in data["findings"])
    assert client.post("/web/api/render?format=pdf", json=_form(spec)).status_code == 503
    assert client.post("/web/api/render?format=docx", json=_form(spec)).status_code == 200


def _alias_bomb(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", [
    _alias_bomb(9), "a: " + "[" * 5_000 + "]" * 5_000, "a: " + "{b: " * 3_000 + "1" + "}" * 3_000,
    "".join(" " * i + "- \n" for i in range(1_300)), "- " * 5_000 + "x",
], ids=["aliases", "flow-sequences", "flow-mappings", "block-nesting", "inline-sequences"])
def test_hostile_yaml_is_refused(client: TestClient, text: str) -> None:
    loaded = client.post("/web/api/yaml/load", json={"text": text})  # the CLI's spec reader
    assert loaded.status_code == 422
    assert "vượt giới hạn" in loaded.json()["problems"][0]["message"]
    data = client.post("/web/api/inspect", json=_form({"type": "cong_van"}, data=text)).json()
    assert any(p["path"] == "data" and "quá lớn" in p["message"] for p in data["problems"])


def test_every_key_of_every_form_has_a_vietnamese_label() -> None:
    # Keys without one showed their English schema title («Organ Id», «Due Date» …) on the
    # page (a review).
    from vn_union_docs.documents.doc_types import MODELS
    from vn_union_docs.service.web.forms import LABELS

    for doc_type, model in MODELS.items():
        properties = model.model_json_schema()["properties"]
        missing = [key for key in properties if key != "type" and key not in LABELS]
        assert not missing, (doc_type, missing)
    issuer = MODELS["cong_van"].model_json_schema()["$defs"]["Issuer"]["properties"]
    assert all(f"issuer.{key}" in LABELS for key in issuer)
