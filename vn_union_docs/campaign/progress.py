"""``Progress`` (achieved of target, percent) and ``UnitStatistics`` (per-unit figures, totals,
ranking, table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from vn_union_docs import vi
from vn_union_docs.campaign.base import Number, _number
from vn_union_docs.errors import InvalidValueError
from vn_union_docs.markup import MarkdownText, escape_markdown

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
            raise InvalidValueError("chỉ tiêu phải lớn hơn 0")
        object.__setattr__(self, "target", target)
        if isinstance(self.digits, bool) or not isinstance(self.digits, int) or self.digits < 0:
            raise InvalidValueError(f"digits phải là số nguyên ≥ 0, nhận được {self.digits!r}")

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
                raise InvalidValueError(f"dòng {i}: đơn vị {unit_row.name!r} bị lặp")
            seen.add(unit_row.name)
            built.append(unit_row)
        if not built:
            raise InvalidValueError("bảng thống kê không có đơn vị nào")
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
                raise InvalidValueError(f"dòng {i}: thiếu {', '.join(missing)}")
            name, achieved, target = row["name"], row["achieved"], row["target"]
        elif isinstance(row, Sequence) and not isinstance(row, str) and len(row) == 3:
            name, achieved, target = row
        else:
            raise InvalidValueError(f"dòng {i}: cần {{name, achieved, target}}, nhận được {row!r}")
        name = str(name).strip()
        if not name:
            raise InvalidValueError(f"dòng {i}: tên đơn vị trống")
        try:
            prog = Progress(achieved, target, self.unit, self.digits)
        except ValueError as exc:
            raise InvalidValueError(f"dòng {i} ({name}): {exc}") from None
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
            raise InvalidValueError("headers: cần đúng 5 tiêu đề cột")
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


