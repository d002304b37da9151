"""Rows for a batch: CSV, XLSX, JSON or YAML, streamed row by row.

``read_rows(path)`` returns a ``RowSource``: an object that can be iterated more than once
(a batch reads its rows twice: names first, documents second) and yields
``(row_number, {column: value})`` where ``row_number`` is the row as the spreadsheet shows
it (header = row 1; for JSON/YAML the 1-based position in the list).

Cells are read as the clerk typed them. A text cell stays a string (``05`` keeps its zero,
surrounding spaces are dropped, an empty cell is ``None``) except:

- a plain Vietnamese number without a leading zero (``1.619``, ``63,3``, ``1619``) becomes an
  ``int`` or a ``Decimal`` (``vi.parse_number``);
- a date ``07/3/2023`` (or ``2023-03-07``) becomes a ``datetime.date`` (``vi.parse_date``).

XLSX numbers become ``int`` or ``Decimal`` (15 significant digits, as Excel shows them: no
float noise) and XLSX dates become ``datetime.date``.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from vn_union_docs import limits
from vn_union_docs.archives import check_file
from vn_union_docs.documents.reading import check_cell, check_tree, check_yaml_events, load_json
from vn_union_docs.errors import Problem, SpecError
from vn_union_docs.vi.cells import convert_text

__all__ = ["RowSource", "convert_text", "read_rows"]

Row = dict[str, Any]


class BadRow(dict[str, Any]):
    """A row with cells the library cannot take (control characters, over a limit …), as
    ``RowSource.reporting_bad_cells`` yields it: ``problems`` name each cell, and the batch
    reports the row and goes on."""

    problems: list[Problem]

# A plain Vietnamese number: no leading zero, "." groups thousands, "," is the decimal mark.

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_JSON_SUFFIXES = {".json"}
_YAML_SUFFIXES = {".yaml", ".yml"}


def _convert_value(value: object) -> object:
    """Normalise a typed value (XLSX cell, JSON/YAML item) to the types a batch uses."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return convert_text(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer():
            return int(value)
        # Excel keeps 15 significant digits: 63.3, never 63.29999999999999.
        return Decimal(format(value, ".15g"))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date()
        return value
    return value


def _column_letter(index: int) -> str:
    """0-based column index → spreadsheet letter (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class RowSource:
    """Rows of a data file; iterate it (as often as needed) for ``(row_number, dict)``.

    The file is read lazily and streamed: nothing but the current row is held in memory
    (JSON and YAML files are parsed whole, being lists of objects).
    """

    def __init__(self, path: str | Path, *, sheet: str | None = None) -> None:
        self.path = Path(path)
        self.sheet = sheet
        suffix = self.path.suffix.lower()
        if suffix in _CSV_SUFFIXES:
            self.kind = "csv"
        elif suffix in _XLSX_SUFFIXES:
            self.kind = "xlsx"
        elif suffix in _JSON_SUFFIXES:
            self.kind = "json"
        elif suffix in _YAML_SUFFIXES:
            self.kind = "yaml"
        else:
            raise self._error(
                "",
                f"không đọc được tệp dữ liệu loại “{self.path.suffix or '(không đuôi)'}”: "
                "dùng .csv, .xlsx, .json hoặc .yaml",
            )
        if sheet is not None and self.kind != "xlsx":
            raise self._error("", "chỉ tệp .xlsx mới có trang tính (--sheet)")
        if not self.path.is_file():
            raise self._error("", "không tìm thấy tệp dữ liệu")
        self._encoding: str | None = None
        self._delimiter: str | None = None
        self._bad_rows_inline = False

    def __repr__(self) -> str:
        return f"RowSource({str(self.path)!r}, sheet={self.sheet!r})"

    def reporting_bad_cells(self) -> RowSource:
        """This source, where a row with a bad cell comes as a ``BadRow`` instead of raising
        ``SpecError`` (a batch reports that row and goes on with the others)."""
        reporting = copy.copy(self)
        reporting._bad_rows_inline = True
        return reporting

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        if self.kind == "csv":
            return self._iter_csv()
        if self.kind == "xlsx":
            return self._iter_xlsx()
        return self._iter_list()

    @property
    def columns(self) -> list[str]:
        """The column names (header row), read from the file."""
        if self.kind == "csv":
            with self._open_csv() as handle:
                header_row, cells = next(self._csv_records(handle), (1, []))
                return self._header(cells, header_row)
        names: dict[str, None] = {}
        for _, row in self:
            names.update(dict.fromkeys(row))
            if self.kind == "xlsx":
                break
        return list(names)

    # -- errors -------------------------------------------------------------------------

    def _error(self, column: str, message: str, row: int | None = None) -> SpecError:
        return SpecError(problems=[Problem(column, message, str(self.path), row)])

    def _header(self, cells: Sequence[object], row: int, offset: int = 0) -> list[str]:
        """Column names from the header cells: stripped, NFC, none empty, none repeated."""
        names = [
            unicodedata.normalize("NFC", "" if cell is None else str(cell).strip().lstrip("\ufeff"))
            for cell in cells
        ]
        while names and not names[-1]:
            names.pop()  # trailing empty header cells: unused columns
        if not names:
            raise self._error("", "không có dòng tiêu đề (tên cột) ở đầu tệp", row)
        seen: dict[str, int] = {}
        problems = []
        for index, name in enumerate(names):
            letter = _column_letter(index + offset)
            if not name:
                problems.append(
                    Problem(f"cột {letter}", "cột không có tên ở dòng tiêu đề",
                            str(self.path), row)
                )
            elif name in seen:
                first = _column_letter(seen[name] + offset)
                problems.append(
                    Problem(name, f"tên cột bị trùng (cột {first} và cột {letter})",
                            str(self.path), row)
                )
            else:
                seen[name] = index
        if problems:
            raise SpecError(problems=problems)
        return names

    def _row(self, names: list[str], values: list[object], row: int, offset: int = 0) -> Row:
        """Pair converted cell values with the column names."""
        if len(values) > len(names):
            for index in range(len(names), len(values)):
                if values[index] is not None:
                    raise self._error(
                        f"cột {_column_letter(index + offset)}",
                        "ô có dữ liệu nhưng cột không có tên ở dòng tiêu đề",
                        row,
                    )
        current = limits.current()
        if row > current.spreadsheet_rows + 1:
            raise limits.limit_error("spreadsheet_rows", "", f"bảng tính có hơn {row - 1} dòng",
                                     source=str(self.path), row=row)
        result = dict.fromkeys(names)
        cell_chars = current.cell_chars
        problems: list[Problem] = []
        for name, value in zip(names, values, strict=False):
            if not (type(value) is str and len(value) <= cell_chars and value.isprintable()):
                try:  # the slow path: ints, odd text
                    check_cell(value, name, str(self.path), row)
                except SpecError as error:
                    if not self._bad_rows_inline:
                        raise
                    problems += error.problems
            result[name] = value
        if problems:
            bad = BadRow(result)
            bad.problems = problems
            return bad
        return result

    # -- CSV ----------------------------------------------------------------------------

    def _detect(self) -> None:
        """Detect encoding (UTF-16 by its BOM, UTF-8 strictly, else Windows-1258) and
        delimiter, once. A UTF-8 file with a broken byte is refused with its line (read as
        Windows-1258 it would turn into legacy-looking text on every row)."""
        if self._encoding is not None:
            return
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        encoding = "utf-8-sig"
        with self.path.open("rb") as raw:
            head = raw.read(65536)
            chunk, offset = head, 0
            try:
                if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    encoding = "utf-16"  # Excel's «Unicode Text»
                    chunk = b""
                while chunk:
                    decoder.decode(chunk)
                    offset += len(chunk)
                    chunk = raw.read(1 << 20)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                bad = max(0, offset + error.start - len(decoder.getstate()[0]))
                line, ascii_before = self._line_at(bad)
                if not ascii_before:  # letters already read as UTF-8: a broken byte
                    raise self._error("", (
                        f"tệp không phải UTF-8 hợp lệ: byte 0x{error.object[error.start]:02X} "
                        f"ở dòng {line} (byte thứ {bad + 1} của tệp); mở tệp, sửa chỗ đó rồi lưu "
                        "lại dạng CSV UTF-8"), line) from None
                encoding = "cp1258"
        text = head.decode(encoding, errors="replace")
        self._encoding = encoding
        self._delimiter = _sniff_delimiter(text)

    def _open_csv(self) -> IO[str]:
        self._detect()
        assert self._encoding is not None
        return self.path.open(encoding=self._encoding, newline="")

    def _csv_records(self, handle: IO[str]) -> Iterator[tuple[int, list[str]]]:
        """(record number, cells) for every non-empty record; record 1 is the header."""
        reader = csv.reader(handle, delimiter=self._delimiter or ",")
        nfc = self._encoding == "cp1258"
        try:
            for number, cells in enumerate(reader, start=1):
                if not any(cell.strip() for cell in cells):
                    continue
                if nfc:  # Windows-1258 writes tone marks as combining characters
                    cells = [unicodedata.normalize("NFC", cell) for cell in cells]
                yield number, cells
        except csv.Error as error:
            raise self._error("", f"tệp CSV hỏng: {error}", reader.line_num) from None
        except UnicodeDecodeError as error:  # a byte Windows-1258 does not define
            line = self._line_of_byte(error.object[error.start])
            raise self._error("", (
                f"tệp không phải UTF-8 cũng không phải Windows-1258: byte "
                f"0x{error.object[error.start]:02X} ở dòng {line} không đọc được bằng bảng mã "
                "nào; lưu lại tệp dạng CSV UTF-8"), line) from None

    def _line_at(self, offset: int) -> tuple[int, bool]:
        """The line of the file's byte ``offset``, and whether every byte before it is ASCII
        (read in blocks: the bad byte of a big file may come late)."""
        line, ascii_only, left = 1, True, offset
        with self.path.open("rb") as raw:
            while left > 0 and (block := raw.read(min(left, 1 << 20))):
                line += block.count(b"\n")
                ascii_only = ascii_only and block.isascii()
                left -= len(block)
        return line, ascii_only

    def _line_of_byte(self, value: int) -> int:
        """The line of the file where byte ``value`` first occurs (read in blocks)."""
        line = 1
        with self.path.open("rb") as raw:
            while block := raw.read(1 << 20):
                where = block.find(bytes([value]))
                if where >= 0:
                    return line + block.count(b"\n", 0, where)
                line += block.count(b"\n")
        return line

    def count(self) -> tuple[int, int]:
        """(number of data rows, row number of the last one), reading the file once without
        converting any cell."""
        count = last = 0
        if self.kind == "csv":
            with self._open_csv() as handle:
                records = self._csv_records(handle)
                if next(records, None) is not None:
                    for number, _ in records:
                        count, last = count + 1, number
            return count, last
        for number, _ in self:
            count, last = count + 1, number
        return count, last

    def iter_after(self, row: int) -> Iterator[tuple[int, Row]]:
        """The rows after row number ``row`` (a resumed batch); a CSV's earlier rows are
        skipped without converting their cells."""
        if self.kind == "csv":
            return self._iter_csv(after=row)
        return ((number, cells) for number, cells in self if number > row)

    def _iter_csv(self, after: int = 0) -> Iterator[tuple[int, Row]]:
        with self._open_csv() as handle:
            records = self._csv_records(handle)
            first = next(records, None)
            if first is None:
                return
            names = self._header(list(first[1]), first[0])
            for number, cells in records:
                if number <= after:
                    continue
                values = [convert_text(cell) for cell in cells]
                yield number, self._row(names, values, number)

    # -- XLSX ---------------------------------------------------------------------------

    def _iter_xlsx(self) -> Iterator[tuple[int, Row]]:
        check_file(self.path, what="bảng tính")  # before any reader inflates it
        try:
            import python_calamine
        except ImportError:  # pragma: no cover - optional fast reader
            yield from self._iter_xlsx_openpyxl()
            return
        yield from self._iter_xlsx_calamine(python_calamine)

    def _sheet_missing(self, names: list[str]) -> SpecError:
        listed = ", ".join(f"“{name}”" for name in names)
        return self._error(
            "--sheet", f"không có trang tính “{self.sheet}”; tệp có: {listed}"
        )

    def _iter_xlsx_calamine(self, calamine: Any) -> Iterator[tuple[int, Row]]:
        try:
            book = calamine.CalamineWorkbook.from_path(str(self.path))
        except Exception as error:
            raise self._error("", f"không đọc được tệp Excel: {error}") from None
        try:
            if self.sheet is None:
                sheet = book.get_sheet_by_index(0)
            elif self.sheet in book.sheet_names:
                sheet = book.get_sheet_by_name(self.sheet)
            else:
                raise self._sheet_missing(list(book.sheet_names))
            # Rows are yielded from row 1; columns from the first used one.
            offset = sheet.start[1] if sheet.start else 0
            yield from self._xlsx_rows(sheet.iter_rows(), offset, empty="")
        finally:
            book.close()

    def _iter_xlsx_openpyxl(self) -> Iterator[tuple[int, Row]]:
        import openpyxl

        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:
            raise self._error("", f"không đọc được tệp Excel: {error}") from None
        try:
            if self.sheet is None:
                sheet = book.worksheets[0]
            elif self.sheet in book.sheetnames:
                sheet = book[self.sheet]
            else:
                raise self._sheet_missing(book.sheetnames)
            rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
            yield from self._xlsx_rows(rows, 0, empty=None)
        finally:
            book.close()

    def _xlsx_rows(
        self, rows: Iterator[Any], offset: int, *, empty: object
    ) -> Iterator[tuple[int, Row]]:
        names: list[str] | None = None
        lead = 0  # empty columns left of the header
        for number, cells in enumerate(rows, start=1):
            values = [None if cell == empty else _convert_value(cell) for cell in cells]
            if all(value is None for value in values):
                continue
            if names is None:
                lead = next(i for i, value in enumerate(values) if value is not None)
                names = self._header(
                    [int(c) if isinstance(c, float) and c.is_integer() else c
                     for c in cells[lead:]],
                    number,
                    offset + lead,
                )
                continue
            for index in range(min(lead, len(values))):
                if values[index] is not None:
                    raise self._error(
                        f"cột {_column_letter(index + offset)}",
                        "ô có dữ liệu nhưng cột không có tên ở dòng tiêu đề",
                        number,
                    )
            values = values[lead:]
            while values and values[-1] is None:
                values.pop()
            yield number, self._row(names, values, number, offset + lead)

    # -- JSON / YAML ------------------------------------------------------------------------

    def _iter_list(self) -> Iterator[tuple[int, Row]]:
        items = self._load_list()
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise self._error(
                    "", "mỗi phần tử của danh sách phải là một đối tượng {cột: giá trị}", number
                )
            row: Row = {}
            for key, value in item.items():
                name = unicodedata.normalize("NFC", str(key).strip())
                if not name:
                    raise self._error("", "có khóa rỗng", number)
                if name in row:
                    raise self._error(name, "khóa bị trùng", number)
                row[name] = _convert_value(value)
            yield number, row

    def _load_list(self) -> list[Any]:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise self._error("", "tệp JSON/YAML phải mã hóa UTF-8") from None
        try:
            if self.kind == "json":
                data = load_json(text, str(self.path), size_limit="data_bytes")
            else:
                from ruamel.yaml import YAML

                check_yaml_events(text, str(self.path), size_limit="data_bytes")
                data = YAML(typ="safe", pure=True).load(io.StringIO(text))
            rows = data if isinstance(data, list) else [data]
            if len(rows) > limits.current().spreadsheet_rows:
                raise limits.limit_error("spreadsheet_rows", "", f"tệp có {len(rows)} dòng",
                                         source=str(self.path))
            for number, item in enumerate(rows, start=1):
                check_tree(item, str(self.path), row=number)  # column names, row numbers
        except SpecError:
            raise
        except Exception as error:
            raise self._error("", f"tệp {self.kind.upper()} hỏng: {error}") from None
        if data is None:
            return []
        if not isinstance(data, list):
            raise self._error("", "tệp phải chứa một danh sách các đối tượng {cột: giá trị}")
        return data


def _sniff_delimiter(text: str) -> str:
    """Comma or semicolon (or tab): the one that splits the header line into most cells."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    counts = {}
    for delimiter in (";", ",", "\t"):
        cells = next(csv.reader([first], delimiter=delimiter), [])
        counts[delimiter] = len(cells)
    best = max(counts.values())
    candidates = [d for d, n in counts.items() if n == best]
    if best > 1 and len(candidates) == 1:
        return candidates[0]
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=";,\t").delimiter
    except csv.Error:
        return ","


def read_rows(path: str | Path, *, sheet: str | None = None) -> RowSource:
    """Open a data file (CSV, XLSX, JSON or YAML) as a re-iterable stream of rows.

    ``sheet`` picks an XLSX sheet by name (default: the first). Raises ``SpecError`` for an
    unknown file type or a missing file at once, and for a bad header (an empty or repeated
    column name) or a broken file when iterated.
    """
    return RowSource(path, sheet=sheet)
