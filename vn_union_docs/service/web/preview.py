"""The live preview: a spec → .docx → PDF (the service's resident converters) → page images.

Pages are drawn with pypdfium2 (PDFium, the PDF engine of Chromium, in-process) rather than
poppler's ``pdftoppm``: no process to start per preview (a fork+exec of pdftoppm costs more
than drawing a page), no temporary files, and the pages look as the clerk's browser would show
the downloaded PDF. PDFium is not thread-safe, so drawing is serialised by one lock; a page
takes about 10-30 ms.

The PDF comes from ``app.state.converters`` (the pool ``vn-union-docs serve`` starts). A pool
that is off (``--converters 0``) or could not start means no preview images (the findings and
printed lines still work); an app with no pool at all (the router mounted elsewhere) falls
back to one LibreOffice run per preview, seconds slower.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from starlette.concurrency import run_in_threadpool

from vn_union_docs.errors import LibreOfficeError
from vn_union_docs.rendering.pdf import convert_to_pdf

#: Resolution of the preview images: 96 dpi gives an A4 page 794 px wide, sharp at 100 %.
PREVIEW_DPI = 96

#: Pages drawn at most; a longer document says how many more it has.
MAX_PREVIEW_PAGES = 12

NO_CONVERTER = ("Máy chủ không có bộ chuyển PDF (LibreOffice) nên chưa xem trước được trang in; "
                "vẫn tải được .docx. Người quản trị: chạy vn-union-docs serve với --converters 1 "
                "trở lên (cần LibreOffice và python3-uno).")

_PDFIUM_LOCK = threading.Lock()
_CACHE_SIZE = 32


class _PageCache:
    """Page images by the SHA-256 of the .docx (rendering is deterministic: same bytes, same
    pages), so that typing a character and deleting it again costs no conversion."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[list[str], int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[list[str], int] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, value: tuple[list[str], int]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_CACHE = _PageCache()


def _convert_once(docx: bytes) -> bytes:
    """One LibreOffice run for one document (used only when the app has no converter pool)."""
    with tempfile.TemporaryDirectory(prefix="vn-union-docs-preview-") as tmp:
        source = Path(tmp) / "preview.docx"
        source.write_bytes(docx)
        (pdf,) = convert_to_pdf([source], Path(tmp) / "pdf")
        return pdf.read_bytes()


async def docx_to_pdf(state: Any, docx: bytes) -> bytes:
    """PDF bytes of ``docx`` from the app's resident converters (``state.converters``, a
    :class:`vn_union_docs.rendering.pdf_pool.ConverterPool`); else one LibreOffice run.

    Raises :class:`vn_union_docs.errors.LibreOfficeError` when no PDF can be made.
    """
    pool = getattr(state, "converters", None)
    if pool is None:
        return await run_in_threadpool(_convert_once, docx)
    if not pool.available:  # --converters 0, or LibreOffice could not start: no PDF
        raise LibreOfficeError(NO_CONVERTER)
    pdf: bytes = await pool.to_pdf(docx)
    return pdf


def pdf_pages(pdf: bytes, *, dpi: int = PREVIEW_DPI,
              max_pages: int = MAX_PREVIEW_PAGES) -> tuple[list[str], int]:
    """The first ``max_pages`` pages as ``data:image/png`` URLs, and the page count."""
    with _PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            count = len(document)
            urls = []
            for index in range(min(count, max_pages)):
                page = document[index]
                try:
                    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                finally:
                    page.close()
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=False, compress_level=3)
                urls.append("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
        finally:
            document.close()
    return urls, count


async def preview_pages(state: Any, docx: bytes,
                        timings: dict[str, float] | None = None) -> dict[str, Any]:
    """``{"pages": [data URL, ...], "page_count": n, "key": sha256}`` for a rendered .docx.

    ``timings`` receives the seconds spent converting (``pdf``) and drawing (``png``).
    """
    key = hashlib.sha256(docx).hexdigest()
    cached = _CACHE.get(key)
    if cached is None:
        start = time.perf_counter()
        pdf = await docx_to_pdf(state, docx)
        drawn = time.perf_counter()
        cached = await run_in_threadpool(pdf_pages, pdf)
        if timings is not None:
            timings["pdf"] = drawn - start
            timings["png"] = time.perf_counter() - drawn
        _CACHE.put(key, cached)
    pages, count = cached
    return {"pages": pages, "page_count": count, "key": key}
