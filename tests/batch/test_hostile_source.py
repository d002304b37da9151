"""Issue 14, items 2 and 4 for batch data: spreadsheets bounded before they are inflated,
every cell refused with its column and row when it cannot be printed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from vn_union_docs import limits
from vn_union_docs.batch.source import read_rows
from vn_union_docs.errors import SpecError
from vn_union_docs.limits import LimitError


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_with_a_huge_cell_is_refused_before_inflating(tmp_path: Path) -> None:
    # The 1 GB cell, scaled: a hand-made sheet whose one cell inflates 1000-fold
    # (Excel and openpyxl stop at 32 767 characters; an attacker does not).
    made = xlsx(tmp_path / "made.xlsx", [["ten"], ["a" * 100]])
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(made) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"a" * 100, b"a" * 8_000_000)
            new.writestr(name, data)
    with pytest.raises(LimitError) as info:
        list(read_rows(path))
    assert info.value.limit == "archive_ratio"
    assert info.value.problems[0].path.startswith("xl/")


def test_long_cell_names_its_column_and_row(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "long.xlsx", [["ten", "so"], ["ngắn", 1], ["x" * 3000, 2]])
    with limits.using(cell_chars=2000), pytest.raises(LimitError) as info:
        list(read_rows(path))
    problem = info.value.problems[0]
    assert (info.value.limit, problem.path, problem.row) == ("cell_chars", "ten", 3)


def test_too_many_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("ten\n" + "".join(f"r{i}\n" for i in range(30)), encoding="utf-8")
    with limits.using(spreadsheet_rows=20), pytest.raises(LimitError) as info:
        list(read_rows(path))
    assert info.value.limit == "spreadsheet_rows" and info.value.problems[0].row == 22


def test_xlsx_entry_count(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "ok.xlsx", [["ten"], ["a"]])
    with zipfile.ZipFile(path) as archive:
        entries = len(archive.namelist())
    with limits.using(archive_entries=entries - 1), pytest.raises(LimitError):
        list(read_rows(path))
    assert list(read_rows(path)) == [(2, {"ten": "a"})]


def test_lone_surrogate_in_a_name_cell_names_column_and_row(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text('[{"ten": "ok"}, {"ten": "x\\ud800y"}]', encoding="utf-8")
    with pytest.raises(SpecError) as info:
        list(read_rows(path))
    problem = info.value.problems[0]
    assert (problem.path, problem.row) == ("ten", 2) and "U+D800" in problem.message


def test_json_rows_with_duplicate_keys_and_big_numbers(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('[{"ten": "a", "ten": "b"}]', encoding="utf-8")
    with pytest.raises(SpecError, match="hai lần"):
        list(read_rows(path))
    path.write_text(json.dumps([{"so": 1}]).replace("1", "9" * 5000), encoding="utf-8")
    with pytest.raises(LimitError):
        list(read_rows(path))


def test_csv_number_too_long_to_print(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("so\n" + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(LimitError) as info:
        list(read_rows(path))
    assert info.value.problems[0].path == "so"
