"""Build ``cdcs.xlsx`` from ``cdcs.csv``: the same CĐCS list as Excel would hold it.

Numbers become number cells (with a thousands format, as a Vietnamese clerk sees them),
codes such as ``0101`` stay text. The build is reproducible: fixed document properties and
zip time stamps, so running it again gives the same bytes.

Usage::

    python examples/batch/make_xlsx.py            # write examples/batch/cdcs.xlsx
    python examples/batch/make_xlsx.py OUT.xlsx   # write it elsewhere
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from vn_union_docs.batch.source import read_rows
from vn_union_docs.rendering.docxzip import read_zip, write_zip

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2023, 3, 7, 8, 0, 0)


def build(csv_path: Path = HERE / "cdcs.csv") -> bytes:
    """The .xlsx bytes for ``csv_path``."""
    rows = read_rows(csv_path)
    book = Workbook()
    sheet = book.active
    sheet.title = "CDCS"
    columns = rows.columns
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for _, row in rows:
        values = [float(v) if isinstance(v, Decimal) else v for v in row.values()]
        sheet.append(values)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
    widths = {"ma_cdcs": 9, "ten_cdcs": 50, "chu_tich": 24}
    for index, name in enumerate(columns):
        sheet.column_dimensions[chr(65 + index)].width = widths.get(name, 14)
    book.properties.creator = "vn-union-docs"
    book.properties.created = FIXED
    book.properties.modified = FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    parts = read_zip(buffer.getvalue())
    # openpyxl stamps "modified" with the current time on save: put the fixed one back.
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, parts["docProps/core.xml"]
    )
    return write_zip(parts)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else HERE / "cdcs.xlsx"
    out.write_bytes(build())
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
