"""Output file names: the ``--name`` pattern over a row, and the names Windows or a folder would
refuse.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta

from vn_union_docs.batch.report import BatchError
from vn_union_docs.documents.sandbox import (
    file_name_environment,
    finalize_file_name,
    render_text_field,
    simple_substitution,
)
from vn_union_docs.errors import InvalidValueError
from vn_union_docs.files import open_exclusive

_MAX_NAME_BYTES = 200  # leaves room under the 255-byte limit of common file systems
_WINDOWS_FORBIDDEN = ':*?"<>|'
_FORBIDDEN_PATTERN = re.compile(f"[{re.escape(_WINDOWS_FORBIDDEN)}]")
# Device names Windows reserves whatever the extension: the digits include the superscripts
# ¹ ² ³ (Windows reads them as 1 2 3), and CONIN$, CONOUT$, CLOCK$ are devices too.
_RESERVED = (
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{p}{i}" for p in ("COM", "LPT") for i in [*"0123456789", "¹", "²", "³"]}
)
# Characters that make a name look like another: format characters (Cf: the bidirectional
# overrides U+202E/U+202D and isolates, zero-width joiners and spaces, the soft hyphen), line
# and paragraph separators (Zl, Zp), control characters (Cc), lone surrogates (Cs) and
# private-use characters (Co).
_DISGUISING = {"Cf": "ký tự định dạng vô hình", "Zl": "ký tự xuống dòng Unicode",
               "Zp": "ký tự xuống đoạn Unicode", "Cc": "ký tự điều khiển",
               "Cs": "ký tự Unicode không hợp lệ (surrogate)", "Co": "ký tự dùng riêng"}
# A name starting with one of these is a formula in Excel (the manifest is opened there)
# and an option to command-line tools.
_FORMULA_START = ("=", "+", "-", "@")

# --- file names ------------------------------------------------------------------------------


def check_name(name: str) -> str | None:
    """Return why ``name`` (a file name, ``.docx`` included) cannot be used, or ``None``.

    Refused: empty, a path separator or ``..`` (the file would leave the output folder), a
    leading dot, a leading ``= + - @`` (a formula when the manifest is opened in Excel), a
    character Windows refuses (``:*?"<>|``), an invisible character that disguises the name
    (right-to-left override U+202E, zero-width characters, U+2028 …) or a control
    character, a name Windows reserves (``CON``, ``NUL``, ``COM1``, ``COM¹``, ``CONIN$``,
    ``CLOCK$`` …), a name ending in a dot or a space, more than 200 bytes.
    """
    stem = name[:-5] if name.lower().endswith(".docx") else name
    if not stem.strip():
        return "tên tệp rỗng (kiểm tra các cột dùng trong --name)"
    for sep in ("/", "\\"):
        if sep in name:
            return f"tên tệp chứa «{sep}»: tệp sẽ nằm ngoài thư mục kết quả"
    if stem.endswith((".", " ")):  # before «..»: «CĐ A.» + «.docx» is no path trick
        return "tên tệp kết thúc bằng dấu chấm hoặc dấu cách (Windows cắt bỏ, tên sẽ khác)"
    if ".." in name:
        return "tên tệp chứa «..»: tệp có thể nằm ngoài thư mục kết quả"
    if name.startswith("."):
        return "tên tệp bắt đầu bằng dấu chấm (tệp ẩn)"
    if name.startswith(_FORMULA_START):
        return (f"tên tệp bắt đầu bằng «{name[0]}»: Excel sẽ hiểu ô trong _manifest.csv là "
                "công thức; đổi mẫu --name để tên bắt đầu bằng chữ hoặc số")
    if not name.isprintable():  # every disguising category is unprintable
        for ch in name:
            kind = _DISGUISING.get(unicodedata.category(ch))
            if kind is not None:
                return (f"tên tệp chứa {kind} U+{ord(ch):04X}, làm tên tệp hiển thị sai "
                        "(có thể che giấu đuôi tệp thật); xóa ký tự đó khỏi dữ liệu")
    if _FORBIDDEN_PATTERN.search(name):
        bad = sorted({ch for ch in name if ch in _WINDOWS_FORBIDDEN}, key=name.index)
        shown = " ".join(f"«{ch}»" for ch in bad)
        return f"tên tệp chứa ký tự Windows không cho phép: {shown}"
    device = stem.split(".")[0].rstrip(" ").upper()
    if device in _RESERVED:
        return (f"«{stem}» là tên Windows dành riêng cho thiết bị ({device}), "
                "không dùng làm tên tệp")
    if len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        return f"tên tệp quá dài (tối đa {_MAX_NAME_BYTES} byte)"
    return None


class NamePattern:
    """A Jinja pattern over a row that gives its file name (``.docx`` appended).

    ``None`` means the row number, zero-padded to at least four digits (``0002``).
    Columns are variables (``{{ ma_cdcs }}-{{ ten_cdcs }}``), so is ``row`` (the row
    number, unless a column has that name); the ``vi`` filters work. Raises ``BatchError``
    for a syntax error.
    """

    def __init__(self, pattern: str | None) -> None:
        self.pattern = pattern
        self.variables: set[str] = set()
        self._template = None
        self._pieces = None
        if pattern is None:
            return
        env = file_name_environment()
        try:
            self.variables = meta.find_undeclared_variables(env.parse(pattern))
            self._template = env.from_string(pattern)
            self._pieces = simple_substitution(pattern)  # "{{ ma }}-{{ ten }}": no Jinja
        except JinjaTemplateError as exc:
            raise BatchError(f"mẫu tên tệp --name sai cú pháp: {exc}") from None

    def check_columns(self, columns: Iterable[str]) -> None:
        """Raise ``BatchError`` when the pattern uses a variable that is not a column."""
        missing = sorted(self.variables - set(columns) - {"row"})
        if missing:
            names = ", ".join(f"«{m}»" for m in missing)
            listed = ", ".join(columns)
            raise BatchError(
                f"mẫu tên tệp --name dùng {names} nhưng dữ liệu không có cột đó "
                f"(các cột: {listed})"
            )

    def render(self, row: int, cells: Mapping[str, Any], width: int) -> str:
        """The file name of one row (NFC, surrounding spaces removed, ``.docx`` appended);
        raises ``ValueError`` with a clerk-readable message when it cannot be computed."""
        if self._template is None:
            text = str(row).zfill(width)
        else:
            try:
                text = render_text_field(self._template, self._pieces, {"row": row, **cells},
                                         finalize_file_name)
            except Exception as exc:  # a row's value broke the pattern (undefined, filter)
                from vn_union_docs.documents.spec import _jinja_message

                raise InvalidValueError(_jinja_message(exc)) from None
        text = unicodedata.normalize("NFC", text).strip()
        return text if text.lower().endswith(".docx") else f"{text}.docx"




class NameRegistry:
    """Which row first took each file name (compared ignoring case), kept on disk.

    A SQLite table in the output folder (``.vnud-names.sqlite``), so the memory a batch
    needs does not grow with its rows: SQLite's page cache is bounded (``cache_kb``) and
    the table (about 60 bytes a row: 60 MB at a million rows) lives on disk. The file stays
    while a run is in progress, so a killed run's resume (``forget_after``) knows the names
    of the rows already done, and is removed when the batch ends.
    """

    def __init__(self, path: str | os.PathLike[str], *, cache_kb: int = 2048) -> None:
        self.path = os.fspath(path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            _remove_unless_regular(self.path + suffix)  # a planted link is never opened
        if not os.path.exists(self.path):
            os.close(open_exclusive(self.path))
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in ("locking_mode=EXCLUSIVE", "journal_mode=WAL", "synchronous=OFF",
                       f"cache_size=-{int(cache_kb)}", "temp_store=FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE IF NOT EXISTS names "
                         "(key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")
        self._db.execute("BEGIN")

    def claim(self, items: list[tuple[str, int]]) -> dict[int, int]:
        """Record that each ``(name, row)`` uses its name; return ``{row: earlier_row}`` for
        the rows whose name an earlier row already has. Claiming again for the same row
        (a second pass over the rows) is not a clash. One query per 500 names."""
        keys = [(name.casefold(), row) for name, row in items]
        distinct = list(dict.fromkeys(key for key, _ in keys))
        found: dict[str, int] = {}
        for start in range(0, len(distinct), 500):
            part = distinct[start:start + 500]
            marks = ",".join("?" * len(part))
            found.update(self._db.execute(
                f"SELECT key, row FROM names WHERE key IN ({marks})", part))
        clashes: dict[int, int] = {}
        new: list[tuple[str, int]] = []
        for key, row in keys:
            first = found.setdefault(key, row)
            if first == row:
                new.append((key, row))
            else:
                clashes[row] = first
        self._db.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", new)
        return clashes

    def commit(self) -> None:
        """Make the names claimed so far survive a killed process."""
        self._db.execute("COMMIT")
        self._db.execute("BEGIN")

    def forget_after(self, row: int) -> None:
        """Drop the names of rows after ``row`` (a resumed run does them again)."""
        self._db.execute("DELETE FROM names WHERE row > ?", (row,))
        self.commit()

    def close(self, *, remove: bool = False) -> None:
        """Close the table; ``remove`` deletes its file."""
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("COMMIT")
        self._db.close()
        if remove:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path + suffix)


def _remove_unless_regular(path: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        os.unlink(path)
