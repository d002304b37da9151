"""Body blocks → WordprocessingML: paragraphs and tables with the template's body styles.

``BodyXml`` is what the template context's ``body`` holds (``{{p body }}`` inserts it).

Page fill (issue 13.3): the body's last lines travel with the signature block, and only
they. Word and LibreOffice both keep a paragraph marked *keep with next* on the page of
what follows; LibreOffice moves the whole paragraph, Word may move only its last line. So
the library itself decides what moves: the last paragraph when it is short (at most
``WHOLE_MAX_LINES`` lines, measured with the font's advance widths, see
``linebreak.paragraph_lines``), else its last sentences (or, lacking a sentence end, its last
lines) split off into a paragraph of their own. That paragraph gets *keep with next* and
*keep lines together* — documented Word properties (ECMA-376 17.3.1.14/15) with one meaning
in both applications for a paragraph that fits on a page — and the signature table's row
cannot split (``cantSplit``, 17.4.6). What moves is thus never more than
``TAIL_MAX_LINES`` lines (under a quarter page) and never fewer than two.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vn_union_docs.documents.body import (
    STYLE_TABLE,
    STYLE_TABLE_TEXT,
    TEXT_WIDTH_TWIPS,
    Block,
    Paragraph,
    Run,
    Table,
)
from vn_union_docs.markup import xml_text
from vn_union_docs.rendering.direct import BalancedMarkup
from vn_union_docs.rendering.linebreak import paragraph_lines

TAIL_MAX_LINES = 6
"""The most lines of body text that move to the next page with the signature block."""
WHOLE_MAX_LINES = 3
"""A last paragraph this short moves whole; a longer one is split (sentences, else lines)."""
TAIL_MIN_LINES = 2
"""The fewest lines of body text above the signature block."""
BODY_SIZE_PT = 14.0
BODY_FIRST_LINE_PT = 36.0  # 1.27 cm
TABLE_GAP_TWIPS = 120  # 6 pt between a table and the paragraph after it

# --- WordprocessingML -------------------------------------------------------------------

_W_T = '<w:t xml:space="preserve">'


@lru_cache(maxsize=256)  # the runs of a batch's fixed paragraphs come back on every row
def _run_xml(run: Run) -> str:
    if run.text == "\n":
        return "<w:r><w:br/></w:r>"
    props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    parts = run.text.split("\t")
    inner = "<w:tab/>".join(f"{_W_T}{xml_text(part)}</w:t>" if part else "" for part in parts)
    return f"<w:r>{rpr}{inner}</w:r>"


def _paragraph_xml(style: str, runs: list[Run], jc: str | None = None,
                   keep_next: bool = False, *, keep_lines: bool = False,
                   before: int | None = None, after: int | None = None,
                   first_line: int | None = None) -> str:
    """A ``w:p``; the optional properties in the schema's order (CT_PPrBase)."""
    props = [f'<w:pStyle w:val="{style}"/>']
    if keep_next:
        props.append("<w:keepNext/>")
    if keep_lines:
        props.append("<w:keepLines/>")
    spacing = "".join(f' w:{name}="{value}"' for name, value in
                      (("before", before), ("after", after)) if value is not None)
    if spacing:
        props.append(f"<w:spacing{spacing}/>")
    if first_line is not None:
        props.append(f'<w:ind w:firstLine="{first_line}"/>')
    if jc:
        props.append(f'<w:jc w:val="{jc}"/>')
    return (f'<w:p><w:pPr>{"".join(props)}</w:pPr>'
            f'{"".join(_run_xml(r) for r in runs)}</w:p>')


_ALIGN = {"left": "left", "right": "right", "center": "center"}


def _table_xml(table: Table, width: int = TEXT_WIDTH_TWIPS,
               keep_with_next: bool = False) -> str:
    """A body table spanning ``width`` twips; ``keep_with_next``: its last two rows stay with
    what follows (the closing mark and the signature block), rows never split across pages."""
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
        header = ('<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>' if number == 0
                  else "<w:trPr><w:cantSplit/></w:trPr>")
        keep = keep_with_next and number >= len(table.rows) - 2
        cells = []
        for col in range(columns):
            runs = row[col] if col < len(row) else []
            align = table.align[col] if col < len(table.align) else None
            jc = "center" if number == 0 else _ALIGN.get(align or "")
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{widths[col]}" w:type="dxa"/></w:tcPr>'
                f"{_paragraph_xml(STYLE_TABLE_TEXT, runs, jc, keep_next=keep)}</w:tc>"
            )
        parts.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _lines(runs: list[Run]) -> tuple[str, ...]:
    return _body_lines(tuple((r.text, r.bold) for r in runs))


@lru_cache(maxsize=256)  # a batch's last paragraphs are mostly the same on every row
def _body_lines(runs: tuple[tuple[str, bool], ...]) -> tuple[str, ...]:
    return tuple(paragraph_lines(list(runs), TEXT_WIDTH_TWIPS / 20, BODY_SIZE_PT,
                                 BODY_FIRST_LINE_PT))


def _split_runs(runs: list[Run], offset: int) -> tuple[list[Run], list[Run]]:
    """The runs before and after character ``offset`` of their joined text."""
    head: list[Run] = []
    tail: list[Run] = []
    position = 0
    for run in runs:
        end = position + len(run.text)
        if end <= offset:
            head.append(run)
        elif position >= offset:
            tail.append(run)
        else:
            cut = offset - position
            head.append(Run(run.text[:cut], run.bold, run.italic))
            tail.append(Run(run.text[cut:], run.bold, run.italic))
        position = end
    head[-1:] = [Run(head[-1].text.rstrip(), head[-1].bold, head[-1].italic)] if head else []
    if tail:
        tail[0] = Run(tail[0].text.lstrip(), tail[0].bold, tail[0].italic)
    return head, [r for r in tail if r.text]


_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+(?=[\"“(]?[^\W\d_])")


def _last_paragraph_xml(block: Paragraph, before: int | None = None) -> str:
    """The body's last paragraph, with its last lines kept with the signature block
    (``before``: its space before, after a table)."""
    lines = _lines(block.runs)
    if len(lines) <= WHOLE_MAX_LINES:
        return _paragraph_xml(block.style, block.runs, keep_next=True, keep_lines=True,
                              before=before)
    text = "".join(r.text for r in block.runs)
    for match in reversed(list(_SENTENCE_END.finditer(text))):
        if not text[match.end()].isupper() and text[match.end()] not in "\"“(":
            continue
        head, tail = _split_runs(block.runs, match.start())
        count = len(_lines(tail))
        if count > TAIL_MAX_LINES:
            break
        if count >= TAIL_MIN_LINES and len(_lines(head)) >= TAIL_MIN_LINES:
            return (_paragraph_xml(block.style, head, before=before)
                    + _paragraph_xml(block.style, tail, keep_next=True, keep_lines=True))
    # No sentence to split at: the last two lines, exactly where the lines break (found by
    # counting the characters other than spaces of the lines before).
    wanted = sum(len("".join(line.split())) for line in lines[:-TAIL_MIN_LINES])
    position = seen = 0
    while position < len(text) and seen < wanted:
        seen += not text[position].isspace()
        position += 1
    head, tail = _split_runs(block.runs, position)
    return (_paragraph_xml(block.style, head, before=before, after=0)
            + _paragraph_xml(block.style, tail, keep_next=True, keep_lines=True, first_line=0))


def _is_closing(block: Block) -> bool:
    return isinstance(block, Paragraph) and block.text.strip() == "./."


def blocks_to_wordml(blocks: list[Block], width: int = TEXT_WIDTH_TWIPS) -> str:
    """WordprocessingML (``<w:p>``/``<w:tbl>`` elements, ``w:`` prefix) for the blocks;
    ``width``: the text width tables span (twips; a landscape appendix is wider)."""
    out = []
    last = len(blocks) - 1
    # A last paragraph of one line (a list item) takes the paragraph before it along, so the
    # signature block always has at least TAIL_MIN_LINES lines of body text above it.
    lead_in = -1
    if last >= 1:
        final, before_final = blocks[last], blocks[last - 1]
        if (isinstance(final, Paragraph) and isinstance(before_final, Paragraph)
                and len(_lines(final.runs)) < TAIL_MIN_LINES
                and len(_lines(before_final.runs)) <= WHOLE_MAX_LINES):
            lead_in = last - 1
    for index, block in enumerate(blocks):
        after_table = index > 0 and isinstance(blocks[index - 1], Table)
        if index == lead_in and isinstance(block, Paragraph):
            out.append(_paragraph_xml(block.style, block.runs, keep_next=True, keep_lines=True,
                                      before=TABLE_GAP_TWIPS if after_table else None))
        elif isinstance(block, Table):
            out.append(_table_xml(block, width, keep_with_next=index == last - 1
                                  and _is_closing(blocks[last])))
        elif after_table and _is_closing(block):
            # The closing mark under a table: at the table's left edge, clear of its border.
            out.append(_paragraph_xml(block.style, block.runs, "left", keep_next=True,
                                      before=TABLE_GAP_TWIPS, first_line=0))
        elif index == last:
            out.append(_last_paragraph_xml(block, TABLE_GAP_TWIPS if after_table else None))
        else:
            out.append(_paragraph_xml(block.style, block.runs,
                                      before=TABLE_GAP_TWIPS if after_table else None))
    return "".join(out)


class XmlFragment(BalancedMarkup):
    """WordprocessingML ready for a template: Jinja inserts it unescaped (``__html__``), as
    docxtpl inserts its own rich objects; everything inside was escaped when it was built."""

    __slots__ = ("xml",)

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return bool(self.xml)


class BodyXml(BalancedMarkup):
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
