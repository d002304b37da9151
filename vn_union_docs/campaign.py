"""Campaign figures computed, not typed: progress, unit statistics, stages, anniversaries, themes.

Union dispatches repeat figures clerks compute by hand (``493/779 sáng kiến … 63,3%``), stage
dates and anniversary lists (``95 năm Ngày thành lập Đảng Cộng sản Việt Nam
(03/02/1930-03/02/2025)``). This module derives every such text from data, formatting each
number and date with :mod:`vn_union_docs.vi`, so the text cannot disagree with itself.

Public API
----------
- ``Progress(achieved, target, unit="sáng kiến", digits=1)``: ``.percent`` (Decimal), ``.text``
  (``493/779 sáng kiến, đạt 63,3%``), ``.remaining``, ``.exceeded``, ``.surplus``, …
- ``UnitStatistics(rows, unit=…, digits=…)`` (alias ``UnitStatistics.from_rows``): totals,
  ``percentages()``, ``below(threshold)``, ``ranking()``, ``table()`` → Markdown pipe table.
- ``anniversary(key, year) -> Anniversary``; ``round_anniversaries(year, every=5)``;
  ``anniversaries_between(start, end, every=5)``; ``join_anniversaries(items)``.
- ``Stage(name, start, end, events=[...])`` with ``.anniversaries`` / ``.anniversaries_text``;
  ``Campaign(stages, document_date=…)`` validates order, overlap and the 50-year rule.
- ``events()`` / ``event(key)`` and ``themes()`` / ``theme(key)``: the data files
  ``data/events.yaml`` and ``data/themes.yaml`` (loaded once, cached).
- For specs: ``build_data(data, document_date=…)``, ``JINJA_GLOBALS``, ``FILTERS``.

Errors are ``ValueError`` (``UnknownEventError`` / ``UnknownThemeError`` for unknown keys, with
the closest known key suggested); ``build_data`` gathers them into one ``SpecError``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML

from vn_union_docs import vi
from vn_union_docs.errors import Problem, SpecError
from vn_union_docs.text import MarkdownText, escape_markdown

__all__ = [
    "FILTERS",
    "JINJA_GLOBALS",
    "MAX_YEARS_AHEAD",
    "RANGE_SEPARATOR",
    "TABLE_HEADERS",
    "Anniversary",
    "Campaign",
    "Event",
    "Progress",
    "Stage",
    "Theme",
    "ThemeStage",
    "UnitRow",
    "UnitStatistics",
    "UnknownEventError",
    "UnknownThemeError",
    "anniversaries_between",
    "anniversary",
    "build_data",
    "event",
    "events",
    "join_anniversaries",
    "load_events",
    "load_themes",
    "make_campaign",
    "make_stage",
    "progress",
    "round_anniversaries",
    "theme",
    "themes",
]

Number = int | Decimal | float | str
DateLike = dt.date | str

#: No date of a campaign may lie more than this many years after the document date.
MAX_YEARS_AHEAD = 50
#: Between the two dates of an anniversary range, as seed 004 and the issue write it.
RANGE_SEPARATOR = "-"

_KEY = re.compile(r"[a-z][a-z0-9_]*")


# ---------------------------------------------------------------------------- helpers


def _number(x: object, what: str) -> int | Decimal:
    """A count or amount: int, Decimal, float (via ``str``) or Vietnamese-notation text."""
    if isinstance(x, bool) or x is None:
        raise ValueError(f"{what}: cần một số, nhận được {x!r}")
    if isinstance(x, int):
        value: int | Decimal = x
    elif isinstance(x, Decimal | float):
        value = Decimal(str(x))
    elif isinstance(x, str):
        value = vi.parse_number(x)  # "1.619" is one thousand six hundred nineteen
    else:
        raise ValueError(f"{what}: cần một số, nhận được {x!r} ({type(x).__name__})")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what}: không phải một số hữu hạn: {x!r}")
        if value == value.to_integral_value():
            value = int(value)
    if value < 0:
        raise ValueError(f"{what}: không được âm ({x!r})")
    return value


def _date(x: object, what: str) -> dt.date:
    """A date, or a text read by ``vi.parse_date`` (``03/02/2023``, ``2023-02-03``)."""
    try:
        return vi.parse_date(x)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: {exc}") from None


def _same_day(d: dt.date, year: int) -> dt.date:
    """``d``'s day and month in ``year`` (29/02 becomes 28/02 in a common year)."""
    try:
        return d.replace(year=year)
    except ValueError:
        return d.replace(year=year, day=28)


def _years_after(d: dt.date, years: int) -> dt.date:
    return _same_day(d, d.year + years)


def _join_vi(parts: Sequence[str], sep: str = ", ", last: str = " và ") -> str:
    """``a, b và c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return sep.join(parts[:-1]) + last + parts[-1]


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" Có phải là {close[0]!r}?" if close else ""


# ---------------------------------------------------------------------------- data files


class Event(BaseModel):
    """One anniversary-worthy event of ``data/events.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    date: dt.date
    name: str
    short: str | None = None
    source: str
    note: str | None = None

    @field_validator("key")
    @classmethod
    def _check_key(cls, v: str) -> str:
        if not _KEY.fullmatch(v):
            raise ValueError(f"key must be snake_case ASCII: {v!r}")
        return v

    @field_validator("name", "source")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()


class ThemeStage(BaseModel):
    """A stage (giai đoạn) of an emulation theme, as the data file lists it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> ThemeStage:
        if self.end < self.start:
            raise ValueError(f"{self.name}: end {self.end} is before start {self.start}")
        return self


class Theme(BaseModel):
    """An emulation theme (phong trào thi đua / chương trình) of ``data/themes.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    name: str
    kind: str
    launched_by: str
    launched: dt.date | None = None
    stages: tuple[ThemeStage, ...] = ()
    slogans: tuple[str, ...] = ()
    source: str
    note: str | None = None

    @field_validator("key")
    @classmethod
    def _check_key(cls, v: str) -> str:
        if not _KEY.fullmatch(v):
            raise ValueError(f"key must be snake_case ASCII: {v!r}")
        return v

    @field_validator("name", "kind", "launched_by", "source")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()

    @model_validator(mode="after")
    def _stages_ordered(self) -> Theme:
        for prev, cur in pairwise(self.stages):
            if cur.start < prev.end:
                raise ValueError(f"{cur.name} starts before {prev.name} ends")
        return self

    @property
    def quoted(self) -> str:
        """``Phong trào thi đua “Đẩy mạnh …”``: the kind and the quoted name."""
        return f"{self.kind} “{self.name}”"

    def __str__(self) -> str:
        return self.name


_Entry = TypeVar("_Entry", Event, Theme)


def _load_yaml(text: str, what: str) -> dict[str, Any]:
    """Parse a data file; duplicate keys are an error (ruamel's default)."""
    data = YAML(typ="safe", pure=True).load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{what}: expected a mapping of keys to entries")
    return data


def _load_entries(text: str, what: str, model: type[_Entry]) -> dict[str, _Entry]:
    raw = _load_yaml(text, what)
    out: dict[str, _Entry] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{what}: {key}: expected a mapping")
        out[str(key)] = model(key=str(key), **entry)
    return out


def load_events(text: str, what: str = "events.yaml") -> dict[str, Event]:
    """Parse and validate an events file (``key: {date, name, short, source, note}``)."""
    return _load_entries(text, what, Event)


def load_themes(text: str, what: str = "themes.yaml") -> dict[str, Theme]:
    """Parse and validate a themes file (see the header of ``data/themes.yaml``)."""
    return _load_entries(text, what, Theme)


def _data_text(name: str) -> str:
    return resources.files("vn_union_docs").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def events() -> Mapping[str, Event]:
    """All known events, by key (read once from ``data/events.yaml``)."""
    return MappingProxyType(load_events(_data_text("events.yaml")))


@lru_cache(maxsize=1)
def themes() -> Mapping[str, Theme]:
    """All known emulation themes, by key (read once from ``data/themes.yaml``)."""
    return MappingProxyType(load_themes(_data_text("themes.yaml")))


class UnknownEventError(ValueError):
    """An event key that ``data/events.yaml`` does not have; the message lists the known keys."""


class UnknownThemeError(ValueError):
    """A theme key that ``data/themes.yaml`` does not have; the message lists the known keys."""


def event(key: str) -> Event:
    """Return the event ``key``, or raise ``UnknownEventError`` suggesting the closest key."""
    known = events()
    if isinstance(key, str) and key in known:
        return known[key]
    raise UnknownEventError(
        f"Không có sự kiện {key!r}.{_suggest(str(key), known)} "
        f"Các khóa đã biết: {', '.join(sorted(known))}."
    )


def theme(key: str) -> Theme:
    """Return the theme ``key``, or raise ``UnknownThemeError`` suggesting the closest key."""
    known = themes()
    if isinstance(key, str) and key in known:
        return known[key]
    raise UnknownThemeError(
        f"Không có phong trào thi đua {key!r}.{_suggest(str(key), known)} "
        f"Các khóa đã biết: {', '.join(sorted(known))}."
    )


# ---------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    """Achieved against target: ``Progress(493, 779).text`` → ``493/779 sáng kiến, đạt 63,3%``.

    ``achieved`` ≥ 0 and ``target`` > 0 (int, Decimal, float, or Vietnamese text such as
    ``"1.619"``); ``digits`` is the number of decimals of the percentage (rounded half up).
    """

    achieved: int | Decimal
    target: int | Decimal
    unit: str = "sáng kiến"
    digits: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "achieved", _number(self.achieved, "số đạt được"))
        target = _number(self.target, "chỉ tiêu")
        if target == 0:
            raise ValueError("chỉ tiêu phải lớn hơn 0")
        object.__setattr__(self, "target", target)
        if isinstance(self.digits, bool) or not isinstance(self.digits, int) or self.digits < 0:
            raise ValueError(f"digits phải là số nguyên ≥ 0, nhận được {self.digits!r}")

    def _with_unit(self, text: str) -> str:
        return f"{text} {self.unit}" if self.unit else text

    @property
    def percent(self) -> Decimal:
        """``achieved / target * 100``, rounded half up to ``digits`` decimals."""
        return vi.percent(self.achieved, self.target, self.digits)

    @property
    def percent_text(self) -> str:
        """``63,3%``."""
        return vi.format_percent(self.achieved, self.target, self.digits)

    @property
    def fraction_text(self) -> str:
        """``493/779``."""
        return f"{vi.format_number(self.achieved)}/{vi.format_number(self.target)}"

    @property
    def text(self) -> str:
        """``493/779 sáng kiến, đạt 63,3%``."""
        return f"{self._with_unit(self.fraction_text)}, đạt {self.percent_text}"

    @property
    def achieved_text(self) -> str:
        """``3.572 sáng kiến``."""
        return self._with_unit(vi.format_number(self.achieved))

    @property
    def target_text(self) -> str:
        """``3.000 sáng kiến``."""
        return self._with_unit(vi.format_number(self.target))

    @property
    def remaining(self) -> int | Decimal:
        """What is still missing to reach the target (0 once reached)."""
        return max(self.target - self.achieved, 0)

    @property
    def remaining_text(self) -> str:
        """``286 sáng kiến``."""
        return self._with_unit(vi.format_number(self.remaining))

    @property
    def exceeded(self) -> bool:
        """True when the target is strictly exceeded (vượt chỉ tiêu)."""
        return self.achieved > self.target

    @property
    def completed(self) -> bool:
        """True when the target is reached or exceeded (hoàn thành chỉ tiêu)."""
        return self.achieved >= self.target

    @property
    def surplus(self) -> int | Decimal:
        """How much above the target (0 when not exceeded)."""
        return max(self.achieved - self.target, 0)

    @property
    def ratio(self) -> Fraction:
        """The exact ratio achieved/target (for sorting; print ``percent`` instead)."""
        return Fraction(self.achieved) / Fraction(self.target)

    def __str__(self) -> str:
        return self.text


def progress(
    achieved: Number, target: Number, unit: str = "sáng kiến", digits: int = 1
) -> Progress:
    """Factory for Jinja: ``{{ progress(493, 779).text }}``."""
    return Progress(achieved, target, unit, digits)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- unit statistics


@dataclass(frozen=True)
class UnitRow:
    """One unit (CĐCS, công đoàn trực thuộc) of a statistics table."""

    name: str
    progress: Progress

    @property
    def achieved(self) -> int | Decimal:
        return self.progress.achieved

    @property
    def target(self) -> int | Decimal:
        return self.progress.target

    @property
    def percent(self) -> Decimal:
        return self.progress.percent

    @property
    def percent_text(self) -> str:
        return self.progress.percent_text

    @property
    def text(self) -> str:
        """``CĐCS A: 12/20 sáng kiến, đạt 60,0%``."""
        return f"{self.name}: {self.progress.text}"

    def __str__(self) -> str:
        return self.text


TABLE_HEADERS = ("TT", "Đơn vị", "Chỉ tiêu", "Thực hiện", "Tỷ lệ")


class UnitStatistics:
    """Results of several units against their targets.

    ``rows``: mappings ``{name, achieved, target}``, tuples ``(name, achieved, target)`` or
    ``UnitRow``. Every row shares ``unit`` and ``digits``. Unit names must be unique and every
    target must be > 0. Threshold comparisons and ranks use the *printed* (rounded) percentage,
    so a unit shown as ``50,0%`` is never listed as below 50%.
    """

    def __init__(self, rows: Iterable[object], unit: str = "sáng kiến", digits: int = 1) -> None:
        self.unit = unit
        self.digits = digits
        built: list[UnitRow] = []
        seen: set[str] = set()
        for i, row in enumerate(rows, start=1):
            unit_row = self._row(row, i)
            if unit_row.name in seen:
                raise ValueError(f"dòng {i}: đơn vị {unit_row.name!r} bị lặp")
            seen.add(unit_row.name)
            built.append(unit_row)
        if not built:
            raise ValueError("bảng thống kê không có đơn vị nào")
        self.rows: tuple[UnitRow, ...] = tuple(built)

    @classmethod
    def from_rows(
        cls, rows: Iterable[object], unit: str = "sáng kiến", digits: int = 1
    ) -> UnitStatistics:
        """Same as the constructor; reads better in a spec: ``from_rows(units)``."""
        return cls(rows, unit=unit, digits=digits)

    def _row(self, row: object, i: int) -> UnitRow:
        if isinstance(row, UnitRow):
            name, achieved, target = row.name, row.achieved, row.target
        elif isinstance(row, Mapping):
            missing = [k for k in ("name", "achieved", "target") if k not in row]
            if missing:
                raise ValueError(f"dòng {i}: thiếu {', '.join(missing)}")
            name, achieved, target = row["name"], row["achieved"], row["target"]
        elif isinstance(row, Sequence) and not isinstance(row, str) and len(row) == 3:
            name, achieved, target = row
        else:
            raise ValueError(f"dòng {i}: cần {{name, achieved, target}}, nhận được {row!r}")
        name = str(name).strip()
        if not name:
            raise ValueError(f"dòng {i}: tên đơn vị trống")
        try:
            prog = Progress(achieved, target, self.unit, self.digits)
        except ValueError as exc:
            raise ValueError(f"dòng {i} ({name}): {exc}") from None
        return UnitRow(name, prog)

    def __iter__(self) -> Iterator[UnitRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def total_achieved(self) -> int | Decimal:
        return sum((r.achieved for r in self.rows), start=0)

    @property
    def total_target(self) -> int | Decimal:
        return sum((r.target for r in self.rows), start=0)

    @property
    def total(self) -> Progress:
        """The whole: sums of achieved and of targets."""
        return Progress(self.total_achieved, self.total_target, self.unit, self.digits)

    def percentages(self) -> dict[str, Decimal]:
        """Each unit's rounded percentage, by name, in input order."""
        return {r.name: r.percent for r in self.rows}

    def below(self, threshold: Number) -> list[UnitRow]:
        """Units whose printed percentage is below ``threshold`` (in %, e.g. ``50``)."""
        limit = _number(threshold, "ngưỡng")
        return [r for r in self.rows if r.percent < limit]

    def at_least(self, threshold: Number) -> list[UnitRow]:
        """Units whose printed percentage is ``threshold`` % or more."""
        limit = _number(threshold, "ngưỡng")
        return [r for r in self.rows if r.percent >= limit]

    def completed(self) -> list[UnitRow]:
        """Units that reached their target."""
        return [r for r in self.rows if r.progress.completed]

    def ranking(self) -> list[tuple[int, UnitRow]]:
        """``(rank, row)`` by printed percentage, highest first; equal percentages share a
        rank (1, 2, 2, 4) and keep input order."""
        ordered = sorted(self.rows, key=lambda r: -r.percent)
        out: list[tuple[int, UnitRow]] = []
        for pos, row in enumerate(ordered, start=1):
            rank = out[-1][0] if out and out[-1][1].percent == row.percent else pos
            out.append((rank, row))
        return out

    def table(
        self,
        sort: bool = False,
        total_label: str = "Tổng cộng",
        headers: Sequence[str] = TABLE_HEADERS,
    ) -> MarkdownText:
        """A GitHub pipe table: TT, unit, target, achieved, percentage, and a total row.

        ``sort=True`` orders by ranking. Every cell is escaped, so a ``|`` or ``*`` in a unit
        name prints literally.
        """
        if len(headers) != 5:
            raise ValueError("headers: cần đúng 5 tiêu đề cột")
        rows = [r for _, r in self.ranking()] if sort else list(self.rows)

        def line(label: str, name: str, p: Progress, bold: bool = False) -> str:
            # Text cells are escaped; figures come from vi (digits, "." "," "%" only).
            cells = [
                escape_markdown(label),
                escape_markdown(name),
                vi.format_number(p.target),
                vi.format_number(p.achieved),
                p.percent_text,
            ]
            if bold:
                cells = [f"**{cell}**" if cell else cell for cell in cells]
            return "| " + " | ".join(cells) + " |"

        head = "| " + " | ".join(escape_markdown(h) for h in headers) + " |"
        # TT centred, names left, figures right-aligned.
        lines = [head, "|:-:|---|--:|--:|--:|"]
        lines += [line(str(i), r.name, r.progress) for i, r in enumerate(rows, start=1)]
        lines.append(line("", total_label, self.total, bold=True))
        return MarkdownText("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------- anniversaries


@dataclass(frozen=True)
class Anniversary:
    """The ``year`` anniversary of event ``key``.

    ``anniversary("thanh_lap_dang", 2025).text`` →
    ``95 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930-03/02/2025)``.
    """

    key: str
    year: int

    def __post_init__(self) -> None:
        ev = event(self.key)  # raises UnknownEventError
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise ValueError(f"{self.key}: năm phải là số nguyên, nhận được {self.year!r}")
        if self.year <= ev.date.year:
            raise ValueError(
                f"{self.key}: năm {self.year} không sau năm của sự kiện ({ev.date.year})"
            )

    @property
    def info(self) -> Event:
        """The event record (date, name, source)."""
        return event(self.key)

    @property
    def event(self) -> str:
        """The event's Vietnamese name, as union documents write it."""
        return self.info.name

    @property
    def years(self) -> int:
        return self.year - self.info.date.year

    @property
    def start(self) -> dt.date:
        """The day of the event itself."""
        return self.info.date

    @property
    def date(self) -> dt.date:
        """The anniversary day in ``year``."""
        return _same_day(self.info.date, self.year)

    @property
    def range_text(self) -> str:
        """``03/02/1930-03/02/2025``."""
        return f"{vi.short_date(self.start)}{RANGE_SEPARATOR}{vi.short_date(self.date)}"

    @property
    def event_text(self) -> str:
        """The event with its range, without the count: ``Quốc khánh … (02/9/1945-02/9/2030)``."""
        return f"{self.event} ({self.range_text})"

    @property
    def text(self) -> str:
        """``95 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930-03/02/2025)``."""
        return f"{vi.format_number(self.years)} năm {self.event_text}"

    def __str__(self) -> str:
        return self.text


def anniversary(key: str, year: int) -> Anniversary:
    """The ``year`` anniversary of event ``key`` (see ``data/events.yaml`` for the keys)."""
    return Anniversary(key, year)


def round_anniversaries(year: int, every: int = 5) -> list[Anniversary]:
    """Events whose anniversary in ``year`` is a multiple of ``every`` years, by date."""
    if every < 1:
        raise ValueError("every phải ≥ 1")
    found = [
        Anniversary(k, year)
        for k, ev in events().items()
        if year > ev.date.year and (year - ev.date.year) % every == 0
    ]
    return sorted(found, key=lambda a: (a.date, a.key))


def anniversaries_between(start: DateLike, end: DateLike, every: int = 5) -> list[Anniversary]:
    """Round anniversaries (multiples of ``every``) whose day falls in ``[start, end]``, by date.

    A suggestion list for a clerk choosing a stage's events.
    """
    s, e = _date(start, "start"), _date(end, "end")
    if e < s:
        raise ValueError(f"ngày kết thúc {vi.short_date(e)} trước ngày bắt đầu {vi.short_date(s)}")
    out: list[Anniversary] = []
    for year in range(s.year, e.year + 1):
        out.extend(a for a in round_anniversaries(year, every) if s <= a.date <= e)
    return out


def _as_anniversary(item: object) -> Anniversary:
    if isinstance(item, Anniversary):
        return item
    if isinstance(item, Mapping):
        unknown = set(item) - {"key", "year"}
        if unknown or "key" not in item or "year" not in item:
            raise ValueError(f"sự kiện cần dạng {{key, year}}, nhận được {dict(item)!r}")
        return Anniversary(item["key"], item["year"])
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        return Anniversary(item[0], item[1])
    raise ValueError(f"sự kiện cần dạng {{key, year}} hoặc (key, year), nhận được {item!r}")


def join_anniversaries(items: Iterable[object], merge_same_count: bool = True) -> str:
    """Join anniversaries as union documents write them.

    - Consecutive anniversaries with the same count share it (``merge_same_count``):
      ``85 năm Cách mạng Tháng Tám thành công (19/8/1945-19/8/2030) và Quốc khánh …
      (02/9/1945-02/9/2030)`` — each keeps its own date range.
    - Groups are joined with ``, `` and a final `` và ``; when a group itself contains
      `` và `` the groups are joined with ``; `` instead, so the list stays unambiguous
      (this is how seed 004 writes its stages).
    """
    anns = [_as_anniversary(a) for a in items]
    groups: list[list[Anniversary]] = []
    for a in anns:
        if merge_same_count and groups and groups[-1][-1].years == a.years:
            groups[-1].append(a)
        else:
            groups.append([a])
    texts = [
        _join_vi([g[0].text, *(a.event_text for a in g[1:])], sep=", ", last=" và ") for g in groups
    ]
    if any(len(g) > 1 for g in groups):
        return "; ".join(texts)
    return _join_vi(texts)


# ---------------------------------------------------------------------------- stages


def _max_date(document_date: dt.date) -> dt.date:
    return _years_after(document_date, MAX_YEARS_AHEAD)


@dataclass(frozen=True)
class Stage:
    """A stage (giai đoạn) of a campaign, and the anniversaries it salutes.

    ``Stage("Giai đoạn 2", "03/02/2025", "03/02/2030", events=[{"key": "thanh_lap_dang",
    "year": 2030}, ("quoc_khanh", 2030)])``. Dates may be ``date`` objects or text read by
    ``vi.parse_date``. ``events`` are ``{key, year}`` mappings, ``(key, year)`` pairs or
    ``Anniversary`` objects; the counts and date ranges are computed. With ``document_date``
    the stage also checks the 50-year rule (``Campaign`` does this for all its stages).
    """

    name: str
    start: dt.date
    end: dt.date
    events: tuple[Anniversary, ...] = ()
    document_date: dt.date | None = field(default=None, kw_only=True, compare=False)

    def __post_init__(self) -> None:
        name = str(self.name).strip()
        if not name:
            raise ValueError("giai đoạn không có tên")
        object.__setattr__(self, "name", name)
        start = _date(self.start, f"{name}: ngày bắt đầu")
        end = _date(self.end, f"{name}: ngày kết thúc")
        if end < start:
            raise ValueError(
                f"{name}: ngày kết thúc {vi.short_date(end)} "
                f"trước ngày bắt đầu {vi.short_date(start)}"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        anns: list[Anniversary] = []
        for item in self.events or ():
            try:
                anns.append(_as_anniversary(item))
            except ValueError as exc:
                raise type(exc)(f"{name}: {exc}") from None
        object.__setattr__(self, "events", tuple(anns))
        if self.document_date is not None:
            doc = _date(self.document_date, "ngày văn bản")
            object.__setattr__(self, "document_date", doc)
            self.check(doc)

    def check(self, document_date: DateLike) -> None:
        """Raise ``ValueError`` naming the stage and the date if any of its dates lies more
        than ``MAX_YEARS_AHEAD`` years after ``document_date`` (catches ``03/02/3030``)."""
        doc = _date(document_date, "ngày văn bản")
        limit = _max_date(doc)
        named = [("ngày bắt đầu", self.start), ("ngày kết thúc", self.end)]
        named += [(a.event, a.date) for a in self.events]
        bad = [f"{what} {vi.short_date(d)}" for what, d in named if d > limit]
        if bad:
            raise ValueError(
                f"{self.name}: {'; '.join(bad)} muộn hơn ngày văn bản "
                f"{vi.short_date(doc)} quá {MAX_YEARS_AHEAD} năm (gõ nhầm năm?)"
            )

    @property
    def anniversaries(self) -> tuple[Anniversary, ...]:
        """The anniversaries this stage salutes, in the order given."""
        return self.events

    @property
    def anniversaries_text(self) -> str:
        """The anniversaries joined as documents write them (see ``join_anniversaries``)."""
        return join_anniversaries(self.events)

    @property
    def anniversaries_outside(self) -> list[Anniversary]:
        """Anniversaries whose day lies outside the stage (allowed; seed 004 does it, but a
        checker may want to mention it)."""
        return [a for a in self.events if not self.start <= a.date <= self.end]

    @property
    def period_text(self) -> str:
        """``từ ngày 03/02/2023 đến 03/02/2025`` (wording of seed 004)."""
        return f"từ ngày {vi.short_date(self.start)} đến {vi.short_date(self.end)}"

    @property
    def heading(self) -> str:
        """``Giai đoạn 1 (từ ngày 03/02/2023 đến 03/02/2025)``."""
        return f"{self.name} ({self.period_text})"

    def __str__(self) -> str:
        return self.heading


def _as_stage(item: object) -> Stage:
    if isinstance(item, Stage):
        return item
    if isinstance(item, Mapping):
        unknown = set(item) - {"name", "start", "end", "events"}
        if unknown:
            raise ValueError(f"giai đoạn: khóa không hợp lệ {sorted(unknown)}")
        missing = [k for k in ("name", "start", "end") if k not in item]
        if missing:
            raise ValueError(f"giai đoạn: thiếu {', '.join(missing)}")
        return Stage(item["name"], item["start"], item["end"], tuple(item.get("events") or ()))
    raise ValueError(f"giai đoạn cần dạng {{name, start, end, events}}, nhận được {item!r}")


@dataclass(frozen=True)
class Campaign:
    """Stages of one campaign, checked together.

    - stages are in order and do not overlap; a stage may start on the day the previous one
      ends (seed 004: stage 1 ends and stage 2 starts on 03/02/2025);
    - no date (stage start/end, anniversary day) lies more than ``MAX_YEARS_AHEAD`` years after
      ``document_date`` (default: today).

    Every problem found is reported in one ``ValueError``, one line each, naming the stage
    and the date.
    """

    stages: tuple[Stage, ...]
    document_date: dt.date | None = None
    name: str | None = None
    theme: Theme | None = None

    def __post_init__(self) -> None:
        stages = tuple(_as_stage(s) for s in self.stages)
        if not stages:
            raise ValueError("chiến dịch không có giai đoạn nào")
        object.__setattr__(self, "stages", stages)
        doc = (
            dt.date.today()
            if self.document_date is None
            else _date(self.document_date, "ngày văn bản")
        )
        object.__setattr__(self, "document_date", doc)
        if isinstance(self.theme, str):
            object.__setattr__(self, "theme", theme(self.theme))
        problems: list[str] = []
        for prev, cur in pairwise(stages):
            if cur.start < prev.start:
                problems.append(
                    f"{cur.name} (bắt đầu {vi.short_date(cur.start)}) đứng sau {prev.name} "
                    f"(bắt đầu {vi.short_date(prev.start)}): các giai đoạn không theo thứ tự"
                )
            elif cur.start < prev.end:
                problems.append(
                    f"{cur.name} bắt đầu {vi.short_date(cur.start)}, trước khi {prev.name} "
                    f"kết thúc ({vi.short_date(prev.end)}): các giai đoạn chồng lên nhau"
                )
        for s in stages:
            try:
                s.check(doc)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("\n".join(problems))

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.stages)

    def __len__(self) -> int:
        return len(self.stages)

    def __getitem__(self, i: int) -> Stage:
        return self.stages[i]

    @property
    def start(self) -> dt.date:
        return self.stages[0].start

    @property
    def end(self) -> dt.date:
        return self.stages[-1].end


def make_stage(name: str, start: DateLike, end: DateLike, events: Iterable[object] = ()) -> Stage:
    """Builder for Jinja: ``stage("Giai đoạn 1", "03/02/2023", "03/02/2025", [...])``."""
    return Stage(name, start, end, tuple(events))  # type: ignore[arg-type]


def make_campaign(
    stages: Iterable[object],
    document_date: DateLike | None = None,
    name: str | None = None,
    theme: str | Theme | None = None,
) -> Campaign:
    """Builder for Jinja and Python: stages as ``Stage`` objects or mappings."""
    return Campaign(tuple(stages), document_date, name, theme)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- specs


def build_data(data: Mapping[str, Any], document_date: DateLike | None = None) -> dict[str, Any]:
    """Turn a spec's raw ``data:`` mapping into the objects its body uses.

    Accepted keys (all optional; any other key passes through unchanged)::

        progress:            # one Progress …
          achieved: 493
          target: 779
          unit: sáng kiến    # optional (default "sáng kiến")
          digits: 1          # optional
        # … or several, by name: progress: {giai_doan_1: {achieved:…, target:…}, …}
        units:               # -> UnitStatistics
          - {name: CĐCS Bệnh viện A, achieved: 12, target: 20}
        # or units: {unit: sáng kiến, digits: 1, rows: [...]}
        stages:              # -> list[Stage], validated together as a Campaign
          - name: Giai đoạn 1
            start: 2023-02-03          # a YAML date or "03/02/2023"
            end: 2025-02-03
            events: [{key: thanh_lap_dang, year: 2025}, …]
        anniversaries: [{key: thi_dua_ai_quoc, year: 2023}]   # -> list[Anniversary]
        theme: day_manh_ket_cau_ha_tang                       # -> Theme

    Numbers are ints or Vietnamese-notation text (``"1.619"``); a YAML float such as
    ``1.619`` is refused, since a clerk writing ``1.619`` means 1619. ``document_date``
    (default today) drives the 50-year rule. All problems are raised together as one
    ``SpecError`` whose paths start with ``data.``.
    """
    if not isinstance(data, Mapping):
        raise SpecError(problems=[Problem("data", "cần một bảng khóa: giá trị (mapping)")])
    doc = None if document_date is None else _date(document_date, "ngày văn bản")
    out: dict[str, Any] = dict(data)
    problems: list[Problem] = []

    def attempt(path: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(Problem(f"{path}.{loc}" if loc else path, err["msg"]))
            return None
        except (ValueError, TypeError) as exc:
            # A Campaign reports one problem per line.
            problems.extend(Problem(path, line) for line in str(exc).splitlines() if line)
            return None

    if "progress" in data:
        out["progress"] = attempt("data.progress", lambda: _build_progress(data["progress"]))
    if "units" in data:
        out["units"] = attempt("data.units", lambda: _build_units(data["units"]))
    if "stages" in data:
        raw = data["stages"]
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            problems.append(Problem("data.stages", "cần một danh sách giai đoạn"))
        else:
            built = [
                attempt(f"data.stages[{i}]", lambda s=s: _as_stage(_no_floats(s)))
                for i, s in enumerate(raw)
            ]
            if all(b is not None for b in built):
                out["stages"] = attempt(
                    "data.stages", lambda: list(Campaign(tuple(built), doc).stages)
                )
    if "anniversaries" in data:
        raw = data["anniversaries"]
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            problems.append(Problem("data.anniversaries", "cần một danh sách {key, year}"))
        else:
            out["anniversaries"] = [
                attempt(f"data.anniversaries[{i}]", lambda a=a: _as_anniversary(a))
                for i, a in enumerate(raw)
            ]
    if "theme" in data:
        out["theme"] = attempt("data.theme", lambda: _build_theme(data["theme"]))
    if problems:
        raise SpecError(problems=problems)
    return out


_PROGRESS_KEYS = {"achieved", "target", "unit", "digits"}


def _no_floats(value: Any, path: str = "") -> Any:
    """Refuse YAML floats in counts: ``1.619`` in YAML is 1,619 (one point six), not 1619."""
    if isinstance(value, float):
        raise ValueError(
            f"{path or 'giá trị'} = {value!r} là số thập phân kiểu YAML; viết số nguyên "
            f'(1619) hoặc đặt trong ngoặc kép theo cách viết Việt Nam ("1.619", "12,5")'
        )
    if isinstance(value, Mapping):
        return {k: _no_floats(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_floats(v, path) for v in value]
    return value


def _progress_from(raw: object) -> Progress:
    if not isinstance(raw, Mapping):
        raise ValueError("cần {achieved, target}")
    unknown = set(raw) - _PROGRESS_KEYS
    if unknown:
        raise ValueError(f"khóa không hợp lệ: {', '.join(sorted(map(str, unknown)))}")
    if "achieved" not in raw or "target" not in raw:
        raise ValueError("cần cả achieved và target")
    raw = _no_floats(raw)
    return Progress(
        raw["achieved"], raw["target"], raw.get("unit", "sáng kiến"), raw.get("digits", 1)
    )


def _build_progress(raw: object) -> Progress | dict[str, Progress]:
    if isinstance(raw, Progress):
        return raw
    if isinstance(raw, Mapping) and raw and all(isinstance(v, Mapping) for v in raw.values()):
        return {str(k): _progress_from(v) for k, v in raw.items()}
    return _progress_from(raw)


def _build_units(raw: object) -> UnitStatistics:
    if isinstance(raw, UnitStatistics):
        return raw
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"unit", "digits", "rows"}
        if unknown or "rows" not in raw:
            raise ValueError("cần một danh sách đơn vị, hoặc {unit, digits, rows}")
        return UnitStatistics(
            _no_floats(raw["rows"]), raw.get("unit", "sáng kiến"), raw.get("digits", 1)
        )
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        return UnitStatistics(_no_floats(raw))
    raise ValueError("cần một danh sách đơn vị {name, achieved, target}")


def _build_theme(raw: object) -> Theme:
    if isinstance(raw, Theme):
        return raw
    if isinstance(raw, str):
        return theme(raw)
    if isinstance(raw, Mapping):  # a theme not in the data file, written out in the spec
        return Theme(**{"source": "spec", **raw})
    raise ValueError("cần khóa của một phong trào thi đua hoặc {key, name, kind, launched_by}")


# ---------------------------------------------------------------------------- Jinja


def _bang_thong_ke(
    value: object,
    unit: str | None = None,
    digits: int | None = None,
    sort: bool = False,
    total_label: str = "Tổng cộng",
) -> MarkdownText:
    """Filter: ``{{ units | bang_thong_ke }}`` → Markdown table (with a total row)."""
    if isinstance(value, UnitStatistics):
        stats = value
        if unit is not None or digits is not None:
            stats = UnitStatistics(
                stats.rows,
                unit=stats.unit if unit is None else unit,
                digits=stats.digits if digits is None else digits,
            )
    else:
        stats = UnitStatistics(
            value,  # type: ignore[arg-type]
            unit="sáng kiến" if unit is None else unit,
            digits=1 if digits is None else digits,
        )
    return stats.table(sort=sort, total_label=total_label)


def _tien_do(
    value: object,
    target: Number | None = None,
    unit: str = "sáng kiến",
    digits: int = 1,
) -> str:
    """Filter: ``{{ progress | tien_do }}`` or ``{{ 493 | tien_do(779) }}`` → Progress text."""
    if isinstance(value, Progress):
        return value.text
    if isinstance(value, Mapping):
        return _progress_from(value).text
    if target is None:
        raise ValueError("tien_do: thiếu chỉ tiêu (target)")
    return Progress(value, target, unit, digits).text  # type: ignore[arg-type]


def _ky_niem(key: str, year: int) -> str:
    """Filter: ``{{ "thanh_lap_dang" | ky_niem(2025) }}`` → anniversary text."""
    return anniversary(key, year).text


def _danh_sach_ky_niem(value: object) -> str:
    """Filter: ``{{ stage | danh_sach_ky_niem }}`` or a list of anniversaries → joined text."""
    if isinstance(value, Stage):
        return value.anniversaries_text
    return join_anniversaries(value)  # type: ignore[arg-type]


#: Jinja filters for spec bodies (register next to ``vi.FILTERS``).
FILTERS: dict[str, Callable[..., Any]] = {
    "bang_thong_ke": _bang_thong_ke,
    "tien_do": _tien_do,
    "ky_niem": _ky_niem,
    "danh_sach_ky_niem": _danh_sach_ky_niem,
}

#: Jinja globals for spec bodies. Values of ``build_data`` shadow them: with a ``progress:``
#: entry in ``data:``, ``progress`` is that Progress and the factory is still ``Progress(…)``.
JINJA_GLOBALS: dict[str, object] = {
    "anniversary": anniversary,
    "round_anniversaries": round_anniversaries,
    "anniversaries_between": anniversaries_between,
    "join_anniversaries": join_anniversaries,
    "Progress": Progress,
    "progress": progress,
    "thong_ke": UnitStatistics.from_rows,
    "stage": make_stage,
    "campaign": make_campaign,
    "theme": theme,
    "event": event,
}
