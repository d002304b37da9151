"""Where NĐ 30/2020 puts the digital signatures on a PDF the library rendered, found from the
PDF's own text (PDFium through pypdfium2: ten times faster than a pure-Python parser, which
matters when a batch is signed): the signer's title and name lines, the blank number and date of
a document still to be numbered (Điều 15.3), and the first page's top right corner.

Coordinates are PDF points from the page's bottom left corner.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from vn_union_docs.signing.errors import SigningError

__all__ = ["MM", "Box", "Gap", "Positions", "SignatureBlock", "analyse", "seal_box",
           "signer_image_box", "stamp_box"]

MM = 72 / 25.4
# The space left for the signature between title and name is 3–4 empty lines (≥ 10 mm).
_MIN_SIGNATURE_GAP = 24.0
_DESCENT = 443 / 2048  # Liberation Serif / Times New Roman descender, in ems
_NUMBER_LINE = re.compile(r"^\s*Số\s*:")
_REFERENCE = re.compile(r"Số\s*:\s*(\d+/[^\s]+)")
_ATTACHED_TO = re.compile(r"[Kk]èm theo .{0,40}?số\s+(\d+/[^\s,;)]+)")


@dataclass(frozen=True)
class Box:
    """A rectangle on page ``page`` (0-based), in points from the bottom left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        """Width in points."""
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        """Height in points."""
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        """Area in square points."""
        return max(0.0, self.width) * max(0.0, self.height)

    def overlap(self, other: Box) -> float:
        """Area shared with ``other`` (0 on different pages)."""
        if self.page != other.page:
            return 0.0
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return max(0.0, w) * max(0.0, h)

    def rect(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` rounded to 0.01 pt (deterministic PDF numbers)."""
        return (round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2))

    def pdf_rect(self) -> tuple[int, int, int, int]:
        """:meth:`rect` typed as pyHanko's ``SigFieldSpec.box`` annotates it (it takes
        floats)."""
        return cast(tuple[int, int, int, int], self.rect())

    @classmethod
    def from_mm(cls, page: int, x: float, y: float, width: float, height: float,
                page_height: float) -> Box:
        """A box given in millimetres from the page's *top* left corner (as a ruler on the
        printed page measures it)."""
        return cls(page, x * MM, page_height - (y + height) * MM, (x + width) * MM,
                   page_height - y * MM)


@dataclass(frozen=True)
class Gap:
    """A blank left in a line for a value to be filled in (number, day, month)."""

    box: Box
    font_size: float
    text: str  # the whole line as printed


@dataclass(frozen=True)
class SignatureBlock:
    """The signer's title line and name line (the signature goes between them)."""

    title: Box
    name: Box


@dataclass(frozen=True)
class Positions:
    """What :func:`analyse` found in a PDF."""

    page_sizes: tuple[tuple[float, float], ...]
    signature: SignatureBlock | None
    number: Gap | None
    day: Gap | None
    month: Gap | None
    year: int | None
    symbol: str | None  # the ký hiệu after the blank number ("CĐYT", "KH-CĐYT")
    reference: str | None  # a printed số và ký hiệu ("58/CĐYT"), or the one an appendix cites


@dataclass(frozen=True)
class _Line:
    page: int
    box: Box
    chars: tuple[tuple[str, float, float, float], ...]  # (text, x0, x1, size)
    baseline: float

    @property
    def text(self) -> str:
        return "".join(c[0] for c in self.chars)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _lines(page_no: int, textpage: Any, stop_below: float | None = None) -> Iterator[_Line]:
    """The page's text lines, in content order: a line ends at PDFium's line break, a change
    of baseline, or a jump to another column. Two PDFium calls per character (origin, size);
    a character's right edge is the next one's origin (the loose box for a line's last).
    ``stop_below``: stop at the first line under this height once a line above it was seen
    (the header of page 1 is all that is needed there)."""
    raw = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # characters outside the BMP: ask PDFium for each one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
    x, y = ctypes.c_double(), ctypes.c_double()
    origin, size_of = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetFontSize
    px, py = ctypes.byref(x), ctypes.byref(y)
    chars: list[list[Any]] = []  # [text, x0, x1, size]
    baseline = 0.0

    def flush(last: int) -> Iterator[_Line]:
        if chars:
            chars[-1][2] = max(chars[-1][1], textpage.get_charbox(last, loose=True)[2])
            if any(c[0].strip() for c in chars):
                size = max(c[3] for c in chars)
                box = Box(page_no, chars[0][1], baseline - _DESCENT * size, chars[-1][2],
                          baseline + size)
                yield _Line(page_no, box, tuple((c[0], c[1], c[2], c[3]) for c in chars),
                            baseline)
        chars.clear()

    seen_above = False
    for i, char in enumerate(text):
        if char in "\r\n\x02\ufffe":
            yield from flush(i - 1)
            continue
        if stop_below is not None and not chars:
            origin(raw, i, px, py)
            if y.value >= stop_below:
                seen_above = True
            elif seen_above:
                return
        origin(raw, i, px, py)
        size = size_of(raw, i)
        if chars:
            previous = chars[-1]
            if x.value >= previous[1] - 1:
                previous[2] = x.value
            if (abs(y.value - baseline) > 0.3 * size or x.value < previous[1] - 1
                    or x.value - previous[1] > 3.5 * size):
                yield from flush(i - 1)
        if not chars:
            baseline = y.value
        chars.append([char, x.value, x.value, size])
    yield from flush(count - 1)


def _gap_after(line: _Line, word: str) -> Gap | None:
    """The blank after ``word`` in ``line`` (``Số:``, ``ngày``, ``tháng``), when only spaces
    follow it before the next word."""
    text = line.text
    at = text.find(word)
    if at < 0:
        return None
    end = at + len(word)
    nxt = end
    while nxt < len(text) and text[nxt] == " ":
        nxt += 1
    if nxt == end or nxt >= len(text):
        return None
    left = line.chars[end - 1][2]
    right = line.chars[nxt][1]
    size = line.chars[end - 1][3]
    if right - left < size:
        return None
    # From the descender to a little above the cap height, on the line's baseline.
    bottom = line.baseline - _DESCENT * size
    box = Box(line.page, left + 1, bottom, right - 1, bottom + 1.1 * size)
    return Gap(box, size, text)


def _signature_block(lines: list[_Line], width: float, title: str | None,
                     name: str | None) -> SignatureBlock | None:
    right = sorted((ln for ln in lines if ln.box.x0 > width * 0.45),
                   key=lambda ln: -ln.box.y1)
    if name:
        wanted = _norm(name)
        for i, line in enumerate(right):
            if _norm(line.text) == wanted and i > 0:
                above = right[i - 1]
                if title and _norm(above.text) != _norm(title):
                    continue
                return SignatureBlock(above.box, line.box)
        return None
    anchor = next((ln for ln in lines if _norm(ln.text).startswith("nơi nhận")), None)
    if anchor is None:
        return None
    # The block sits beside "Nơi nhận" (same table row): from the line level with it down.
    block = [ln for ln in right if ln.box.y1 <= anchor.box.y1 + 4]
    best: tuple[float, _Line, _Line] | None = None
    for upper, lower in itertools.pairwise(block):
        gap = upper.box.y0 - lower.box.y1
        if gap >= _MIN_SIGNATURE_GAP and (best is None or gap > best[0]):
            best = (gap, upper, lower)
    return SignatureBlock(best[1].box, best[2].box) if best else None


class _Pages:
    """The PDF's pages; each page's text lines are read when first asked for."""

    def __init__(self, pdf: bytes, max_pages: int) -> None:
        self.document = pdfium.PdfDocument(pdf)
        self.count = min(len(self.document), max_pages)
        self.sizes = tuple(self.document.get_page_size(i) for i in range(self.count))
        self.done: dict[tuple[int, float | None], list[_Line]] = {}

    def __len__(self) -> int:
        return self.count

    def lines(self, index: int, stop_below: float | None = None) -> list[_Line]:
        key = (index, stop_below)
        if key not in self.done:
            page = self.document[index]
            textpage = page.get_textpage()
            try:
                self.done[key] = list(_lines(index, textpage, stop_below))
            finally:
                textpage.close()
                page.close()
        return self.done[key]

    def close(self) -> None:
        self.document.close()


def analyse(pdf: bytes, *, title: str | None = None, name: str | None = None,
            header: bool = True, signature: bool = True, max_pages: int = 200) -> Positions:
    """Find the ND30 positions in ``pdf``. ``title``/``name`` (the spec's signature title
    and name, as printed) make the search exact; without them the block beside
    ``Nơi nhận:`` with the largest blank between two lines is taken. ``header=False`` skips
    the number and date (page 1), ``signature=False`` the signature block (searched from the
    last page back); only the pages needed are read."""
    try:
        pages = _Pages(pdf, max_pages)
    except Exception as exc:
        raise SigningError(f"Không đọc được nội dung PDF ({type(exc).__name__}).") from exc
    try:
        sizes = pages.sizes
        block = None
        if signature:
            for i in reversed(range(len(pages))):
                block = _signature_block(pages.lines(i), sizes[i][0], title, name)
                if block:
                    break
        first = pages.lines(0, sizes[0][1] * 0.6) if header and len(pages) else []
    finally:
        pages.close()
    number = day = month = None
    year = symbol = reference = None
    top = [ln for ln in first if ln.box.y0 > sizes[0][1] * 0.6] if first else []
    for line in top:
        text = line.text
        if number is None and _NUMBER_LINE.match(text):
            number = _gap_after(line, ":")
            if number is not None:
                symbol = text[text.index("/") + 1:].strip() if "/" in text else None
            elif m := _REFERENCE.search(text):
                reference = m.group(1)
        if day is None and "ngày" in text and "tháng" in text and "năm" in text:
            day = _gap_after(line, "ngày")
            month = _gap_after(line, "tháng")
            if m := re.search(r"năm\s+(\d{4})", text):
                year = int(m.group(1))
    if reference is None:
        for line in first:
            if m := _ATTACHED_TO.search(line.text):
                reference = m.group(1)
                break
    return Positions(sizes, block, number, day, month, year, symbol, reference)


def signer_image_box(block: SignatureBlock, image_size: tuple[int, int],
                     max_width: float = 60 * MM) -> Box:
    """The signer's image, centred between title and name (NĐ 30/2020, Phụ lục I, II.7.d):
    as tall as the blank allows (1.5 pt clear of each line), aspect kept, at most
    ``max_width`` wide."""
    top = block.title.y0 - 1.5
    bottom = block.name.y1 + 1.5
    height = top - bottom
    px_w, px_h = image_size
    width = height * px_w / px_h
    if width > max_width:
        width = max_width
        height = width * px_h / px_w
    centre_x = (block.title.x0 + block.title.x1 + block.name.x0 + block.name.x1) / 4
    centre_y = (top + bottom) / 2
    return Box(block.name.page, centre_x - width / 2, centre_y - height / 2,
               centre_x + width / 2, centre_y + height / 2)


def seal_box(signer: Box, seal_mm: float, image_size: tuple[int, int],
             cover: float = 1 / 3) -> Box:
    """The seal at its real size (``seal_mm`` the larger side), centred on the signer's
    image vertically, its right part over ``cover`` of the image's area on the left
    (NĐ 30/2020, Phụ lục I, II.8.a: "trùm lên khoảng 1/3 … về bên trái")."""
    px_w, px_h = image_size
    scale = seal_mm * MM / max(px_w, px_h)
    width, height = px_w * scale, px_h * scale
    centre_y = (signer.y0 + signer.y1) / 2
    y0, y1 = centre_y - height / 2, centre_y + height / 2
    shared_h = min(y1, signer.y1) - max(y0, signer.y0)
    into = min(signer.width, cover * signer.area / shared_h)
    x1 = signer.x0 + into
    return Box(signer.page, x1 - width, y0, x1, y1)


def stamp_box(page_size: tuple[float, float], width: float, height: float) -> Box:
    """The top right corner of page 1 (NĐ 30/2020, Phụ lục I, II.8.b and Phần II, I.3.a):
    right edge on the 15 mm right margin, top 5 mm below the page edge (above the 20 mm top
    margin, clear of the text)."""
    page_w, page_h = page_size
    x1 = page_w - 15 * MM
    y1 = page_h - 5 * MM
    return Box(0, x1 - width, y1 - height, x1, y1)
