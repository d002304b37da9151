"""Issue 13.7: space around body tables and a deliberate closing mark after a table."""

from __future__ import annotations

import re

from vn_union_docs.documents.body import parse_body
from vn_union_docs.rendering.wordml import TABLE_GAP_TWIPS, blocks_to_wordml

TABLE = ("| TT | Đơn vị | Tỷ lệ |\n|---|---|---:|\n| 1 | CĐCS A | 100,0% |\n"
         "| 2 | CĐCS B | 85,7% |\n| 3 | CĐCS C | 90,0% |\n| 4 | CĐCS D | 72,0% |")


def test_a_paragraph_after_a_table_keeps_its_distance() -> None:
    xml = blocks_to_wordml(parse_body(f"Kết quả như sau:\n\n{TABLE}\n\nĐoạn sau bảng."))
    after = xml.split("</w:tbl>")[1]
    assert f'<w:spacing w:before="{TABLE_GAP_TWIPS}"/>' in after.split("</w:pPr>")[0]
    before = xml.split("<w:tbl>")[0]
    assert "w:before" not in before  # the paragraph before keeps its style's space after


def test_a_body_ending_with_a_table_closes_deliberately() -> None:
    xml = blocks_to_wordml(parse_body(f"Kết quả như sau:\n\n{TABLE}"))
    closing = xml.split("</w:tbl>")[1]
    assert "./." in closing and closing.count("<w:p>") == 1
    ppr = closing.split("</w:pPr>")[0]
    assert '<w:ind w:firstLine="0"/>' in ppr  # not a lone indented mark
    assert '<w:jc w:val="left"/>' in ppr and f'w:before="{TABLE_GAP_TWIPS}"' in ppr
    assert "<w:keepNext/>" in ppr  # stays with the signature block
    rows = re.findall(r"<w:tr>.*?</w:tr>", xml)
    assert all("<w:cantSplit/>" in row for row in rows)  # rows never split across pages
    # the last two rows travel with the closing mark and the signature, the others are free
    assert "<w:keepNext/>" in rows[-1] and "<w:keepNext/>" in rows[-2]
    assert not any("<w:keepNext/>" in row for row in rows[:-2])
