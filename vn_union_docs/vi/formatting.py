"""Vietnamese formatting: dates, numbers, percentages, numbers in words, list labels.

Every date and figure that vn_union_docs prints goes through this module; templates and
helpers never format by hand.

Public API
----------
- ``format_date(d)``: ND30 full date, ``ngày 07 tháng 3 năm 2023``.
- ``place_date(place, d)``: ``Thái Bình, ngày 23 tháng 02 năm 2023``.
- ``draft_place_date(place, year)``: day and month left blank for a draft.
- ``short_date(d)``: ``03/02/2025``, ``02/9/1945``.
- ``parse_date(text)``: ``07/3/2023``, ``7/3/2023``, ``2023-03-07`` → ``date``.
- ``format_number(x, digits=0)``: ``1.234.567,89``.
- ``parse_number(text)``: Vietnamese notation ``1.234.567,89`` → ``Decimal``.
- ``percent(part, whole, digits=1)``: the rounded percentage as ``Decimal``.
- ``format_percent(part, whole, digits=1, sign=False)``: ``63,3%``.
- ``number_to_words(n, *, linh="linh", thousand="nghìn")``: ``một nghìn không trăm linh một``.
- ``amount_in_words(n, currency="đồng")``: ``Một triệu hai trăm năm mươi nghìn đồng``.
- ``roman(n)``: 1–3999 → ``MCMXCIV``; ``letter(n)``: 1–23 → ``a``…``y`` (ND30 point labels).

Jinja filters (``FILTERS``)
---------------------------
``ngay`` (format_date), ``ngay_ngan`` (short_date), ``so`` (format_number), ``ty_le``
(format_percent: ``{{ achieved | ty_le(target) }}``), ``bang_chu`` (number_to_words),
``tien_bang_chu`` (amount_in_words), ``la_ma`` (roman), ``chu_cai`` (letter).

Rules
-----
Rounding is always half up (away from zero on a tie), computed exactly with integers and
``Fraction``/``Decimal``; floats are read through ``str(x)``, so ``2.675`` rounds to ``2,68``.
Bad input (``"abc"``, ``None``, ``bool``, NaN, infinity) raises ``ValueError``/``TypeError``
naming the value.

num2words is **not** used. Its ``vi`` reader is right only for 0–999 and plain integers
(landscape §d: decimals misread, negatives crash, zero hundreds skipped, wrong names above
10**12, no ``linh``/``ngàn`` options). Reading one group of three is ten lines, so wrapping
it would add a dependency for no gain. babel is not used either: the ND30 date padding
cannot be one CLDR pattern and its rounding is half-even.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any, Literal

from vn_union_docs.errors import InvalidValueError, UnsupportedInputError

__all__ = [
    "FILTERS",
    "VIETNAM_TIME",
    "amount_in_words",
    "draft_place_date",
    "format_date",
    "format_number",
    "format_percent",
    "letter",
    "number_to_words",
    "parse_date",
    "parse_number",
    "percent",
    "place_date",
    "roman",
    "short_date",
    "today",
]

Number = int | Decimal | float | str

# Beyond this exponent a value is not a document figure (and Decimal("1e999999999") would
# build a billion-digit string).
_MAX_EXPONENT = 1000

# Python notation only: "1.05", "-21", "1e6". Vietnamese notation goes through parse_number.
_PY_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_VI_NUMBER = re.compile(r"([+-]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]+))?")


# ---------------------------------------------------------------------------- dates

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
"""Vietnam's time (UTC+7 all year: no daylight saving)."""


def today() -> date:
    """Today in Vietnam, whatever the machine's time zone: the date a document issued now
    carries (a server on UTC is still on the day before until 07:00 in Hà Nội)."""
    return datetime.now(VIETNAM_TIME).date()


def _pad_day(d: date) -> str:
    return f"{d.day:02d}"


def _pad_month(d: date) -> str:
    # ND30: months 1 and 2 get a leading zero, 3–12 never.
    return f"{d.month:02d}" if d.month <= 2 else str(d.month)


def _as_date(d: date | str) -> date:
    if isinstance(d, date):
        return d
    if isinstance(d, str):
        return parse_date(d)
    raise UnsupportedInputError(f"expected a date, got {d!r} ({type(d).__name__})")


def format_date(d: date | str) -> str:
    """Return the ND30 full date: day < 10 and months 1–2 padded, months 3–12 never.

    A string is read with ``parse_date``.

    >>> format_date(date(2023, 3, 7))
    'ngày 07 tháng 3 năm 2023'
    >>> format_date(date(2023, 2, 23))
    'ngày 23 tháng 02 năm 2023'
    """
    d = _as_date(d)
    return f"ngày {_pad_day(d)} tháng {_pad_month(d)} năm {d.year}"


def place_date(place: str, d: date | str) -> str:
    """Return the place-and-date line of a document.

    >>> place_date("Thái Bình", date(2023, 2, 23))
    'Thái Bình, ngày 23 tháng 02 năm 2023'
    """
    return f"{_check_place(place)}, {format_date(d)}"


def draft_place_date(place: str, year: int | date) -> str:
    """Return the place-and-date line of a draft: day and month blank (6 spaces each).

    >>> draft_place_date("Thái Bình", 2023)
    'Thái Bình, ngày      tháng      năm 2023'
    """
    if isinstance(year, date):
        year = year.year
    if isinstance(year, bool) or not isinstance(year, int):
        raise UnsupportedInputError(f"expected a year (int), got {year!r} ({type(year).__name__})")
    return f"{_check_place(place)}, ngày      tháng      năm {year}"


def _check_place(place: str) -> str:
    if not isinstance(place, str):
        raise UnsupportedInputError(f"expected a place name (str), got {place!r}")
    if not place.strip():
        raise InvalidValueError(f"địa danh để trống (empty): {place!r}")
    return place.strip()


def short_date(d: date | str) -> str:
    """Return the short date used inside body text, with the same padding rule.

    >>> short_date(date(2025, 2, 3)), short_date(date(1945, 9, 2))
    ('03/02/2025', '02/9/1945')
    """
    d = _as_date(d)
    return f"{_pad_day(d)}/{_pad_month(d)}/{d.year}"


_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_FULL = re.compile(r"ngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s+năm\s+([0-9]{4})", re.I)


def parse_date(text: str | date) -> date:
    """Read a date as clerks type it: ``07/3/2023``, ``7.3.2023``, ``2023-03-07`` or
    ``ngày 07 tháng 3 năm 2023``. A ``date`` passes through (a ``datetime`` loses its time).

    >>> parse_date("7/3/2023")
    datetime.date(2023, 3, 7)
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise UnsupportedInputError(f"expected a date text, got {text!r} ({type(text).__name__})")
    s = text.strip()
    if m := _DMY.fullmatch(s):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.fullmatch(s):
        year, month, day = (int(g) for g in m.groups())
    elif m := _FULL.fullmatch(s):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise InvalidValueError(f"{text!r} không phải là ngày (viết dd/mm/yyyy hoặc yyyy-mm-dd)")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValueError(f"ngày {text!r} không có thật (tháng không có ngày đó)") from None


# ---------------------------------------------------------------------------- numbers


def _to_decimal(x: object) -> Decimal:
    """Convert int, Decimal, float (through ``str``) or a Python-notation string."""
    if isinstance(x, bool):
        raise UnsupportedInputError(f"cần một số, nhận được {x!r} (bool)")
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, Decimal):
        value = x
    elif isinstance(x, float):
        value = Decimal(str(x))  # 'nan'/'inf' become non-finite and are rejected below
    elif isinstance(x, str):
        s = x.strip()
        if not _PY_NUMBER.fullmatch(s):
            raise InvalidValueError(f"{x!r} không phải là số")
        value = Decimal(s)
    else:
        raise UnsupportedInputError(f"cần một số, nhận được {x!r} ({type(x).__name__})")
    if not value.is_finite():
        raise InvalidValueError(f"{x!r} không phải là số hữu hạn")
    if value and abs(value.adjusted()) > _MAX_EXPONENT:
        raise InvalidValueError(f"number out of range: {x!r}")
    return value


def _round_half_up(value: Fraction, digits: int) -> Decimal:
    """Round exactly to ``digits`` decimals, ties away from zero (ROUND_HALF_UP)."""
    scaled = abs(value) * 10**digits
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r >= scaled.denominator:
        q += 1
    if value < 0:
        q = -q
    return Decimal(q).scaleb(-digits)


def _check_digits(digits: int) -> int:
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise InvalidValueError(f"digits must be an int >= 0, got {digits!r}")
    return digits


def format_number(x: Number, digits: int = 0) -> str:
    """Format with ``.`` between thousands and ``,`` as decimal mark, rounded half up.

    Strings are read in Python notation (``"1234.5"``); use ``parse_number`` first for
    Vietnamese notation.

    >>> format_number(1234567.891, digits=2)
    '1.234.567,89'
    >>> format_number(-1500)
    '-1.500'
    """
    digits = _check_digits(digits)
    if type(x) is int and digits == 0:  # the common case: a count
        grouped = f"{abs(x):,}".replace(",", ".")
        return f"-{grouped}" if x < 0 else grouped
    if type(x) is Decimal and x.is_finite() and abs(x.adjusted()) <= _MAX_EXPONENT:
        # Decimal rounds exactly; enough precision for every digit kept.
        with localcontext() as context:
            context.prec = max(28, x.adjusted() + digits + 2)
            rounded = x.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    else:
        rounded = _round_half_up(Fraction(_to_decimal(x)), digits)
    sign = "-" if rounded < 0 else ""  # a value that rounds to 0 prints without sign
    text = f"{abs(rounded):.{digits}f}"
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def parse_number(text: str) -> Decimal:
    """Read a number in Vietnamese notation (``.`` thousands, ``,`` decimals).

    Thousands groups must have three digits; anything else raises ``ValueError``.

    >>> parse_number("1.234.567,89")
    Decimal('1234567.89')
    >>> parse_number("63,3")
    Decimal('63.3')
    """
    if not isinstance(text, str):
        raise UnsupportedInputError(f"expected a text, got {text!r} ({type(text).__name__})")
    m = _VI_NUMBER.fullmatch(text.strip())
    if not m:
        raise InvalidValueError(f"{text!r} không phải là số viết kiểu Việt Nam (1.234.567,89)")
    sign, whole, frac = m.groups()
    digits = sign + whole.replace(".", "")
    return Decimal(f"{digits}.{frac}" if frac else digits)


def percent(part: Number, whole: Number, digits: int = 1) -> Decimal:
    """Return ``part / whole * 100`` rounded half up to ``digits`` decimals, exactly.

    >>> percent(493, 779)
    Decimal('63.3')
    """
    digits = _check_digits(digits)
    if type(part) is int and type(whole) is int and whole > 0:  # counts: integer arithmetic
        q, r = divmod(abs(part) * 100 * 10**digits, whole)
        q += 2 * r >= whole
        return Decimal(-q if part < 0 else q).scaleb(-digits)
    p, w = Fraction(_to_decimal(part)), Fraction(_to_decimal(whole))
    if w == 0:
        raise InvalidValueError(
            f"không tính được tỷ lệ của {part!r} trên {whole!r}: số chia bằng 0 (whole is zero)")
    return _round_half_up(p * 100 / w, digits)


def format_percent(part: Number, whole: Number, digits: int = 1, *, sign: bool = False) -> str:
    """Format ``part / whole`` as a percentage, rounded half up; ``sign=True`` adds ``+``
    before a positive value (for changes).

    >>> format_percent(493, 779)
    '63,3%'
    >>> format_percent(3992, 8684, digits=2)
    '45,97%'
    """
    value = percent(part, whole, digits)
    text = format_number(value, digits) + "%"
    return f"+{text}" if sign and value > 0 else text


# ---------------------------------------------------------------------------- words

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _units_after_tens(tens: int, units: int) -> list[str]:
    if units == 0:
        return []
    if units == 5:
        return ["lăm"]
    if units == 1 and tens >= 2:
        return ["mốt"]
    return [_DIGITS[units]]


def _group(n: int, full: bool, linh: str) -> list[str]:
    """Read 1–999; ``full`` reads a zero hundreds digit (``không trăm``)."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += [linh, _DIGITS[units]] if words else [_DIGITS[units]]
    elif tens == 1:
        words += ["mười", *_units_after_tens(1, units)]
    else:
        words += [_DIGITS[tens], "mươi", *_units_after_tens(tens, units)]
    return words


def _below_billion(n: int, leading: bool, linh: str, thousand: str) -> list[str]:
    words: list[str] = []
    for value, name in ((n // 10**6, "triệu"), (n // 1000 % 1000, thousand), (n % 1000, "")):
        if value == 0:
            continue  # an all-zero group is skipped
        words += _group(value, full=not (leading and not words), linh=linh)
        if name:
            words.append(name)
    return words


def _int_words(n: int, linh: str, thousand: str) -> list[str]:
    if n == 0:
        return ["không"]
    if n < 10**9:
        return _below_billion(n, True, linh, thousand)
    # Above tỷ the names repeat: 10**12 một nghìn tỷ, 10**15 một triệu tỷ, 10**18 một tỷ tỷ.
    high, low = divmod(n, 10**9)
    words = [*_int_words(high, linh, thousand), "tỷ"]
    if low:
        words += _below_billion(low, False, linh, thousand)
    return words


def number_to_words(
    n: Number,
    *,
    linh: Literal["linh", "lẻ"] = "linh",
    thousand: Literal["nghìn", "ngàn"] = "nghìn",
) -> str:
    """Read a number in Vietnamese words, lower case.

    Strings use Python notation (``"1.05"`` is 1,05); floats are read through ``str(x)``.
    The decimals are read as a number, leading zeros as ``không``, trailing zeros dropped.
    ``linh="lẻ"`` and ``thousand="ngàn"`` give the southern readings.

    >>> number_to_words(1001)
    'một nghìn không trăm linh một'
    >>> number_to_words("1.05")
    'một phẩy không năm'
    >>> number_to_words(-21)
    'âm hai mươi mốt'
    """
    if linh not in ("linh", "lẻ"):
        raise InvalidValueError(f"linh must be 'linh' or 'lẻ', got {linh!r}")
    if thousand not in ("nghìn", "ngàn"):
        raise InvalidValueError(f"thousand must be 'nghìn' or 'ngàn', got {thousand!r}")
    value = _to_decimal(n)
    whole_text, _, frac = f"{abs(value):f}".partition(".")
    frac = frac.rstrip("0")
    words = _int_words(int(whole_text), linh, thousand)
    if frac:
        stripped = frac.lstrip("0")
        words += ["phẩy", *["không"] * (len(frac) - len(stripped))]
        words += _int_words(int(stripped), linh, thousand)
    if value < 0 and (int(whole_text) or frac):
        words.insert(0, "âm")
    return " ".join(words)


def amount_in_words(
    n: Number,
    currency: str = "đồng",
    *,
    linh: Literal["linh", "lẻ"] = "linh",
    thousand: Literal["nghìn", "ngàn"] = "nghìn",
) -> str:
    """Read an amount for a money line ("Bằng chữ: …"): first letter capital, then currency.

    >>> amount_in_words(1250000)
    'Một triệu hai trăm năm mươi nghìn đồng'
    """
    words = number_to_words(n, linh=linh, thousand=thousand)
    words = words[0].upper() + words[1:]
    return f"{words} {currency}" if currency else words


# ---------------------------------------------------------------------------- labels

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip

# The alphabet ND30 uses for points: no f, j, w, z; đ after d.
ALPHABET = (
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m",
    "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y",
)  # fmt: skip


def _check_index(n: object, high: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise UnsupportedInputError(f"{what} needs an int, got {n!r} ({type(n).__name__})")
    if not 1 <= n <= high:
        raise InvalidValueError(f"{what} is defined for 1–{high}, got {n!r}")
    return n


def roman(n: int) -> str:
    """Return ``n`` (1–3999) in Roman numerals, used for parts (``I``, ``II``…).

    >>> roman(1994)
    'MCMXCIV'
    """
    n = _check_index(n, 3999, "roman")
    out = []
    for value, symbol in _ROMAN:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def letter(n: int) -> str:
    """Return the n-th letter (1–23) of the Vietnamese alphabet, as ND30 labels points.

    >>> letter(5), letter(7)
    ('đ', 'g')
    """
    return ALPHABET[_check_index(n, len(ALPHABET), "letter") - 1]


FILTERS: dict[str, Callable[..., Any]] = {
    "ngay": format_date,
    "ngay_ngan": short_date,
    "so": format_number,
    "ty_le": format_percent,
    "bang_chu": number_to_words,
    "tien_bang_chu": amount_in_words,
    "la_ma": roman,
    "chu_cai": letter,
}
