"""Small readers over pyHanko's PDF objects: pages, widgets of named fields."""

from __future__ import annotations

from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vn_union_docs.signing.positions import Box

__all__ = ["field_widget", "page_refs", "page_sizes"]


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
