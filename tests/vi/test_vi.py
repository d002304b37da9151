"""Tests for vn_union_docs.vi: every example of issue 4, plus property tests."""

from __future__ import annotations

import math
import os
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vn_union_docs import vi

FAST = settings(max_examples=300, deadline=None)

# A value that is not a number, and the text its error message must contain.
BAD_NUMBERS = [
    ("abc", "abc"),
    ("", "''"),
    ("1,5", "1,5"),
    (None, "None"),
    (True, "True"),
    (math.nan, "nan"),
    (math.inf, "inf"),
    (-math.inf, "-inf"),
    (Decimal("NaN"), "NaN"),
    (Decimal("Infinity"), "Infinity"),
    ("nan", "nan"),
    ([1], "[1]"),
]


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2023, 2, 23), "ngày 23 tháng 02 năm 2023"),
        (date(2023, 3, 7), "ngày 07 tháng 3 năm 2023"),
        (date(2022, 12, 1), "ngày 01 tháng 12 năm 2022"),
        (date(2020, 1, 5), "ngày 05 tháng 01 năm 2020"),
        (date(2019, 6, 29), "ngày 29 tháng 6 năm 2019"),
        (date(2024, 10, 10), "ngày 10 tháng 10 năm 2024"),
        (datetime(2023, 3, 7, 15, 30), "ngày 07 tháng 3 năm 2023"),
        ("7/3/2023", "ngày 07 tháng 3 năm 2023"),
    ],
)
def test_format_date(d: date | str, expected: str) -> None:
    assert vi.format_date(d) == expected


def test_format_date_rejects_non_dates() -> None:
    with pytest.raises(TypeError, match="20230307"):
        vi.format_date(20230307)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hôm qua"):
        vi.format_date("hôm qua")


@given(st.dates(min_value=date(1000, 1, 1)))
@FAST
def test_format_date_padding_rule(d: date) -> None:
    words = vi.format_date(d).split(" ")
    assert words[0::2] == ["ngày", "tháng", "năm"]
    day, month, year = words[1::2]
    assert day == f"{d.day:02d}"
    assert month == (f"{d.month:02d}" if d.month <= 2 else str(d.month))
    assert year == str(d.year)
    assert vi.parse_date(vi.format_date(d)) == d
    assert vi.parse_date(vi.short_date(d)) == d


def test_place_date() -> None:
    assert vi.place_date("Thái Bình", date(2023, 2, 23)) == "Thái Bình, ngày 23 tháng 02 năm 2023"
    assert vi.place_date(" Hà Nội ", date(2024, 5, 14)) == "Hà Nội, ngày 14 tháng 5 năm 2024"
    with pytest.raises(ValueError, match="empty"):
        vi.place_date("  ", date(2024, 5, 14))


def test_draft_place_date() -> None:
    expected = "Thái Bình, ngày      tháng      năm 2023"
    assert vi.draft_place_date("Thái Bình", 2023) == expected
    assert vi.draft_place_date("Thái Bình", date(2023, 9, 1)) == expected
    with pytest.raises(TypeError, match="'2023'"):
        vi.draft_place_date("Thái Bình", "2023")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 2, 3), "03/02/2025"),
        (date(1945, 9, 2), "02/9/1945"),
        (date(1945, 8, 19), "19/8/1945"),
        (date(2024, 1, 31), "31/01/2024"),
        (date(2024, 12, 25), "25/12/2024"),
    ],
)
def test_short_date(d: date, expected: str) -> None:
    assert vi.short_date(d) == expected


@pytest.mark.parametrize(
    "text",
    ["07/3/2023", "7/3/2023", "07/03/2023", "2023-03-07", "7.3.2023", " 07-03-2023 ",
     "ngày 07 tháng 3 năm 2023", date(2023, 3, 7), datetime(2023, 3, 7, 8, 0)],
)  # fmt: skip
def test_parse_date(text: str | date) -> None:
    result = vi.parse_date(text)
    assert result == date(2023, 3, 7)
    assert type(result) is date


@pytest.mark.parametrize("text", ["31/2/2023", "7/3/23", "2023/03/07", "abc", "", "3/7"])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        vi.parse_date(text)
    assert repr(text) in str(info.value)


def test_parse_date_rejects_non_text() -> None:
    with pytest.raises(TypeError, match="None"):
        vi.parse_date(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (1619, 0, "1.619"),
        (1234567.891, 2, "1.234.567,89"),
        (-1500, 0, "-1.500"),
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (8684, 0, "8.684"),
        (Decimal("2.5"), 0, "3"),  # half up, not banker's 2
        (Decimal("3.5"), 0, "4"),
        (Decimal("-2.5"), 0, "-3"),  # ties away from zero, like ROUND_HALF_UP
        (2.675, 2, "2,68"),  # float read through str: not 2,67
        (Decimal("0.125"), 2, "0,13"),
        (-0.4, 0, "0"),  # no "-0"
        (Decimal("1.5"), 3, "1,500"),
        ("1234.5", 1, "1.234,5"),
        ("  -7 ", 0, "-7"),
        (10**15, 0, "1.000.000.000.000.000"),
        (Decimal("1E+3"), 0, "1.000"),
    ],
)
def test_format_number(x: vi.Number, digits: int, expected: str) -> None:
    assert vi.format_number(x, digits) == expected


@pytest.mark.parametrize(("value", "named"), BAD_NUMBERS)
def test_format_number_rejects(value: object, named: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        vi.format_number(value)  # type: ignore[arg-type]
    assert named in str(info.value)


@pytest.mark.parametrize("digits", [-1, 1.5, True])
def test_format_number_rejects_bad_digits(digits: object) -> None:
    with pytest.raises(ValueError, match="digits"):
        vi.format_number(1, digits)  # type: ignore[arg-type]


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**12,
                   min_value=-(10**12)), st.integers(0, 4))  # fmt: skip
@FAST
def test_format_then_parse_number_is_round_half_up(x: Decimal, digits: int) -> None:
    back = vi.parse_number(vi.format_number(x, digits))
    exact = Fraction(x)
    error = Fraction(back) - exact
    half = Fraction(1, 2 * 10**digits)
    assert abs(error) <= half
    if abs(error) == half:  # a tie goes away from zero
        assert abs(back) > abs(exact)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.619", Decimal(1619)),
        ("63,3", Decimal("63.3")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1619", Decimal(1619)),
        ("-1.500", Decimal(-1500)),
        (" 0,5 ", Decimal("0.5")),
        ("45,97", Decimal("45.97")),
    ],
)
def test_parse_number(text: str, expected: Decimal) -> None:
    assert vi.parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "", "1.61", "1,234.5", "1.2.3", "1.234,", ",5", "1 619", "12.3456", "nan"]
)
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        vi.parse_number(text)
    assert repr(text) in str(info.value)


def test_parse_number_rejects_non_text() -> None:
    with pytest.raises(TypeError, match="1619"):
        vi.parse_number(1619)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- percent


@pytest.mark.parametrize(
    ("part", "whole", "digits", "expected"),
    [
        (493, 779, 1, "63,3%"),
        (3992, 8684, 2, "45,97%"),
        (1, 16, 1, "6,3%"),  # 6.25 -> 6.3 (banker's gives 6.2)
        (1619, 1372, 0, "118%"),
        (253, 400, 1, "63,3%"),  # 63.25 -> 63.3
        (1, 8, 0, "13%"),  # 12.5 -> 13 (banker's gives 12)
        (1, 3, 2, "33,33%"),
        (2, 3, 1, "66,7%"),
        (0, 5, 1, "0,0%"),
        (Decimal("1.5"), 3, 0, "50%"),
        (12345, 100, 0, "12.345%"),
    ],
)
def test_format_percent(part: int, whole: int, digits: int, expected: str) -> None:
    assert vi.format_percent(part, whole, digits=digits) == expected


def test_format_percent_default_digits_and_sign() -> None:
    assert vi.format_percent(493, 779) == "63,3%"
    assert vi.format_percent(5, 100, sign=True) == "+5,0%"
    assert vi.format_percent(-5, 100, sign=True) == "-5,0%"
    assert vi.format_percent(0, 100, sign=True) == "0,0%"
    assert vi.format_percent(105, 100) == "105,0%"


def test_percent_value() -> None:
    assert vi.percent(493, 779) == Decimal("63.3")
    assert vi.percent(1, 16, digits=2) == Decimal("6.25")
    assert vi.percent(1619, 1372, digits=0) == Decimal(118)
    assert isinstance(vi.percent(1, 3), Decimal)


def test_percent_whole_zero() -> None:
    with pytest.raises(ValueError, match="zero"):
        vi.format_percent(5, 0)
    with pytest.raises(ValueError, match="zero"):
        vi.percent(5, Decimal("0.0"))


@pytest.mark.parametrize(("value", "named"), BAD_NUMBERS)
def test_format_percent_rejects(value: object, named: str) -> None:
    for args in ((value, 10), (10, value)):
        with pytest.raises((ValueError, TypeError)) as info:
            vi.format_percent(*args)  # type: ignore[arg-type]
        assert named in str(info.value)


@given(st.integers(-(10**6), 10**6), st.integers(1, 10**6), st.integers(0, 3))
@FAST
def test_percent_is_exact_half_up(part: int, whole: int, digits: int) -> None:
    value = vi.percent(part, whole, digits)
    exact = Fraction(part * 100, whole)
    error = Fraction(value) - exact
    half = Fraction(1, 2 * 10**digits)
    assert abs(error) <= half
    if abs(error) == half:
        assert abs(value) > abs(exact)
    assert value.as_tuple().exponent == -digits


# ---------------------------------------------------------------------------- words

READINGS = [
    (0, "không"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (101, "một trăm linh một"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (115, "một trăm mười lăm"),
    (1001, "một nghìn không trăm linh một"),
    (1015, "một nghìn không trăm mười lăm"),
    (2005, "hai nghìn không trăm linh năm"),
    (2023, "hai nghìn không trăm hai mươi ba"),
    (10500, "mười nghìn năm trăm"),
    (1000000, "một triệu"),
    (10**9, "một tỷ"),
    (10**12, "một nghìn tỷ"),
    (63.3, "sáu mươi ba phẩy ba"),
    (1.05, "một phẩy không năm"),
    (1.5, "một phẩy năm"),
    (-21, "âm hai mươi mốt"),
    # the other examples of the issue and the brief
    (1000001, "một triệu không trăm linh một"),
    (45.97, "bốn mươi lăm phẩy chín mươi bảy"),
    ("1.05", "một phẩy không năm"),
    (Decimal("1.50"), "một phẩy năm"),
    (0.1, "không phẩy một"),
    (10**15, "một triệu tỷ"),
    (10**18, "một tỷ tỷ"),
    # more rules: mốt only after mươi >= 2, bốn stays, zero groups skipped
    (1, "một"),
    (4, "bốn"),
    (24, "hai mươi bốn"),
    (31, "ba mươi mốt"),
    (91, "chín mươi mốt"),
    (100, "một trăm"),
    (111, "một trăm mười một"),
    (121, "một trăm hai mươi mốt"),
    (1010, "một nghìn không trăm mười"),
    (1021, "một nghìn không trăm hai mươi mốt"),
    (1100, "một nghìn một trăm"),
    (5000050, "năm triệu không trăm năm mươi"),
    (1005000, "một triệu không trăm linh năm nghìn"),
    (21000000, "hai mươi mốt triệu"),
    (1000000001, "một tỷ không trăm linh một"),
    (1001000000, "một tỷ không trăm linh một triệu"),
    (10**12 + 10**9, "một nghìn không trăm linh một tỷ"),
    (10**16, "mười triệu tỷ"),
    (
        1234567891,
        "một tỷ hai trăm ba mươi bốn triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt",
    ),
    (0.125, "không phẩy một trăm hai mươi lăm"),
    (12.05, "mười hai phẩy không năm"),
    (0.5, "không phẩy năm"),
    ("-0.5", "âm không phẩy năm"),
    (Decimal("-0"), "không"),
    (Decimal("1E+3"), "một nghìn"),
    (Decimal("7.000"), "bảy"),
    (-1, "âm một"),
    (-5, "âm năm"),
]


@pytest.mark.parametrize(("n", "words"), READINGS)
def test_number_to_words(n: vi.Number, words: str) -> None:
    assert vi.number_to_words(n) == words


@pytest.mark.parametrize(
    ("n", "options", "words"),
    [
        (101, {"linh": "lẻ"}, "một trăm lẻ một"),
        (1001, {"linh": "lẻ", "thousand": "ngàn"}, "một ngàn không trăm lẻ một"),
        (10500, {"thousand": "ngàn"}, "mười ngàn năm trăm"),
        (10**12, {"thousand": "ngàn"}, "một ngàn tỷ"),
    ],
)
def test_number_to_words_southern(n: int, options: dict[str, str], words: str) -> None:
    assert vi.number_to_words(n, **options) == words  # type: ignore[arg-type]


def test_number_to_words_rejects_unknown_option() -> None:
    with pytest.raises(ValueError, match="'le'"):
        vi.number_to_words(101, linh="le")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'ngan'"):
        vi.number_to_words(1000, thousand="ngan")  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "named"), BAD_NUMBERS)
def test_number_to_words_rejects(value: object, named: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        vi.number_to_words(value)  # type: ignore[arg-type]
    assert named in str(info.value)


def test_number_to_words_rejects_absurd_size() -> None:
    with pytest.raises(ValueError, match="1E"):
        vi.number_to_words(Decimal("1E+999999999"))


_VALUES = {w: i for i, w in enumerate(("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy",
                                       "tám", "chín"))}  # fmt: skip
_VALUES |= {"mốt": 1, "lăm": 5}


def _words_to_int(words: str) -> int:
    """Independent reader of what number_to_words writes (test oracle)."""
    big = small = cur = pending = 0
    for word in words.split(" "):
        if word in _VALUES:
            pending = _VALUES[word]
        elif word == "mười":
            cur += 10
        elif word == "mươi":
            cur, pending = cur + pending * 10, 0
        elif word == "trăm":
            cur, pending = cur + pending * 100, 0
        elif word == "linh":
            pass
        elif word == "nghìn":
            small, cur, pending = small + (cur + pending) * 1000, 0, 0
        elif word == "triệu":
            small, cur, pending = small + (cur + pending) * 10**6, 0, 0
        elif word == "tỷ":
            big, small, cur, pending = (big + small + cur + pending) * 10**9, 0, 0, 0
        else:
            raise AssertionError(f"unexpected word {word!r} in {words!r}")
    return big + small + cur + pending


@given(st.integers(0, 10**15))
@FAST
def test_words_have_no_digit_and_no_double_space(n: int) -> None:
    words = vi.number_to_words(n)
    assert not any(c.isdigit() for c in words)
    assert "  " not in words
    assert words == words.strip()
    assert vi.number_to_words(n) != vi.number_to_words(n + 1)


@given(st.integers(0, 10**21) | st.integers(0, 10**6) | st.sampled_from([10**k for k in range(22)]))
@FAST
def test_words_read_back_to_the_number(n: int) -> None:
    assert _words_to_int(vi.number_to_words(n)) == n
    assert vi.number_to_words(-n) == ("âm " if n else "") + vi.number_to_words(n)


@given(st.integers(1000, 10**15))
@FAST
def test_zero_hundreds_are_read_inside_a_number(n: int) -> None:
    # Every non-leading group that is not all zero starts with its hundreds digit.
    words = vi.number_to_words(n)
    if n % 1000 and n % 1000 < 100:
        assert " không trăm " in words
    if n % 1000 == 0 and (n // 1000) % 1000 == 0:
        assert not words.endswith("không trăm")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9),
                   max_value=10**9))  # fmt: skip
@FAST
def test_decimal_words(x: Decimal) -> None:
    words = vi.number_to_words(x)
    whole, _, frac = f"{abs(x):f}".partition(".")
    frac = frac.rstrip("0")
    assert ("phẩy" in words) == bool(frac)
    head, _, tail = words.removeprefix("âm ").partition(" phẩy ")
    assert _words_to_int(head) == int(whole)
    if frac:
        zeros = len(frac) - len(frac.lstrip("0"))
        assert tail.split(" ")[:zeros] == ["không"] * zeros
        assert _words_to_int(" ".join(tail.split(" ")[zeros:])) == int(frac)
    assert words.startswith("âm ") == (x < 0 and (int(whole) > 0 or bool(frac)))


def test_amount_in_words() -> None:
    assert vi.amount_in_words(1250000) == "Một triệu hai trăm năm mươi nghìn đồng"
    assert vi.amount_in_words(1001, "USD") == "Một nghìn không trăm linh một USD"
    assert vi.amount_in_words(500000, currency="") == "Năm trăm nghìn"
    assert vi.amount_in_words(-5000) == "Âm năm nghìn đồng"
    assert vi.amount_in_words(1005, linh="lẻ", thousand="ngàn") == "Một ngàn không trăm lẻ năm đồng"
    with pytest.raises(ValueError, match="abc"):
        vi.amount_in_words("abc")


# ---------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "I"), (2, "II"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"),
     (400, "CD"), (1994, "MCMXCIV"), (2023, "MMXXIII"), (3999, "MMMCMXCIX")],
)  # fmt: skip
def test_roman(n: int, expected: str) -> None:
    assert vi.roman(n) == expected


def test_roman_all_distinct_and_canonical() -> None:
    values = [vi.roman(n) for n in range(1, 4000)]
    assert len(set(values)) == 3999
    assert all("IIII" not in v and "VV" not in v and "XXXX" not in v for v in values)


@pytest.mark.parametrize(("n", "named"), [(0, "0"), (4000, "4000"), (-1, "-1")])
def test_roman_out_of_range(n: int, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        vi.roman(n)


@pytest.mark.parametrize("n", [True, 1.0, "1", None])
def test_roman_and_letter_reject_non_int(n: object) -> None:
    for func in (vi.roman, vi.letter):
        with pytest.raises(TypeError) as info:
            func(n)  # type: ignore[arg-type]
        assert repr(n) in str(info.value)


def test_letter() -> None:
    assert vi.letter(5) == "đ"
    assert vi.letter(7) == "g"
    alphabet = "a b c d đ e g h i k l m n o p q r s t u v x y"
    assert " ".join(vi.letter(n) for n in range(1, 24)) == alphabet


@pytest.mark.parametrize(("n", "named"), [(0, "0"), (24, "24"), (-3, "-3")])
def test_letter_out_of_range(n: int, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        vi.letter(n)


# ---------------------------------------------------------------------------- filters


def test_filters_names() -> None:
    expected = {
        "ngay": vi.format_date,
        "ngay_ngan": vi.short_date,
        "so": vi.format_number,
        "ty_le": vi.format_percent,
        "bang_chu": vi.number_to_words,
        "tien_bang_chu": vi.amount_in_words,
        "la_ma": vi.roman,
        "chu_cai": vi.letter,
    }
    assert expected == vi.FILTERS
    assert all(name in (vi.__doc__ or "") for name in vi.FILTERS)


def test_filters_in_jinja() -> None:
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(vi.FILTERS)
    template = env.from_string(
        "{{ d | ngay }}; {{ d | ngay_ngan }}; {{ n | so }}; {{ a | ty_le(t) }}; "
        "{{ a | ty_le(t, 2) }}; {{ m | bang_chu }}; {{ m | tien_bang_chu }}; "
        "{{ 4 | la_ma }}.{{ 5 | chu_cai }}"
    )
    out = template.render(d=date(2023, 3, 7), n=8684, a=3992, t=8684, m=1250000)
    assert out == (
        "ngày 07 tháng 3 năm 2023; 07/3/2023; 8.684; 46,0%; 45,97%; "
        "một triệu hai trăm năm mươi nghìn; Một triệu hai trăm năm mươi nghìn đồng; IV.đ"
    )


@settings(max_examples=300)
@given(st.integers(-10**9, 10**9), st.integers(1, 10**9), st.integers(0, 4))
def test_percent_of_counts_equals_exact_decimal_path(part: int, whole: int, digits: int) -> None:
    fast = vi.percent(part, whole, digits)
    exact = vi.percent(Decimal(part), Decimal(whole), digits)
    assert (fast, str(fast)) == (exact, str(exact))


@settings(max_examples=400)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**12, max_value=10**12,
                   places=6), st.integers(0, 4))
def test_format_number_decimal_path_equals_exact_path(value: Decimal, digits: int) -> None:
    from fractions import Fraction

    exact = vi.formatting._round_half_up(Fraction(value), digits)
    text = f"{abs(exact):.{digits}f}"
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    expected = ("-" if exact < 0 else "") + (f"{grouped},{frac}" if frac else grouped)
    assert vi.format_number(value, digits) == expected


def test_today_is_the_date_in_vietnam_whatever_the_machines_time_zone() -> None:
    """A server on UTC (or anywhere) dates documents by the clock in Vietnam: 26 hours apart,
    machines at UTC-12 and UTC+14 never share a calendar date, yet agree on ``vi.today()``."""
    import subprocess
    import sys

    def dates(zone: str) -> tuple[str, str]:
        code = ("import datetime, vn_union_docs.vi as vi; "
                "print(vi.today().isoformat(), datetime.date.today().isoformat())")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={**os.environ, "TZ": zone}).stdout.split()
        return out[0], out[1]

    for _ in range(2):  # a second try if Vietnam's midnight fell between the two runs
        west, east = dates("WEST+12"), dates("EAST-14")  # POSIX: UTC-12, UTC+14
        if west[0] == east[0]:
            break
    assert west[0] == east[0]
    assert west[1] != east[1]  # the machines' own dates differ: the test can tell them apart
    assert west[0] == datetime.now(timezone(timedelta(hours=7))).date().isoformat()
