"""The command line's one error policy: a library error is printed for the clerk (every
problem of a ``SpecError`` on its own line) and the command exits with the error class's
``exit_code``; never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.markup import escape

from vn_union_docs.cli.output import err_console
from vn_union_docs.errors import SpecError, UsageError, VnUnionDocsError

P = ParamSpec("P")
R = TypeVar("R")


def report(error: VnUnionDocsError, *, command: str | None = None) -> typer.Exit:
    """Print ``error`` for the clerk and return the ``typer.Exit`` carrying its exit code."""
    if isinstance(error, SpecError):
        err_console.print("[bold red]Dữ liệu chưa hợp lệ:[/]")
        lines = [str(problem) for problem in error.problems] or [error.message]
        for line in lines:
            err_console.print(f"  [red]✗[/red] {escape(line)}")
    elif isinstance(error, UsageError) or error.exit_code == UsageError.exit_code:
        err_console.print(f"[bold red]Lỗi cách dùng:[/] {escape(str(error))}")
        if command:
            err_console.print(f"Xem hướng dẫn: vn-union-docs {command} --help")
    else:
        err_console.print(f"[bold red]Lỗi:[/] {escape(str(error))}")
    return typer.Exit(error.exit_code)


def handled(command: Callable[P, R], name: str | None = None) -> Callable[P, R]:
    """Wrap a command so that any ``VnUnionDocsError`` it raises goes through ``report``."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except VnUnionDocsError as error:
            raise report(error, command=name) from None

    return wrapper
