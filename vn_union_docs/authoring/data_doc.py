"""``docs/spec-data.md``: the ``data:`` section of a spec, generated from the code (issue 13.10).

For each key ``build_data`` recognises: its fields (with the Vietnamese aliases clerks'
spreadsheets use, ``campaign.spec_data.FIELD_ALIASES``), one example run through the library
(the output shown is what the example prints today), and the attributes a body can use, read
from the classes themselves (public properties and methods, first line of their docstrings).
``tests/authoring/test_data_doc.py`` fails when the committed file is stale.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from vn_union_docs.campaign import Anniversary, Progress, Stage, Theme, UnitStatistics
from vn_union_docs.campaign.progress import UnitRow
from vn_union_docs.campaign.spec_data import FIELD_ALIASES, SECTION_ALIASES, build_data
from vn_union_docs.documents.sandbox import text_environment

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "spec-data.md"

# (key, fields with their meaning, example YAML, example body text, classes whose attributes
# the body can use)
SECTIONS: list[tuple[str, list[tuple[str, str]], str, str, list[type]]] = [
    ("progress", [("achieved", "số đã đạt"), ("target", "chỉ tiêu"),
                  ("unit", "đơn vị tính (mặc định «sáng kiến»)"),
                  ("digits", "số chữ số thập phân của tỷ lệ (mặc định 1)")],
     "progress: {achieved: 493, target: 779}\n"
     "# hoặc nhiều tiến độ có tên: progress: {giai_doan_1: {achieved: …, target: …}}",
     "Đến nay có {{ progress.text }}, còn {{ progress.remaining_text }}.", [Progress]),
    ("units", [("name", "tên đơn vị"), ("achieved", "số đã đạt"), ("target", "chỉ tiêu"),
               ("rows", "danh sách đơn vị, khi ghi dạng {unit, digits, rows}")],
     "units:\n  - {name: CĐCS Bệnh viện A, achieved: 80, target: 96}\n"
     "  - {name: CĐCS Bệnh viện B, achieved: 30, target: 35}",
     "Toàn ngành {{ units.total.text }}; {{ units.below(100) | length }} đơn vị chưa đạt.",
     [UnitStatistics, UnitRow]),
    ("stages", [("name", "tên giai đoạn"), ("start", "ngày bắt đầu"),
                ("end", "ngày kết thúc"), ("events", "các ngày kỷ niệm {key, year}")],
     "stages:\n  - {name: Giai đoạn 1, start: 2023-02-03, end: 2025-02-03}",
     "{{ stages[0].name }}: {{ stages[0].period_text }}.", [Stage]),
    ("anniversaries", [("key", "khóa sự kiện (data/events.yaml)"), ("year", "năm kỷ niệm")],
     "anniversaries: [{key: thi_dua_ai_quoc, year: 2023}]",
     "Chào mừng {{ anniversaries[0].text }}.", [Anniversary]),
    ("theme", [("key", "khóa phong trào (data/themes.yaml), hoặc viết đủ {key, name, kind, "
                "launched_by}")],
     "theme: mot_trieu_sang_kien", "Phong trào «{{ theme.name }}».", [Theme]),
]


def _aliases(name: str) -> str:
    found = [alias for alias, target in FIELD_ALIASES.items() if target == name]
    return ", ".join(f"`{a}`" for a in found) or "—"


def _section_alias(key: str) -> str:
    found = [alias for alias, target in SECTION_ALIASES.items() if target == key]
    return ", ".join(f"`{a}`" for a in found) or "—"


def _members(cls: type) -> Iterator[tuple[str, str, str]]:
    """(name, kind, first docstring line) of the public attributes of ``cls``."""
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            kind, doc = "thuộc tính", member.__doc__
        elif inspect.isfunction(member):
            params = list(inspect.signature(member).parameters)[1:]
            kind, doc = f"hàm ({', '.join(params)})", member.__doc__
        elif isinstance(inspect.getattr_static(cls, name, None), classmethod | staticmethod):
            continue
        else:
            field_info = getattr(cls, "__dataclass_fields__", {}).get(name)
            if field_info is None:
                continue
            kind, doc = "trường", None
        first = (doc or "").strip().splitlines()[0] if doc else ""
        yield name, kind, first.replace("|", "\\|")


def _dataclass_fields(cls: type) -> list[str]:
    return list(getattr(cls, "__dataclass_fields__", {}))


def _example_output(example: str, body: str) -> str:
    data: Any = YAML(typ="safe", pure=True).load(example)
    objects = build_data(data, document_date="2023-06-15")
    return text_environment().from_string(body).render(objects)


def data_markdown() -> str:
    """The content of ``docs/spec-data.md``."""
    lines = [
        "<!-- Generated from the code by vn_union_docs.authoring.data_doc.data_markdown(); "
        "do not edit by hand (python -m vn_union_docs.authoring.data_doc). -->",
        "",
        "# The `data:` section of a spec",
        "",
        "`data:` holds the figures a body computes with. The keys below are turned into objects "
        "(any other key is passed to the body unchanged, as typed); a body uses them in "
        "`{{ … }}`. Every field also has a Vietnamese name, as clerks' spreadsheets write "
        "them. A key with a mistake is reported alone (`data.theme: …`): the text using the "
        "other keys is still checked.",
        "",
        "| key | Vietnamese alias | what it becomes |",
        "|---|---|---|",
    ]
    for key, _fields, _example, _body, classes in SECTIONS:
        lines.append(f"| `{key}` | {_section_alias(key)} | "
                     f"{', '.join(f'`{c.__name__}`' for c in classes[:1])} |")
    for key, fields, example, body, classes in SECTIONS:
        lines += ["", f"## `{key}`", "", "| field | Vietnamese alias | meaning |",
                  "|---|---|---|"]
        lines += [f"| `{name}` | {_aliases(name)} | {meaning} |" for name, meaning in fields]
        lines += ["", "```yaml", "data:", *("  " + line for line in example.splitlines()),
                  "```", "", f"Body: `{body}`", "",
                  f"Prints: {_example_output(example, body)}", ""]
        for cls in classes:
            lines += [f"Attributes of `{cls.__name__}`:", "", "| name | kind | meaning |",
                      "|---|---|---|"]
            lines += [f"| `{n}` | {k} | {d} |" for n, k, d in _members(cls)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_data_doc(path: str | Path | None = None) -> Path:
    """Write ``docs/spec-data.md`` (or ``path``) and return its path."""
    target = Path(path) if path else DOC_PATH
    target.write_text(data_markdown(), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_data_doc())
