"""``vn-union-docs render``: .docx (and PDF) from spec files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vn_union_docs.cli import pdf_signing as ps
from vn_union_docs.cli.output import console, err_console, print_spec_error
from vn_union_docs.cli.register import DocumentWriter, RegisterOption
from vn_union_docs.documents.spec import load_document, spec_files
from vn_union_docs.errors import SpecError, VnUnionDocsError


@ps.signing_options
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
    *,
    signing: ps.PdfSigning,  # the signing options (cli/pdf_signing.py)
) -> None:
    """Tạo tệp .docx (và PDF, ký số được ngay) từ các tệp dữ liệu văn bản.

    Mã thoát: 0 tạo được mọi văn bản; 1 có văn bản lỗi (văn bản đó không được ghi, các văn
    bản khác vẫn được tạo), không chuyển được PDF hoặc không ký được; 2 dùng lệnh sai.
    """
    with signing:  # the key is opened once, before any work
        _render(specs, out, template, pdf or signing.active, pdfa, register, signing)


def _render(specs: list[Path], out: Path, template: Path | None, pdf: bool, pdfa: bool,
            register: str | None, signing: ps.PdfSigning) -> None:
    # Imported here: every command of the CLI is loaded at start, and a batch's main
    # process (which only reads rows) need not hold the rendering stack.
    from vn_union_docs.rendering.pdf import convert_to_pdf
    from vn_union_docs.rendering.render import render_docx

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
    signers: dict[str, tuple[str | None, str]] = {}  # file stem → the signer's title, name
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
        signers[target.stem] = _signer(doc)
        console.print(f"[green]✓[/green] {spec} → {target}{numbered}")
    writer.close()
    if (pdf or pdfa) and written:
        try:
            pdfs = convert_to_pdf(written, out, pdfa=pdfa)
        except VnUnionDocsError as exc:
            err_console.print(f"[red]✗ PDF[/red]: {exc}")
            raise typer.Exit(1) from None
        for path in pdfs:
            done = ""
            if signing.active:
                title, name = signers.get(path.stem, (None, ""))
                try:
                    done = f" ({signing.apply(path, title=title, name=name or None)})"
                except VnUnionDocsError as exc:  # the unsigned PDF stays, reported
                    failed += 1
                    err_console.print(f"[red]✗ {path}[/red]: {exc}")
                    continue
            console.print(f"[green]✓[/green] {path}{done}")
    console.print(f"Đã tạo {len(written)} văn bản, {failed} lỗi.")
    raise typer.Exit(1 if failed else 0)


def _signer(doc: object) -> tuple[str | None, str]:
    """The line above the signature (the title, else the last authority line) and the name,
    as the PDF prints them: where NĐ 30/2020, Phụ lục I, II.7.d puts the signer's image."""
    block = getattr(doc, "signature", None)
    if block is None:
        return None, ""
    title = block.title or (block.capacity[-1] if block.capacity else None)
    return title, block.name
