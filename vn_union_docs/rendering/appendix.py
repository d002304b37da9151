"""Phụ lục: headings, guide line and body of each appendix, and the sections they sit in.

NĐ 30/2020, Phụ lục I, III.1 and Phụ lục III, Mẫu 2.1: each appendix starts on a new page
after the Nơi nhận, headed «Phụ lục» (numbered «Phụ lục I», «Phụ lục II» … when there are
several), its title centred in upper case and the italic line «(Kèm theo <Tên loại> số … ngày
… của …)». Here every appendix is a section of its own: page numbers restart at 1 (not shown
on its first page, like the document's) and a ``landscape`` appendix is a landscape section.

``appendix_context(doc)`` gives the context keys ``appendices`` and ``appendix_xml`` (placed
by a template's ``{{p appendix_xml }}``); ``apply_sections(data, doc)`` then turns the marker
paragraphs of the rendered .docx into section breaks, copying the template's own section
properties (page size, margins, headers with the page number) into each.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

from vn_union_docs import vi
from vn_union_docs.documents.body import body_blocks
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.errors import TemplateError
from vn_union_docs.markup import xml_text
from vn_union_docs.rendering.docxzip import read_zip, write_zip
from vn_union_docs.rendering.ooxml import W_NS
from vn_union_docs.rendering.wordml import XmlFragment, blocks_to_wordml

STYLE_HEADING = "VBAppendixHeading"
STYLE_TITLE = "VBAppendixTitle"
STYLE_GUIDE = "VBAppendixGuide"
STYLE_RULE = "VBSubjectRule"
STYLE_BREAK = "VBEnd"
APPENDIX_STYLES = (STYLE_HEADING, STYLE_TITLE, STYLE_GUIDE)
"""Paragraph styles of the appendix headings (the default templates define them)."""

LANDSCAPE_TEXT_TWIPS = 14287  # 252 mm: A4 landscape less the 30 mm + 15 mm margins
_MARKER = "_VnPhuLuc"
_BLANK = " " * 6


class AppendixXml(XmlFragment):
    """The appendices' WordprocessingML for ``{{p appendix_xml }}`` (inserted unescaped)."""

    __slots__ = ()


def _names(doc: BaseDocument) -> str:
    names = [issuer.name for issuer in doc.issuers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def guide_line(doc: BaseDocument, *, electronic: bool = False) -> str:
    """«(Kèm theo Kế hoạch số 222/KH-CĐYT ngày 16 tháng 5 năm 2023 của Công đoàn ngành Y tế)»;
    a draft, and the electronic version (``electronic=True``: the number and date are those
    of the digital signature, Phụ lục I, III.1.c), leave number and date blank."""
    if doc.type_name:
        kind = doc.type_name[0].upper() + doc.type_name[1:]
    else:
        kind = type(doc).type_label[0].upper() + type(doc).type_label[1:]
        if doc.joint and doc.type_abbreviation:
            kind += " liên tịch"
    number = "" if doc.unnumbered else (
        f" số {doc.number:02d}/{doc.symbol_text}" if doc.number is not None and not electronic
        else f" số{_BLANK}/{doc.symbol_text}")
    date = (vi.format_date(doc.date) if doc.date and not electronic
            else f"ngày{_BLANK}tháng{_BLANK}năm {doc.year}")
    return f"(Kèm theo {kind}{number} {date} của {_names(doc)})"


def _paragraph(style: str, text: str, marker: str = "") -> str:
    runs = f'<w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>' if text else ""
    mark = (f'<w:bookmarkStart w:id="{900 + int(marker)}" w:name="{_MARKER}{marker}"/>'
            f'<w:bookmarkEnd w:id="{900 + int(marker)}"/>') if marker else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{mark}{runs}</w:p>'


def appendix_context(doc: BaseDocument, *, electronic: bool = False) -> dict[str, Any]:
    """The context keys ``appendices`` (list of dicts) and ``appendix_xml``; ``electronic``
    blanks the guide line's number and date (see ``guide_line``)."""
    items: list[dict[str, Any]] = []
    xml: list[str] = []
    many = len(doc.appendices) > 1
    guide = guide_line(doc, electronic=electronic) if doc.appendices else ""
    for index, appendix in enumerate(doc.appendices):
        heading = f"Phụ lục {vi.roman(index + 1)}" if many else "Phụ lục"
        title = (appendix.title or "").upper()
        items.append({"heading": heading, "title": title, "guide": guide,
                      "landscape": appendix.landscape})
        width = LANDSCAPE_TEXT_TWIPS if appendix.landscape else None
        body = body_blocks(appendix.body)
        # The marker paragraph ends the section before (the document, or the last appendix).
        xml.append(_paragraph(STYLE_BREAK, "", marker=str(index)))
        xml.append(_paragraph(STYLE_HEADING, heading))
        if title:
            xml.append(_paragraph(STYLE_TITLE, title))
        xml.append(_paragraph(STYLE_GUIDE, guide))
        xml.append(_paragraph(STYLE_RULE, ""))
        xml.append(blocks_to_wordml(body, width) if width else blocks_to_wordml(body))
    return {"appendices": items, "appendix_xml": AppendixXml("".join(xml))}


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# CT_SectPr child order (the ones we add or change).
_SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
               "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
               "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
               "docGrid", "printerSettings", "sectPrChange")


def _set_child(sect: etree._Element, tag: str, attrs: dict[str, str]) -> None:
    found = sect.find(_w(tag))
    if found is None:
        found = etree.Element(_w(tag))
        rank = _SECT_ORDER.index(tag)
        later = [c for c in sect if etree.QName(c).localname in _SECT_ORDER
                 and _SECT_ORDER.index(etree.QName(c).localname) > rank]
        if later:
            later[0].addprevious(found)
        else:
            sect.append(found)
    for key, value in attrs.items():
        found.set(_w(key), value)


def _section(base: etree._Element, landscape: bool, restart: bool) -> etree._Element:
    sect = copy.deepcopy(base)
    size = sect.find(_w("pgSz"))
    if size is not None:
        w, h = int(size.get(_w("w"), "11906")), int(size.get(_w("h"), "16838"))
        short, long_ = sorted((w, h))
        size.set(_w("w"), str(long_ if landscape else short))
        size.set(_w("h"), str(short if landscape else long_))
        if landscape:
            size.set(_w("orient"), "landscape")
        elif _w("orient") in size.attrib:
            del size.attrib[_w("orient")]
    if restart:
        _set_child(sect, "pgNumType", {"start": "1"})
        _set_child(sect, "titlePg", {})
    return sect


def apply_sections(data: bytes, doc: BaseDocument) -> bytes:
    """Turn the appendix markers of a rendered .docx into section breaks (new page, page
    numbers from 1, landscape where asked). A document without appendices is returned as is.
    Raises ``TemplateError`` when the template has no ``{{p appendix_xml }}`` (a template
    written before appendices): the appendices would be lost without a word."""
    if not doc.appendices:
        return data
    parts = read_zip(data)
    xml = parts.get("word/document.xml")
    if xml is None or _MARKER.encode() not in xml:
        raise TemplateError(
            "mẫu văn bản không có chỗ in phụ lục: thêm một đoạn chỉ có {{p appendix_xml }} "
            "sau phần Nơi nhận (docs/template-context.md), hoặc dùng mẫu mặc định")
    root = etree.fromstring(xml)
    body = root.find(_w("body"))
    final = body.find(_w("sectPr")) if body is not None else None
    if body is None or final is None:
        return data
    base = copy.deepcopy(final)
    pattern = re.compile(rf"^{_MARKER}(\d+)$")
    markers: list[tuple[int, etree._Element]] = []
    for start in body.iter(_w("bookmarkStart")):
        match = pattern.match(start.get(_w("name"), ""))
        if match:
            markers.append((int(match.group(1)), start))
    for index, start in markers:
        paragraph = start.getparent()
        end = start.getnext()
        paragraph.remove(start)
        if end is not None and end.tag == _w("bookmarkEnd"):
            paragraph.remove(end)
        before = doc.appendices[index - 1].landscape if index > 0 else False
        sect = _section(base, before, restart=index > 0)
        ppr = paragraph.find(_w("pPr"))
        if ppr is None:
            ppr = etree.SubElement(paragraph, _w("pPr"))
            paragraph.insert(0, ppr)
        ppr.append(sect)
    last = _section(base, doc.appendices[-1].landscape, restart=True)
    body.replace(final, last)
    parts["word/document.xml"] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_zip(parts)
