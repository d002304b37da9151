"""The issued file's properties (Title, Author, Company …) taken from the document (issue 13.6).

A .docx carries them in ``docProps/core.xml`` and ``docProps/app.xml``; LibreOffice copies
them into the PDF's information dictionary. Whatever template a document renders with, the
library writes: title = số, ký hiệu and trích yếu; author, last modified by and company =
the issuing body; subject = the trích yếu; keywords = the document type; language vi-VN;
created/modified = the document's date (none for a draft), so the bytes stay deterministic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES
from vn_union_docs.documents.models import BaseDocument

_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
LANGUAGE = "vi-VN"


@dataclass(frozen=True)
class DocumentProperties:
    """What the file's properties say about the document."""

    title: str
    author: str
    subject: str
    keywords: str
    category: str
    description: str
    date: dt.date | None


def document_properties(doc: BaseDocument) -> DocumentProperties:
    """The properties of ``doc``'s file (see the module)."""
    number = f"{doc.number:02d}" if doc.number is not None else "dự thảo"
    reference = f"{number}/{doc.symbol_text}"
    subject = " ".join(doc.subject.split())
    printed = doc.type_name or doc.printed_name  # the spec's override, else the type's name
    shown = f"V/v {subject}" if doc.prints_subject_prefix else (
        f"{printed.capitalize()} {subject}" if printed else subject)
    type_name = DOC_TYPE_NAMES.get(doc.type, doc.type)
    issuer = " ".join(doc.issuer.name.split())
    return DocumentProperties(
        title=f"{reference} {shown}",
        author=issuer,
        subject=subject,
        keywords=type_name.replace(" ", "\u00a0"),  # LibreOffice splits PDF keywords at spaces
        category=doc.type,
        description=f"{type_name.capitalize()} số {reference} của {issuer}",
        date=doc.date,
    )


def _set(root: etree._Element, namespace: str, name: str, text: str,
         attributes: dict[str, str] | None = None) -> None:
    element = root.find(f"{{{namespace}}}{name}")
    if element is None:
        element = etree.SubElement(root, f"{{{namespace}}}{name}")
    element.text = text
    for key, value in (attributes or {}).items():
        element.set(key, value)


@lru_cache(maxsize=256)  # a batch's rows mostly share their properties
def core_xml(raw: bytes, props: DocumentProperties) -> bytes:
    """``docProps/core.xml`` (``raw``: the template's) with the document's properties."""
    root = etree.fromstring(raw)
    _set(root, _DC, "title", props.title)
    _set(root, _DC, "creator", props.author)
    _set(root, _CP, "lastModifiedBy", props.author)
    _set(root, _DC, "subject", props.subject)
    _set(root, _CP, "keywords", props.keywords)
    _set(root, _CP, "category", props.category)
    _set(root, _DC, "description", props.description)
    _set(root, _DC, "language", LANGUAGE)
    _set(root, _CP, "revision", "1")
    for name in ("created", "modified"):
        old = root.find(f"{{{_DCTERMS}}}{name}")
        if old is not None:
            root.remove(old)
        if props.date is not None:
            _set(root, _DCTERMS, name, f"{props.date.isoformat()}T00:00:00Z",
                 {f"{{{_XSI}}}type": "dcterms:W3CDTF"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@lru_cache(maxsize=256)
def app_xml(raw: bytes | None, props: DocumentProperties) -> bytes:
    """``docProps/app.xml`` with the issuing body as the Company."""
    root = (etree.fromstring(raw) if raw else
            etree.Element(f"{{{_EP}}}Properties", nsmap={None: _EP}))
    namespace = etree.QName(root).namespace or _EP
    _set(root, namespace, "Company", props.author)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


__all__ = ["DocumentProperties", "app_xml", "core_xml", "document_properties"]
