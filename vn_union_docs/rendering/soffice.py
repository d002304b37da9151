"""Finding LibreOffice's ``soffice``: shared by the per-run converter (``pdf``) and the resident
pool (``pdf_pool``), so that neither imports the other's module for it."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from vn_union_docs.errors import LibreOfficeError

__all__ = ["COMMON_LOCATIONS", "INSTALL_HELP", "SOFFICE_ENV", "find_soffice", "require_soffice"]

#: Environment variable naming the soffice executable (checked before PATH).
SOFFICE_ENV = "VN_UNION_DOCS_SOFFICE"

INSTALL_HELP = (
    "Không tìm thấy LibreOffice (lệnh soffice), cần có để xuất PDF.\n"
    "Cách cài đặt:\n"
    "  - Debian/Ubuntu (chạy với quyền root):\n"
    "      apt-get update\n"
    "      apt-get install -y --no-install-recommends libreoffice-writer-nogui"
    " fonts-liberation2\n"
    "  - Windows/macOS: tải và cài LibreOffice từ https://www.libreoffice.org/download/ ,"
    " rồi thêm thư mục chứa soffice vào PATH\n"
    "      (Windows: C:\\Program Files\\LibreOffice\\program;"
    " macOS: /Applications/LibreOffice.app/Contents/MacOS).\n"
    f"Hoặc đặt biến môi trường {SOFFICE_ENV} trỏ tới tệp soffice."
)

#: Where LibreOffice usually lives when it is not on PATH.
COMMON_LOCATIONS: tuple[str, ...] = (
    "/usr/bin/soffice",
    "/usr/local/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice*/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


def find_soffice() -> str | None:
    """Return the path of the LibreOffice ``soffice`` executable, or ``None``.

    Looks at ``$VN_UNION_DOCS_SOFFICE``, then ``soffice`` / ``libreoffice`` on ``PATH``, then
    the usual install directories on Linux, macOS and Windows.
    """
    env = os.environ.get(SOFFICE_ENV)
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for pattern in COMMON_LOCATIONS:
        for candidate in sorted(glob.glob(pattern), reverse=True):  # newest /opt version first
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def require_soffice(soffice: str | None) -> str:
    """``soffice`` if given, else :func:`find_soffice`; :class:`LibreOfficeError` if none."""
    found = soffice or find_soffice()
    if not found:
        raise LibreOfficeError(INSTALL_HELP)
    return found
