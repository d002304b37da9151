"""Where the command line prints: results on stdout, problems on stderr (rich consoles)."""

from __future__ import annotations

from rich.console import Console

from vn_union_docs.errors import SpecError

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_spec_error(error: SpecError) -> None:
    """Print every problem of a ``SpecError`` on its own line."""
    for problem in error.problems:
        err_console.print(f"  [red]✗[/red] {problem}", markup=True, soft_wrap=True)
