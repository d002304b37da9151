"""``docs/template-context.md`` generated from the code (context fields, filters, body styles)."""

from __future__ import annotations

import inspect
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from vn_union_docs import campaign, vi
from vn_union_docs.authoring.parts import _STYLE_USES, CONTEXT_DOC, _w
from vn_union_docs.documents import body as body_module
from vn_union_docs.rendering.context import CONTEXT_FIELDS
from vn_union_docs.rendering.render import default_template

# --------------------------------------------------------------------------- context doc


def body_styles() -> list[tuple[str, str]]:
    """``(style id, "paragraph" | "table")`` for every ``STYLE_*`` constant of ``body``."""
    out: list[tuple[str, str]] = []
    for name, value in vars(body_module).items():
        if not name.startswith("STYLE_"):
            continue
        kind = "table" if name == "STYLE_TABLE" else "paragraph"
        for style_id in (value,) if isinstance(value, str) else value:
            out.append((style_id, kind))
    return out


def _style_names() -> dict[str, str]:
    """Style id → name as Word shows it, read from the default công văn template."""
    try:
        with zipfile.ZipFile(default_template("cong_van")) as archive:
            root = etree.fromstring(archive.read("word/styles.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}
    names = {}
    for style in root.iter(_w("style")):
        name = style.find(_w("name"))
        if name is not None:
            names[style.get(_w("styleId"))] = name.get(_w("val"))
    return names


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _first_line(func: Any) -> str:
    doc = inspect.getdoc(func) or ""
    return doc.splitlines()[0].strip() if doc else ""


def context_markdown() -> str:
    """The text of ``docs/template-context.md``, generated from the code."""
    lines = [
        "# Ngữ cảnh của mẫu văn bản (template context)",
        "",
        "<!-- Tệp tạo tự động từ mã nguồn: đừng sửa tay. Tạo lại bằng",
        "     python -m vn_union_docs.authoring",
        "     (tests/authoring/test_template_tools.py báo lỗi khi tệp này cũ). -->",
        "",
        "Mọi mẫu .docx nhận cùng một bộ biến (context) dưới đây, đã định dạng sẵn: mẫu chỉ đặt",
        "chúng vào chỗ, không tính toán gì. Dùng biến không có ở đây là lỗi "
        "(`vn-union-docs template check` chỉ ra vị trí).",
        "Hướng dẫn sửa mẫu: [template-guide.md](template-guide.md).",
        "",
        "## Biến (variables)",
        "",
        "| biến | kiểu | ý nghĩa |",
        "|---|---|---|",
    ]
    for key, (kind, meaning) in CONTEXT_FIELDS.items():
        lines.append(f"| `{key}` | {_cell(kind)} | {_cell(meaning)} |")
    lines += [
        "",
        "Biến kiểu `list[str]` dùng trong vòng lặp, mỗi phần tử một đoạn:",
        "`{%p for line in distribution %}` / `{{ line }}` / `{%p endfor %}`. Tên biến vòng lặp",
        "(`line`, `r`…) do mẫu tự đặt. `body` chỉ dùng dạng `{{p body }}`, một mình trong đoạn.",
        "",
        "## Bộ lọc (filters)",
        "",
        "Dùng như `{{ x | ten_bo_loc }}`; ngoài ra có các bộ lọc sẵn của Jinja (`upper`, `lower`,",
        "`default`, `join`…).",
        "",
        "| bộ lọc | hàm | mô tả |",
        "|---|---|---|",
    ]
    for filters in (vi.FILTERS, getattr(campaign, "FILTERS", {})):
        for name, func in filters.items():
            where = f"{func.__module__.rsplit('.', 1)[-1]}.{func.__name__}"
            lines.append(f"| `{name}` | `{where}` | {_cell(_first_line(func))} |")
    names = _style_names()
    lines += [
        "",
        "## Kiểu (styles) mà phần nội dung dùng",
        "",
        "`{{p body }}` tạo các đoạn và bảng mang các kiểu dưới đây: mẫu phải có chúng. Đổi định",
        "dạng kiểu trong Word (Home › Styles › Modify) là đổi cả phần nội dung; đừng xóa hay",
        "đổi tên kiểu.",
        "",
        "| style id | tên trong Word | loại | dùng cho |",
        "|---|---|---|---|",
    ]
    for style_id, kind in body_styles():
        word = names.get(style_id, style_id)
        what = "bảng (table)" if kind == "table" else "đoạn (paragraph)"
        lines.append(f"| `{style_id}` | {word} | {what} | {_cell(_STYLE_USES.get(style_id, ''))} |")
    lines.append("")
    return "\n".join(lines)


def write_context_doc(path: str | Path | None = None) -> Path:
    """Write ``context_markdown()`` to ``path`` (default ``docs/template-context.md``)."""
    target = Path(path) if path is not None else CONTEXT_DOC
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(context_markdown(), encoding="utf-8")
    return target
