"""Stages of a campaign: ordered, not overlapping, within 50 years of the document date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from vn_union_docs import vi
from vn_union_docs.campaign.anniversaries import Anniversary, _as_anniversary, join_anniversaries
from vn_union_docs.campaign.base import MAX_YEARS_AHEAD, DateLike, _date, _years_after
from vn_union_docs.campaign.events import Theme, theme
from vn_union_docs.errors import InvalidValueError

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
            raise InvalidValueError("giai đoạn không có tên")
        object.__setattr__(self, "name", name)
        start = _date(self.start, f"{name}: ngày bắt đầu")
        end = _date(self.end, f"{name}: ngày kết thúc")
        if end < start:
            raise InvalidValueError(
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
            raise InvalidValueError(
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
            raise InvalidValueError(f"giai đoạn: khóa không hợp lệ {sorted(unknown)}")
        missing = [k for k in ("name", "start", "end") if k not in item]
        if missing:
            raise InvalidValueError(f"giai đoạn: thiếu {', '.join(missing)}")
        return Stage(item["name"], item["start"], item["end"], tuple(item.get("events") or ()))
    raise InvalidValueError(f"giai đoạn cần dạng {{name, start, end, events}}, nhận được {item!r}")


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
            raise InvalidValueError("chiến dịch không có giai đoạn nào")
        object.__setattr__(self, "stages", stages)
        doc = (
            vi.today()
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
            raise InvalidValueError("\n".join(problems))

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


