"""The printed register (NĐ 30/2020, Điều 16.2.b; Phụ lục IV, Mục I): a cover and first page
(organisation, year, from date to date, from number to number, book number) and the ten
columns, as A4 landscape .docx for printing and binding, or as .xlsx for the office.

One book per series (a secret series, an advisory body or a per-type series is its own book).
Both files are deterministic: the same register gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vn_union_docs.documents.doc_types import DOC_TYPES
from vn_union_docs.files import write_atomic
from vn_union_docs.register.core import Entry, Register, RegisterError
from vn_union_docs.register.facts import TYPE_NAMES
from vn_union_docs.rendering.docxzip import normalize_zip

COLUMNS: tuple[tuple[str, float], ...] = (
    ("Số, ký hiệu văn bản", 25),
    ("Ngày tháng văn bản", 23),
    ("Tên loại và trích yếu nội dung văn bản", 55),
    ("Người ký", 27),
    ("Nơi nhận văn bản", 36),
    ("Đơn vị, người nhận bản lưu", 22),
    ("Số lượng bản", 15),
    ("Ngày chuyển", 16),
    ("Ký nhận", 13),
    ("Ghi chú", 20),
)
"""The Phụ lục IV columns and their widths in millimetres (252 mm: A4 landscape less margins)."""

KIND_NAMES = {"chung": "", "mat": "văn bản mật",
              **{t: info.label for t, info in DOC_TYPES.items()}}


@dataclass
class Book:
    """One printed book: a series of one year and its entries."""

    issuer_code: str
    issuer_name: str
    issuer_parent: str
    year: int
    kind: str
    number: int
    entries: list[Entry]

    @property
    def title(self) -> str:
        """``SỔ ĐĂNG KÝ VĂN BẢN ĐI`` (with the series kind when not the general one)."""
        kind = KIND_NAMES.get(self.kind, self.kind)
        return "SỔ ĐĂNG KÝ VĂN BẢN ĐI" + (f" ({kind.upper()})" if kind else "")

    @property
    def date_range(self) -> tuple[str, str]:
        dates = [e.doc_date for e in self.entries if e.doc_date]
        if not dates:
            return ("", "")
        return (f"{min(dates):%d/%m/%Y}", f"{max(dates):%d/%m/%Y}")

    @property
    def number_range(self) -> tuple[str, str]:
        if not self.entries:
            return ("", "")
        return (f"{self.entries[0].number:02d}", f"{self.entries[-1].number:02d}")

    def cover_lines(self) -> list[tuple[str, bool]]:
        """The cover's lines, each with whether it is bold."""
        first, last = self.date_range
        low, high = self.number_range
        lines = [(self.issuer_parent.upper(), False)] if self.issuer_parent else []
        lines += [(self.issuer_name.upper(), True), ("", False), (self.title, True),
                  (f"Năm: {self.year}", False),
                  (f"Từ ngày {first or '……'} đến ngày {last or '……'}", False),
                  (f"Từ số {low or '……'} đến số {high or '……'}", False),
                  (f"Quyển số: {self.number}", False)]
        return lines


def _row(entry: Entry) -> list[str]:
    type_name = TYPE_NAMES.get(entry.doc_type or "", entry.doc_type or "")
    signer = (entry.signer or "").splitlines()[-1:] or [""]
    note = ""
    if entry.state == "cancelled":
        note = f"Đã hủy số: {entry.note or ''}".strip()
    elif entry.state == "reserved":
        note = "Đã giữ số, chưa phát hành"
    return [
        entry.text,
        f"{entry.doc_date:%d/%m/%Y}" if entry.doc_date else "",
        f"{type_name}: {entry.subject}" if entry.subject else type_name,
        signer[0],
        entry.recipients or "",
        entry.archive or "",
        str(entry.copies) if entry.copies is not None else "",
        "",
        "",
        note,
    ]


def books(register: Register, year: int, issuer_code: str | None = None,
          first_book: int = 1) -> list[Book]:
    """The books of ``year`` (one per series that has entries); raises ``RegisterError``
    when the year has no entry."""
    series = [s for s in register.series_list(year)
              if issuer_code is None or s["issuer_code"] == issuer_code]
    result: list[Book] = []
    for row in series:
        entries = [e for e in register.entries(year=year, issuer_code=row["issuer_code"])
                   if e.kind == row["kind"]]
        if entries:
            result.append(Book(row["issuer_code"], row["issuer_name"] or row["issuer_code"],
                               row.get("issuer_parent") or "", year, row["kind"],
                               first_book + len(result), entries))
    if not result:
        who = f" của {issuer_code}" if issuer_code else ""
        raise RegisterError(f"sổ «{register.where}» chưa có văn bản nào{who} năm {year}")
    return result


def export(register: Register, year: int, fmt: str, out: str | Path,
           issuer_code: str | None = None, first_book: int = 1) -> Path:
    """Write the printed register of ``year`` to ``out`` (``fmt``: ``docx`` or ``xlsx``)."""
    chosen = books(register, year, issuer_code, first_book)
    if fmt == "docx":
        data = docx_bytes(chosen)
    elif fmt == "xlsx":
        data = xlsx_bytes(chosen)
    else:
        raise RegisterError(f"định dạng «{fmt}» không hỗ trợ; chọn docx hoặc xlsx")
    return write_atomic(out, data)


# --- .docx -------------------------------------------------------------------------------------


def _font(run: Any, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")


def _paragraph(container: Any, text: str, size: float, bold: bool = False,
               align: Any = None, after: float = 0) -> Any:
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        _font(run, size, bold)
        if index < len(lines) - 1:
            run.add_break()
    return paragraph


def _page_number(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def docx_bytes(chosen: Sequence[Book]) -> bytes:
    """The books as one A4 landscape .docx: each book a cover page, then its table."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = Document()
    core = document.core_properties
    core.author = core.last_modified_by = "vn-union-docs"
    core.title = "Sổ đăng ký văn bản đi"
    core.created = core.modified = dt.datetime(chosen[0].year, 1, 1)
    core.revision = 1
    center = WD_ALIGN_PARAGRAPH.CENTER
    for index, book in enumerate(chosen):
        section = document.sections[0] if index == 0 else document.add_section(
            WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        # Binding edge on the left (Điều 16.2.b: printed and bound).
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.top_margin, section.bottom_margin = Mm(20), Mm(15)
        if index == 0:
            _page_number(section)
        body = document
        _paragraph(body, "", 14, after=60)
        for text, bold in book.cover_lines():
            size = 20 if text == book.title else 14
            _paragraph(body, text, size, bold, center, after=12 if text else 36)
        body.add_page_break()
        table = body.add_table(rows=2, cols=len(COLUMNS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for col, (title, width) in enumerate(COLUMNS):
            table.columns[col].width = Mm(width)  # the grid: LibreOffice reads widths there
            for row_index, text in enumerate((title, f"({col + 1})")):
                cell = table.rows[row_index].cells[col]
                cell.width = Mm(width)
                cell.paragraphs[0].alignment = center
                _font(cell.paragraphs[0].add_run(text), 11, bold=row_index == 0)
        _repeat_header(table.rows[0])
        _repeat_header(table.rows[1])
        for entry in book.entries:
            cells = table.add_row().cells
            for col, text in enumerate(_row(entry)):
                cells[col].width = Mm(COLUMNS[col][1])
                paragraph = cells[col].paragraphs[0]
                if col in (0, 1, 6):
                    paragraph.alignment = center
                lines = text.split("\n")
                for number, line in enumerate(lines):
                    run = paragraph.add_run(line)
                    _font(run, 11)
                    if number < len(lines) - 1:
                        run.add_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


# --- .xlsx -------------------------------------------------------------------------------------


def _sheet_title(book: Book, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", f"{book.issuer_code} {book.year} {book.kind}")[:28]
    title, counter = base, 2
    while title.casefold() in taken:
        title, counter = f"{base[:26]} {counter}", counter + 1
    taken.add(title.casefold())
    return title


def xlsx_bytes(chosen: Sequence[Book]) -> bytes:
    """The books as an .xlsx workbook, one sheet per book (cover lines on top)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    fixed = dt.datetime(chosen[0].year, 1, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.properties.creator = "vn-union-docs"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()
    for book in chosen:
        sheet = workbook.create_sheet(_sheet_title(book, taken))
        lines = [text for text, _ in book.cover_lines() if text]
        for index, text in enumerate(lines, start=1):
            sheet.cell(index, 1, text).font = Font(bold=index <= 2)
        header = len(lines) + 2
        for col, (title, width) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = width * 0.55
            for offset, text in enumerate((title, f"({col})")):
                cell = sheet.cell(header + offset, col, text)
                cell.font = Font(bold=offset == 0)
                cell.alignment = Alignment(wrap_text=True, horizontal="center",
                                           vertical="center")
                cell.border = border
        for row_index, entry in enumerate(book.entries, start=header + 2):
            for col, text in enumerate(_row(entry), start=1):
                value: Any = text
                if col == 7 and text.isdigit():
                    value = int(text)
                elif col == 2 and entry.doc_date is not None:
                    value = entry.doc_date  # a real date: the office sorts and filters by it
                cell = sheet.cell(row_index, col, value)
                if col == 2:
                    cell.number_format = "DD/MM/YYYY"
                cell.alignment = wrap
                cell.border = border
        sheet.freeze_panes = sheet.cell(header + 2, 1)
        sheet.print_title_rows = f"{header}:{header + 1}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalize_zip(_fixed_core(buffer.getvalue(), fixed))


def _fixed_core(data: bytes, fixed: dt.datetime) -> bytes:
    """openpyxl stamps ``modified`` with the time of saving: put the fixed date back."""
    from vn_union_docs.rendering.docxzip import read_zip, write_zip

    parts = read_zip(data)
    core = parts.get("docProps/core.xml")
    if core is not None:
        stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        parts["docProps/core.xml"] = re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
            rb"\g<1>" + stamp + rb"\g<2>", core)
    return write_zip(parts)
