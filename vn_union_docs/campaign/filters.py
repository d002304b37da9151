"""The campaign's Jinja filters and globals (``bang_thong_ke``, ``tien_do``, ``ky_niem``…).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vn_union_docs.campaign.anniversaries import (
    anniversaries_between,
    anniversary,
    join_anniversaries,
    round_anniversaries,
)
from vn_union_docs.campaign.base import Number
from vn_union_docs.campaign.events import event, theme
from vn_union_docs.campaign.progress import Progress, UnitStatistics, progress
from vn_union_docs.campaign.spec_data import _progress_from
from vn_union_docs.campaign.stages import Stage, make_campaign, make_stage
from vn_union_docs.errors import InvalidValueError
from vn_union_docs.markup import MarkdownText

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
        raise InvalidValueError("tien_do: thiếu chỉ tiêu (target)")
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
