"""Anniversaries of known events: counts computed from the years, never typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vn_union_docs import vi
from vn_union_docs.campaign.base import RANGE_SEPARATOR, DateLike, _date, _join_vi, _same_day
from vn_union_docs.campaign.events import Event, event, events
from vn_union_docs.errors import InvalidValueError

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
            raise InvalidValueError(f"{self.key}: năm phải là số nguyên, nhận được {self.year!r}")
        if self.year <= ev.date.year:
            raise InvalidValueError(
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
        raise InvalidValueError("every phải ≥ 1")
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
        raise InvalidValueError(
            f"ngày kết thúc {vi.short_date(e)} trước ngày bắt đầu {vi.short_date(s)}")
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
            raise InvalidValueError(f"sự kiện cần dạng {{key, year}}, nhận được {dict(item)!r}")
        return Anniversary(item["key"], item["year"])
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        return Anniversary(item[0], item[1])
    raise InvalidValueError(f"sự kiện cần dạng {{key, year}} hoặc (key, year), nhận được {item!r}")


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


