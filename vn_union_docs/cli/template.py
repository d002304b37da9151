"""``vn-union-docs template``: export the default templates for editing, check a template.

Exit status: 0 no error (warnings allowed), 1 the template has errors, 2 a usage error
(missing file, unknown ``--type``, refusing to overwrite).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES
from vn_union_docs.errors import TemplateError

if TYPE_CHECKING:  # the authoring tools (python-docx, docxtpl) load when a command runs
    from vn_union_docs.authoring import TemplateFinding

template_app = typer.Typer(
    name="template",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Mẫu văn bản (.docx): xuất mẫu mặc định ra để sửa, kiểm tra một mẫu.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console(highlight=False, soft_wrap=True)  # no hard wraps: paths stay whole
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


DocType = StrEnum("DocType", {t: t for t in DOC_TYPE_NAMES})  # type: ignore[misc]
"""Document types a template can be checked for (every ND30 type)."""


@template_app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="Thư mục ghi các mẫu.", metavar="THƯ_MỤC",
                                              show_default=False)],
    force: Annotated[bool, typer.Option("--force", "-f",
                                        help="Ghi đè tệp đã có trong thư mục.")] = False,
) -> None:
    """Xuất các mẫu mặc định, mỗi mẫu trình bày một tệp (và HUONG-DAN-MAU.md), để sửa trong Word."""
    from vn_union_docs.authoring import export_templates

    try:
        written = export_templates(directory, overwrite=force)
    except TemplateError as exc:
        err_console.print(f"[red]✗[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    except OSError as exc:
        err_console.print(f"[red]✗[/red] không ghi được vào «{escape(str(directory))}»: "
                          f"{escape(exc.strerror or str(exc))}")
        raise typer.Exit(2) from None
    for path in written:
        console.print(f"[green]✓[/green] {escape(str(path))}")
    console.print("Sửa mẫu xong, kiểm tra bằng: vn-union-docs template check TỆP.docx "
                  "--type cong_van")


def _print_finding(finding: TemplateFinding) -> None:
    error = finding.severity == "error"
    head = "[red]✗ lỗi[/red]" if error else "[yellow]! cảnh báo[/yellow]"
    where = f" — [bold]{escape(finding.where)}[/bold]" if finding.where else ""
    console.print(f"{head}{where}: {escape(finding.message)}")
    if finding.excerpt:
        console.print(f"    [dim]văn bản quanh đó:[/dim] «{escape(finding.excerpt)}»")


@template_app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="Mẫu .docx cần kiểm tra.", metavar="TỆP",
                                         show_default=False)],
    doc_type: Annotated[DocType | None, typer.Option(
        "--type", "-t", help="Loại văn bản mẫu dùng cho (để biết mẫu cần những phần nào).",
        case_sensitive=False)] = None,
) -> None:
    """Kiểm tra một mẫu .docx: báo mọi lỗi, mỗi lỗi kèm vị trí tìm được trong Word."""
    from vn_union_docs.authoring import check_template, summary_line

    if not file.is_file():
        err_console.print(f"[red]✗[/red] không tìm thấy tệp «{escape(str(file))}»")
        raise typer.Exit(2)
    kind = doc_type.value if doc_type else None
    try:
        findings = check_template(file, kind)
    except TemplateError as exc:
        err_console.print(f"[red]✗[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    suffix = f" (cho {DOC_TYPE_NAMES[kind]})" if kind else ""
    console.print(f"Kiểm tra mẫu «{escape(str(file))}»{suffix}")
    for finding in findings:
        _print_finding(finding)
    errors = any(f.severity == "error" for f in findings)
    colour = "red" if errors else "green"
    console.print(f"[{colour}]{escape(summary_line(findings))}[/{colour}]")
    raise typer.Exit(1 if errors else 0)
