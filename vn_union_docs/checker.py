"""The document checker: catch the slips clerks make, in spec files and in .docx files.

``check(doc_or_path)`` takes a spec file (.yaml/.yml/.json), a .docx file, a spec ``dict`` or a
model object and returns a list of ``Finding``. ``check_text(text)`` runs the text rules alone.

Rules are data (``data/rules.yaml``: id, severity, Vietnamese message, legal source); each rule
has exactly one function here, registered under its id with ``@_rule``. A rule function gets a
``_Context`` (the text units to read, and the spec or the .docx frame when there is one) and
yields findings; it ignores what it does not apply to.

For a .docx the frame parts are found by pattern (``^Số``, ``ngày … tháng … năm``, ``Nơi nhận``,
``CỘNG HÒA``, ``Độc lập``) in any document, hand-made ones included: paragraphs are read in
document order, table cells included, and numbered 1, 2, 3 … counting only paragraphs that
show some text (blank lines are not counted), as a person counts them on the page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

from vn_union_docs import vi
from vn_union_docs.ooxml import A_NS, MC_NS, W_NS, w

__all__ = [
    "Finding",
    "Rule",
    "check",
    "check_text",
    "rules",
    "rules_markdown",
    "unreadable_finding",
]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
DOCX_SUFFIX = ".docx"

# ------------------------------------------------------------------------------ rules data


@dataclass(frozen=True)
class Rule:
    """One rule as declared in ``data/rules.yaml``."""

    id: str
    severity: str
    message: str
    source: str
    description: str
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One problem found: rule id, severity (``error``/``warning``), Vietnamese message, the
    place (spec key path such as ``signature.capacity``, or ``đoạn 12: «…»`` in a .docx) and
    the rule's legal source."""

    rule: str
    severity: str
    message: str
    place: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """The finding as a plain dict (for JSON)."""
        return asdict(self)


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


@cache
def _rules_file() -> dict[str, Any]:
    text = resources.files("vn_union_docs").joinpath("data/rules.yaml").read_text("utf-8")
    return _yaml().load(text)


@cache
def rules() -> dict[str, Rule]:
    """Every rule of the checker by id, in the order of ``rules.yaml``."""
    out: dict[str, Rule] = {}
    for item in _rules_file()["rules"]:
        out[item["id"]] = Rule(
            id=item["id"],
            severity=item["severity"],
            message=item["message"],
            source=item["source"],
            description=" ".join(item["description"].split()),
            details=dict(item.get("details") or {}),
        )
    return out


def _table(name: str) -> Any:
    return _rules_file()["tables"][name]


def rules_markdown() -> str:
    """The README section listing the rules (the content of ``docs/checker-rules.md``)."""
    lines = [
        "<!-- Generated from vn_union_docs/data/rules.yaml by "
        "vn_union_docs.checker.rules_markdown(); do not edit by hand. -->",
        "",
        "## Checker rules",
        "",
        "`vn-union-docs check FILE_OR_DIR...` (and `vn_union_docs.check()`) reads spec files and "
        ".docx files and reports these problems. Exit status 1 when there is an error; "
        "warnings alone exit 0.",
        "",
        "| rule | severity | what it checks | source |",
        "|---|---|---|---|",
    ]
    for r in rules().values():
        desc = r.description.replace("|", "\\|")
        lines.append(f"| `{r.id}` | {r.severity} | {desc} | {r.source} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ registry

_Check = Callable[["_Context"], Iterable[Finding]]
_CHECKS: dict[str, _Check] = {}
_TEXT_RULES: list[str] = []


def _rule(rule_id: str, *, text: bool = False) -> Callable[[_Check], _Check]:
    """Register the function of rule ``rule_id``; ``text=True`` for the text rules."""

    def register(fn: _Check) -> _Check:
        if rule_id in _CHECKS:
            raise ValueError(f"rule {rule_id!r} registered twice")
        _CHECKS[rule_id] = fn
        if text:
            _TEXT_RULES.append(rule_id)
        return fn

    return register


def _make(
    rule_id: str,
    place: str,
    detail: str | list[str] | None = None,
    hint: str | None = None,
    **values: Any,
) -> Finding:
    """Build a finding from the rule's message; ``detail`` (one key or several, joined by
    "; ") and ``hint`` name entries of its ``details``, formatted with the same values."""
    r = rules()[rule_id]
    text = values.get("text")
    values.setdefault("quoted", f" «{text}»" if text else "")
    values["hint"] = r.details[hint].format(**values) if hint else ""
    if detail is not None:
        keys = [detail] if isinstance(detail, str) else detail
        values["detail"] = "; ".join(r.details[k].format(**values) for k in keys)
    return Finding(r.id, r.severity, r.message.format(**values), place, r.source)


# ------------------------------------------------------------------------------ context


@dataclass
class _Unit:
    """A piece of text to read (a paragraph or a Markdown block) and how to name its place."""

    text: str
    place: Callable[[int, int], str]
    raw: str = ""
    heading_auto: bool = False  # a level-1 Markdown heading: numbered by the library


@dataclass
class _Context:
    units: list[_Unit]
    document_date: date
    spec: dict[str, Any] | None = None
    docx: _Docx | None = None


def _run(ctx: _Context, rule_ids: Iterable[str]) -> list[Finding]:
    out: list[Finding] = []
    for rule_id in rule_ids:
        out.extend(_CHECKS[rule_id](ctx))
    return out


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _window(text: str, start: int, end: int, width: int = 30) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    snippet = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + snippet + ("…" if b < len(text) else "")


# ------------------------------------------------------------------------------ text rules

_ROMAN_HEADING = re.compile(r"^\s*([IVX]{1,7})\.\s+(\S.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _roman_value(s: str) -> int | None:
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN_VALUES[ch]
        total += -v if i + 1 < len(s) and _ROMAN_VALUES[s[i + 1]] > v else v
    return total if total > 0 and vi.roman(total) == s else None


@_rule("section-sequence", text=True)
def _section_sequence(ctx: _Context) -> Iterator[Finding]:
    previous = 0
    for unit in ctx.units:
        if unit.heading_auto:
            previous += 1
            continue
        m = _ROMAN_HEADING.match(unit.text)
        if not m:
            continue
        title = m.group(2)
        if not any(c.isalpha() for c in title) or title != title.upper():
            continue  # section titles are upper case; "C. Mác" is not a section
        n = _roman_value(m.group(1))
        if n is None:
            continue
        if n != previous + 1:
            place = unit.place(m.start(1), m.end(2))
            if previous:
                yield _make(
                    "section-sequence", place, "after", found=m.group(1),
                    previous=vi.roman(previous), expected=vi.roman(previous + 1),
                )
            else:
                yield _make("section-sequence", place, "first", found=m.group(1), expected="I")
        previous = n


# Dates: short (07/3/2023, 7.3.2023, 7-3-2023) and long (ngày 07 tháng 3 năm 2023).
_SHORT_DATE = re.compile(r"(?<![\d/.,])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?!\d)")
_LONG_DATE = re.compile(
    r"\b([Nn]gày)\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+(năm|tháng)\s+(\d{4})(?!\d)"
)


@dataclass
class _DateMatch:
    start: int
    end: int
    text: str
    day: int
    month: int
    year: int

    def value(self) -> date | None:
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None


def _dates(text: str) -> list[_DateMatch]:
    found = [
        _DateMatch(m.start(), m.end(), m.group(0), int(m[1]), int(m[3]), int(m[4]))
        for m in _SHORT_DATE.finditer(text)
    ]
    found += [
        _DateMatch(m.start(), m.end(), m.group(0), int(m[2]), int(m[3]), int(m[5]))
        for m in _LONG_DATE.finditer(text)
    ]
    return sorted(found, key=lambda d: d.start)


def _days_in_month(month: int, year: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


@_rule("date-impossible", text=True)
def _date_impossible(ctx: _Context) -> Iterator[Finding]:
    for unit in ctx.units:
        for d in _dates(unit.text):
            if d.value() is not None or d.year < 1:
                continue
            place = unit.place(d.start, d.end)
            if not 1 <= d.month <= 12:
                yield _make("date-impossible", place, "month", text=d.text, month=d.month)
            else:
                yield _make(
                    "date-impossible", place, "day", text=d.text, month=d.month,
                    year=d.year, days=_days_in_month(d.month, d.year),
                )


@_rule("date-implausible", text=True)
def _date_implausible(ctx: _Context) -> Iterator[Finding]:
    years = int(_table("implausible_years"))
    doc = ctx.document_date
    year = min(doc.year + years, 9999)
    limit = doc.replace(year=year, day=min(doc.day, 28) if doc.month == 2 else doc.day)
    for unit in ctx.units:
        for d in _dates(unit.text):
            value = d.value()
            if value is not None and value > limit:
                yield _make(
                    "date-implausible", unit.place(d.start, d.end), text=d.text,
                    document_date=vi.short_date(doc), years=years,
                )


@_rule("date-form", text=True)
def _date_form(ctx: _Context) -> Iterator[Finding]:
    for unit in ctx.units:
        for m in _LONG_DATE.finditer(unit.text):
            word, ds, ms, nam, ys = m.groups()
            problems = []
            if len(ds) == 1:
                problems.append("day")
            month = int(ms)
            if month in (1, 2) and len(ms) == 1:
                problems.append("month_pad")
            if month >= 3 and ms.startswith("0"):
                problems.append("month_unpad")
            if nam == "tháng":
                problems.append("thang_nam")
            if not problems:
                continue
            try:
                suggested = vi.format_date(date(int(ys), month, int(ds)))
            except ValueError:
                continue  # an impossible date: date-impossible reports it
            if word[0].isupper():
                suggested = suggested[0].upper() + suggested[1:]
            yield _make(
                "date-form", unit.place(m.start(), m.end()), problems, text=m.group(0),
                suggested=suggested,
            )


# Anniversaries: "95 năm Ngày thành lập Đảng (03/02/1930-03/02/2025)".
_COUNT_YEARS = re.compile(r"(?<![\d.,/])(\d{1,3})\s+năm\b")
_ANNIV_AFTER = re.compile(r"\s*(?:[Nn]gày|thành lập|truyền thống|chiến thắng)\b")
_KY_NIEM = re.compile(r"k[ỷỉ] niệm", re.IGNORECASE)
_PAREN = re.compile(r"\(([^()]*)\)")
_RANGE = re.compile(
    r"(?<![\d/])(?:(\d{1,2})[/.](\d{1,2})[/.])?(\d{4})\s*[-–—]\s*"
    r"(?:(\d{1,2})[/.](\d{1,2})[/.])?(\d{4})(?!\d)"
)


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of a paragraph (a dot, ! or ? then a space and a capital)."""
    start = 0
    for m in re.finditer(r"[.!?…](?=\s+[\"“(]?[^\W\d_])", text):
        after = text[m.end():].lstrip(" \"“(")
        if after[:1].isupper():
            yield start, m.end()
            start = m.end()
    yield start, len(text)


@_rule("anniversary-count", text=True)
def _anniversary_count(ctx: _Context) -> Iterator[Finding]:
    for unit in ctx.units:
        text = unit.text
        for s_start, s_end in _sentences(text):
            sentence = text[s_start:s_end]
            events: list[tuple[int, str, re.Match[str]]] = []
            events += [(m.start(), "count", m) for m in _COUNT_YEARS.finditer(sentence)]
            events += [(m.start(), "paren", m) for m in _PAREN.finditer(sentence)]
            events += [(m.start(), "reset", m) for m in re.finditer(";", sentence)]
            active: tuple[int, bool] | None = None
            for _, kind, m in sorted(events, key=lambda e: e[0]):
                if kind == "reset":
                    active = None
                elif kind == "count":
                    anniversary = bool(_ANNIV_AFTER.match(sentence, m.end())) or bool(
                        _KY_NIEM.search(sentence[max(0, m.start() - 30): m.start()])
                    )
                    active = (int(m.group(1)), anniversary)
                elif active is not None:
                    count, anniversary = active
                    for r in _RANGE.finditer(m.group(1)):
                        d1, m1, y1, d2, m2, y2 = r.groups()
                        same_day = d1 and d2 and (int(d1), int(m1)) == (int(d2), int(m2))
                        if not (anniversary or same_day):
                            continue
                        years = int(y2) - int(y1)
                        if years != count:
                            a = s_start + m.start(1) + r.start()
                            yield _make(
                                "anniversary-count", unit.place(a, a + len(r.group(0))),
                                count=count, range=r.group(0), years=years,
                            )


# Numbers: what is a count, what is a date, a year, a document number, a phone number, a code.
_MASKS = [
    re.compile(r"\S+@\S+|https?://\S+|www\.\S+"),
    _LONG_DATE,
    re.compile(r"(?<![\d/.,])\d{1,2}([/.\-])\d{1,2}\1\d{2,4}(?!\d)"),  # 07/3/2023
    re.compile(r"(?<![\d/.,])\d{1,2}/\d{4}(?!\d)"),  # 11/2022, 30/2020/NĐ-CP
    re.compile(r"(?<![\d.,])\d+[a-zđ]?(?:/\d{4})?\s?/\s?[A-ZĐ]"),  # 2799/UBND, 06b/NQ-TLĐ
    re.compile(r"(?<![\d.,])\d+-[A-ZĐ]{2,}"),  # 269-CV/BDVTU
    re.compile(r"(?<!\d)\d{4}\s*[-–—]\s*\d{4}(?!\d)"),  # 2023-2028
    re.compile(r"\d+(?:[.,]\d+)*\s*%"),
    re.compile(r"(?i:điện thoại|đt|sđt|fax|hotline|di động)\s*:?\s*[\d.\s+()-]{6,}"),
    re.compile(r"[^\W\d_]+-?\d+\w*"),  # Covid-19, A4, QH13
    re.compile(r"\d+[^\W\d_]+"),  # 8h30, 06b, 2km
    re.compile(r"\d+:\d+"),  # 14:00, TCVN 6909:2001
    re.compile(r"\b[A-ZĐ]{2,}\s\d+"),  # TCVN 6909, ISO 9001
    re.compile(r"(?<![\d.,])\d+(?:\.\d{3})*,\d+(?!\d)"),  # decimals: 1,5; 1.234,5
]
_PHONE = re.compile(r"(?<![\d.])(?:\+84|0)\d[\d.\s-]{7,}\d(?![\d])")
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?!\d|[.,]\d)")
_LABEL_BEFORE = re.compile(
    r"(?:^|[^\w])(?:giai đoạn|đợt|lần thứ|lần|thứ|khóa|khoá|điều|khoản|điểm|mục|phần|chương|"
    r"(?<!tổng )số|quý|tuần|tháng|ngày|năm|nhóm|tổ|lớp|phòng|tầng|quận|phường|đại hội|kỳ|hạng|"
    r"cấp|bậc|loại|mẫu|trang|tờ|bước|ca|km|lô|đường|phố|nhà|tập|quyển|khu|ấp|thôn|xóm|mã|"
    r"mã số|tài khoản|stk|quyết định|nghị định|nghị quyết|thông tư|công văn|kế hoạch|thông báo|"
    r"chỉ thị|hướng dẫn|luật)\s*[:.]?\s*$",
    re.IGNORECASE,
)
_SCALE_AFTER = re.compile(r"\s*(?:triệu|tỷ|tỉ|nghìn|ngàn|trăm)\b", re.IGNORECASE)


@dataclass
class _Num:
    start: int
    end: int
    raw: str
    value: Decimal
    grouped: bool
    count: bool  # a count for the percentage rule (not scaled by triệu, nghìn …)


def _numbers(text: str) -> list[_Num]:
    """The numbers of ``text`` that can be counts (plain or thousands-grouped integers)."""
    masked = bytearray(len(text))
    for pattern in _MASKS:
        for m in pattern.finditer(text):
            masked[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    for m in _PHONE.finditer(text):
        if sum(c.isdigit() for c in m.group(0)) >= 9:
            masked[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    out = []
    for m in _NUMBER.finditer(text):
        if any(masked[m.start():m.end()]):
            continue
        raw = m.group(1)
        grouped = "." in raw
        if grouped and raw.startswith("0"):
            continue
        value = vi.parse_number(raw)
        if not grouped and len(raw) == 4 and 1900 <= value <= 2100:
            continue  # a year
        if _LABEL_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
            continue  # giai đoạn 1, lần thứ 15, năm 2023, số 17 …
        scaled = bool(_SCALE_AFTER.match(text, m.end()))
        out.append(_Num(m.start(), m.end(), raw, value, grouped, not scaled))
    return out


_PERCENT = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*%")


def _parse_percent(raw: str) -> tuple[Decimal, int] | None:
    if "," in raw:
        value = vi.parse_number(raw)
        return value, len(raw.split(",")[1])
    if "." in raw:
        frac = raw.split(".")[1]
        if len(frac) == 3:
            return vi.parse_number(raw), 0
        return Decimal(raw), len(frac)
    return Decimal(raw), 0


@_rule("percent-mismatch", text=True)
def _percent_mismatch(ctx: _Context) -> Iterator[Finding]:
    for unit in ctx.units:
        text = unit.text
        for s_start, s_end in _sentences(text):
            sentence = text[s_start:s_end]
            percents = list(_PERCENT.finditer(sentence))
            if len(percents) != 1:
                continue
            parsed = _parse_percent(percents[0].group(1))
            counts = [n for n in _numbers(sentence) if n.count and n.value > 0]
            if parsed is None or len(counts) != 2:
                continue
            stated, digits = parsed
            a, b = counts
            pairs = [(a, b), (b, a)]
            computed = [(p, w, vi.percent(p.value, w.value, digits)) for p, w in pairs]
            if any(c == stated for _, _, c in computed):
                continue
            part, whole, value = min(computed, key=lambda x: abs(x[2] - stated))
            if value == 0 or not Decimal("0.5") <= stated / value <= 2:
                continue  # far apart: the counts are not what the percentage speaks of
            p = percents[0]
            yield _make(
                "percent-mismatch", unit.place(s_start + p.start(), s_start + p.end()),
                stated=p.group(0), part=part.raw, whole=whole.raw,
                computed=vi.format_percent(part.value, whole.value, digits),
            )


@_rule("thousands-mixed", text=True)
def _thousands_mixed(ctx: _Context) -> Iterator[Finding]:
    grouped: _Num | None = None
    plain: list[tuple[_Unit, _Num]] = []
    for unit in ctx.units:
        for n in _numbers(unit.text):
            if n.grouped:
                grouped = grouped or n
            elif n.value >= 1000 and not n.raw.startswith("0"):
                plain.append((unit, n))
    if grouped is None:
        return
    for unit, n in plain:
        yield _make(
            "thousands-mixed", unit.place(n.start, n.end), text=n.raw, grouped=grouped.raw,
            suggested=vi.format_number(n.value),
        )


_HEADING_NUMBERED = re.compile(r"^\s*#{1,6}\s+((?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)])\s+\S")


@_rule("heading-numbered", text=True)
def _heading_numbered(ctx: _Context) -> Iterator[Finding]:
    for unit in ctx.units:
        m = _HEADING_NUMBERED.match(unit.raw)
        if m:
            yield _make(
                "heading-numbered", unit.place(0, len(unit.text)), text=_clip(unit.raw.strip()),
                number=m.group(1),
            )


# Ký hiệu quoted in the text: "Kế hoạch số 108/KH-LĐLD", "Công văn số 4381/TLD-VP".
_CITED_SYMBOL = re.compile(r"(?<![\d.,])\d+[a-zđ]?/(?:\d{4}/)?([A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*)")


def _d_for_đ(symbol: str) -> str | None:
    """The symbol with Đ where a plain D follows C or L (CDYT → CĐYT), or None."""
    fixed = re.sub(r"(?<=[CL])D", "Đ", symbol)
    return fixed if fixed != symbol else None


@_rule("symbol-letter-d", text=True)
def _symbol_letter_d(ctx: _Context) -> Iterator[Finding]:
    for unit in ctx.units:
        for m in _CITED_SYMBOL.finditer(unit.text):
            fixed = _d_for_đ(m.group(1))
            if fixed:
                yield _make(
                    "symbol-letter-d", unit.place(m.start(1), m.end(1)), text=m.group(1),
                    suggested=fixed,
                )
    if ctx.spec is not None:
        for key in ("symbol", "issuer.code"):
            value = _get(ctx.spec, key)
            if isinstance(value, str) and (fixed := _d_for_đ(value.strip())):
                yield _make("symbol-letter-d", key, text=value.strip(), suggested=fixed)
    if ctx.docx is not None and ctx.docx.number_line is not None:
        line = ctx.docx.number_line
        symbol = line.text.partition("/")[2].strip()
        if symbol and (fixed := _d_for_đ(symbol)):
            yield _make("symbol-letter-d", line.place(), text=symbol, suggested=fixed)


# ------------------------------------------------------------------------------ spec access


def _get(spec: Mapping[str, Any], path: str) -> Any:
    value: Any = spec
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _as_spec_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------ frame rules

_NUMBER_LINE = re.compile(r"^Số\b")


def _analyse_number_line(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Problems of a "Số: 58/CĐYT" line, as (detail key, values)."""
    m = re.match(r"^Số(\s*)(:?)(.*)$", text)
    if not m:
        return [("unreadable", {})]
    problems: list[tuple[str, dict[str, Any]]] = []
    if not m.group(2):
        problems.append(("colon", {}))
    rest = m.group(3)
    if "/" not in rest:
        return [*problems, ("unreadable", {})]
    number_part, _, symbol_part = rest.partition("/")
    number = number_part.strip()
    if number:  # a blank number is a draft
        if number_part != number_part.rstrip():
            problems.append(("space_before_slash", {}))
        if number.endswith("."):
            problems.append(("stray_dot", {}))
            number = number.rstrip(".").strip()
        if not number.isdigit():
            problems.append(("not_a_number", {}))
        elif int(number) < 10 and len(number) < 2:
            problems.append(("pad", {"padded": f"{int(number):02d}"}))
    problems.extend(_analyse_symbol(symbol_part, leading_space=True))
    return problems


def _analyse_symbol(symbol: str, *, leading_space: bool = False) -> list[tuple[str, dict]]:
    problems: list[tuple[str, dict[str, Any]]] = []
    if leading_space and symbol[:1].isspace():
        problems.append(("space_after_slash", {}))
    s = symbol.strip()
    if "/" in s:
        problems.append(("symbol_parts", {}))
    if re.search(r"\s", s):
        problems.append(("symbol_space", {}))
    if s[-1:] in ".,;:" and s:
        problems.append(("symbol_punct", {}))
    return problems


@_rule("number-line")
def _number_line(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        number = ctx.spec.get("number")
        if isinstance(number, str) and number.strip():
            n = number.strip()
            if n.endswith(".") and n.rstrip(".").strip().isdigit():
                yield _make("number-line", "number", "stray_dot", text=number)
            elif not n.isdigit():
                yield _make("number-line", "number", "not_a_number", text=number)
        for key in ("symbol", "issuer.code"):
            value = _get(ctx.spec, key)
            if isinstance(value, str):
                for detail, values in _analyse_symbol(value):
                    yield _make("number-line", key, detail, text=value, **values)
    if ctx.docx is not None and ctx.docx.number_line is not None:
        line = ctx.docx.number_line
        for detail, values in _analyse_number_line(line.text):
            yield _make("number-line", line.place(), detail, text=line.text, **values)


def _type_check(symbol: str, doc_type: str | None) -> tuple[str, dict[str, Any]] | None:
    needs = _table("type_symbol")
    if doc_type not in needs:
        return None
    groups = [g.strip() for g in symbol.strip().split("-")]
    need = needs[doc_type]
    if need:
        if groups[0] != need:
            rest = "-".join(groups[1:]) if groups[0] in _table("type_abbreviations") else symbol
            return "needs", {"abbr": need, "example": f"{need}-{rest.strip()}"}
    elif len(groups) >= 2 and groups[0] in _table("type_abbreviations"):
        return "cong_van", {"abbr": groups[0]}
    return None


@_rule("symbol-type")
def _symbol_type(ctx: _Context) -> Iterator[Finding]:
    names = _table("type_names")
    if ctx.spec is not None:
        doc_type = ctx.spec.get("type")
        symbol = ctx.spec.get("symbol")
        if isinstance(symbol, str) and symbol.strip():
            problem = _type_check(symbol, doc_type)
            if problem:
                yield _make(
                    "symbol-type", "symbol", problem[0], symbol=symbol.strip(),
                    type_name=names[doc_type], **problem[1],
                )
        code = _get(ctx.spec, "issuer.code")
        if isinstance(code, str) and doc_type in names:
            groups = code.strip().split("-")
            if len(groups) >= 2 and groups[0] in _table("type_abbreviations"):
                yield _make(
                    "symbol-type", "issuer.code", "in_code", symbol=code.strip(),
                    type_name=names[doc_type], abbr=groups[0],
                )
    if ctx.docx is not None and ctx.docx.number_line is not None:
        line = ctx.docx.number_line
        symbol = line.text.partition("/")[2].strip()
        doc_type = ctx.docx.doc_type
        if symbol and "/" not in symbol and (problem := _type_check(symbol, doc_type)):
            yield _make(
                "symbol-type", line.place(), problem[0], symbol=symbol,
                type_name=names[doc_type], **problem[1],
            )


# "Thái Bình, ngày 23 tháng 02 năm 2023" (a draft leaves day and month blank).
_PLACE_DATE = re.compile(
    r"^(?P<place>.*?)(?P<comma>,?)(?P<sp1>\s*)(?P<ngay>[Nn]gày)(?P<sp2>\s*)(?P<d>\d*)"
    r"(?P<sp3>\s*)tháng(?P<sp4>\s*)(?P<m>\d*)(?P<sp5>\s*)(?P<nam>năm|tháng)(?P<sp6>\s*)"
    r"(?P<y>\d{4})\s*(?P<dot>\.?)$"
)
_PLACE_DATE_SEARCH = re.compile(r"[Nn]gày[\s\d]*tháng[\s\d]*(?:năm|tháng)\s*\d{4}\s*\.?$")


def _analyse_place_date(text: str) -> tuple[list[tuple[str, dict[str, Any]]], date | None]:
    m = _PLACE_DATE.match(text.strip())
    if not m:
        return [("form", {})], None
    g = m.groupdict()
    problems: list[tuple[str, dict[str, Any]]] = []
    place = g["place"].strip()
    if not place:
        problems.append(("no_place", {}))
    elif not g["comma"]:
        problems.append(("comma", {}))
    if g["ngay"] == "Ngày":
        problems.append(("lower", {}))
    if g["nam"] == "tháng":
        problems.append(("thang_nam", {}))
    if g["dot"]:
        problems.append(("dot", {}))
    value: date | None = None
    if g["d"] and g["m"]:
        try:
            value = date(int(g["y"]), int(g["m"]), int(g["d"]))
        except ValueError:
            problems.append(("impossible", {}))
        suggested = f"{place}, {vi.format_date(value)}" if value else ""
        month = int(g["m"])
        if value and len(g["d"]) == 1:
            problems.append(("day", {"suggested": suggested}))
        if value and month <= 2 and len(g["m"]) == 1:
            problems.append(("month_pad", {"suggested": suggested}))
        if value and month >= 3 and g["m"].startswith("0"):
            problems.append(("month_unpad", {"suggested": suggested}))
        spaces = [g[k] for k in ("sp2", "sp3", "sp4", "sp5", "sp6")]
        if (place and g["comma"] and g["sp1"] != " ") or any(s != " " for s in spaces) or (
            "  " in place
        ):
            problems.append(("spaces", {}))
    return problems, value


@_rule("place-date")
def _place_date(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        value = ctx.spec.get("date")
        if value not in (None, "") and _as_spec_date(value) is None:
            yield _make("place-date", "date", "date", value=value)
    if ctx.docx is not None:
        line = ctx.docx.place_date
        if line is None:
            yield _make("place-date", ctx.docx.top_place(), "missing")
            return
        for detail, values in _analyse_place_date(line.text)[0]:
            yield _make("place-date", line.place(), detail, text=line.text.strip(), **values)


_PLACE_ABBREVIATION = re.compile(r"^(?:Tp|TP|Tx|TX|Q|H|P)\.|\.\s|^TP\s")
_ADMIN_PREFIX = re.compile(
    r"^(?:thành phố|thị xã|thị trấn|quận|huyện|phường|xã|tỉnh)\s+", re.IGNORECASE
)


def _place_name_problems(place: str) -> Iterator[tuple[str, dict[str, Any]]]:
    place = place.strip()
    if _PLACE_ABBREVIATION.search(place):
        yield "abbreviated", {}
        return
    for word in _ADMIN_PREFIX.sub("", place).replace("-", " ").split():
        if word[:1].isalpha() and word[:1].islower():
            yield "lower", {"word": word}
            return


@_rule("place-name")
def _place_name(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        place = ctx.spec.get("place")
        if isinstance(place, str) and place.strip():
            for detail, values in _place_name_problems(place):
                yield _make("place-name", "place", detail, text=place.strip(), **values)
    if ctx.docx is not None and ctx.docx.place_date is not None:
        m = _PLACE_DATE.match(ctx.docx.place_date.text.strip())
        place = m.group("place").strip() if m else ""
        if place:
            for detail, values in _place_name_problems(place):
                yield _make(
                    "place-name", ctx.docx.place_date.place(), detail, text=place, **values
                )


_NATIONAL_TITLES = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
_MOTTO = "Độc lập - Tự do - Hạnh phúc"


@_rule("national-title")
def _national_title(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return  # a spec gets it right by construction
    line = ctx.docx.national_title
    if line is None:
        yield _make("national-title", ctx.docx.top_place(), "missing")
    elif line.text.strip() not in _NATIONAL_TITLES:
        yield _make("national-title", line.place(), "wrong", text=line.text.strip())


@_rule("motto")
def _motto(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    line = ctx.docx.motto
    if line is None:
        yield _make("motto", ctx.docx.top_place(), "missing")
    elif line.text.strip() != _MOTTO:
        text = line.text.strip()
        hint = "en_dash" if re.search("[–—]", text) else None
        yield _make("motto", line.place(), "wrong", hint=hint, text=text)


_DASHES = "-–—+•"
_LUU = re.compile(r"^[-–—+•]?\s*Lưu\b\s*(:?)", re.IGNORECASE)


def _spec_distribution(spec: Mapping[str, Any]) -> Iterator[Finding]:
    items = spec.get("distribution")
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        items = []
    n = len(items)
    for i, item in enumerate(items):
        place = f"distribution[{i}]"
        if isinstance(item, Mapping):
            key = next(iter(item), "")
            if len(item) == 1 and str(key).strip().lower() == "lưu":
                yield from _spec_archive(str(item[key] or ""), place)
            else:
                text = ", ".join(f"{k}: {v}" for k, v in item.items())
                yield _make("distribution-items", place, "spec_mapping", text=text)
            continue
        if not isinstance(item, str):
            continue
        text = item.strip()
        if _LUU.match(text):
            if not _LUU.match(text).group(1):
                yield _make("archive-line", place, "colon", text=text)
            elif i != n - 1:
                yield _make("archive-line", place, "not_last", text=text)
            yield from _archive_vt(text, place)
            continue
        if text[:1] in _DASHES:
            yield _make("distribution-items", place, "spec_dash", text=text)
        if re.search(r";\s*\S", text):
            yield _make("distribution-items", place, "note_after", text=text)
        elif text[-1:] in ";.,":
            yield _make("distribution-items", place, "spec_punct", text=text, char=text[-1])


def _spec_archive(value: str, place: str) -> Iterator[Finding]:
    text = value.strip()
    if re.match(r"^Lưu\b", text, re.IGNORECASE):
        yield _make("archive-line", place, "spec_prefix", text=text)
    if text.endswith("."):
        yield _make("archive-line", place, "spec_punct", text=text)
    yield from _archive_vt(text, place)


def _archive_vt(text: str, place: str) -> Iterator[Finding]:
    body = _LUU.sub("", text) if _LUU.match(text) else text
    if "VT" not in re.split(r"[\s,.;:]+", body):
        yield _make("archive-vt", place, text=text)


def _docx_distribution(d: _Docx) -> Iterator[Finding]:
    if d.distribution_label is None:
        yield _make("distribution-items", d.end_place(), "missing")
        return
    label = d.distribution_label
    if not re.match(r"^Nơi nhận\s*:", label.text.strip()):
        yield _make("distribution-items", label.place(), "label", text=label.text.strip())
    items = d.distribution_items
    if not items:
        yield _make("archive-line", label.place(), "missing", text="")
        return
    luu = [i for i, line in enumerate(items) if _LUU.match(line.text.strip())]
    last = len(items) - 1
    for i, line in enumerate(items):
        text = line.text.strip()
        if not re.match(r"^- \S", text):
            yield _make("distribution-items", line.place(), "dash", text=text)
        if i < last:
            if re.search(r";\s*\S", text):
                yield _make("distribution-items", line.place(), "note_after", text=text)
            elif not text.endswith(";"):
                yield _make("distribution-items", line.place(), "semicolon", text=text)
        elif not text.endswith("."):
            yield _make("distribution-items", line.place(), "final_dot", text=text)
    if not luu:
        yield _make("archive-line", items[last].place(), "missing", text="")
    for i in luu:
        line = items[i]
        text = line.text.strip()
        if not _LUU.match(text).group(1):
            yield _make("archive-line", line.place(), "colon", text=text)
        elif i != last:
            yield _make("archive-line", line.place(), "not_last", text=text)


@_rule("distribution-items")
def _distribution_items(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        for f in _spec_distribution(ctx.spec):
            if f.rule == "distribution-items":
                yield f
    if ctx.docx is not None:
        yield from (f for f in _docx_distribution(ctx.docx) if f.rule == "distribution-items")


@_rule("archive-line")
def _archive_line(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        for f in _spec_distribution(ctx.spec):
            if f.rule == "archive-line":
                yield f
        archive = ctx.spec.get("archive")
        if isinstance(archive, str):
            yield from (f for f in _spec_archive(archive, "archive") if f.rule == "archive-line")
    if ctx.docx is not None:
        yield from (f for f in _docx_distribution(ctx.docx) if f.rule == "archive-line")


@_rule("archive-vt")
def _archive_vt_rule(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        yield from (f for f in _spec_distribution(ctx.spec) if f.rule == "archive-vt")
        archive = ctx.spec.get("archive")
        if isinstance(archive, str) and archive.strip():
            yield from (f for f in _spec_archive(archive, "archive") if f.rule == "archive-vt")
    if ctx.docx is not None:
        for line in ctx.docx.distribution_items:
            if _LUU.match(line.text.strip()):
                yield from _archive_vt(line.text.strip(), line.place())


# "TM. BAN THƯỜNG VỤ"; wrong forms: "T/M. BAN …", "TM BAN …", "K/T CHỦ TỊCH".
_CAPACITY = re.compile(
    r"^(?P<pre>T\s*/\s*M|T\.\s*M|TM|K\s*/\s*T|K\.\s*T|KT|T\s*/\s*L|T\.\s*L|TL|TUQ|Q)"
    r"(?P<dot>\.?)(?P<sp>\s*)(?P<rest>\S.*)$"
)
_CAPACITY_PREFIXES = ("TM", "KT", "Q", "TL", "TUQ")


def _capacity_problem(line: str) -> str | None:
    """The corrected line when ``line`` is a capacity line written wrongly, else None."""
    m = _CAPACITY.match(line.strip())
    if not m:
        return line.strip()  # not even close: no fix to offer
    pre = re.sub(r"[\s./]", "", m.group("pre"))
    if m.group("pre") in _CAPACITY_PREFIXES and m.group("dot") == "." and m.group("sp") == " ":
        return None
    return f"{pre}. {m.group('rest')}"


def _is_capacity_candidate(line: str) -> bool:
    s = line.strip()
    m = _CAPACITY.match(s)
    return bool(
        m and (m.group("dot") or m.group("sp")) and s == s.upper() and len(s) < 80
        and (m.group("pre") != "Q" or m.group("dot"))
    )


@_rule("signature-capacity")
def _signature_capacity(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        capacity = _get(ctx.spec, "signature.capacity")
        lines = capacity if isinstance(capacity, list) else [capacity]
        for i, line in enumerate(lines):
            if not isinstance(line, str) or not line.strip():
                continue
            place = f"signature.capacity[{i}]" if isinstance(capacity, list) else (
                "signature.capacity"
            )
            for part in line.strip().splitlines():
                fixed = _capacity_problem(part)
                if fixed is not None:
                    hint = "fix" if fixed != part.strip() else None
                    yield _make(
                        "signature-capacity", place, hint=hint, text=part.strip(), fixed=fixed
                    )
    if ctx.docx is not None:
        for line in ctx.docx.capacity_lines:
            fixed = _capacity_problem(line.text)
            if fixed is not None:
                yield _make(
                    "signature-capacity", line.place(), hint="fix", text=line.text.strip(),
                    fixed=fixed,
                )


@_rule("signature-title")
def _signature_title(ctx: _Context) -> Iterator[Finding]:
    if ctx.spec is not None:
        capacity = _get(ctx.spec, "signature.capacity")
        lines = [x for x in (capacity if isinstance(capacity, list) else [capacity]) if x]
        title = _get(ctx.spec, "signature.title")
        if lines and isinstance(lines[-1], str) and not (isinstance(title, str) and title.strip()):
            yield _make("signature-title", "signature.title", text=lines[-1].strip())
    if ctx.docx is not None:
        for line, following in ctx.docx.capacity_followers():
            if following is None or following.text.strip() != following.text.strip().upper():
                yield _make("signature-title", line.place(), text=line.text.strip())


# ------------------------------------------------------------------------------ docx rules


@_rule("page-size")
def _page_size(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    for k, s in enumerate(ctx.docx.sections):
        w, h = s["width"], s["height"]
        portrait = abs(w - 210) <= 1 and abs(h - 297) <= 1
        landscape = abs(w - 297) <= 1 and abs(h - 210) <= 1
        if not (portrait or (k > 0 and landscape)):
            yield _make(
                "page-size", ctx.docx.section_place(k), width=_mm(w), height=_mm(h)
            )


def _mm(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@_rule("margins")
def _margins(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    ranges = _table("margins_mm")
    for k, s in enumerate(ctx.docx.sections):
        if s["width"] > s["height"]:
            continue  # a landscape section for a wide table
        for side in ("top", "bottom", "left", "right"):
            low, high = ranges[side]
            value = s[side]
            if value is not None and not low - 0.1 <= value <= high + 0.1:
                yield _make(
                    "margins", ctx.docx.section_place(k), side, value=_mm(value), low=low,
                    high=high,
                )


@_rule("font")
def _font(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    seen: dict[str, list[_Para]] = {}
    for para in ctx.docx.paras:
        fonts: set[str] = set()
        for run in para.runs:
            fonts.update(f for f in ctx.docx.styles.fonts(run, para) if f != "Times New Roman")
        for f in fonts:
            seen.setdefault(f, []).append(para)
    for font, paras in seen.items():
        yield _make("font", paras[0].place(), font=font, count=len(paras))


@_rule("font-size")
def _font_size(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    low, high = _table("body_size_pt")
    seen: dict[Decimal, list[_Para]] = {}
    for para in ctx.docx.body_paragraphs():
        sizes = {ctx.docx.styles.size(run, para) for run in para.runs}
        for size in sizes:
            if not low <= size <= high:
                seen.setdefault(size, []).append(para)
    for size, paras in sorted(seen.items()):
        yield _make("font-size", paras[0].place(), size=_mm(float(size)), count=len(paras))


@_rule("place-date-italic")
def _place_date_italic(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None or ctx.docx.place_date is None:
        return
    para = ctx.docx.place_date.para
    if not all(ctx.docx.styles.italic(run, para) for run in para.runs):
        yield _make("place-date-italic", ctx.docx.place_date.place())


@_rule("page-numbers")
def _page_numbers(ctx: _Context) -> Iterator[Finding]:
    if ctx.docx is None:
        return
    info = ctx.docx.page_numbers
    place = "đầu trang (header)"
    if info["footer"]:
        yield _make("page-numbers", "chân trang (footer)", "footer")
    if info["first_shows"]:
        yield _make("page-numbers", place, "first_page")
    if not info["header"] and not info["footer"] and ctx.docx.probably_several_pages():
        yield _make("page-numbers", place, "missing")


@_rule("spec-invalid")
def _spec_invalid(ctx: _Context) -> Iterator[Finding]:
    # Added by _check_spec from load_document's problems; nothing to look at here.
    return iter(())


def _spec_problems(spec: Mapping[str, Any] | Path, found: list[Finding]) -> list[Finding]:
    """What ``load_document`` refuses in ``spec``, for keys no other finding already names."""
    from vn_union_docs.errors import SpecError
    from vn_union_docs.spec import load_document

    try:
        load_document(spec if isinstance(spec, Path) else dict(spec))
    except SpecError as exc:
        covered = {f.place.split("[")[0] for f in found}
        return [_make("spec-invalid", p.path or "tệp", reason=p.message)
                for p in exc.problems if p.path.split("[")[0] not in covered]
    except Exception:  # the specific rules and the renderer report the rest
        return []
    return []


@_rule("unreadable")
def _unreadable(ctx: _Context) -> Iterator[Finding]:
    # Reported by check() itself when a file cannot be read; nothing to look at here.
    return iter(())


# ------------------------------------------------------------------------------ docx model

_W, _MC, _A = W_NS, MC_NS, A_NS
_w = w


W_P, W_R, W_T, W_TBL, W_TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tc")
_SKIP_INSIDE = {W_P, _w("txbxContent"), _w("del"), _w("moveFrom"), f"{{{_MC}}}Fallback"}


def _own(el: etree._Element) -> Iterator[etree._Element]:
    """Descendants of a paragraph that belong to it (not to nested paragraphs or deletions)."""
    for child in el:
        if child.tag in _SKIP_INSIDE or not isinstance(child.tag, str):
            continue
        yield child
        yield from _own(child)


def _run_text(r: etree._Element) -> str:
    parts = []
    for child in r:
        tag = child.tag
        if tag == W_T:
            parts.append(child.text or "")
        elif tag == _w("tab"):
            parts.append("\t")
        elif tag in (_w("br"), _w("cr")):
            parts.append("\n")
        elif tag == _w("noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


@dataclass
class _Para:
    number: int  # 1-based among paragraphs that show text
    element: etree._Element
    text: str
    runs: list[etree._Element]
    cell: etree._Element | None  # the table cell holding it, if any
    table_style: str | None = None

    def place(self, start: int = 0, end: int | None = None) -> str:
        if end is None:
            return f"đoạn {self.number}: «{_clip(self.text)}»"
        return f"đoạn {self.number}: «{_window(self.text, start, end)}»"


@dataclass
class _Line:
    """One line of a paragraph (paragraphs may hold several lines split by line breaks)."""

    para: _Para
    text: str
    index: int  # position of the paragraph in _Docx.paras

    def place(self) -> str:
        return f"đoạn {self.para.number}: «{_clip(self.text)}»"


class _Styles:
    """Resolves the effective font, size and italics of a run the way Word does:
    run → character style → paragraph style → table style → document defaults."""

    def __init__(self, document: Any) -> None:
        root = document.styles.element
        self.by_id = {s.get(_w("styleId")): s for s in root.findall(_w("style"))}
        self.default_para = next(
            (
                s.get(_w("styleId"))
                for s in root.findall(_w("style"))
                if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in ("1", "true")
            ),
            None,
        )
        self.defaults = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
        self.theme = self._theme_fonts(document)
        self._chains: dict[str | None, list[etree._Element]] = {}

    @staticmethod
    def _theme_fonts(document: Any) -> dict[str, str]:
        fonts: dict[str, str] = {}
        for rel in document.part.rels.values():
            if rel.reltype.endswith("/theme") and not rel.is_external:
                root = etree.fromstring(rel.target_part.blob)
                for kind in ("major", "minor"):
                    latin = root.find(f".//{{{_A}}}{kind}Font/{{{_A}}}latin")
                    if latin is not None and latin.get("typeface"):
                        fonts[kind] = latin.get("typeface")
        return fonts

    def _chain(self, style_id: str | None) -> list[etree._Element]:
        if style_id in self._chains:
            return self._chains[style_id]
        out: list[etree._Element] = []
        seen: set[str] = set()
        current = style_id
        while current and current not in seen and current in self.by_id:
            seen.add(current)
            style = self.by_id[current]
            rpr = style.find(_w("rPr"))
            if rpr is not None:
                out.append(rpr)
            based = style.find(_w("basedOn"))
            current = based.get(_w("val")) if based is not None else None
        self._chains[style_id] = out
        return out

    def _layers(self, run: etree._Element, para: _Para) -> list[etree._Element]:
        layers: list[etree._Element] = []
        rpr = run.find(_w("rPr"))
        if rpr is not None:
            layers.append(rpr)
            rstyle = rpr.find(_w("rStyle"))
            if rstyle is not None:
                layers += self._chain(rstyle.get(_w("val")))
        pstyle = para.element.find(f"{_w('pPr')}/{_w('pStyle')}")
        layers += self._chain(pstyle.get(_w("val")) if pstyle is not None else self.default_para)
        if para.table_style:
            layers += self._chain(para.table_style)
        if self.defaults is not None:
            layers.append(self.defaults)
        return layers

    def fonts(self, run: etree._Element, para: _Para) -> set[str]:
        """The fonts the run's letters are shown in (ASCII and high-ANSI slots)."""
        layers = self._layers(run, para)
        out = set()
        for attr in ("ascii", "hAnsi"):
            font = "Times New Roman"  # Word's own default when nothing is set
            for layer in layers:
                rf = layer.find(_w("rFonts"))
                if rf is None:
                    continue
                theme = rf.get(_w(f"{attr}Theme"))
                if theme:
                    kind = "major" if theme.startswith("major") else "minor"
                    font = self.theme.get(kind, f"{theme} (theme)")
                    break
                if rf.get(_w(attr)):
                    font = rf.get(_w(attr))
                    break
            out.add(font)
        return out

    def size(self, run: etree._Element, para: _Para) -> Decimal:
        """The run's size in points (Word's default is 10 pt)."""
        for layer in self._layers(run, para):
            sz = layer.find(_w("sz"))
            if sz is not None and sz.get(_w("val")):
                return Decimal(sz.get(_w("val"))) / 2
        return Decimal(10)

    def italic(self, run: etree._Element, para: _Para) -> bool:
        for layer in self._layers(run, para):
            i = layer.find(_w("i"))
            if i is not None:
                return i.get(_w("val"), "true").lower() not in ("0", "false", "off")
        return False


_HEAD = 40  # the header block sits within the first paragraphs


@dataclass
class _Docx:
    document: Any
    paras: list[_Para]
    styles: _Styles
    sections: list[dict[str, float | None]]
    page_numbers: dict[str, bool]
    several_pages_hint: bool
    number_line: _Line | None = None
    place_date: _Line | None = None
    national_title: _Line | None = None
    motto: _Line | None = None
    doc_type: str | None = None
    subject_index: int | None = None
    recipient_index: int | None = None
    distribution_label: _Line | None = None
    distribution_items: list[_Line] = field(default_factory=list)
    capacity_lines: list[_Line] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)

    def top_place(self) -> str:
        return "đầu văn bản"

    def end_place(self) -> str:
        return "cuối văn bản"

    def section_place(self, k: int) -> str:
        return "thiết lập trang" + (f" (phần {k + 1})" if len(self.sections) > 1 else "")

    def probably_several_pages(self) -> bool:
        chars = sum(len(p.text) for p in self.paras)
        return self.several_pages_hint or chars > 3500

    def body_paragraphs(self) -> list[_Para]:
        """Body paragraphs: after the header block and kính gửi, before Nơi nhận and the
        signature, outside tables, long enough to be prose."""
        starts = [
            line.index
            for line in (self.number_line, self.place_date)
            if line is not None
        ]
        starts += [i for i in (self.subject_index, self.recipient_index) if i is not None]
        start = max(starts, default=-1)
        ends = [len(self.paras)]
        if self.distribution_label is not None:
            ends.append(self.distribution_label.index)
        ends += [line.index for line in self.capacity_lines if line.index > start]
        end = min(ends)
        return [
            p for p in self.paras[start + 1:end] if p.cell is None and len(p.text.strip()) >= 40
        ]

    def capacity_followers(self) -> Iterator[tuple[_Line, _Line | None]]:
        """Each last capacity line of a block and the next line that shows text."""
        positions = {id(line): k for k, line in enumerate(self.lines)}
        for line in self.capacity_lines:
            k = positions[id(line)]
            following = self.lines[k + 1] if k + 1 < len(self.lines) else None
            if following is not None and _is_capacity_candidate(following.text):
                continue  # TM. … / KT. …: the title comes after the last one
            if (
                following is not None
                and line.para.cell is not None
                and following.para.cell is not line.para.cell
            ):
                following = None  # the signature cell ends here
            yield line, following


def _docx_paragraphs(document: Any) -> list[_Para]:
    body = document.element.body
    out: list[_Para] = []
    for p in body.iter(W_P):
        if any(a.tag == f"{{{_MC}}}Fallback" for a in p.iterancestors()):
            continue
        runs = [el for el in _own(p) if el.tag == W_R]
        text = _nfc("".join(_run_text(r) for r in runs))
        if not text.strip():
            continue
        cell = next((a for a in p.iterancestors(W_TC)), None)
        table_style = None
        if cell is not None:
            tbl = next(cell.iterancestors(W_TBL))
            ts = tbl.find(f"{_w('tblPr')}/{_w('tblStyle')}")
            table_style = ts.get(_w("val")) if ts is not None else None
        visible = [r for r in runs if _run_text(r).strip()]
        out.append(_Para(len(out) + 1, p, text, visible, cell, table_style))
    return out


def _has_page_field(part: Any) -> bool:
    root = etree.fromstring(part.blob)
    for fld in root.iter(_w("fldSimple")):
        if re.match(r"\s*PAGE\b", fld.get(_w("instr")) or ""):
            return True
    return any(re.match(r"\s*PAGE\b", it.text or "") for it in root.iter(_w("instrText")))


def _page_number_info(document: Any) -> dict[str, bool]:
    sect = document.sections[0]._sectPr
    rels = document.part.related_parts
    headers = {
        ref.get(_w("type")): rels[ref.get(f"{{{_R}}}id")]
        for ref in sect.findall(_w("headerReference"))
    }
    footers = [rels[ref.get(f"{{{_R}}}id")] for ref in sect.findall(_w("footerReference"))]
    title_pg = sect.find(_w("titlePg"))
    first_page_own = title_pg is not None and title_pg.get(_w("val"), "1") not in ("0", "false")
    default = headers.get("default")
    first = headers.get("first")
    default_has = default is not None and _has_page_field(default)
    first_has = first is not None and _has_page_field(first)
    return {
        "header": default_has or first_has,
        "footer": any(_has_page_field(f) for f in footers),
        "first_shows": (default_has and not first_page_own) or (first_page_own and first_has),
    }


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _several_pages_hint(document: Any) -> bool:
    body = document.element.body
    if next(body.iter(_w("lastRenderedPageBreak")), None) is not None:
        return True
    if any(br.get(_w("type")) == "page" for br in body.iter(_w("br"))):
        return True
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            m = re.search(rb"<(?:\w+:)?Pages>(\d+)<", part.blob)
            return bool(m and int(m.group(1)) > 1)
    return False


def _sections(document: Any) -> list[dict[str, float | None]]:
    out = []
    for s in document.sections:
        def mm(v: Any) -> float | None:
            return None if v is None else abs(v) / 36000  # EMU → mm
        out.append({
            "width": mm(s.page_width) or 0.0, "height": mm(s.page_height) or 0.0,
            "top": mm(s.top_margin), "bottom": mm(s.bottom_margin),
            "left": mm(s.left_margin), "right": mm(s.right_margin),
        })
    return out


def _load_docx(document: Any) -> _Docx:
    paras = _docx_paragraphs(document)
    d = _Docx(
        document=document, paras=paras, styles=_Styles(document),
        sections=_sections(document), page_numbers=_page_number_info(document),
        several_pages_hint=_several_pages_hint(document),
    )
    for index, para in enumerate(paras):
        # hand-made headers often put two parts on one line, separated by tabs
        for line_text in re.split(r"[\n\t]+", para.text):
            if line_text.strip():
                d.lines.append(_Line(para, line_text, index))
    _locate_frame(d)
    return d


def _locate_frame(d: _Docx) -> None:
    head = [line for line in d.lines if line.index < _HEAD]
    for line in head:
        s = line.text.strip()
        upper = " ".join(s.upper().split())
        if d.national_title is None and (
            upper.startswith(("CỘNG HÒA", "CỘNG HOÀ")) or "CHỦ NGHĨA VIỆT NAM" in upper
        ):
            d.national_title = line
        elif d.motto is None and "ĐỘC LẬP" in upper and "HẠNH PHÚC" in upper:
            d.motto = line
        elif d.number_line is None and _NUMBER_LINE.match(s) and "/" in s[:20] and len(s) < 60:
            d.number_line = line
        elif d.place_date is None and _PLACE_DATE_SEARCH.search(s) and len(s) < 90:
            d.place_date = line
        elif d.doc_type is None and upper in ("KẾ HOẠCH", "THÔNG BÁO"):
            d.doc_type = "ke_hoach" if upper == "KẾ HOẠCH" else "thong_bao"
            d.subject_index = line.index + 1
        elif d.doc_type is None and s.startswith("V/v"):
            d.doc_type = "cong_van"
            d.subject_index = line.index
        elif d.recipient_index is None and s.lower().startswith("kính gửi"):
            d.recipient_index = line.index
    labels = [line for line in d.lines if line.text.strip().lower().startswith("nơi nhận")]
    if labels:
        label = d.distribution_label = labels[-1]
        after = d.lines[d.lines.index(label) + 1:]
        for line in after:
            s = line.text.strip()
            if label.para.cell is not None:
                if line.para.cell is not label.para.cell:
                    break
            elif not (s[:1] in _DASHES or re.match(r"^(Lưu|Như)\b", s)):
                break
            d.distribution_items.append(line)
    d.capacity_lines = [
        line for line in d.lines
        if line.index >= (d.recipient_index or 0) and _is_capacity_candidate(line.text)
    ]


# ------------------------------------------------------------------------------ entry points


def _markdown_units(text: str, place: str) -> list[_Unit]:
    """Split a (restricted Markdown) text into blocks: headings, list items, table rows and
    paragraphs (consecutive lines joined)."""
    units: list[_Unit] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            raw = " ".join(s.strip() for s in current)
            units.append(_unit(raw, place))
            current.clear()

    for line in text.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif re.match(r"^(#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)", s):
            flush()
            current.append(s)
            if s.startswith("#"):
                flush()
        else:
            current.append(s)
    flush()
    return units


def _unit(raw: str, place: str) -> _Unit:
    text = raw
    heading = re.match(r"^(#{1,6})\s+", text)
    text = re.sub(r"^(#{1,6}|[-*+])\s+", "", text)
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|/;:,<>\"'=~&$%^?@])", r"\1", text)
    return _Unit(
        _nfc(text), lambda a, b, p=place: p, raw=_nfc(raw),
        heading_auto=bool(heading and len(heading.group(1)) == 1 and not
                          _HEADING_NUMBERED.match(raw)),
    )


def check_text(
    text: str, *, document_date: date | None = None, place: str = "body"
) -> list[Finding]:
    """Run the text rules over ``text`` (plain text or a spec body's restricted Markdown).

    ``document_date`` is the date of the document (dates more than 50 years after it are
    flagged); default today. Every finding's place is ``place``.
    """
    ctx = _Context(_markdown_units(text, place), document_date or date.today())
    return _run(ctx, _TEXT_RULES)


_SPEC_ORDER = ("type", "issuer", "number", "symbol", "place", "date", "subject", "recipients",
               "body", "signature", "distribution", "archive")


def _spec_key_rank(place: str) -> int:
    top = re.split(r"[.\[]", place, maxsplit=1)[0]
    return _SPEC_ORDER.index(top) if top in _SPEC_ORDER else len(_SPEC_ORDER)


def _check_spec(
    spec: Mapping[str, Any], rendered: Mapping[str, Any] | None = None,
    path: Path | None = None,
) -> list[Finding]:
    """Check a spec dict; ``rendered`` (a model dump) supplies text with Jinja expanded."""
    texts = rendered or spec
    units: list[_Unit] = []
    for key in ("subject", "body"):
        value = texts.get(key)
        if isinstance(value, str) and value.strip():
            units += _markdown_units(_strip_jinja(value), key)
    doc_date = _as_spec_date(spec.get("date")) or date.today()
    ctx = _Context(units, doc_date, spec=dict(spec))
    findings = _run(ctx, rules())
    findings += _spec_problems(path or spec, findings)
    return sorted(findings, key=lambda f: _spec_key_rank(f.place))


def _strip_jinja(text: str) -> str:
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)


class _SpecConstructor(SafeConstructor):
    """Safe YAML 1.2 that keeps dates as text, so that 2023-02-30 is reported, not raised."""


_SpecConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def _read_spec(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        y = _yaml()
        y.Constructor = _SpecConstructor
        data = y.load(text)
    if not isinstance(data, dict):
        raise ValueError("nội dung không phải một bảng khóa - giá trị (mapping)")
    return data


def _rendered_texts(path: Path, spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """The spec's text fields with Jinja expanded, through the library's loader."""
    if not any(
        isinstance(spec.get(k), str) and ("{{" in spec[k] or "{%" in spec[k])
        for k in ("subject", "body")
    ):
        return None
    try:
        from vn_union_docs.spec import load_document

        return load_document(path).model_dump(mode="json")
    except Exception:  # an invalid spec: read its text without the Jinja parts
        return None


def unreadable_finding(reason: str) -> Finding:
    """The ``unreadable`` finding for a file that cannot be read, with the reason."""
    return _make("unreadable", "tệp", reason=reason)


def _check_docx(document: Any) -> list[Finding]:
    d = _load_docx(document)
    frame = {id(x.para) for x in (d.number_line, d.place_date) if x is not None}
    units = [
        _Unit(line.text, lambda a, b, p=line.para, t=line.text: _line_place(p, t, a, b),
              raw=line.text)
        for line in d.lines if id(line.para) not in frame
    ]
    doc_date = None
    if d.place_date is not None:
        doc_date = _analyse_place_date(d.place_date.text)[1]
    ctx = _Context(units, doc_date or date.today(), docx=d)
    findings = _run(ctx, rules())

    def rank(f: Finding) -> int:
        m = re.match(r"đoạn (\d+)", f.place)
        return int(m.group(1)) if m else 0

    return sorted(findings, key=rank)


def _line_place(para: _Para, text: str, start: int, end: int) -> str:
    return f"đoạn {para.number}: «{_window(text, start, end)}»"


def check(doc_or_path: Any) -> list[Finding]:
    """Check a document and return what is wrong with it.

    ``doc_or_path`` is a spec file path (.yaml/.yml/.json), a .docx path, a spec ``dict``, a
    model object (anything with ``model_dump()``) or a python-docx ``Document``. A file that
    cannot be read gives one ``unreadable`` finding. Raises ``ValueError`` for other file
    types and ``FileNotFoundError`` for a missing file.
    """
    if isinstance(doc_or_path, (str, Path)):
        path = Path(doc_or_path)
        suffix = path.suffix.lower()
        if suffix not in (*SPEC_SUFFIXES, DOCX_SUFFIX):
            raise ValueError(f"not a spec (.yaml/.yml/.json) or .docx file: {path}")
        if not path.is_file():
            raise FileNotFoundError(path)
        if suffix == DOCX_SUFFIX:
            import docx

            try:
                document = docx.Document(str(path))
            except Exception as exc:
                return [unreadable_finding(f"không mở được tệp .docx ({type(exc).__name__})")]
            return _check_docx(document)
        try:
            spec = _read_spec(path)
        except Exception as exc:
            return [unreadable_finding(_clip(str(exc).replace("\n", " "), 200))]
        return _check_spec(spec, _rendered_texts(path, spec), path)
    if isinstance(doc_or_path, Mapping):
        return _check_spec(doc_or_path)
    if hasattr(doc_or_path, "model_dump"):
        return _check_spec(doc_or_path.model_dump(mode="json"))
    if hasattr(doc_or_path, "part") and hasattr(doc_or_path, "element"):
        return _check_docx(doc_or_path)
    raise TypeError(f"cannot check a {type(doc_or_path).__name__}")
