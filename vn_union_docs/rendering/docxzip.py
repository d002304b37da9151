"""Deterministic .docx packaging: fixed entry order and time stamps, no random content.

A .docx is a zip; python-docx stamps every entry with the current time, so two renders of
the same input differ. ``normalize_zip`` rewrites a package so the same parts give the same
bytes.
"""

from __future__ import annotations

import io
import zipfile

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)

DEFLATE_LEVEL = 3
"""Deflate level of every entry. Level 6 (zlib's default, what python-docx uses) spends 2.4×
the time on a 6-page kế hoạch's ``document.xml`` (0.50 ms against 0.21 ms, a third of the
whole render) for a .docx 6% smaller (11.4 KB against 12.0 KB): a batch renders thousands."""

# [Content_Types].xml first, as Word writes it; then a stable order.
_FIRST = ("[Content_Types].xml", "_rels/.rels")


def _order_key(name: str) -> tuple[int, str]:
    return (_FIRST.index(name), name) if name in _FIRST else (len(_FIRST), name)


def write_zip(parts: dict[str, bytes], compresslevel: int = DEFLATE_LEVEL) -> bytes:
    """Build a zip from ``{name: bytes}`` with fixed time stamps and a stable entry order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as out:
        for name in sorted(parts, key=_order_key):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            out.writestr(info, parts[name], compresslevel=compresslevel)
    return buffer.getvalue()


def read_zip(data: bytes) -> dict[str, bytes]:
    """Read every entry of a zip into ``{name: bytes}``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip (e.g. what python-docx saved) with fixed time stamps and order."""
    return write_zip(read_zip(data))
