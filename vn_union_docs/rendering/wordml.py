"""Body blocks → WordprocessingML: paragraphs and tables with the template's body styles.

``BodyXml`` is what the template context's ``body`` holds (``{{p body }}`` inserts it).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from vn_union_docs.documents.body import (
    STYLE_TABLE,
    STYLE_TABLE_TEXT,
    TEXT_WIDTH_TWIPS,
    Block,
    Run,
    Table,
)

# --- WordprocessingML -------------------------------------------------------------------

_W_T = '<w:t xml:space="preserve">'


def _run_xml(run: Run) -> str:
    if run.text == "\n":
        return "<w:r><w:br/></w:r>"
    props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    parts = run.text.split("\t")
    inner = "<w:tab/>".join(f"{_W_T}{escape(part)}</w:t>" if part else "" for part in parts)
    return f"<w:r>{rpr}{inner}</w:r>"


def _paragraph_xml(style: str, runs: list[Run], jc: str | None = None,
                   keep_next: bool = False) -> str:
    keep = "<w:keepNext/>" if keep_next else ""
    justify = f'<w:jc w:val="{jc}"/>' if jc else ""
    return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{keep}{justify}</w:pPr>'
            f'{"".join(_run_xml(r) for r in runs)}</w:p>')


_ALIGN = {"left": "left", "right": "right", "center": "center"}


def _table_xml(table: Table, width: int = TEXT_WIDTH_TWIPS) -> str:
    columns = max((len(row) for row in table.rows), default=1)
    # Column widths follow the longest text of each column, within bounds, so a figure
    # such as "100,0%" never wraps and a long name gets the room.
    weights = [6] * columns
    for row in table.rows:
        for col, cell in enumerate(row):
            length = len("".join(r.text for r in cell)) + 2
            weights[col] = max(weights[col], min(length, 40))
    total = sum(weights)
    widths = [width * w // total for w in weights]
    widths[-1] += width - sum(widths)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    parts = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{STYLE_TABLE}"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    for number, row in enumerate(table.rows):
        header = '<w:trPr><w:tblHeader/></w:trPr>' if number == 0 else ""
        cells = []
        for col in range(columns):
            runs = row[col] if col < len(row) else []
            align = table.align[col] if col < len(table.align) else None
            jc = "center" if number == 0 else _ALIGN.get(align or "")
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{widths[col]}" w:type="dxa"/></w:tcPr>'
                f"{_paragraph_xml(STYLE_TABLE_TEXT, runs, jc)}</w:tc>"
            )
        parts.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def blocks_to_wordml(blocks: list[Block], width: int = TEXT_WIDTH_TWIPS) -> str:
    """WordprocessingML (``<w:p>``/``<w:tbl>`` elements, ``w:`` prefix) for the blocks;
    ``width``: the text width tables span (twips; a landscape appendix is wider)."""
    out = []
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        if isinstance(block, Table):
            out.append(_table_xml(block, width))
        else:
            # The closing paragraph stays on the page of the signature block.
            out.append(_paragraph_xml(block.style, block.runs, keep_next=index == last))
    return "".join(out)


class BodyXml:
    """The body's WordprocessingML, ready for a template's ``{{p body }}`` placeholder.

    Jinja inserts it unescaped (``__html__``), which is how docxtpl inserts its own rich
    objects; everything inside was escaped when the XML was built.
    """

    __slots__ = ("blocks", "xml")

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.xml = blocks_to_wordml(blocks)

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml
