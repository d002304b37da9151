"""Joint documents (văn bản liên tịch): the signature blocks side by side.

NĐ 30/2020 has no joint documents; the layout follows Thông tư 01/2011/TT-BNV and union
practice: the lead issuer's block on the right of the first row, the others on the left, two
per row, each with its capacity lines, title, room to sign and name.

``signature_rows(doc)`` is the data (context key ``signature_rows``); ``SignatureTable`` the
same as WordprocessingML (``{{p signature_table }}``): a borderless table in the template's
signature styles. It is built here rather than with ``{%tr %}`` loops in the template, which
would make every render of every document re-check its tables (docxtpl's ``fix_tables``).
"""

from __future__ import annotations

from typing import Any

from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.markup import xml_text
from vn_union_docs.rendering.wordml import XmlFragment

STYLE_SIGNATURE = "VBSignature"
STYLE_NAME = "VBSignatureName"
SIGNATURE_ROOM = 4  # empty paragraphs for the signature and the seal
_WIDTHS = (4252, 5102)  # 75 mm and 90 mm, as the templates' single signature block
_SPACE_BEFORE = 240  # 12 pt between the body and the blocks


def _block(signature: Any) -> dict[str, Any]:
    return {"capacity": list(signature.capacity), "title": (signature.title or "").upper(),
            "name": signature.name}


def signature_rows(doc: BaseDocument) -> list[dict[str, Any]]:
    """A joint document's signature blocks, two per row: the lead's on the right of the first
    row, the others on the left, then in pairs. Empty for a single signature."""
    signatures = doc.signatures
    if len(signatures) < 2:
        return []
    lead, others = _block(signatures[0]), [_block(s) for s in signatures[1:]]
    rows: list[dict[str, Any]] = [{"left": others[0], "right": lead}]
    rest = others[1:]
    for i in range(0, len(rest), 2):
        rows.append({"left": rest[i], "right": rest[i + 1] if i + 1 < len(rest) else None})
    return rows


def _paragraph(style: str, text: str) -> str:
    run = f'<w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>' if text else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{run}</w:p>'


def _cell(block: dict[str, Any] | None, width: int) -> str:
    if block is None:
        paragraphs = _paragraph(STYLE_SIGNATURE, "")
    else:
        lines = [*block["capacity"], *([block["title"]] if block["title"] else [])]
        paragraphs = "".join(_paragraph(STYLE_SIGNATURE, line) for line in lines)
        paragraphs += _paragraph(STYLE_SIGNATURE, "") * SIGNATURE_ROOM
        paragraphs += _paragraph(STYLE_NAME, block["name"])
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>'


class SignatureTable(XmlFragment):
    """The joint signature blocks as a table, for ``{{p signature_table }}``."""

    __slots__ = ()

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            self.xml = ""
            return
        borders = "".join(f'<w:{side} w:val="nil"/>' for side in
                          ("top", "left", "bottom", "right", "insideH", "insideV"))
        head = (
            f'<w:tbl><w:tblPr><w:tblW w:w="{sum(_WIDTHS)}" w:type="dxa"/>'
            f'<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblLayout w:type="fixed"/><w:tblCellMar>'
            f'<w:top w:w="{_SPACE_BEFORE}" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{_WIDTHS[0]}"/><w:gridCol w:w="{_WIDTHS[1]}"/>'
            "</w:tblGrid>")
        body = "".join(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            f"{_cell(row['left'], _WIDTHS[0])}{_cell(row['right'], _WIDTHS[1])}</w:tr>"
            for row in rows)
        self.xml = f"{head}{body}</w:tbl>"

