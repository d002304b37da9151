"""The command line: a thin layer over the library (typer + rich), speaking Vietnamese.

Exit status: 0 all went well, 1 some input was bad, 2 a usage error. A user's mistake never
prints a Python traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vn_union_docs import __version__, cli_locale
from vn_union_docs.errors import SpecError, VnUnionDocsError
from vn_union_docs.models import DOCUMENT_ADAPTER
from vn_union_docs.render import render_docx
from vn_union_docs.spec import load_document, spec_files

app = typer.Typer(
    name="vn-union-docs",
    help="Soạn công văn, kế hoạch, thông báo của tổ chức Công đoàn đúng thể thức (NĐ 30/2020, "
    "QĐ 933/QĐ-TLĐ) từ tệp dữ liệu YAML/JSON hoặc bảng tính.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

cli_locale.install()

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"vn-union-docs {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="In phiên bản rồi thoát.")] = False,
) -> None:
    """vn-union-docs: văn bản Công đoàn đúng thể thức, tạo hàng loạt."""


def print_spec_error(error: SpecError) -> None:
    """Print every problem of a ``SpecError`` on its own line."""
    for problem in error.problems:
        err_console.print(f"  [red]✗[/red] {problem}", markup=True, soft_wrap=True)


@app.command("render")
def render_command(
    specs: Annotated[list[Path], typer.Argument(
        help="Tệp dữ liệu văn bản (.yaml, .yml, .json) hoặc thư mục chứa chúng.",
        show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi tệp .docx.")],
    template: Annotated[Path | None, typer.Option(
        "--template", help="Mẫu .docx riêng thay cho mẫu mặc định.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Ghi thêm bản PDF (cần LibreOffice).")] = False,
    pdfa: Annotated[bool, typer.Option("--pdfa", help="PDF/A để lưu trữ, ký số.")] = False,
) -> None:
    """Tạo tệp .docx (và PDF) từ các tệp dữ liệu văn bản."""
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
            render_docx(doc, target, template=template)
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
        console.print(f"[green]✓[/green] {spec} → {target}")
    if (pdf or pdfa) and written:
        from vn_union_docs.pdf import convert_to_pdf

        try:
            for path in convert_to_pdf(written, out, pdfa=pdfa):
                console.print(f"[green]✓[/green] {path}")
        except VnUnionDocsError as exc:
            err_console.print(f"[red]✗ PDF[/red]: {exc}")
            raise typer.Exit(1) from None
    console.print(f"Đã tạo {len(written)} văn bản, {failed} lỗi.")
    raise typer.Exit(1 if failed else 0)


@app.command("unicode")
def unicode_command(
    source: Annotated[Path, typer.Argument(help="Tệp văn bản gõ bằng bảng mã TCVN3 (.VnTime).",
                                           show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp Unicode sẽ ghi ra.")],
) -> None:
    """Chuyển một tệp (spec YAML/JSON, CSV) từ bảng mã TCVN3 (.VnTime) sang Unicode."""
    from vn_union_docs import legacy
    from vn_union_docs.files import write_atomic

    if not source.is_file():
        err_console.print(f"Không tìm thấy: {source}")
        raise typer.Exit(2)
    raw = source.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # .VnTime files saved by old editors
    encoding = legacy.detect(text)
    if encoding is None:
        err_console.print(f"{source}: không thấy dấu hiệu bảng mã TCVN3; tệp có vẻ đã là Unicode.")
        raise typer.Exit(1)
    if encoding == "VNI":
        err_console.print(f"{source}: tệp dùng bảng mã VNI; hãy chuyển bằng Unikey (nguồn VNI "
                          "Windows, đích Unicode).")
        raise typer.Exit(1)
    if legacy.has_unicode_vietnamese(text):
        err_console.print(f"{source}: tệp trộn chữ Unicode và TCVN3; chuyển riêng phần TCVN3 "
                          "(Unikey: Công cụ chuyển mã) để không làm hỏng phần đã đúng.")
        raise typer.Exit(1)
    write_atomic(out, legacy.from_tcvn3(text).encode("utf-8"))
    console.print(f"[green]✓[/green] {source} (TCVN3) → {out} (Unicode)")


@app.command("schema")
def schema_command() -> None:
    """In JSON Schema của tệp dữ liệu văn bản (cho VS Code và các trình soạn thảo)."""
    schema = DOCUMENT_ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "vn-union-docs spec"
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")


def _register_optional() -> None:
    from vn_union_docs.cli_batch import batch_command
    from vn_union_docs.cli_check import check_command
    from vn_union_docs.cli_sign import sign_command
    from vn_union_docs.cli_template import template_app

    app.command("batch")(batch_command)
    app.command("check")(check_command)
    app.command("sign")(sign_command)
    app.add_typer(template_app, name="template")


_register_optional()


def main() -> None:
    """Entry point of the ``vn-union-docs`` command."""
    app()
