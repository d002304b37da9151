"""Reading batch rows: CSV (UTF-8 ± BOM, Windows-1258; comma or semicolon), XLSX, JSON, YAML."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from vn_union_docs.batch.source import RowSource, read_rows
from vn_union_docs.errors import SpecError
from vn_union_docs.vi.cells import convert_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "batch"

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks combining."""
    out = []
    for cluster in re.findall(r".[\u0300-\u036f]*", unicodedata.normalize("NFD", text), re.S):
        base = "".join(ch for ch in cluster if ch not in _TONES)
        tones = "".join(ch for ch in cluster if ch in _TONES)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05", "05"),  # a leading zero is a code, not a number
        ("0101", "0101"),
        ("1.619", 1619),
        ("1619", 1619),
        ("63,3", Decimal("63.3")),
        ("12.345,67", Decimal("12345.67")),
        ("0", 0),
        ("0,5", Decimal("0.5")),
        ("-5", -5),
        ("1.5", "1.5"),  # not Vietnamese notation: stays as typed
        ("1,619.5", "1,619.5"),
        ("07/3/2023", dt.date(2023, 3, 7)),
        ("2023-03-07", dt.date(2023, 3, 7)),
        ("31/02/2023", "31/02/2023"),  # no such day: kept as typed
        ("  Công đoàn  ", "Công đoàn"),
        ("", None),
        ("   ", None),
        ("0912345678", "0912345678"),
        ("a*b*", "a*b*"),
    ],
)
def test_convert_text(text: str, expected: object) -> None:
    value = convert_text(text)
    assert value == expected
    assert type(value) is type(expected)


def test_convert_text_normalises_nfd() -> None:
    assert convert_text(unicodedata.normalize("NFD", "Công đoàn")) == "Công đoàn"


def test_csv_utf8_bom_semicolon(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        " ma ;ten;so;ty_le;ngay\r\n05;CĐCS A;1.619;63,3;07/3/2023\r\n;;;;\r\n"
        '"x;y";"B, C";2;;\r\n',
        encoding="utf-8-sig",
    )
    rows = read_rows(path)
    assert rows.columns == ["ma", "ten", "so", "ty_le", "ngay"]
    assert list(rows) == [
        (2, {"ma": "05", "ten": "CĐCS A", "so": 1619, "ty_le": Decimal("63.3"),
             "ngay": dt.date(2023, 3, 7)}),
        (4, {"ma": "x;y", "ten": "B, C", "so": 2, "ty_le": None, "ngay": None}),
    ]
    assert list(rows) == list(rows)  # re-iterable


def test_csv_comma_without_bom_multiline_cell(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('ma,ten\n1,"dòng một\ndòng hai"\n2,"63,3"\n', encoding="utf-8")
    assert list(read_rows(path)) == [
        (2, {"ma": 1, "ten": "dòng một\ndòng hai"}),
        (3, {"ma": 2, "ten": Decimal("63.3")}),  # record 3, although it is line 4
    ]


def test_csv_windows_1258(tmp_path: Path) -> None:
    name = "Công đoàn Trường Tiểu học Nguyễn Văn Trỗi; Đặng Thị Ánh"
    path = tmp_path / "d.csv"
    path.write_bytes(cp1258(f"mã;tên\r\n0101;{name.replace(';', ',')}\r\n"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    rows = list(read_rows(path))
    assert rows == [(2, {"mã": "0101", "tên": name.replace(";", ",")})]
    assert unicodedata.is_normalized("NFC", rows[0][1]["tên"])


def test_csv_fewer_cells_are_none_extra_cells_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b,c\n1\n1,2,3,4\n", encoding="utf-8")
    rows = iter(read_rows(path))
    assert next(rows) == (2, {"a": 1, "b": None, "c": None})
    with pytest.raises(SpecError) as caught:
        next(rows)
    problem = caught.value.problems[0]
    assert (problem.row, problem.path) == (3, "cột D")


@pytest.mark.parametrize(
    ("header", "column", "words"),
    [("a;b;a", "a", "trùng"), ("a;;c", "cột B", "không có tên"), (" x ;x", "x", "trùng")],
)
def test_bad_headers(tmp_path: Path, header: str, column: str, words: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(f"{header}\n1;2;3\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        list(read_rows(path))
    problem = caught.value.problems[0]
    assert problem.path == column
    assert words in problem.message
    assert problem.row == 1
    assert str(path) in str(caught.value)


def test_trailing_empty_header_cells_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a;b;;\n1;2;;\n", encoding="utf-8")
    assert list(read_rows(path)) == [(2, {"a": 1, "b": 2})]


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="loại"):
        read_rows(tmp_path / "d.ods")
    with pytest.raises(SpecError, match="không tìm thấy"):
        read_rows(tmp_path / "d.csv")


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet["A1"] = "ghi chú"  # the header is the first non-empty row
    sheet["A1"] = None
    sheet.append([])
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = (
        "ma", " ten ", "so", "ty_le", "ngay")
    sheet.append([None, "05", "CĐCS A", 1619, 63.3, dt.datetime(2023, 3, 7)])
    sheet.append([None, "x", "1.619", 0.1 + 0.2, 1e20, dt.datetime(2023, 3, 7, 8, 30)])
    sheet.append([None, "07/3/2023", None, True, None, None])
    other = book.create_sheet("Khác")
    other.append(["a"])
    other.append([1])
    book.save(path)
    return path


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_xlsx(tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "openpyxl":
        monkeypatch.setitem(sys.modules, "python_calamine", None)
    else:
        pytest.importorskip("python_calamine")
    path = _xlsx(tmp_path / "d.xlsx")
    rows = list(read_rows(path))
    assert rows == [
        (4, {"ma": "05", "ten": "CĐCS A", "so": 1619, "ty_le": Decimal("63.3"),
             "ngay": dt.date(2023, 3, 7)}),
        (5, {"ma": "x", "ten": 1619, "so": Decimal("0.3"), "ty_le": 10**20,
             "ngay": dt.datetime(2023, 3, 7, 8, 30)}),
        (6, {"ma": dt.date(2023, 3, 7), "ten": None, "so": True, "ty_le": None, "ngay": None}),
    ]
    assert type(rows[0][1]["so"]) is int
    assert list(read_rows(path, sheet="Khác")) == [(2, {"a": 1})]
    with pytest.raises(SpecError) as caught:
        list(read_rows(path, sheet="Không có"))
    assert "Tổng hợp" in str(caught.value) and caught.value.problems[0].path == "--sheet"


def test_xlsx_empty_header_names_the_sheet_column(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C5"], sheet["E5"], sheet["C6"] = "a", "b", 1
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(SpecError) as caught:
        list(read_rows(tmp_path / "d.xlsx"))
    assert (caught.value.problems[0].path, caught.value.problems[0].row) == ("cột D", 5)


def test_sheet_only_for_xlsx(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(SpecError, match="xlsx"):
        read_rows(tmp_path / "d.csv", sheet="x")


def test_json_and_yaml(tmp_path: Path) -> None:
    items = [{" ma ": "05", "so": "1.619", "ty_le": 63.3, "n": 3, "ds": ["a", "b"]},
             {"ma": "06", "so": None}]
    (tmp_path / "d.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "d.yaml").write_text(
        "- ma: '05'\n  so: 1.619\n  ngay: 2023-03-07\n- {ma: '06', so: '63,3'}\n",
        encoding="utf-8",
    )
    assert list(read_rows(tmp_path / "d.json")) == [
        (1, {"ma": "05", "so": 1619, "ty_le": Decimal("63.3"), "n": 3, "ds": ["a", "b"]}),
        (2, {"ma": "06", "so": None}),
    ]
    assert list(read_rows(tmp_path / "d.yaml")) == [
        (1, {"ma": "05", "so": Decimal("1.619"), "ngay": dt.date(2023, 3, 7)}),
        (2, {"ma": "06", "so": Decimal("63.3")}),
    ]


def test_json_must_be_a_list_of_objects(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(SpecError, match="danh sách"):
        list(read_rows(tmp_path / "d.json"))
    (tmp_path / "e.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        list(read_rows(tmp_path / "e.json"))
    assert caught.value.problems[0].row == 1


def test_example_csv_and_xlsx_hold_the_same_rows() -> None:
    csv_rows = list(read_rows(EXAMPLES / "cdcs.csv"))
    assert len(csv_rows) >= 30
    assert csv_rows == list(read_rows(EXAMPLES / "cdcs.xlsx"))
    raw = (EXAMPLES / "cdcs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
    assert isinstance(read_rows(EXAMPLES / "cdcs.csv"), RowSource)


def test_example_xlsx_is_reproducible(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_xlsx
    finally:
        sys.path.remove(str(EXAMPLES))
    assert make_xlsx.build() == (EXAMPLES / "cdcs.xlsx").read_bytes()


_HEADER = "ma;ten\n"


def test_a_utf16_csv_is_read_by_its_bom(tmp_path: Path) -> None:
    # Excel's «Unicode Text» (a review: the header came out as «ÿ₫m a _ …», exit 2).
    path = tmp_path / "u16.csv"
    path.write_text(_HEADER + "0101;Công đoàn phường An Khánh\n", encoding="utf-16")
    assert [cells for _, cells in read_rows(path)] == [
        {"ma": "0101", "ten": "Công đoàn phường An Khánh"}]


def test_a_utf8_csv_with_one_broken_byte_names_its_line(tmp_path: Path) -> None:
    # Read as Windows-1258 it became legacy-looking text on every row (a review).
    path = tmp_path / "bad.csv"
    path.write_bytes((_HEADER + "0101;Công đoàn A\n").encode() + b"0102;C\xa0ng\n")
    with pytest.raises(SpecError) as caught:
        list(read_rows(path))
    (problem,) = caught.value.problems
    assert problem.row == 3 and "UTF-8" in problem.message and "0xA0" in problem.message


def test_a_byte_no_encoding_defines_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    # 0x9D is in the UTF-8 of «Hùng» and undefined in Windows-1258 (a review: a traceback).
    path = tmp_path / "bad.csv"
    path.write_bytes(cp1258(_HEADER + "0101;Trần\n") + b"0102;Tr\x9d\n")
    with pytest.raises(SpecError) as caught:
        list(read_rows(path))
    (problem,) = caught.value.problems
    assert problem.row == 3 and "0x9D" in problem.message
