"""The body: restricted Markdown → numbered blocks (no docx here).

``parse_body(markdown) -> list[Block]`` reads the Markdown with markdown-it-py and numbers
   it the way Vietnamese documents do: ``#`` → ``I.`` ``II.`` (text upper case), ``##`` →
   ``1.`` ``2.``, ``###`` → ``a)`` ``b)`` … ``đ)``; ``- `` items stay dash paragraphs, nested
   items become ``+`` paragraphs, ordered items plain numbered paragraphs; ``**bold**`` and
   ``*italic*`` inline; pipe tables become tables. The body is closed with ``./.``.
Each block names the template style it takes (``VBBody``, ``VBHeading1`` …, ``VBTable``);
``rendering.wordml`` writes the blocks as WordprocessingML.

What Markdown could do beyond that (HTML, links, images, code blocks, block quotes, entities)
is switched off, so text such as ``<b>``, ``&amp;`` or ``[x](y)`` prints exactly as typed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from vn_union_docs import vi
from vn_union_docs.errors import BodyError
from vn_union_docs.markup import SLOT

STYLE_BODY = "VBBody"
STYLE_HEADINGS = ("VBHeading1", "VBHeading2", "VBHeading3")
STYLE_DASH = "VBDash"
STYLE_PLUS = "VBPlus"
STYLE_NUMBERED = "VBNumbered"
STYLE_TABLE = "VBTable"
STYLE_TABLE_TEXT = "VBTableText"
STYLE_PART = "VBPart"  # "Phần I", "Chương I", "Mục 1" (in a document with chương): centred bold
STYLE_PART_TITLE = "VBPartTitle"  # the title under it, upper case, centred bold
STYLE_ARTICLE = "VBArticle"  # "Điều 1. Title": bold, indented
UPPER_STYLES = frozenset({STYLE_HEADINGS[0], STYLE_PART_TITLE})
"""Styles whose text is printed upper case (values filled into them too)."""

OUTLINE_LEVELS = ("phan", "chuong", "muc", "tieu_muc", "dieu", "khoan", "diem")
"""The ND30 levels of a body's headings, from the top (NĐ 30/2020, Phụ lục I, Mục V)."""
DEFAULT_OUTLINE = ("muc", "khoan", "diem")
"""``#`` → ``I. TITLE``, ``##`` → ``1. Title``, ``###`` → ``a) title``."""
_NEVER_RESET = frozenset({"chuong", "dieu"})  # chương and điều run on through the document

TEXT_WIDTH_TWIPS = 9355  # 165 mm: A4 less the default 30 mm + 15 mm margins

_HAND_NUMBERED = {
    "roman": re.compile(r"^(?:[IVXLC]+)\s*[.:)]\s"),
    "khoan": re.compile(r"^\d+\s*[.)]\s"),
    "diem": re.compile(r"^[a-zđ]\s*\)\s"),
    "phan": re.compile(r"^phần\s+[\dIVXLC]+\b", re.I),
    "chuong": re.compile(r"^chương\s+[\dIVXLC]+\b", re.I),
    "muc": re.compile(r"^mục\s+\d+\b", re.I),
    "tieu_muc": re.compile(r"^tiểu\s+mục\s+\d+\b", re.I),
    "dieu": re.compile(r"^điều\s+\d+\b", re.I),
}
_LEVEL_WORDS = {"phan": "Phần", "chuong": "Chương", "muc": "Mục", "tieu_muc": "Tiểu mục"}


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting; ``text == "\\n"`` is a line break."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Paragraph:
    """A body paragraph: its style id and its runs (the label, e.g. ``I. ``, included)."""

    style: str
    runs: list[Run]
    line: int | None = None

    @property
    def text(self) -> str:
        """The paragraph's plain text."""
        return "".join(run.text for run in self.runs)


@dataclass
class Table:
    """A table: rows of cells of runs; the first row is the header; ``align`` per column."""

    rows: list[list[list[Run]]]
    align: list[str | None] = field(default_factory=list)
    line: int | None = None

    @property
    def text(self) -> str:
        """Cells separated by `` | ``, rows by newlines."""
        return "\n".join(
            " | ".join("".join(r.text for r in cell) for cell in row) for row in self.rows
        )


Block = Paragraph | Table


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.disable(
        ["code", "fence", "blockquote", "hr", "reference", "html_block", "lheading",
         "backticks", "link", "image", "autolink", "html_inline", "entity"]
    )
    return md


def _inline_runs(token: Token, *, bold: bool = False, italic: bool = False) -> list[Run]:
    runs: list[Run] = []
    strong, em = 0, 0
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            if child.content:
                runs.append(Run(child.content, bold or strong > 0, italic or em > 0))
        elif kind == "softbreak":
            runs.append(Run(" ", bold or strong > 0, italic or em > 0))
        elif kind == "hardbreak":
            runs.append(Run("\n"))
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif child.content:
            runs.append(Run(child.content, bold or strong > 0, italic or em > 0))
    return _merge(runs)


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and run.text != "\n" and merged[-1].text != "\n" and (
            merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return merged


def _upper(runs: list[Run]) -> list[Run]:
    return [Run(r.text.upper(), r.bold, r.italic) for r in runs]


_LEVEL_NAMES = {"phan": "phần", "chuong": "chương", "muc": "mục", "tieu_muc": "tiểu mục",
                "dieu": "điều", "khoan": "khoản", "diem": "điểm"}


def _hand_pattern(kind: str, outline: tuple[str, ...]) -> re.Pattern[str]:
    if kind == "muc" and "chuong" not in outline:
        return _HAND_NUMBERED["roman"]
    return _HAND_NUMBERED[kind]


def _heading(kind: str, n: int, runs: list[Run], with_chuong: bool,
             line: int | None) -> list[Block]:
    """The paragraphs of one heading, presented as NĐ 30/2020, Phụ lục I, Mục V has it."""
    if kind in ("phan", "chuong") or (kind in ("muc", "tieu_muc") and with_chuong):
        number = vi.roman(n) if kind in ("phan", "chuong") else str(n)
        return [Paragraph(STYLE_PART, [Run(f"{_LEVEL_WORDS[kind]} {number}")], line),
                Paragraph(STYLE_PART_TITLE, _upper(runs), line)]
    if kind == "muc":  # the phần–mục arrangement of reports and plans
        return [Paragraph(STYLE_HEADINGS[0], _merge([Run(f"{vi.roman(n)}. "), *_upper(runs)]),
                          line)]
    if kind == "tieu_muc":
        return [Paragraph(STYLE_HEADINGS[1], _merge([Run(f"{n}. "), *runs]), line)]
    if kind == "dieu":
        return [Paragraph(STYLE_ARTICLE, _merge([Run(f"Điều {n}. ", bold=True),
                                                 *[Run(r.text, True, r.italic) for r in runs]]),
                          line)]
    if kind == "khoan":
        return [Paragraph(STYLE_HEADINGS[1], _merge([Run(f"{n}. "), *runs]), line)]
    return [Paragraph(STYLE_HEADINGS[2], _merge([Run(f"{vi.letter(n)}) "), *runs]), line)]


def check_outline(outline: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``outline`` as a tuple, or ``ValueError`` for an unknown level or one out of order."""
    levels = tuple(outline)
    if not levels:
        raise ValueError("outline cần ít nhất một cấp, ví dụ [muc, khoan, diem]")
    if len(levels) > 6:
        raise ValueError("outline có nhiều nhất 6 cấp (đề mục Markdown chỉ có # đến ######)")
    for level in levels:
        if level not in OUTLINE_LEVELS:
            raise ValueError(
                f"cấp «{level}» không có; dùng {', '.join(OUTLINE_LEVELS)} (NĐ 30/2020, "
                "Phụ lục I, Mục V)")
    for before, after in itertools.pairwise(levels):
        if OUTLINE_LEVELS.index(after) <= OUTLINE_LEVELS.index(before):
            raise ValueError(
                f"cấp «{after}» không thể đứng sau «{before}»: thứ tự từ trên xuống là "
                f"{' > '.join(OUTLINE_LEVELS)}")
    return levels


def parse_body(markdown: str, *, close: bool = True,
               outline: tuple[str, ...] = DEFAULT_OUTLINE) -> list[Block]:
    """Parse restricted Markdown into numbered body blocks.

    ``outline`` names the ND30 level of ``#``, ``##`` … (``OUTLINE_LEVELS``); the default is
    ``I.`` / ``1.`` / ``a)``. ``close`` adds ``./.`` after the last paragraph, list item or
    table unless it is there. Raises ``BodyError`` naming the line for headings deeper than
    the outline or hand-typed heading numbers (``# I. MỤC ĐÍCH`` would print ``I. I. …``).
    """
    tokens = _parser().parse(markdown)
    blocks: list[Block] = []
    counters: dict[str, int] = {}
    list_stack: list[dict[str, int | str]] = []
    item_first_paragraph: list[bool] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] + 1 if token.map else None
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1])
            inline = tokens[index + 1]
            if level > len(outline):
                marks = ", ".join("#" * (i + 1) for i in range(len(outline)))
                raise BodyError(
                    f"dòng {line}: đề mục {'#' * level} quá sâu; văn bản này dùng {marks} "
                    f"({', '.join(_LEVEL_NAMES[k] for k in outline)})")
            text = inline.content.strip()
            kind_name = outline[level - 1]
            pattern = _hand_pattern(kind_name, outline)
            if pattern.match(text):
                raise BodyError(
                    f"dòng {line}: đề mục «{text[:40]}» đã có số; thư viện tự đánh số "
                    f"({'#' * level} {pattern.sub('', text).strip(' .:')[:30]})"
                )
            counters[kind_name] = counters.get(kind_name, 0) + 1
            for deeper in outline[level:]:
                if deeper not in _NEVER_RESET:
                    counters[deeper] = 0
            blocks.extend(_heading(kind_name, counters[kind_name], _inline_runs(inline),
                                   "chuong" in outline, line))
            index += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else 0
            list_stack.append({"kind": kind, "next": start})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif kind == "list_item_open":
            item_first_paragraph.append(True)
        elif kind == "list_item_close":
            item_first_paragraph.pop()
        elif kind == "paragraph_open":
            inline = tokens[index + 1]
            runs = _inline_runs(inline)
            if list_stack and item_first_paragraph and item_first_paragraph[-1]:
                item_first_paragraph[-1] = False
                current = list_stack[-1]
                if current["kind"] == "ordered_list_open":
                    number = int(current["next"])
                    current["next"] = number + 1
                    blocks.append(Paragraph(STYLE_NUMBERED, _merge([Run(f"{number}. "), *runs]),
                                            line))
                else:
                    bullets = sum(1 for entry in list_stack if entry["kind"] == "bullet_list_open")
                    style, mark = (STYLE_DASH, "- ") if bullets <= 1 else (STYLE_PLUS, "+ ")
                    blocks.append(Paragraph(style, _merge([Run(mark), *runs]), line))
            else:
                blocks.append(Paragraph(STYLE_BODY, runs, line))
            index += 3
            continue
        elif kind == "table_open":
            index, table = _read_table(tokens, index, line)
            blocks.append(table)
            continue
        index += 1
    if close and blocks:
        _close(blocks)
    return blocks


def _read_table(tokens: list[Token], index: int, line: int | None) -> tuple[int, Table]:
    rows: list[list[list[Run]]] = []
    align: list[str | None] = []
    row: list[list[Run]] = []
    header = True
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrs.get("style", ""))
            if header:
                align.append(style.removeprefix("text-align:") or None)
            cell = _inline_runs(tokens[index + 1], bold=token.type == "th_open")
            row.append(cell)
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "thead_close":
            header = False
        index += 1
    return index + 1, Table(rows, align, line)


_SLOT = re.escape(SLOT)
_SLOT_AT_LINE_START = re.compile(r"(?:^|\n)[ \t]*" + _SLOT)
_SLOT_AT_HEADING_START = re.compile(r"(?:^|\n)[ \t]*#{1,6}[ \t]+" + _SLOT)
_SLOT_NEIGHBOUR = re.compile(r"[*_\\]" + _SLOT + "|" + _SLOT + "[*_]")
_SLOT_BEFORE_MARK = re.compile(  # a combining mark right after a slot
    _SLOT + "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def skeleton_slots(skeleton: str) -> tuple[int, ...] | None:
    """What ``slots_are_inert`` needs to know of a skeleton, computed once per skeleton: the
    indexes of the slots that start a line, or ``None`` when any value could change the parse
    (a slot next to emphasis delimiters, at the start of a heading, before a combining mark).
    """
    if (_SLOT_NEIGHBOUR.search(skeleton) or _SLOT_AT_HEADING_START.search(skeleton)
            or _SLOT_BEFORE_MARK.search(skeleton)):
        return None
    positions = [m.start() for m in re.finditer(_SLOT, skeleton)]
    return tuple(positions.index(m.end() - len(SLOT))
                 for m in _SLOT_AT_LINE_START.finditer(skeleton))


def slots_are_inert(skeleton: str, values: list[str],
                    line_starts: tuple[int, ...] | None = None) -> bool:
    """Whether values put into ``skeleton``'s slots cannot change how its Markdown parses.

    Inserted values are escaped and have no line breaks, so they are plain text; what is left
    is a value that is empty or padded with spaces, digits at the start of a line (``5. ``
    would begin a list), a value at the start of a heading (hand-numbering check), a value
    next to emphasis delimiters, and combining marks that would compose across the slot.
    ``line_starts`` is ``skeleton_slots(skeleton)`` when the caller has it already.
    """
    if skeleton.count(SLOT) != len(values):
        return False
    for value in values:
        if not value or value != value.strip() or unicodedata.combining(value[0]):
            return False
    if line_starts is None:
        line_starts = skeleton_slots(skeleton)
        if line_starts is None:
            return False
    return not any(values[index][0].isdigit() for index in line_starts)


def fill_slots(blocks: list[Block], values: list[str]) -> list[Block]:
    """New blocks with the slots of ``blocks`` (parsed from a skeleton) filled in order.

    ``blocks`` is left untouched, so a parsed skeleton can be reused for every row.
    """
    remaining = iter(values)

    def fill(runs: list[Run], upper: bool) -> list[Run]:
        out = []
        for run in runs:
            if SLOT in run.text:
                parts = run.text.split(SLOT)
                text = parts[0]
                for part in parts[1:]:
                    value = next(remaining)
                    text += (value.upper() if upper else value) + part
                out.append(Run(text, run.bold, run.italic))
            else:
                out.append(run)
        return out

    filled: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            rows = [[fill(cell, False) for cell in row] for row in block.rows]
            filled.append(Table(rows, list(block.align), block.line))
        else:
            upper = block.style in UPPER_STYLES
            filled.append(Paragraph(block.style, fill(block.runs, upper), block.line))
    return filled


def close_body(blocks: list[Block]) -> None:
    """Add ``./.`` after the last paragraph, list item or table unless it is there."""
    if blocks:
        _close(blocks)


def _close(blocks: list[Block]) -> None:
    last = blocks[-1]
    if isinstance(last, Table) or last.style in (*STYLE_HEADINGS, STYLE_PART, STYLE_PART_TITLE):
        blocks.append(Paragraph(STYLE_BODY, [Run("./.")], last.line))
        return
    text = last.text.rstrip()
    if text.endswith("./."):
        return
    while last.runs and not last.runs[-1].text.strip():
        last.runs.pop()
    if last.runs:
        tail = last.runs[-1]
        last.runs[-1] = Run(tail.text.rstrip(), tail.bold, tail.italic)
    last.runs.append(Run("/." if text.endswith(".") else "./."))


def body_text(blocks: list[Block]) -> list[str]:
    """The plain text of every block, one string per paragraph or table."""
    return [block.text for block in blocks]


# --- blocks by body text ---------------------------------------------------------------------

_BLOCKS_CACHE_SIZE = 64
_blocks_by_text: dict[tuple[str, tuple[str, ...]], list[Block]] = {}


def remember_blocks(text: str, blocks: list[Block],
                    outline: tuple[str, ...] = DEFAULT_OUTLINE) -> None:
    """Keep ``blocks`` as the parse of ``text`` (a bounded cache keyed by the body text and
    the outline its headings are numbered by)."""
    if len(_blocks_by_text) >= _BLOCKS_CACHE_SIZE:
        _blocks_by_text.clear()
    _blocks_by_text[(text, outline)] = blocks


def body_blocks(text: str, outline: tuple[str, ...] = DEFAULT_OUTLINE) -> list[Block]:
    """The blocks of a body text: parsed once, then taken from the cache.

    The cache is keyed by the text itself, so a model copied with another body (or whose body
    was reassigned) gets the blocks of its own body. Callers must not change the list.
    """
    blocks = _blocks_by_text.get((text, outline))
    if blocks is None:
        blocks = parse_body(text, outline=outline)
        remember_blocks(text, blocks, outline)
    return blocks
