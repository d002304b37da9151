"""Print bundles: many .docx (or PDF) files joined into one, each document starting on a new
page with its own page numbering (docxcompose for .docx, pypdf for PDF).
"""


from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

from docx import Document as open_docx
from docx.document import Document
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement
from docx.oxml.xmlchemy import BaseOxmlElement

from vn_union_docs.errors import InvalidValueError
from vn_union_docs.files import write_atomic
from vn_union_docs.rendering.docxzip import normalize_zip
from vn_union_docs.rendering.pdf import _HDR_FTR, _batched, _w


def _body_sectpr(doc: Document) -> BaseOxmlElement:
    return doc.element.body.get_or_add_sectPr()


# Elements that follow w:pgNumType inside w:sectPr (ECMA-376 CT_SectPr sequence).
_AFTER_PGNUMTYPE = (
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def _restart_numbering(sect_pr: BaseOxmlElement) -> None:
    """Make the section start on a new page with page number 1."""
    pg = sect_pr.find(_w("pgNumType"))
    if pg is None:
        pg = sect_pr.insert_element_before(OxmlElement("w:pgNumType"), *_AFTER_PGNUMTYPE)
    pg.set(_w("start"), "1")
    kind = sect_pr.find(_w("type"))
    if kind is not None and kind.get(_w("val")) in ("continuous", "nextColumn"):
        kind.set(_w("val"), "nextPage")


def _prepare(doc: Document) -> None:
    """Number the document's first section from 1, starting on a new page."""
    first = doc.element.body.find(f"{_w('p')}/{_w('pPr')}/{_w('sectPr')}")
    _restart_numbering(first if first is not None else _body_sectpr(doc))


def _close_last_section(doc: Document) -> None:
    """End the composed document's last section with a copy of the body ``sectPr``.

    The copy goes into the last paragraph's properties (a new empty paragraph only after a
    table), so no blank line and no blank page is added.
    """
    body_sect = _body_sectpr(doc)
    last = body_sect.getprevious()
    if last is None or last.tag != _w("p") or last.find(f"{_w('pPr')}/{_w('sectPr')}") is not None:
        last = OxmlElement("w:p")
        body_sect.addprevious(last)
    last.get_or_add_pPr().insert_element_before(deepcopy(body_sect), "w:pPrChange")


def _adopt_body_sectpr(master: Document, appended: Document) -> None:
    """Give the master's last section the appended document's page setup, keeping the
    master's header and footer references (the appended document's parts are not copied)."""
    old = _body_sectpr(master)
    new = deepcopy(_body_sectpr(appended))
    for child in list(new):
        if child.tag in _HDR_FTR:
            new.remove(child)
    for ref in reversed([child for child in old if child.tag in _HDR_FTR]):
        new.insert(0, deepcopy(ref))
    old.addprevious(new)
    old.getparent().remove(old)


def _styles_xml(doc: Document) -> bytes:
    return serialize_part_xml(doc.styles.element)


def _composer(master: Document) -> Any:
    """docxcompose's ``Composer`` for ``master``, skipping ``add_styles`` for a document whose
    styles are the master's own as loaded (documents made from one template), without
    numbering and without ``preserve_styles``: there ``add_styles`` finds every style it
    looks up already in the master and adds nothing, but it lists the master's styles once
    per appended element, three quarters of the time of a bundle."""
    from docxcompose.composer import Composer

    class _OneTemplateComposer(Composer):
        original = _styles_xml(master)
        same_styles = False

        def insert(self, index: int, doc: Document, remove_property_fields: bool = True
                   ) -> None:
            styles = _styles_xml(doc)
            self.same_styles = (not self.preserve_styles and styles == self.original
                                and b"numId" not in styles)
            super().insert(index, doc, remove_property_fields=remove_property_fields)

        def add_styles(self, doc: Document, element: BaseOxmlElement) -> None:
            if not self.same_styles:
                super().add_styles(doc, element)

    return _OneTemplateComposer(master)


def _compose(paths: Sequence[Path], out: Path, *, reference: bool = False) -> None:
    """Compose ``paths`` into ``out``: each document is its own section(s), numbered from 1.
    ``reference``: with docxcompose's plain ``Composer`` (the slow path ``_composer`` is
    tested against)."""
    from docxcompose.composer import Composer

    master = open_docx(str(paths[0]))
    _prepare(master)
    composer = Composer(master) if reference else _composer(master)
    # Our own section handling below replaces docxcompose's one-time header fix, which
    # would move the body's pgNumType into the first appended section.
    composer.first_section_properties_added = True
    for path in paths[1:]:
        doc = open_docx(str(path))
        _prepare(doc)
        _close_last_section(master)
        composer.append(doc)
        _adopt_body_sectpr(master, doc)
        del doc
    composer.save(str(out))


def bundle_docx(
    docx_paths: Iterable[Path | str], out_path: Path | str, *, chunk_size: int = 50
) -> Path:
    """Compose every .docx into one print file, each document starting a new page.

    Each document keeps its own page numbering, restarting at 1 (``w:pgNumType
    w:start="1"`` on its first section; its "different first page" setting stays, so its
    first page shows no number). Headers and footers come from the first document
    (docxcompose does not copy those of appended documents), which suits documents made
    from one template. Documents are composed ``chunk_size`` at a time into temporary files,
    then the chunks are composed, so the inputs are never all in memory at once. The output
    is written atomically with deterministic zip bytes.
    """
    if chunk_size < 1:
        raise InvalidValueError("chunk_size must be at least 1")
    out = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="vn-union-docs-bundle-") as tmp_name:
        tmp = Path(tmp_name)
        parts: list[Path] = []
        for i, batch in enumerate(_batched(docx_paths, chunk_size)):
            part = tmp / f"part{i:06d}.docx"
            _compose(batch, part)
            parts.append(part)
        if not parts:
            raise InvalidValueError("bundle_docx needs at least one document")
        final = parts[0]
        if len(parts) > 1:
            final = tmp / "bundle.docx"
            _compose(parts, final)
        data = normalize_zip(final.read_bytes())
        write_atomic(out, data)
    return out


def bundle_pdf(pdf_paths: Iterable[Path | str], out_path: Path | str) -> Path:
    """Concatenate PDFs into one print file with pypdf, written atomically.

    Inputs are opened one at a time and closed once their pages are copied.
    """
    from pypdf import PdfWriter

    out = Path(out_path)
    writer = PdfWriter()
    count = 0
    for path in pdf_paths:
        with open(path, "rb") as fh:
            writer.append(fh, import_outline=False)
        count += 1
    if not count:
        raise InvalidValueError("bundle_pdf needs at least one PDF")
    write_atomic(out, writer.write)
    writer.close()
    return out
