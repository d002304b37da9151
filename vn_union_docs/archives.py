"""Zip packages from outside (.docx templates, XLSX spreadsheets, .docx files to check):
bounded before anything is inflated, and kept from reaching outside themselves.

``check_archive`` reads only the zip's central directory and refuses a package with too many
entries, an entry or a total too large once inflated, or an entry compressed suspiciously
well (a zip bomb), naming the entry and the limit (``vn_union_docs.limits``).

``external_links`` lists what in a .docx would make Word or LibreOffice fetch or read
something outside the file: relationships with ``TargetMode="External"`` (a linked image
``r:link``, an attached template, a linked sub-document, a hyperlink) and ``INCLUDEPICTURE``,
``INCLUDETEXT``, ``LINK`` or ``DDE`` fields. ``refuse_external_links`` raises naming each.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from vn_union_docs import limits
from vn_union_docs.errors import TemplateError

_RATIO_FLOOR = 1_000_000  # entries smaller than this inflate to little whatever their ratio
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FIELD = re.compile(rb"\b(INCLUDEPICTURE|INCLUDETEXT|LINK|DDEAUTO|DDE|IMPORT)\b[^<\"]*",
                    re.IGNORECASE)
_FIELD_PLACES = re.compile(rb"<w:instrText[^>]*>([^<]*)<|w:instr=\"([^\"]*)\"")


def _label(path: str | Path | None, what: str) -> str:
    return f"{what} «{Path(path).name}»" if path else what


def check_archive(archive: zipfile.ZipFile, *, source: str | Path | None = None,
                  what: str = "tệp") -> None:
    """Raise ``LimitError`` when the central directory of ``archive`` shows a package over
    the archive limits (entry count, inflated size per entry and in total, ratio)."""
    current = limits.current()
    src = str(source) if source else None
    infos = archive.infolist()
    if len(infos) > current.archive_entries:
        raise limits.limit_error("archive_entries", "",
                                 f"{_label(source, what)} có {len(infos)} mục nén", source=src)
    total = 0
    for info in infos:
        size = info.file_size
        if size > current.archive_entry_bytes:
            raise limits.limit_error("archive_entry_bytes", info.filename,
                                     f"mục giải nén ra {size:,} byte".replace(",", "."),
                                     source=src)
        if size > _RATIO_FLOOR and size > current.archive_ratio * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise limits.limit_error("archive_ratio", info.filename,
                                     f"mục nén {ratio} lần (dấu hiệu bom nén)", source=src)
        total += size
        if total > current.archive_total_bytes:
            raise limits.limit_error("archive_total_bytes", info.filename,
                                     f"các mục giải nén ra hơn {total:,} byte".replace(",", "."),
                                     source=src)


def open_checked(file: str | Path | IO[bytes], *, what: str = "tệp") -> zipfile.ZipFile:
    """Open a zip and check it (``check_archive``); raises ``LimitError`` or
    ``zipfile.BadZipFile``."""
    archive = zipfile.ZipFile(file)
    try:
        check_archive(archive, source=file if isinstance(file, str | Path) else None, what=what)
    except BaseException:
        archive.close()
        raise
    return archive


def check_file(path: str | Path, *, what: str = "tệp") -> None:
    """``check_archive`` for a file on disk (a file that is not a zip is left to its reader)."""
    try:
        with open_checked(path, what=what):
            pass
    except zipfile.BadZipFile:
        return


@dataclass(frozen=True)
class ExternalLink:
    """A link out of a package: a relationship whose target is external, or a field that
    loads a file or a URL (INCLUDEPICTURE, LINK, DDE …)."""

    part: str  # the .rels part holding the relationship, or the XML part holding the field
    kind: str  # the relationship type's last word (hyperlink, image …), or "field"
    target: str  # the URL or path; for a field, its instruction
    rel_id: str = ""

    def __str__(self) -> str:
        if self.kind == "field":
            return f"{self.part}: trường {self.target}"
        return f"{self.part}: {self.rel_id} ({self.kind}) → {self.target}"


def link_parts(name: str) -> bool:
    """Whether a package part of this name can hold an external link."""
    return name.endswith(".rels") or (name.startswith("word/") and name.endswith(".xml"))


def external_link_entries(parts: Iterable[tuple[str, bytes]]) -> list[ExternalLink]:
    """Every external link in ``(name, bytes)`` parts (those ``link_parts`` accepts): the one
    reader of links, for a zip (``external_links``) and for a loaded document (``check``)."""
    found: list[ExternalLink] = []
    for name, data in parts:
        if name.endswith(".rels"):
            try:
                root = etree.fromstring(data, _PARSER)
            except etree.XMLSyntaxError:
                continue
            for rel in root.iter(f"{_REL_NS}Relationship"):
                if rel.get("TargetMode", "").lower() == "external":
                    found.append(ExternalLink(name, rel.get("Type", "").rsplit("/", 1)[-1],
                                              rel.get("Target", ""), rel.get("Id", "")))
        elif b"instr" in data:
            for match in _FIELD_PLACES.finditer(data):
                instruction = match.group(1) or match.group(2) or b""
                field = _FIELD.search(instruction)
                if field:
                    found.append(ExternalLink(name, "field",
                                              field.group().decode("utf-8", "replace")))
    return found


def external_links(archive: zipfile.ZipFile) -> list[str]:
    """``"word/_rels/document.xml.rels: rId9 (image) → file:///etc/passwd"``, one per link."""
    return [str(link) for link in external_link_entries(
        (name, archive.read(name)) for name in archive.namelist() if link_parts(name))]


def refuse_external_links(path: str | Path, *, what: str = "mẫu") -> None:
    """Raise ``TemplateError`` naming every external link of the .docx at ``path``.

    Word follows such a link when the clerk opens the file, and LibreOffice when it makes the
    PDF (it would embed a local file named by the link): a document must carry everything it
    shows.
    """
    with open_checked(path, what=what) as archive:
        found = external_links(archive)
    if found:
        lines = "\n".join(f"  - {item}" for item in found)
        raise TemplateError(
            f"{_label(path, what)} trỏ ra ngoài tệp ({len(found)} liên kết ngoài); Word và "
            f"LibreOffice sẽ tải hoặc đọc nội dung từ đó. Hãy nhúng ảnh vào tệp (Chèn ảnh, "
            f"không chọn «Liên kết tới tệp») và xóa các liên kết:\n{lines}")


_PARAGRAPH = re.compile(rb"<w:p[ >/]")


def check_docx_to_read(path: str | Path) -> None:
    """Before ``check`` parses a .docx: the archive limits, and at most ``check_paragraphs``
    paragraphs in ``word/document.xml`` (counted while streaming, nothing kept)."""
    limit = limits.current().check_paragraphs
    try:
        archive = open_checked(path, what="tệp .docx")
    except (OSError, zipfile.BadZipFile):
        return  # not a zip: the .docx reader says so in its words
    with archive:
        try:
            stream = archive.open("word/document.xml")
        except KeyError:
            return
        count = 0
        tail = b""
        with stream:
            while chunk := stream.read(1 << 20):
                data = tail + chunk
                count += len(_PARAGRAPH.findall(data))
                tail = data[-5:] if not data.endswith(b">") else b""
                if count > limit:
                    raise limits.limit_error(
                        "check_paragraphs", "word/document.xml",
                        f"tệp có hơn {limit:,} đoạn văn".replace(",", "."), source=str(path))
