"""Fit the header names and the title to the template's columns (see ``linebreak``).

``template_columns(path)`` reads, from the template itself, where each fitted context key is
placed: the width of its table cell (or of the page's text area) less the paragraph's
indents, and the font size and weight its paragraph style gives. ``fit_context`` then puts
the chosen line breaks into the context as ``\\n``, which docxtpl (and the compiled path)
write as ``<w:br/>``: a custom template that places the same keys gets the same breaks.
"""

from __future__ import annotations

import os
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.markup import xml_text
from vn_union_docs.rendering.direct import BalancedMarkup
from vn_union_docs.rendering.linebreak import Column, break_lines

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
FITTED_KEYS = ("parent", "issuer", "subject_line", "subject")
"""Context keys whose line breaks the library chooses."""
_DEFAULT_SIZE_PT = 10.0  # Word's size when nothing says otherwise


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


def _twips(element: etree._Element | None, attr: str = "w") -> float | None:
    if element is None:
        return None
    value = element.get(_w(attr))
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class _Styles:
    """Paragraph style lookup: size, bold and indents through ``basedOn``."""

    def __init__(self, xml: bytes | None) -> None:
        self.by_id: dict[str, etree._Element] = {}
        self.defaults: etree._Element | None = None
        if xml is None:
            return
        root = etree.fromstring(xml)
        for style in root.iterfind("w:style", _NS):
            self.by_id[style.get(_w("styleId"), "")] = style
        self.defaults = root.find("w:docDefaults", _NS)

    def _chain(self, style_id: str | None) -> list[etree._Element]:
        chain: list[etree._Element] = []
        seen: set[str] = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            chain.append(style)
            based = style.find("w:basedOn", _NS)
            style_id = based.get(_w("val")) if based is not None else None
        if self.defaults is not None:
            chain.append(self.defaults)
        return chain

    def find(self, ppr: etree._Element | None, rpr: etree._Element | None, kind: str,
             name: str) -> etree._Element | None:
        """Property ``name`` of kind ``"p"`` or ``"r"``: from the run (``rpr``), the
        paragraph (``ppr``), its style chain, then the document defaults."""
        if kind == "r" and rpr is not None and rpr.find(f"w:{name}", _NS) is not None:
            return rpr.find(f"w:{name}", _NS)
        if kind == "p" and ppr is not None and ppr.find(f"w:{name}", _NS) is not None:
            return ppr.find(f"w:{name}", _NS)
        style = ppr.find("w:pStyle", _NS) if ppr is not None else None
        for place in self._chain(style.get(_w("val")) if style is not None else None):
            path = (f"w:{kind}PrDefault/w:{kind}Pr/w:{name}" if place is self.defaults
                    else f"w:{kind}Pr/w:{name}")
            found = place.find(path, _NS)
            if found is not None:
                return found
        return None


def _page_text_width(root: etree._Element) -> float | None:
    sect = root.find(".//w:body/w:sectPr", _NS)
    if sect is None:
        return None
    width = _twips(sect.find("w:pgSz", _NS))
    mar = sect.find("w:pgMar", _NS)
    if width is None or mar is None:
        return None
    return width - (_twips(mar, "left") or 0) - (_twips(mar, "right") or 0)


def _column_for(paragraph: etree._Element, styles: _Styles, page: float | None
                ) -> Column | None:
    cell = next((a for a in paragraph.iterancestors(_w("tc"))), None)
    if cell is not None:
        width = _twips(cell.find("w:tcPr/w:tcW", _NS))
        table = next(cell.iterancestors(_w("tbl")))
        margins = table.find("w:tblPr/w:tblCellMar", _NS)
        if margins is not None:
            width = (width or 0) - sum(
                _twips(margins.find(f"w:{side}", _NS)) or 0
                for side in ("left", "right", "start", "end"))
        else:
            width = (width or 0) - 2 * 108  # Word's default cell margins (0.19 cm)
    else:
        width = page
    if not width or width <= 0:
        return None
    ppr = paragraph.find("w:pPr", _NS)
    run = next((r.find("w:rPr", _NS) for r in paragraph.iterfind(".//w:r", _NS)
                if "{{" in "".join(r.itertext())), None)
    ind = styles.find(ppr, run, "p", "ind")
    if ind is not None:
        width -= (_twips(ind, "left") or _twips(ind, "start") or 0)
        width -= (_twips(ind, "right") or _twips(ind, "end") or 0)
    size = styles.find(ppr, run, "r", "sz")
    size_pt = (_twips(size, "val") or 2 * _DEFAULT_SIZE_PT) / 2
    bold_el = styles.find(ppr, run, "r", "b")
    bold = bold_el is not None and bold_el.get(_w("val"), "1") not in ("0", "false", "off")
    return Column(width / 20, size_pt, bold)


@lru_cache(maxsize=64)
def _columns(path: str, mtime_ns: int, size: int) -> dict[str, Column]:
    del mtime_ns, size  # cache keys: a changed template is read again
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        document = archive.read("word/document.xml")
        styles = _Styles(archive.read("word/styles.xml") if "word/styles.xml" in names
                         else None)
    root = etree.fromstring(document)
    page = _page_text_width(root)
    found: dict[str, Column] = {}
    for paragraph in root.iter(_w("p")):
        text = "".join(t.text or "" for t in paragraph.iter(_w("t")))
        for key in FITTED_KEYS:
            # Only a placeholder alone in its paragraph: text around it shares the line.
            if key not in found and re.fullmatch(r"\s*\{\{\s*" + key + r"\s*\}\}\s*", text):
                column = _column_for(paragraph, styles, page)
                if column is not None:
                    found[key] = column
        # The issuers of a joint document, printed in a loop: {{ i.parent }}, {{ i.name }}.
        item = re.fullmatch(r"\s*\{\{\s*[A-Za-z_]\w*\.(parent|name)\s*\}\}\s*", text)
        if item and f"issuers.{item.group(1)}" not in found:
            column = _column_for(paragraph, styles, page)
            if column is not None:
                found[f"issuers.{item.group(1)}"] = column
    return found


def template_columns(path: str | Path) -> dict[str, Column]:
    """Where the template sets each of ``FITTED_KEYS`` it uses (cached per file version)."""
    stat = os.stat(path)
    return _columns(str(path), stat.st_mtime_ns, stat.st_size)


def _original(doc: BaseDocument, key: str) -> str | None:
    if key == "parent":
        return doc.issuer.parent
    if key == "issuer":
        return doc.issuer.name
    return None


_BREAK_XML = '</w:t><w:br/><w:t xml:space="preserve">'


class LineBroken(str, BalancedMarkup):
    """Lines joined by ``\\n``; inserted into a template (autoescaped) as ``<w:br/>``."""

    __slots__ = ()

    def __html__(self) -> str:
        return _BREAK_XML.join(xml_text(line) for line in self.split("\n"))


def fit_context(context: dict[str, Any], doc: BaseDocument, columns: dict[str, Column]
                ) -> dict[str, Any]:
    """The context with each fitted key's lines as a ``LineBroken`` string (a copy)."""
    fitted = dict(context)
    for key, column in columns.items():
        value = context.get(key)
        if isinstance(value, str) and value.strip() and "\t" not in value:
            fitted[key] = _fitted(value, column, _original(doc, key))
    issuers = context.get("issuers")
    if isinstance(issuers, list) and any(k.startswith("issuers.") for k in columns):
        fitted["issuers"] = [_fitted_issuer(entry, issuer, columns)
                             for entry, issuer in zip(issuers, doc.issuers, strict=False)]
    return fitted


def _fitted(value: str, column: Column, original: str | None) -> str:
    lines = break_lines(value, column, original)
    return LineBroken("\n".join(lines)) if len(lines) > 1 else lines[0]


def _fitted_issuer(entry: dict[str, Any], issuer: Any, columns: dict[str, Column]
                   ) -> dict[str, Any]:
    """One issuer of the ``issuers`` list with its parent and name fitted to their column."""
    out = dict(entry)
    for part in ("parent", "name"):
        column = columns.get(f"issuers.{part}")
        value = entry.get(part)
        if column is not None and isinstance(value, str) and value.strip() and "\t" not in value:
            out[part] = _fitted(value, column, getattr(issuer, part, None))
    return out


__all__ = ["FITTED_KEYS", "LineBroken", "fit_context", "template_columns"]
