"""Output file names: the ``--name`` pattern over a row, and the names Windows or a folder would
refuse.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta

from vn_union_docs.batch.report import BatchError
from vn_union_docs.documents.sandbox import file_name_environment
from vn_union_docs.errors import InvalidValueError

_MAX_NAME_BYTES = 200  # leaves room under the 255-byte limit of common file systems
_WINDOWS_FORBIDDEN = ':*?"<>|'
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}

# --- file names ------------------------------------------------------------------------------


def check_name(name: str) -> str | None:
    """Return why ``name`` (a file name, ``.docx`` included) cannot be used, or ``None``.

    Refused: empty, a path separator or ``..`` (the file would leave the output folder), a
    leading dot, a character Windows refuses (``:*?"<>|``) or a control character, a name
    Windows reserves (``CON``, ``NUL``, ``COM1`` …), more than 200 bytes.
    """
    stem = name[:-5] if name.lower().endswith(".docx") else name
    if not stem.strip():
        return "tên tệp rỗng (kiểm tra các cột dùng trong --name)"
    for sep in ("/", "\\"):
        if sep in name:
            return f"tên tệp chứa «{sep}»: tệp sẽ nằm ngoài thư mục kết quả"
    if ".." in name:
        return "tên tệp chứa «..»: tệp có thể nằm ngoài thư mục kết quả"
    if name.startswith("."):
        return "tên tệp bắt đầu bằng dấu chấm (tệp ẩn)"
    bad = sorted({ch for ch in name if ch in _WINDOWS_FORBIDDEN}, key=name.index)
    if bad:
        shown = " ".join(f"«{ch}»" for ch in bad)
        return f"tên tệp chứa ký tự Windows không cho phép: {shown}"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "tên tệp chứa ký tự điều khiển"
    if stem.split(".")[0].strip().upper() in _RESERVED:
        return f"«{stem}» là tên Windows dành riêng cho thiết bị, không dùng làm tên tệp"
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
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
        if pattern is None:
            return
        env = file_name_environment()
        try:
            self.variables = meta.find_undeclared_variables(env.parse(pattern))
            self._template = env.from_string(pattern)
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
                text = self._template.render({"row": row, **cells})
            except Exception as exc:  # a row's value broke the pattern (undefined, filter)
                from vn_union_docs.documents.spec import _jinja_message

                raise InvalidValueError(_jinja_message(exc)) from None
        text = unicodedata.normalize("NFC", text).strip()
        return text if text.lower().endswith(".docx") else f"{text}.docx"


