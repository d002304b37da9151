"""A .docx read as a person sees it: paragraphs in order (table cells included), styles resolved,
the frame parts located.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree

from vn_union_docs.archives import ExternalLink, external_link_entries, link_parts
from vn_union_docs.checker.patterns import (
    _DASHES,
    _NUMBER_LINE,
    _PLACE_DATE_SEARCH,
    _is_capacity_candidate,
)
from vn_union_docs.checker.registry import _clip, _nfc, _window
from vn_union_docs.documents.doc_types import DOC_TYPES
from vn_union_docs.rendering.ooxml import A_NS, MC_NS, R_NS, W_NS, own_elements, run_text, w

PRINTED_TYPES: dict[str, str] = {
    info.printed_name: t for t, info in DOC_TYPES.items() if info.printed_name}
"""Each printed type name (upper case) and its type: how a .docx's type is known."""

# ------------------------------------------------------------------------------ docx model

_W, _MC, _A = W_NS, MC_NS, A_NS
_w = w


W_P, W_R, W_T, W_TBL, W_TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tc")
@dataclass
class _Para:
    number: int  # 1-based among paragraphs that show text
    element: etree._Element
    text: str
    runs: list[etree._Element]
    cell: etree._Element | None  # the table cell holding it, if any
    table_style: str | None = None

    def place(self, start: int = 0, end: int | None = None) -> str:
        if end is None:
            return f"đoạn {self.number}: «{_clip(self.text)}»"
        return f"đoạn {self.number}: «{_window(self.text, start, end)}»"


@dataclass
class _Line:
    """One line of a paragraph (paragraphs may hold several lines split by line breaks)."""

    para: _Para
    text: str
    index: int  # position of the paragraph in _Docx.paras

    def place(self) -> str:
        return f"đoạn {self.para.number}: «{_clip(self.text)}»"


class _Styles:
    """Resolves the effective font, size and italics of a run the way Word does:
    run → character style → paragraph style → table style → document defaults."""

    def __init__(self, document: Any) -> None:
        root = document.styles.element
        self.by_id = {s.get(_w("styleId")): s for s in root.findall(_w("style"))}
        self.default_para = next(
            (
                s.get(_w("styleId"))
                for s in root.findall(_w("style"))
                if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in ("1", "true")
            ),
            None,
        )
        self.defaults = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
        self.theme = self._theme_fonts(document)
        self._chains: dict[str | None, list[etree._Element]] = {}
        self._by_paragraph: dict[etree._Element, list[etree._Element]] = {}

    @staticmethod
    def _theme_fonts(document: Any) -> dict[str, str]:
        fonts: dict[str, str] = {}
        for rel in document.part.rels.values():
            if rel.reltype.endswith("/theme") and not rel.is_external:
                root = etree.fromstring(rel.target_part.blob)
                for kind in ("major", "minor"):
                    latin = root.find(f".//{{{_A}}}{kind}Font/{{{_A}}}latin")
                    if latin is not None and latin.get("typeface"):
                        fonts[kind] = latin.get("typeface")
        return fonts

    def _chain(self, style_id: str | None) -> list[etree._Element]:
        if style_id in self._chains:
            return self._chains[style_id]
        out: list[etree._Element] = []
        seen: set[str] = set()
        current = style_id
        while current and current not in seen and current in self.by_id:
            seen.add(current)
            style = self.by_id[current]
            rpr = style.find(_w("rPr"))
            if rpr is not None:
                out.append(rpr)
            based = style.find(_w("basedOn"))
            current = based.get(_w("val")) if based is not None else None
        self._chains[style_id] = out
        return out

    def _layers(self, run: etree._Element, para: _Para) -> list[etree._Element]:
        layers: list[etree._Element] = []
        rpr = run.find(_w("rPr"))
        if rpr is not None:
            layers.append(rpr)
            rstyle = rpr.find(_w("rStyle"))
            if rstyle is not None:
                layers += self._chain(rstyle.get(_w("val")))
        return layers + self._paragraph_layers(para)

    def _paragraph_layers(self, para: _Para) -> list[etree._Element]:
        """What every run of ``para`` inherits, found once per paragraph (a path search
        scans all the paragraph's children: per run, time grew with the square of the
        runs)."""
        key = para.element
        found = self._by_paragraph.get(key)
        if found is None:
            if len(self._by_paragraph) > 1_000:
                self._by_paragraph.clear()
            pstyle = para.element.find(f"{_w('pPr')}/{_w('pStyle')}")
            found = self._chain(pstyle.get(_w("val")) if pstyle is not None
                                else self.default_para)
            if para.table_style:
                found = found + self._chain(para.table_style)
            if self.defaults is not None:
                found = [*found, self.defaults]
            self._by_paragraph[key] = found
        return found

    def fonts(self, run: etree._Element, para: _Para) -> set[str]:
        """The fonts the run's letters are shown in (ASCII and high-ANSI slots)."""
        layers = self._layers(run, para)
        out = set()
        for attr in ("ascii", "hAnsi"):
            font = "Times New Roman"  # Word's own default when nothing is set
            for layer in layers:
                rf = layer.find(_w("rFonts"))
                if rf is None:
                    continue
                theme = rf.get(_w(f"{attr}Theme"))
                if theme:
                    kind = "major" if theme.startswith("major") else "minor"
                    font = self.theme.get(kind, f"{theme} (theme)")
                    break
                if rf.get(_w(attr)):
                    font = rf.get(_w(attr))
                    break
            out.add(font)
        return out

    def size(self, run: etree._Element, para: _Para) -> Decimal:
        """The run's size in points (Word's default is 10 pt)."""
        for layer in self._layers(run, para):
            sz = layer.find(_w("sz"))
            if sz is not None and sz.get(_w("val")):
                return Decimal(sz.get(_w("val"))) / 2
        return Decimal(10)

    def italic(self, run: etree._Element, para: _Para) -> bool:
        for layer in self._layers(run, para):
            i = layer.find(_w("i"))
            if i is not None:
                return i.get(_w("val"), "true").lower() not in ("0", "false", "off")
        return False


_HEAD = 40  # the header block sits within the first paragraphs


@dataclass
class _Docx:
    document: Any
    paras: list[_Para]
    styles: _Styles
    sections: list[_Section]
    page_numbers: dict[str, bool]
    several_pages_hint: bool
    number_line: _Line | None = None
    place_date: _Line | None = None
    national_title: _Line | None = None
    motto: _Line | None = None
    doc_type: str | None = None
    subject_index: int | None = None
    recipient_index: int | None = None
    distribution_label: _Line | None = None
    distribution_items: list[_Line] = field(default_factory=list)
    capacity_lines: list[_Line] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    # every link pointing outside the file, web links aside
    external_links: list[ExternalLink] = field(default_factory=list)

    def top_place(self) -> str:
        return "đầu văn bản"

    def end_place(self) -> str:
        return "cuối văn bản"

    def section_place(self, k: int) -> str:
        return "thiết lập trang" + (f" (phần {k + 1})" if len(self.sections) > 1 else "")

    def probably_several_pages(self) -> bool:
        chars = sum(len(p.text) for p in self.paras)
        return self.several_pages_hint or chars > 3500

    def body_paragraphs(self) -> list[_Para]:
        """Body paragraphs: after the header block and kính gửi, before Nơi nhận and the
        signature, outside tables, long enough to be prose."""
        starts = [
            line.index
            for line in (self.number_line, self.place_date)
            if line is not None
        ]
        starts += [i for i in (self.subject_index, self.recipient_index) if i is not None]
        start = max(starts, default=-1)
        ends = [len(self.paras)]
        if self.distribution_label is not None:
            ends.append(self.distribution_label.index)
        ends += [line.index for line in self.capacity_lines if line.index > start]
        end = min(ends)
        return [
            p for p in self.paras[start + 1:end] if p.cell is None and len(p.text.strip()) >= 40
        ]

    def capacity_followers(self) -> Iterator[tuple[_Line, _Line | None]]:
        """Each last capacity line of a block and the next line that shows text."""
        positions = {id(line): k for k, line in enumerate(self.lines)}
        for line in self.capacity_lines:
            k = positions[id(line)]
            following = self.lines[k + 1] if k + 1 < len(self.lines) else None
            if following is not None and _is_capacity_candidate(following.text):
                continue  # TM. … / KT. …: the title comes after the last one
            if (
                following is not None
                and line.para.cell is not None
                and following.para.cell is not line.para.cell
            ):
                following = None  # the signature cell ends here
            yield line, following


def _docx_paragraphs(document: Any) -> list[_Para]:
    body = document.element.body
    out: list[_Para] = []
    for p in body.iter(W_P):
        if any(a.tag == f"{{{_MC}}}Fallback" for a in p.iterancestors()):
            continue
        runs = [el for el in own_elements(p) if el.tag == W_R]
        text = _nfc("".join(run_text(r) for r in runs))
        if not text.strip():
            continue
        cell = next((a for a in p.iterancestors(W_TC)), None)
        table_style = None
        if cell is not None:
            tbl = next(cell.iterancestors(W_TBL))
            ts = tbl.find(f"{_w('tblPr')}/{_w('tblStyle')}")
            table_style = ts.get(_w("val")) if ts is not None else None
        visible = [r for r in runs if run_text(r).strip()]
        out.append(_Para(len(out) + 1, p, text, visible, cell, table_style))
    return out


def _has_page_field(part: Any) -> bool:
    root = etree.fromstring(part.blob)
    for fld in root.iter(_w("fldSimple")):
        if re.match(r"\s*PAGE\b", fld.get(_w("instr")) or ""):
            return True
    return any(re.match(r"\s*PAGE\b", it.text or "") for it in root.iter(_w("instrText")))


def _page_number_info(document: Any) -> dict[str, bool]:
    sect = document.sections[0]._sectPr
    rels = document.part.related_parts
    headers = {
        ref.get(_w("type")): rels[ref.get(f"{{{_R}}}id")]
        for ref in sect.findall(_w("headerReference"))
    }
    footers = [rels[ref.get(f"{{{_R}}}id")] for ref in sect.findall(_w("footerReference"))]
    title_pg = sect.find(_w("titlePg"))
    first_page_own = title_pg is not None and title_pg.get(_w("val"), "1") not in ("0", "false")
    default = headers.get("default")
    first = headers.get("first")
    default_has = default is not None and _has_page_field(default)
    first_has = first is not None and _has_page_field(first)
    return {
        "header": default_has or first_has,
        "footer": any(_has_page_field(f) for f in footers),
        "first_shows": (default_has and not first_page_own) or (first_page_own and first_has),
    }


_R = R_NS


def _several_pages_hint(document: Any) -> bool:
    body = document.element.body
    if next(body.iter(_w("lastRenderedPageBreak")), None) is not None:
        return True
    if any(br.get(_w("type")) == "page" for br in body.iter(_w("br"))):
        return True
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            m = re.search(rb"<(?:\w+:)?Pages>(\d+)<", part.blob)
            return bool(m and int(m.group(1)) > 1)
    return False


@dataclass(frozen=True)
class _Section:
    """A section's page in mm (margins ``None`` where the document does not set them)."""

    width: float
    height: float
    top: float | None
    bottom: float | None
    left: float | None
    right: float | None

    def margin(self, side: str) -> float | None:
        value: float | None = getattr(self, side)
        return value


def _mm(value: Any) -> float | None:
    return None if value is None else abs(value) / 36000  # EMU → mm


def _sections(document: Any) -> list[_Section]:
    return [
        _Section(_mm(s.page_width) or 0.0, _mm(s.page_height) or 0.0, _mm(s.top_margin),
                 _mm(s.bottom_margin), _mm(s.left_margin), _mm(s.right_margin))
        for s in document.sections
    ]


_WEB_LINK = re.compile(r"(?i)^(?:https?|mailto):")


def _external_links(document: Any) -> list[ExternalLink]:
    """What the file makes Word or LibreOffice fetch or read when it is opened
    (``archives.external_link_entries`` over the loaded package): every external
    relationship and linking field, except a hyperlink to a web page or an address, which
    the reader has to click."""
    package = document.part.package

    def parts() -> Iterator[tuple[str, bytes]]:
        yield "_rels/.rels", package.rels.xml
        for part in package.iter_parts():
            name = str(part.partname).lstrip("/")
            folder, _, base = name.rpartition("/")
            yield f"{folder}/_rels/{base}.rels".lstrip("/"), part.rels.xml
            if link_parts(name):
                yield name, part.blob

    return [link for link in external_link_entries(parts())
            if not (link.kind == "hyperlink" and _WEB_LINK.match(link.target))]


def _load_docx(document: Any) -> _Docx:
    paras = _docx_paragraphs(document)
    d = _Docx(
        document=document, paras=paras, styles=_Styles(document),
        sections=_sections(document), page_numbers=_page_number_info(document),
        several_pages_hint=_several_pages_hint(document),
        external_links=_external_links(document),
    )
    for index, para in enumerate(paras):
        # hand-made headers often put two parts on one line, separated by tabs
        for line_text in re.split(r"[\n\t]+", para.text):
            if line_text.strip():
                d.lines.append(_Line(para, line_text, index))
    _locate_frame(d)
    return d


def _printed_type(upper: str) -> str | None:
    """The type whose printed name is ``upper`` (``QUYẾT ĐỊNH``, ``THÔNG BÁO LIÊN TỊCH``)."""
    return PRINTED_TYPES.get(upper.removesuffix(" LIÊN TỊCH").strip())


def _locate_frame(d: _Docx) -> None:
    head = [line for line in d.lines if line.index < _HEAD]
    for line in head:
        s = line.text.strip()
        upper = " ".join(s.upper().split())
        if d.national_title is None and (
            upper.startswith(("CỘNG HÒA", "CỘNG HOÀ")) or "CHỦ NGHĨA VIỆT NAM" in upper
        ):
            d.national_title = line
        elif d.motto is None and "ĐỘC LẬP" in upper and "HẠNH PHÚC" in upper:
            d.motto = line
        elif d.number_line is None and _NUMBER_LINE.match(s) and "/" in s[:20] and len(s) < 60:
            d.number_line = line
        elif (d.place_date is None and d.doc_type in (None, "cong_van")
              and _PLACE_DATE_SEARCH.search(s)
              and len(s) < 90):
            d.place_date = line  # in the header: before the type name (a biên bản has none)
        elif d.doc_type is None and _printed_type(upper):
            d.doc_type = _printed_type(upper)
            d.subject_index = line.index + 1
        elif d.doc_type is None and s.startswith("V/v"):
            d.doc_type = "cong_van"
            d.subject_index = line.index
        elif d.recipient_index is None and s.lower().startswith("kính gửi"):
            d.recipient_index = line.index
    labels = [line for line in d.lines if line.text.strip().lower().startswith("nơi nhận")]
    if labels:
        label = d.distribution_label = labels[-1]
        after = d.lines[d.lines.index(label) + 1:]
        for line in after:
            s = line.text.strip()
            if label.para.cell is not None:
                if line.para.cell is not label.para.cell:
                    break
            elif not (s[:1] in _DASHES or re.match(r"^(Lưu|Như)\b", s)):
                break
            d.distribution_items.append(line)
    d.capacity_lines = [
        line for line in d.lines
        if line.index >= (d.recipient_index or 0) and _is_capacity_candidate(line.text)
    ]


