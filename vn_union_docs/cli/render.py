"""``vn-union-docs render``: .docx (and PDF) from spec files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vn_union_docs.cli.output import console, err_console, print_spec_error
from vn_union_docs.cli.register import DocumentWriter, RegisterOption
from vn_union_docs.documents.spec import load_document, spec_files
from vn_union_docs.errors import SpecError, VnUnionDocsError
from vn_union_docs.rendering.pdf import convert_to_pdf
from vn_union_docs.rendering.render import render_docx


def render_command(
    specs: Annotated[list[Path], typer.Argument(
        help="Tệp dữ liệu văn bản (.yaml, .yml, .json) hoặc thư mục chứa chúng.",
        metavar="TỆP_HOẶC_THƯ_MỤC", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="THƯ_MỤC",
                                      help="Thư mục ghi tệp .docx.")],
    template: Annotated[Path | None, typer.Option(
        "--template", "-t", metavar="TỆP_HOẶC_THƯ_MỤC",
        help="Mẫu .docx riêng thay cho mẫu mặc định, hoặc một thư mục mẫu: mỗi văn bản dùng "
        "mẫu khai báo cho loại của nó.", show_default=False)] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Ghi thêm bản PDF (cần LibreOffice).")] = False,
    pdfa: Annotated[bool, typer.Option("--pdfa", help="PDF/A để lưu trữ, ký số.")] = False,
    register: RegisterOption = None,
) -> None:
    """Tạo tệp .docx (và PDF) từ các tệp dữ liệu văn bản.

    Mã thoát: 0 tạo được mọi văn bản; 1 có văn bản lỗi (văn bản đó không được ghi, các văn
    bản khác vẫn được tạo) hoặc không chuyển được PDF; 2 dùng lệnh sai.
    """
    missing = [str(p) for p in specs if not p.exists()]
    if missing:
        err_console.print(f"Không tìm thấy: {', '.join(missing)}")
        raise typer.Exit(2)
    files = spec_files(specs)
    if not files:
        err_console.print("Không có tệp .yaml, .yml hoặc .json nào để tạo văn bản.")
        raise typer.Exit(2)
    written: list[Path] = []
    failed = 0
    taken: dict[str, Path] = {}
    writer = DocumentWriter(register)  # numbers and records documents when a register is used
    for spec in files:
        target = out / f"{spec.stem}.docx"
        first = taken.setdefault(target.name.casefold(), spec)
        if first != spec:  # a.yaml and a.json (or A.YML) would write the same file
            failed += 1
            err_console.print(f"[red]✗ {spec}[/red]: trùng tên tệp kết quả {target.name} với "
                              f"{first}; đổi tên một trong hai tệp")
            continue
        try:
            doc = load_document(spec)
            numbered = writer.write(doc, target, lambda d: render_docx(d, template=template))
        except SpecError as exc:
            failed += 1
            err_console.print(f"[red]✗ {spec}[/red]: dữ liệu chưa hợp lệ")
            print_spec_error(exc)
            continue
        except VnUnionDocsError as exc:
            failed += 1
            err_console.print(f"[red]✗ {spec}[/red]: {exc}")
            continue
        written.append(target)
        console.print(f"[green]✓[/green] {spec} → {target}{numbered}")
    writer.close()
    if (pdf or pdfa) and written:
        try:
            for path in convert_to_pdf(written, out, pdfa=pdfa):
                console.print(f"[green]✓[/green] {path}")
        except VnUnionDocsError as exc:
            err_console.print(f"[red]✗ PDF[/red]: {exc}")
            raise typer.Exit(1) from None
    console.print(f"Đã tạo {len(written)} văn bản, {failed} lỗi.")
    raise typer.Exit(1 if failed else 0)


