"""Issue 13.2: header names and titles break where a clerk would break them, measured with
the font's advance widths against the template's own column width."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vn_union_docs import load_document, render_docx
from vn_union_docs.rendering.fit import template_columns
from vn_union_docs.rendering.linebreak import Column, break_lines, paragraph_lines, text_width
from vn_union_docs.rendering.templates import default_template

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
MM = 72 / 25.4
ISSUER = Column(70 * MM, 12, True)  # the default templates' left header column


def need(what: str, ok: bool, install: str) -> None:
    """Skip without ``what`` locally; fail in CI (``CI`` set)."""
    if not ok:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"this test needs {what}: {install}")


def test_font_metrics_are_the_fonts_advance_widths() -> None:
    need("Liberation Serif", (FONT_DIR / "LiberationSerif-Bold.ttf").is_file(),
         "apt-get install -y fonts-liberation2")
    pytest.importorskip("fontTools")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_font_metrics.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_widths_are_times_new_roman_widths() -> None:
    # Times New Roman / Liberation Serif: "n" is 1024/2048 em, bold "W" 2048/2048 em.
    assert text_width("n", 14) == pytest.approx(7.0)
    assert text_width("W", 12, bold=True) == pytest.approx(12.0)
    assert text_width("LIÊN ĐOÀN LAO ĐỘNG TỈNH PHÚ YÊN", 12, True) > ISSUER.width_pt


@pytest.mark.parametrize(("name", "typed", "lines"), [
    ("LIÊN ĐOÀN LAO ĐỘNG TỈNH PHÚ YÊN", "Liên đoàn Lao động tỉnh Phú Yên",
     ["LIÊN ĐOÀN LAO ĐỘNG", "TỈNH PHÚ YÊN"]),
    ("LIÊN ĐOÀN LAO ĐỘNG THÀNH PHỐ THỦ ĐỨC", None, ["LIÊN ĐOÀN LAO ĐỘNG", "THÀNH PHỐ THỦ ĐỨC"]),
    ("LIÊN ĐOÀN LAO ĐỘNG THÀNH PHỐ HỒ CHÍ MINH", None,
     ["LIÊN ĐOÀN LAO ĐỘNG", "THÀNH PHỐ HỒ CHÍ MINH"]),
    ("CÔNG ĐOÀN VIÊN CHỨC HUYỆN KRÔNG BÔNG", None, ["CÔNG ĐOÀN VIÊN CHỨC", "HUYỆN KRÔNG BÔNG"]),
    ("CÔNG ĐOÀN NGÀNH Y TẾ", None, ["CÔNG ĐOÀN NGÀNH Y TẾ"]),
    ("CÔNG ĐOÀN CƠ SỞ PHƯỜNG AN KHÁNH THÀNH PHỐ THỦ ĐỨC", None,
     ["CÔNG ĐOÀN CƠ SỞ", "PHƯỜNG AN KHÁNH", "THÀNH PHỐ THỦ ĐỨC"]),
])
def test_names_break_before_the_administrative_word(name: str, typed: str | None,
                                                    lines: list[str]) -> None:
    assert break_lines(name, ISSUER, typed) == lines


def test_a_proper_name_is_never_split_and_lines_are_balanced() -> None:
    # No administrative word: the most balanced break that keeps "Bình Minh" whole.
    lines = break_lines("CÔNG ĐOÀN CÔNG TY CỔ PHẦN DỆT MAY BÌNH MINH", ISSUER,
                        "Công đoàn Công ty Cổ phần Dệt may Bình Minh")
    assert len(lines) == 2 and "BÌNH MINH" in lines[1]
    for typed_name in ("Liên đoàn Lao động tỉnh Bà Rịa - Vũng Tàu",
                       "Công đoàn Khu công nghiệp Việt Nam - Singapore"):
        name = typed_name.upper()
        for line in break_lines(name, ISSUER, typed_name):
            assert not line.endswith(("BÀ", "RỊA", "-", "VIỆT", "NAM")) or line == name


@pytest.mark.parametrize(("typed", "lines"), [
    # No line holds «TRƯỜNG TRUNG HỌC PHỔ THÔNG»: the break goes between the kind of school
    # and its type, never inside «phổ thông» (a review found «PHỔ / THÔNG»).
    ("Công đoàn cơ sở Trường Trung học phổ thông Nguyễn Bỉnh Khiêm huyện Đồng Xuân",
     ["CÔNG ĐOÀN CƠ SỞ TRƯỜNG", "TRUNG HỌC PHỔ THÔNG", "NGUYỄN BỈNH KHIÊM", "HUYỆN ĐỒNG XUÂN"]),
    # Where the type fits, it stays with the kind and the break comes before the name.
    ("Công đoàn Trường Đại học Xây dựng Hà Nội",
     ["CÔNG ĐOÀN TRƯỜNG ĐẠI HỌC", "XÂY DỰNG HÀ NỘI"]),
    ("Công đoàn cơ sở Trường Tiểu học Kim Đồng thành phố Tuy Hòa",
     ["CÔNG ĐOÀN CƠ SỞ", "TRƯỜNG TIỂU HỌC KIM ĐỒNG", "THÀNH PHỐ TUY HÒA"]),
])
def test_a_school_name_breaks_outside_its_words(typed: str, lines: list[str]) -> None:
    assert break_lines(typed.upper(), ISSUER, typed) == lines


def test_an_author_line_break_is_kept() -> None:
    assert break_lines("LIÊN ĐOÀN LAO ĐỘNG\nTỈNH PHÚ YÊN", Column(500, 12, True)) == [
        "LIÊN ĐOÀN LAO ĐỘNG", "TỈNH PHÚ YÊN"]


@pytest.mark.parametrize("title", [
    "Kết quả thực hiện giai đoạn 1 Chương trình “01 triệu sáng kiến” của các Công đoàn cơ sở"
    " trực thuộc",
    "Tổ chức các hoạt động chào mừng kỷ niệm 95 năm Ngày thành lập Công đoàn Việt Nam"
    " (28/7/1929 - 28/7/2024) và Tháng Công nhân năm 2024",
    "Tổ chức Hội nghị người lao động năm 2025",
    "Triển khai thực hiện phong trào thi đua lao động giỏi, lao động sáng tạo năm 2025",
])
def test_titles_are_balanced_without_a_lone_word_or_year(title: str) -> None:
    column = Column(165 * MM, 14, True)
    narrow = Column(text_width(title, 14, True) * 0.55, 14, True)
    for col in (column, narrow):
        lines = break_lines(title, col)
        assert " ".join(lines) == title
        if len(lines) > 1:
            assert len(lines[-1].split()) > 1, lines
            assert not re.fullmatch(r"\S*\d{4}\S*", lines[-1]), lines
            widths = [text_width(line, 14, True) for line in lines]
            assert max(widths) <= col.width_pt
            assert "“01\n" not in "\n".join(lines) and not lines[0].endswith("“01")


def test_columns_are_read_from_the_template() -> None:
    columns = template_columns(default_template("ke_hoach"))
    # the default templates print the issuers in a loop (joint documents): {{ i.name }}
    assert columns["issuers.name"].width_pt == pytest.approx(70 * MM, abs=0.5)
    assert columns["issuers.name"].size_pt == 12 and columns["issuers.name"].bold
    assert not columns["issuers.parent"].bold
    assert columns["subject"].width_pt == pytest.approx(165 * MM, abs=0.5)
    assert columns["subject"].size_pt == 14 and columns["subject"].bold
    assert "subject_line" in template_columns(default_template("cong_van"))


def _issuer_paragraph(data: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    start = xml.index("LIÊN ĐOÀN")
    return xml[start:xml.index("</w:p>", start)]


def test_the_break_is_a_real_line_break_and_follows_the_column(tmp_path: Path) -> None:
    doc = load_document(ROOT / "examples" / "112-ldld-phu-yen-cong-van.yaml")
    issuer = _issuer_paragraph(render_docx(doc))
    assert re.search(r"LIÊN ĐOÀN LAO ĐỘNG</w:t>.*<w:br/>.*TỈNH PHÚ YÊN", issuer), issuer
    # A custom template with a wider left column: the name now fits on one line.
    wide = tmp_path / "wide.docx"
    with zipfile.ZipFile(default_template("cong_van")) as src, \
            zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.namelist():
            data = src.read(item)
            if item == "word/document.xml":
                data = data.replace(b'w:w="3969"', b'w:w="5669"')
            out.writestr(item, data)
    assert "<w:br/>" not in _issuer_paragraph(render_docx(doc, template=wide))


def test_paragraph_lines_match_libreoffice(tmp_path: Path) -> None:
    """The body line filling the page-fill logic relies on is LibreOffice's, line for line."""
    from vn_union_docs.documents.body import Paragraph, body_blocks
    from vn_union_docs.rendering.pdf import convert_to_pdf, find_soffice

    need("LibreOffice", find_soffice() is not None,
         "apt-get install -y --no-install-recommends libreoffice-writer-nogui")
    need("pdftotext", shutil.which("pdftotext") is not None, "apt-get install -y poppler-utils")
    doc = load_document(ROOT / "examples" / "112-ldld-phu-yen-cong-van.yaml")
    render_docx(doc, tmp_path / "a.docx")
    (pdf,) = convert_to_pdf([tmp_path / "a.docx"], tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    printed = {" ".join(line.split()) for line in text.splitlines()}
    # (the last paragraph is left out: its last sentence is split off, see test_pagefill)
    predicted = [line for block in body_blocks(doc.body)[:-1] if isinstance(block, Paragraph)
                 for line in paragraph_lines([(r.text, r.bold) for r in block.runs],
                                             165 * MM, 14, 36)]
    assert len(predicted) > 30
    missing = [line for line in predicted if " ".join(line.split()) not in printed]
    assert not missing, missing
    # and the header, printed as chosen
    # (pdftotext puts the right-hand column on the same text line, after a wide gap)
    assert re.search(r"^\s*LIÊN ĐOÀN LAO ĐỘNG(\s{2,}|$)", text, re.M), text[:600]
    assert re.search(r"^\s*TỈNH PHÚ YÊN(\s{2,}|$)", text, re.M), text[:600]
