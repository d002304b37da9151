"""Rules on running text: section sequence, dates, anniversaries, percentages, thousands, numbered
headings, the letter Đ in ký hiệu.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vn_union_docs import vi
from vn_union_docs.checker.registry import Finding, _clip, _Context, _make, _rule, _table, _Unit
from vn_union_docs.checker.rules_frame import _get

# ------------------------------------------------------------------------------ text rules

_ROMAN_HEADING = re.compile(r"^\s*([IVX]{1,7})\.\s+(\S.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_INITIALS = re.compile(r"^[A-ZĐ]\.\s")  # "V. I. Lê-nin": another initial follows


def _roman_value(s: str) -> int | None:
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN_VALUES[ch]
        total += -v if i + 1 < len(s) and _ROMAN_VALUES[s[i + 1]] > v else v
    return total if total > 0 and vi.roman(total) == s else None


_RESTART = re.compile(r"^\s*(?:Phần|Chương|Phụ lục)(?:\s+[IVXLC\d]+)?\s*$", re.I)


@_rule("section-sequence", text=True)
def _section_sequence(ctx: _Context) -> Iterator[Finding]:
    previous = 0
    for unit in ctx.units:
        if unit.heading_auto:
            previous += 1
            continue
        if _RESTART.match(unit.text):
            previous = 0  # mục I., II. … restart in each phần, chương and phụ lục
            continue
        m = _ROMAN_HEADING.match(unit.text)
        if not m:
            continue
        title = m.group(2)
        if not any(c.isalpha() for c in title):
            continue
        if title != title.upper() and (
                _INITIALS.match(title) or not title[:1].isupper() or len(title) > 120):
            continue  # sentence case ("I. Mục đích") is a section; "V. I. Lê-nin" is a name
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


def _unit_sentences(ctx: _Context) -> Iterator[tuple[_Unit, str, int, str]]:
    """``(unit, its text, sentence start, sentence)`` for every sentence of every text unit."""
    for unit in ctx.units:
        text = unit.text
        for s_start, s_end in _sentences(text):
            yield unit, text, s_start, text[s_start:s_end]


@_rule("anniversary-count", text=True)
def _anniversary_count(ctx: _Context) -> Iterator[Finding]:
    for unit, _, s_start, sentence in _unit_sentences(ctx):
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
    # Each pattern starts only where its first run starts ((?<!…)): a match starting inside a
    # run would also start at the run's start, and a start at every character of a long run
    # (a 20,000-letter "word") costs time growing with the square of its length.
    re.compile(r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+"),
    _LONG_DATE,
    re.compile(r"(?<![\d/.,])\d{1,2}([/.\-])\d{1,2}\1\d{2,4}(?!\d)"),  # 07/3/2023
    re.compile(r"(?<![\d/.,])\d{1,2}/\d{4}(?!\d)"),  # 11/2022, 30/2020/NĐ-CP
    re.compile(r"(?<![\d.,])\d+[a-zđ]?(?:/\d{4})?\s?/\s?[A-ZĐ]"),  # 2799/UBND, 06b/NQ-TLĐ
    re.compile(r"(?<![\d.,])\d+-[A-ZĐ]{2,}"),  # 269-CV/BDVTU
    re.compile(r"(?<!\d)\d{4}\s*[-–—]\s*\d{4}(?!\d)"),  # 2023-2028
    re.compile(r"(?<!\d)(?<!\d[.,])\d+(?:[.,]\d+)*\s*%"),
    re.compile(r"(?i:điện thoại|đt|sđt|fax|hotline|di động)\s*:?\s*[\d.\s+()-]{6,}"),
    re.compile(r"(?<![^\W\d_])[^\W\d_]+-?\d+\w*"),  # Covid-19, A4, QH13
    re.compile(r"(?<!\d)\d+[^\W\d_]+"),  # 8h30, 06b, 2km
    re.compile(r"(?<!\d)\d+:\d+"),  # 14:00, TCVN 6909:2001
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
    for unit, _, s_start, sentence in _unit_sentences(ctx):
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


