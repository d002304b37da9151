"""The command line: a thin layer over the library (typer + rich), speaking Vietnamese.

Exit status: 0 all went well, 1 some input was bad, 2 a usage error. A user's mistake never
prints a Python traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vn_union_docs import __version__, limits
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


def _limits(values: list[str] | None) -> list[str] | None:
    if values:
        try:
            limits.apply_to_environment(limits.parse_assignments(values))
        except limits.LimitError as exc:
            raise typer.BadParameter(str(exc)) from None
    return values


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="In phiên bản rồi thoát.")] = False,
    limit: Annotated[list[str] | None, typer.Option(
        "--limit", callback=_limits, metavar="TÊN=GIÁ_TRỊ",
        help="Nâng một giới hạn chống dữ liệu độc hại, ví dụ --limit yaml_aliases=500 "
        "(danh sách trong README, mục Giới hạn).")] = None,
) -> None:
    """vn-union-docs: văn bản Công đoàn đúng thể thức, tạo hàng loạt."""


from vn_union_docs.cli.batch import batch_command  # noqa: E402 (after the app exists)
from vn_union_docs.cli.check import check_command  # noqa: E402
from vn_union_docs.cli.errors import handled  # noqa: E402
from vn_union_docs.cli.register import register_app  # noqa: E402
from vn_union_docs.cli.render import render_command  # noqa: E402
from vn_union_docs.cli.schema import schema_command  # noqa: E402
from vn_union_docs.cli.serve import serve_command  # noqa: E402
from vn_union_docs.cli.sign import sign_command  # noqa: E402
from vn_union_docs.cli.template import template_app  # noqa: E402
from vn_union_docs.cli.unicode import unicode_command  # noqa: E402

app.command("render")(handled(render_command, "render"))
app.command("batch")(handled(batch_command, "batch"))
app.command("check")(handled(check_command, "check"))
app.command("schema")(handled(schema_command, "schema"))
app.command("serve")(handled(serve_command, "serve"))
app.command("unicode")(handled(unicode_command, "unicode"))
app.command("sign")(handled(sign_command, "sign"))
app.add_typer(template_app, name="template")
app.add_typer(register_app, name="register")


def main() -> None:
    """Entry point of the ``vn-union-docs`` command."""
    app()
