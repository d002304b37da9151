"""Rules on a document's frame: number line and ký hiệu, place and date, national title and motto,
nơi nhận and archive line, signature capacity and title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from vn_union_docs import vi
from vn_union_docs.checker.patterns import (
    _CAPACITY,
    _DASHES,
)
from vn_union_docs.checker.registry import Finding, _Context, _make, _rule, _table
from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES, DOC_TYPES
from vn_union_docs.documents.models import is_recipient_organ

if TYPE_CHECKING:
    from vn_union_docs.checker.docx_reader import _Docx

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
            return vi.parse_date(value)  # the reader render uses: they accept the same dates
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------ frame rules



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
            elif not n.isdigit() and n.casefold() != "auto":  # auto: the register numbers it
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


# CĐ is a công điện's abbreviation and also starts many union codes (CĐ-BV, CĐN): only a
# công điện is judged by it.
_AMBIGUOUS_ABBREVIATIONS = frozenset({"CĐ"})


def _abbreviations() -> set[str]:
    """Every type abbreviation of Phụ lục III (and of copies: SY, TrS, SL)."""
    return set(_table("type_abbreviations")) | {
        info.abbreviation for info in DOC_TYPES.values() if info.abbreviation}


def _type_check(symbol: str, doc_type: str | None) -> tuple[str, dict[str, Any]] | None:
    """Judge the ký hiệu by the document's type (NĐ 30/2020, Phụ lục III, Mục I)."""
    info = DOC_TYPES.get(doc_type or "")
    if info is None:
        return None
    groups = [g.strip() for g in symbol.strip().split("-")]
    need = info.abbreviation
    known = _abbreviations()
    if need:
        first = groups[0].removesuffix("LT") if groups[0] != need else groups[0]
        if first != need:
            rest = "-".join(groups[1:]) if first in known else symbol
            return "needs", {"abbr": need, "example": f"{need}-{rest.strip()}"}
    elif len(groups) >= 2 and groups[0] in known - _AMBIGUOUS_ABBREVIATIONS:
        return "cong_van", {"abbr": groups[0]}
    return None


@_rule("symbol-type")
def _symbol_type(ctx: _Context) -> Iterator[Finding]:
    names = DOC_TYPE_NAMES
    if ctx.spec is not None:
        doc_type = ctx.spec.get("type")
        symbol = ctx.spec.get("symbol")
        if isinstance(symbol, str) and symbol.strip():
            problem = _type_check(symbol, doc_type)
            if problem:
                yield _make(
                    "symbol-type", "symbol", problem[0], symbol=symbol.strip(),
                    type_name=names[str(doc_type)], **problem[1],
                )
        code = _get(ctx.spec, "issuer.code")
        if isinstance(code, str) and doc_type in names:
            groups = code.strip().split("-")
            if len(groups) >= 2 and groups[0] in _abbreviations() - _AMBIGUOUS_ABBREVIATIONS:
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
                type_name=names[str(doc_type)], **problem[1],
            )


# "Thái Bình, ngày 23 tháng 02 năm 2023" (a draft leaves day and month blank).
_PLACE_DATE = re.compile(
    r"^(?P<place>.*?)(?P<comma>,?)(?P<sp1>\s*)(?P<ngay>[Nn]gày)(?P<sp2>\s*)(?P<d>\d*)"
    r"(?P<sp3>\s*)tháng(?P<sp4>\s*)(?P<m>\d*)(?P<sp5>\s*)(?P<nam>năm|tháng)(?P<sp6>\s*)"
    r"(?P<y>\d{4})\s*(?P<dot>\.?)$"
)
_PLACE_DATE_MAX = 200  # a place-date line is about 60 characters; longer is not one


def _match_place_date(text: str) -> re.Match[str] | None:
    """``_PLACE_DATE`` on the stripped text; ``None`` for a line far too long to be one (the
    pattern's time grows with the square of a run of spaces)."""
    text = text.strip()
    return _PLACE_DATE.match(text) if len(text) <= _PLACE_DATE_MAX else None


def _analyse_place_date(text: str) -> tuple[list[tuple[str, dict[str, Any]]], date | None]:
    m = _match_place_date(text)
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
            if ctx.docx.doc_type != "bien_ban":  # Mẫu 1.9 prints no place-date line
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
        m = _match_place_date(ctx.docx.place_date.text)
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
        if is_recipient_organ(item):
            item = item["name"]  # a recipient with its organisation code (edXML)
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
        if luu := _LUU.match(text):
            if not luu.group(1):
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
        archive = _LUU.match(text)
        if archive is not None and not archive.group(1):
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


