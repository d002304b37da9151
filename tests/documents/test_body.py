"""The body: restricted Markdown → numbered blocks → WordprocessingML."""

from __future__ import annotations

import pytest
from lxml import etree

from vn_union_docs.documents.body import BodyError, Paragraph, Table, parse_body
from vn_union_docs.rendering.wordml import BodyXml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def texts(markdown: str) -> list[tuple[str, str]]:
    return [(getattr(b, "style", "table"), b.text) for b in parse_body(markdown)]


def test_headings_are_numbered_by_level_and_reset() -> None:
    body = "# Mục đích\n\n## A\n\n## B\n\n### x\n\n### y\n\n# Nội dung\n\n## C\n\nXong."
    assert [t for _, t in texts(body)] == [
        "I. MỤC ĐÍCH", "1. A", "2. B", "a) x", "b) y", "II. NỘI DUNG", "1. C", "Xong./.",
    ]


def test_sections_cannot_jump_v_to_iii() -> None:
    body = "\n\n".join(f"# Mục {n}" for n in range(6)) + "\n\nHết."
    labels = [t.split(".")[0] for s, t in texts(body) if s == "VBHeading1"]
    assert labels == ["I", "II", "III", "IV", "V", "VI"]


def test_points_use_the_vietnamese_alphabet() -> None:
    body = "## K\n\n" + "\n\n".join(f"### điểm {n}" for n in range(8)) + "\n\nHết."
    labels = [t.split(")")[0] for s, t in texts(body) if s == "VBHeading3"]
    assert labels == ["a", "b", "c", "d", "đ", "e", "g", "h"]


def test_lists_dashes_plus_and_numbers() -> None:
    body = "- một\n  - con\n- hai\n\n3. ba\n4. bốn\n"
    assert texts(body) == [
        ("VBDash", "- một"), ("VBPlus", "+ con"), ("VBDash", "- hai"),
        ("VBNumbered", "3. ba"), ("VBNumbered", "4. bốn./."),
    ]


def test_inline_bold_italic_and_literal_markup() -> None:
    (para,) = parse_body("A **đậm** *nghiêng* <b>x</b> &amp; [l](u) `c` ~t~")
    assert isinstance(para, Paragraph)
    assert para.text == "A đậm nghiêng <b>x</b> &amp; [l](u) `c` ~t~./."
    assert [(r.text, r.bold, r.italic) for r in para.runs[:4]] == [
        ("A ", False, False), ("đậm", True, False), (" ", False, False),
        ("nghiêng", False, True)]


def test_indented_text_is_not_code() -> None:
    assert texts("    Thụt lề bốn dấu cách.") == [("VBBody", "Thụt lề bốn dấu cách./.")]


@pytest.mark.parametrize(
    ("body", "ending"),
    [("Thực hiện.", "Thực hiện./."), ("Thực hiện./.", "Thực hiện./."),
     ("Thực hiện", "Thực hiện./."), ("Thực hiện.  ", "Thực hiện./."),
     ("- mục cuối", "- mục cuối./.")],
)
def test_closing_mark_added_once(body: str, ending: str) -> None:
    assert parse_body(body)[-1].text == ending


def test_table_then_closing_paragraph() -> None:
    blocks = parse_body("| Đơn vị | Số |\n|---|--:|\n| A \\| B | 1.619 |\n")
    assert isinstance(blocks[0], Table)
    assert blocks[0].text == "Đơn vị | Số\nA | B | 1.619"
    assert blocks[0].align == [None, "right"]
    assert blocks[-1].text == "./."


def test_heading_errors_name_the_line() -> None:
    with pytest.raises(BodyError, match="dòng 3"):
        parse_body("Mở đầu.\n\n#### quá sâu")
    with pytest.raises(BodyError, match="tự đánh số"):
        parse_body("## 1. Mục đích")


def test_wordml_is_well_formed_and_escaped() -> None:
    blocks = parse_body("# Mục\n\nA & B < C > \"D\"\ttab  \ndòng mới\n\n| x |\n|---|\n| y |\n")
    xml = BodyXml(blocks).xml
    root = etree.fromstring(f'<w:body xmlns:w="{W}">{xml}</w:body>'.encode())
    paragraphs = root.findall(f"{{{W}}}p")
    assert paragraphs[0].find(f"{{{W}}}pPr/{{{W}}}pStyle").get(f"{{{W}}}val") == "VBHeading1"
    text = "".join(paragraphs[1].itertext())
    assert 'A & B < C > "D"' in text
    assert paragraphs[1].find(f".//{{{W}}}tab") is not None
    assert paragraphs[1].find(f".//{{{W}}}br") is not None
    assert root.find(f"{{{W}}}tbl/{{{W}}}tblPr/{{{W}}}tblStyle").get(f"{{{W}}}val") == "VBTable"
    assert "\n" not in xml and "\t" not in xml  # docxtpl would rewrite them
    last = paragraphs[-1]
    assert last.find(f"{{{W}}}pPr/{{{W}}}keepNext") is not None


def test_closing_mark_never_glued_to_a_heading() -> None:
    assert texts("# Mục đích") == [("VBHeading1", "I. MỤC ĐÍCH"), ("VBBody", "./.")]
    assert texts("Mở đầu.\n\n## Khoản mới")[-1] == ("VBBody", "./.")
