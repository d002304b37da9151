"""Reading PDFs for signing (bounded, checked) and small readers over pyHanko's objects:
pages, widgets of named fields."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from vn_union_docs.signing.errors import SigningError
from vn_union_docs.signing.positions import Box

__all__ = ["check_pdf", "field_widget", "open_for_update", "open_pdf", "page_refs",
           "page_sizes", "read_pdf"]

_MAX_PDF_BYTES = 200 << 20


def read_pdf(source: Path | str | bytes) -> tuple[bytes, str]:
    """The bytes of ``source`` (a path, bounded to 200 MB, or bytes) and a name for messages."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), "PDF"
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > _MAX_PDF_BYTES:
            raise SigningError(f"{path}: tệp PDF quá lớn ({size >> 20} MB; tối đa 200 MB).")
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: không đọc được tệp ({exc.strerror}).") from exc
    if not data.startswith(b"%PDF-"):
        raise SigningError(f"{path}: không phải tệp PDF.")
    return data, str(path)


def open_for_update(data: bytes, name: str) -> IncrementalPdfFileWriter:
    """A writer for an incremental update; its ``prev`` is the checked reader."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningError(f"{name}: PDF hỏng hoặc không đọc được ({exc}).") from exc
    check_pdf(writer.prev, name)
    return writer


def open_pdf(data: bytes, name: str) -> PdfFileReader:
    """A checked reader (not encrypted, readable)."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningError(f"{name}: PDF hỏng hoặc không đọc được ({exc}).") from exc
    check_pdf(reader, name)
    return reader


def check_pdf(reader: PdfFileReader, name: str) -> None:
    """Refuse an encrypted or broken PDF (:class:`SigningError`)."""
    try:
        if reader.encrypted:
            raise SigningError(f"{name}: PDF đã mã hóa (có mật khẩu); hãy dùng bản không mã "
                               "hóa (PDF/A không cho phép mã hóa).")
        reader.root  # noqa: B018 - fail early on a broken file
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningError(f"{name}: PDF hỏng hoặc không đọc được ({exc}).") from exc


def page_refs(reader: PdfFileReader) -> list[generic.IndirectObject]:
    """The pages' references, in order."""

    def walk(node_ref: generic.IndirectObject, depth: int) -> Iterator[generic.IndirectObject]:
        node = node_ref.get_object()
        if node.get("/Type") == "/Pages" and depth < 64:
            for kid in node.get("/Kids", ()):
                yield from walk(kid, depth + 1)
        else:
            yield node_ref

    return list(walk(reader.root.raw_get("/Pages"), 0))


def page_sizes(reader: PdfFileReader) -> list[tuple[float, float]]:
    """(width, height) of every page in points, from the (inherited) /MediaBox."""
    sizes = []
    for ref in page_refs(reader):
        node = ref.get_object()
        box = None
        while node is not None and box is None:
            box = node.get("/MediaBox")
            node = node.get("/Parent")
        x0, y0, x1, y1 = (float(v) for v in (box or (0, 0, 595.28, 841.89)))
        sizes.append((x1 - x0, y1 - y0))
    return sizes


def field_widget(reader: PdfFileReader, name: str) -> tuple[Box | None, bool] | None:
    """The widget box of the top-level field ``name`` and whether it holds a value (a
    signature); ``None`` when there is no such field."""
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return None
    for ref in fields:
        field = ref.get_object()
        if str(field.get("/T", "")) != name:
            continue
        widget_ref = ref
        if "/Rect" not in field and field.get("/Kids"):
            widget_ref = field["/Kids"][0]
        widget = widget_ref.get_object()
        filled = field.get("/V") is not None and str(field.get("/V")) != ""
        rect = widget.get("/Rect")
        if rect is None:
            return None, filled
        page = 0
        for i, page_ref in enumerate(page_refs(reader)):
            annots = page_ref.get_object().get("/Annots")
            if annots is not None and any(
                    getattr(a, "idnum", None) == getattr(widget_ref, "idnum", -1)
                    for a in annots.get_object()):
                page = i
                break
        x0, y0, x1, y1 = (float(v) for v in rect)
        return Box(page, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), filled
    return None
