"""Shared helpers of the campaign helper: reading numbers and dates from data, joining Vietnamese
lists.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from vn_union_docs import vi
from vn_union_docs.errors import InvalidValueError

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
        raise InvalidValueError(f"{what}: cần một số, nhận được {x!r}")
    if isinstance(x, int):
        value: int | Decimal = x
    elif isinstance(x, Decimal | float):
        value = Decimal(str(x))
    elif isinstance(x, str):
        value = vi.parse_number(x)  # "1.619" is one thousand six hundred nineteen
    else:
        raise InvalidValueError(f"{what}: cần một số, nhận được {x!r} ({type(x).__name__})")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(f"{what}: không phải một số hữu hạn: {x!r}")
        if value == value.to_integral_value():
            value = int(value)
    if value < 0:
        raise InvalidValueError(f"{what}: không được âm ({x!r})")
    return value


def _date(x: object, what: str) -> dt.date:
    """A date, or a text read by ``vi.parse_date`` (``03/02/2023``, ``2023-02-03``)."""
    try:
        return vi.parse_date(x)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"{what}: {exc}") from None


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


