"""The command line: a thin layer over the library (typer + rich), speaking Vietnamese.

Exit status: 0 all went well, 1 some input was bad, 2 a usage error. A user's mistake never
prints a Python traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vn_union_docs import __version__
from vn_union_docs.cli import locale as cli_locale
from vn_union_docs.cli.output import console

app = typer.Typer(
    name="vn-union-docs",
    help="Soạn công văn, kế hoạch, thông báo của tổ chức Công đoàn đúng thể thức (NĐ 30/2020, "
    "QĐ 933/QĐ-TLĐ) từ tệp dữ liệu YAML/JSON hoặc bảng tính.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": cli_locale.HELP_OPTION_NAMES},
)

cli_locale.install()


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


from vn_union_docs.cli.batch import batch_command  # noqa: E402 (after the app exists)
from vn_union_docs.cli.check import check_command  # noqa: E402
from vn_union_docs.cli.errors import handled  # noqa: E402
from vn_union_docs.cli.render import render_command  # noqa: E402
from vn_union_docs.cli.schema import schema_command  # noqa: E402
from vn_union_docs.cli.template import template_app  # noqa: E402
from vn_union_docs.cli.unicode import unicode_command  # noqa: E402

app.command("render")(handled(render_command, "render"))
app.command("batch")(handled(batch_command, "batch"))
app.command("check")(handled(check_command, "check"))
app.command("schema")(handled(schema_command, "schema"))
app.command("unicode")(handled(unicode_command, "unicode"))
app.add_typer(template_app, name="template")


def main() -> None:
    """Entry point of the ``vn-union-docs`` command."""
    app()
