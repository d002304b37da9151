"""The default templates: reproducible build, page set-up, styles, docxtpl tags, rendering."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate

from vn_union_docs.rendering.context import CONTEXT_FIELDS

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"


def _load(name: str) -> ModuleType:
    """Import a script from ``scripts/`` as a module."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _load("build_templates")
preview = _load("preview_templates")

DOC_TYPES = build.DOC_TYPES
ALL_CONTEXT_KEYS = set(CONTEXT_FIELDS)
CONTRACT_STYLES = {
    "VBBody", "VBHeading1", "VBHeading2", "VBHeading3", "VBDash", "VBPlus", "VBNumbered",
    "VBTableText",
}
TNR = "Times New Roman"


@pytest.fixture(scope="module")
def fresh() -> dict[str, bytes]:
    """A fresh in-memory build of the three templates."""
    return build.build_all()


def _render(template: bytes | Path, context: dict[str, Any]) -> Any:
    source = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    doc = DocxTemplate(source)
    doc.render(context, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    out.seek(0)
    return Document(out)


def _all_text(document: Any) -> str:
    """Every paragraph's text, tables included, one per line."""
    body = document.element.body
    lines = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return "\n".join(lines)


# --- Reproducible build -------------------------------------------------------------------


def test_rebuild_is_byte_identical(fresh: dict[str, bytes]) -> None:
    assert build.build_all() == fresh


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_committed_template_is_current(fresh: dict[str, bytes], doc_type: str) -> None:
    name = f"{doc_type}.docx"
    committed = TEMPLATES / name
    assert committed.is_file(), f"{committed} missing: run scripts/build_templates.py"
    assert committed.read_bytes() == fresh[name], (
        f"{committed} is stale: run scripts/build_templates.py"
    )


def test_check_command(tmp_path: Path) -> None:
    assert build.main(["--out", str(tmp_path)]) == 0
    assert build.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "van_ban.docx").write_bytes(b"stale")
    assert build.main(["--check", "--out", str(tmp_path)]) == 1


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_package_is_lean_and_stable(fresh: dict[str, bytes], doc_type: str) -> None:
    with zipfile.ZipFile(io.BytesIO(fresh[f"{doc_type}.docx"])) as archive:
        names = archive.namelist()
        infos = archive.infolist()
        core = archive.read("docProps/core.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert names[0] == "[Content_Types].xml"
    assert not any("thumbnail" in n or "customXml" in n or "stylesWithEffects" in n
                   for n in names)
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
    assert "vn-union-docs" in core
    assert "dcterms:created" not in core and "dcterms:modified" not in core
    assert "latentStyles" not in styles
    assert len(fresh[f"{doc_type}.docx"]) < 20_000


# --- Opening ------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_opens_in_python_docx_and_docxtpl(doc_type: str) -> None:
    path = TEMPLATES / f"{doc_type}.docx"
    assert Document(str(path)).paragraphs
    DocxTemplate(str(path)).get_undeclared_template_variables()


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_template_uses_its_context_keys(fresh: dict[str, bytes], doc_type: str) -> None:
    found = DocxTemplate(io.BytesIO(fresh[f"{doc_type}.docx"])).get_undeclared_template_variables()
    assert build.TEMPLATE_KEYS[doc_type] <= found
    assert found <= ALL_CONTEXT_KEYS, f"unknown keys: {found - ALL_CONTEXT_KEYS}"
    if doc_type == "cong_van":
        assert "subject_line" in found
    elif doc_type not in ("giay_gioi_thieu", "giay_nghi_phep"):  # Mẫu 1.8, 1.10: no trích yếu
        assert "subject" in found


# --- Page set-up and styles ---------------------------------------------------------------


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_page_setup(fresh: dict[str, bytes], doc_type: str) -> None:
    document = Document(io.BytesIO(fresh[f"{doc_type}.docx"]))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    for value, mm in [(section.top_margin, 20), (section.bottom_margin, 20),
                      (section.left_margin, 30), (section.right_margin, 15)]:
        assert abs(value - Mm(mm)) < Mm(0.1)
    # Page numbers: PAGE in the default header, none on page 1, no footer.
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and "w:fldChar" in header_xml
    assert not section.first_page_header.is_linked_to_previous
    assert "PAGE" not in section.first_page_header._element.xml
    assert section.footer.is_linked_to_previous  # no footer part at all


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_styles(fresh: dict[str, bytes], doc_type: str) -> None:
    document = Document(io.BytesIO(fresh[f"{doc_type}.docx"]))
    root = document.styles.element
    fonts = root.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = fonts.find(qn("w:rFonts"))
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        assert rfonts.get(qn(f"w:{attr}")) == TNR
    assert fonts.find(qn("w:sz")).get(qn("w:val")) == "28"
    assert fonts.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert document.styles["Normal"].font.name == TNR
    ids = {s.style_id for s in document.styles}
    assert ids >= CONTRACT_STYLES
    assert document.styles.get_by_id("VBTable", WD_STYLE_TYPE.TABLE).type == WD_STYLE_TYPE.TABLE
    # Lean: only defaults and the VB styles.
    assert ids <= {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"} | {
        i for i in ids if i.startswith("VB")
    }
    body = document.styles.get_by_id("VBBody", WD_STYLE_TYPE.PARAGRAPH)
    assert abs(body.paragraph_format.first_line_indent - Mm(12.7)) < Mm(0.1)
    # No direct font overrides anywhere: every run takes Times New Roman from the styles.
    assert "w:rFonts" not in document.element.xml


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_tags_are_whole(fresh: dict[str, bytes], doc_type: str) -> None:
    document = Document(io.BytesIO(fresh[f"{doc_type}.docx"]))
    for p in document.element.body.iter(qn("w:p")):
        runs = ["".join(t.text or "" for t in r.iter(qn("w:t"))) for r in p.iter(qn("w:r"))]
        text = "".join(runs)
        if "{%p" in text:
            assert re.fullmatch(r"\{%p [^%]+ %\}", text), f"tag paragraph not alone: {text!r}"
        for run in runs:
            assert run.count("{{") == run.count("}}"), f"split tag in {text!r}"
            assert run.count("{%") == run.count("%}"), f"split tag in {text!r}"
        if "{{p" in text:
            assert text in ("{{p body }}", "{{p appendix_xml }}", "{{p signature_table }}")


# --- Rendering ----------------------------------------------------------------------------


FRAMES = preview.DOC_TYPES  # cong_van, van_ban; the other forms: tests/rendering/test_forms.py


@pytest.mark.parametrize("doc_type", FRAMES)
def test_render_sample(fresh: dict[str, bytes], doc_type: str) -> None:
    context = preview.sample_context(doc_type)
    text = _all_text(_render(fresh[f"{doc_type}.docx"], context))
    assert "{{" not in text and "{%" not in text
    for expected in [
        "LĐLĐ TỈNH THÁI BÌNH", "CÔNG ĐOÀN NGÀNH Y TẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", context["number_line"], context["place_date"],
        "Kính gửi: Các Công đoàn cơ sở trực thuộc", "Nơi nhận:", "- Như trên;",
        "- LĐLĐ tỉnh (để b/c);", "- Lưu: VT, VP CĐN.", "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH",
        "Đào Văn Truyền", "I. MỤC ĐÍCH, YÊU CẦU", "& đề tài được công nhận <và> áp dụng",
        "triển khai thực hiện./.",
    ]:
        assert expected in text, expected
    if doc_type == "cong_van":
        assert context["subject_line"] in text
        assert "KẾ HOẠCH" not in text and "THÔNG BÁO" not in text
    else:
        assert context["subject"] in text
        assert context["type_name"] in text


@pytest.mark.parametrize("doc_type", FRAMES)
def test_render_variants(fresh: dict[str, bytes], doc_type: str) -> None:
    context = preview.sample_context(doc_type, recipients=True, urgent=True)
    context.update(parent="", issuers=[{"parent": "", "name": context["issuer"]}],
                   signature_title="", signature_capacity=["TM. BAN CHẤP HÀNH", "KT. CHỦ TỊCH"])
    document = _render(fresh[f"{doc_type}.docx"], context)
    lines = _all_text(document).split("\n")
    assert "LĐLĐ TỈNH THÁI BÌNH" not in lines
    assert "Kính gửi:" in lines
    for item in context["recipients"]:
        assert item in lines
    assert not any(line.startswith("Kính gửi: ") for line in lines)
    assert {"THƯỢNG KHẨN", "MẬT", "TM. BAN CHẤP HÀNH", "KT. CHỦ TỊCH"} <= set(lines)
    # The conditionals left no empty paragraph where parent / title were.
    assert lines[0] == "CÔNG ĐOÀN NGÀNH Y TẾ"


def test_render_escapes_text(fresh: dict[str, bytes]) -> None:
    context = preview.sample_context("van_ban")
    context.update(issuer="A & B <C> “D” 😀", recipient_line="", recipients=[],
                   issuers=[{"parent": "", "name": "A & B <C> “D” 😀"}])
    text = _all_text(_render(fresh["van_ban.docx"], context))
    assert "A & B <C> “D” 😀" in text
    assert "Kính gửi" not in text


# --- As a user sees it (LibreOffice) ------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext)")
def test_pdf_pages(tmp_path: Path) -> None:
    preview.main([str(tmp_path), "--templates", str(TEMPLATES)])
    docx_files = sorted(tmp_path.glob("*.docx"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *map(str, docx_files)], check=True, capture_output=True, timeout=300)
    for docx_file in docx_files:
        pdf = docx_file.with_suffix(".pdf")
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                               capture_output=True, text=True).stdout.split("\f")
        pages = [[line for line in p.splitlines() if line.strip()] for p in pages if p.strip()]
        assert len(pages) >= 2, docx_file.name
        first = pages[0]
        # Page 1: no page number; the header comes first; Số and the date on one line.
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first[0]
        assert any("Số: 58/" in line and "ngày 23 tháng 02 năm 2023" in line for line in first)
        # Pages 2, 3, …: the number at the top, centred.
        for number, page in enumerate(pages[1:], start=2):
            assert page[0].strip() == str(number), (docx_file.name, page[0])
            assert page[0].startswith(" " * 20)
        # Nơi nhận and the signature block side by side at the end.
        last = pages[-1]
        assert any("Nơi nhận:" in line and "TM. BAN THƯỜNG VỤ" in line for line in last)
        assert "Đào Văn Truyền" in last[-1]


@pytest.mark.parametrize(("level", "printed", "style", "width_mm"), [
    ("hoa_toc", "HỎA TỐC", "VBUrgencyHoaToc", 30),
    ("thuong_khan", "THƯỢNG KHẨN", "VBUrgencyThuongKhan", 40),
    ("khan", "KHẨN", "VBUrgencyKhan", 20),
])
def test_urgency_stamp_has_its_levels_frame_in_red(tmp_path: Path, level: str, printed: str,
                                                   style: str, width_mm: int) -> None:
    # NĐ 30/2020, Phụ lục I, III.2.b: 30 × 8, 40 × 8 and 20 × 8 mm frames, bright red ink.
    from vn_union_docs import load_document, render_docx

    spec = (REPO / "examples" / "du-thao-cong-van-thang-cong-nhan.yaml").read_text("utf-8")
    spec = re.sub(r"(?m)^urgency: .*$", f"urgency: {level}", spec)
    assert f"urgency: {level}" in spec
    (tmp_path / "urgent.yaml").write_text(spec, encoding="utf-8")
    document = Document(io.BytesIO(render_docx(load_document(tmp_path / "urgent.yaml"))))
    stamps = [p for p in document.element.body.iter(qn("w:p"))
              if "".join(t.text or "" for t in p.iter(qn("w:t"))) == printed]
    assert len(stamps) == 1
    assert stamps[0].pPr.pStyle.val == style
    definition = document.styles.get_by_id(style, WD_STYLE_TYPE.PARAGRAPH)
    column = build.HEADER_LEFT
    fmt = definition.paragraph_format
    assert fmt.left_indent == fmt.right_indent
    assert column - 2 * fmt.left_indent == pytest.approx(Mm(width_mm), abs=Mm(0.1))
    assert str(definition.font.color.rgb) == "FF0000"
    borders = definition.element.pPr.find(qn("w:pBdr"))
    assert {b.get(qn("w:color")) for b in borders} == {"FF0000"} and len(borders) == 4
