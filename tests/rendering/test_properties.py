"""Issue 13.6: the issued file's properties come from the document (docx and PDF)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from conftest import make_spec, need

from vn_union_docs import load_document, render_docx
from vn_union_docs.rendering.pdf import convert_to_pdf, find_soffice
from vn_union_docs.rendering.templates import default_template

ROOT = Path(__file__).resolve().parents[2]


def test_docx_properties_say_what_the_document_is() -> None:
    doc = load_document(ROOT / "examples" / "222-kh-cdyt-ke-hoach.yaml")
    data = render_docx(doc)
    core = docx.Document(io.BytesIO(data)).core_properties
    assert core.title.startswith(f"{doc.number:02d}/KH-CĐYT Kế hoạch ")
    assert doc.subject in core.title and core.subject == doc.subject
    assert core.author == doc.issuer.name
    xml = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert f"<cp:lastModifiedBy>{doc.issuer.name}</cp:lastModifiedBy>" in xml
    assert "<cp:keywords>kế\u00a0hoạch</cp:keywords>" in xml
    assert "<cp:category>ke_hoach</cp:category>" in xml
    assert "<dc:language>vi-VN</dc:language>" in xml
    assert core.created is not None and core.created.date() == doc.date
    assert "mẫu" not in core.title and "rebuild" not in (core.comments or "")
    app = zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml").decode()
    assert f"<Company>{doc.issuer.name}</Company>" in app
    assert render_docx(doc) == data  # still deterministic


def test_a_draft_and_a_custom_template_get_the_document_properties(tmp_path: Path) -> None:
    draft = load_document(make_spec(number=None, date=None, subject="V/v báo cáo quý I"))
    core = docx.Document(io.BytesIO(render_docx(draft))).core_properties
    assert core.title == "dự thảo/CĐYT V/v báo cáo quý I"
    assert core.created is None
    custom = tmp_path / "rieng.docx"
    document = docx.Document(str(default_template("cong_van")))
    document.core_properties.title = "Mẫu riêng của văn phòng"
    document.core_properties.author = "Văn phòng"
    document.save(str(custom))
    core = docx.Document(io.BytesIO(render_docx(draft, template=custom))).core_properties
    assert core.title == "dự thảo/CĐYT V/v báo cáo quý I" and core.author == "Công đoàn ngành Y tế"


def test_pdf_information_comes_from_the_document(tmp_path: Path) -> None:
    need("pdfinfo", "apt-get install -y poppler-utils")
    if find_soffice() is None:
        need("soffice", "apt-get install -y --no-install-recommends libreoffice-writer-nogui")
    import pypdf

    doc = load_document(ROOT / "examples" / "58-cdyt-cong-van.yaml")
    render_docx(doc, tmp_path / "a.docx")
    (pdf,) = convert_to_pdf([tmp_path / "a.docx"], tmp_path)
    info = pypdf.PdfReader(str(pdf)).metadata
    assert info is not None
    assert info.title == f"58/CĐYT V/v {doc.subject}"
    assert info.author == "Công đoàn ngành Y tế"
    assert info.subject == doc.subject
