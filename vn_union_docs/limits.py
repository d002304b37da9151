"""Limits on what one input may cost: every spec, template, spreadsheet and .docx gets an
answer in bounded time and memory.

Specs come from web forms, templates from other offices, spreadsheets from anyone. Each
limit below has a default that no real document comes near; an office that needs more raises
one limit, never all of them:

* per call: ``with limits.using(yaml_aliases=500): load_document(...)``;
* by environment variable: ``VN_UNION_DOCS_LIMIT_YAML_ALIASES=500`` (batch workers inherit it);
* on the command line: ``vn-union-docs --limit yaml_aliases=500 render ...``.

Going over a limit raises ``LimitError`` (exit code 1), whose message names the limit, the
key, cell or part that went over it, and how to raise it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vn_union_docs.errors import Problem, SpecError

ENV_PREFIX = "VN_UNION_DOCS_LIMIT_"


@dataclass(frozen=True)
class Limits:
    """Every limit, with its default. Sizes are in bytes or characters as named."""

    spec_bytes: int = 5_000_000
    """Size of one spec file (YAML or JSON)."""
    nesting_depth: int = 64
    """Nesting of mappings and lists in a spec (JSON, YAML or a dict given in Python)."""
    yaml_aliases: int = 100
    """Alias references (``*name``) in one YAML spec."""
    spec_nodes: int = 200_000
    """Values in one spec once YAML aliases are expanded (a "billion laughs" file is refused
    before it is built)."""
    number_digits: int = 40
    """Digits of one number in a spec or cell (a sum of money has fewer than 20)."""
    field_chars: int = 1_000_000
    """Characters of one field after its placeholders are filled (the body included)."""
    document_chars: int = 4_000_000
    """Characters of all the fields of one document together."""
    jinja_range: int = 10_000
    """Items of one ``range()`` in a placeholder or template."""
    jinja_calls: int = 1_000_000
    """Function, macro and method calls while rendering one field or template part."""
    jinja_seconds: float = 10.0
    """Wall time of rendering one field or template part (checked at each call and output)."""
    jinja_output_chars: int = 20_000_000
    """Characters one template part (``word/document.xml`` …) may render to."""
    archive_entries: int = 2_000
    """Entries of one .docx template, XLSX spreadsheet or checked .docx."""
    archive_entry_bytes: int = 200_000_000
    """Uncompressed size of one entry of such an archive."""
    archive_total_bytes: int = 500_000_000
    """Uncompressed size of all the entries of such an archive together."""
    archive_ratio: int = 200
    """Compression ratio (uncompressed ÷ compressed) of one entry larger than 1 MB."""
    data_bytes: int = 200_000_000
    """Size of one JSON or YAML batch data file (read whole, unlike CSV and XLSX)."""
    spreadsheet_rows: int = 1_000_000
    """Data rows of one batch data file (CSV, XLSX, JSON or YAML)."""
    cell_chars: int = 100_000
    """Characters of one spreadsheet cell."""
    check_paragraphs: int = 100_000
    """Paragraphs ``check`` reads from one .docx."""

    @classmethod
    def names(cls) -> list[str]:
        """The limit names, in the order above."""
        return [f.name for f in dataclasses.fields(cls)]

    def replace(self, **changes: Any) -> Limits:
        """A copy with some limits changed (values given as text are parsed)."""
        return dataclasses.replace(self, **{k: _parse(k, v) for k, v in changes.items()})


def _parse(name: str, value: Any) -> Any:
    fields = {f.name: f for f in dataclasses.fields(Limits)}
    if name not in fields:
        raise LimitError(problems=[Problem(name, (
            f"không có giới hạn «{name}»; các giới hạn: {', '.join(fields)}"))], limit=name)
    kind = float if fields[name].type in ("float", float) else int
    try:
        number = kind(str(value).replace("_", "")) if isinstance(value, str) else kind(value)
    except (TypeError, ValueError):
        raise LimitError(problems=[Problem(name, (
            f"giá trị «{value}» của giới hạn «{name}» phải là một số dương"))],
            limit=name) from None
    if number <= 0:
        raise LimitError(problems=[Problem(name, (
            f"giá trị «{value}» của giới hạn «{name}» phải là một số dương"))], limit=name)
    return number


def from_environment(environ: Mapping[str, str] | None = None) -> Limits:
    """The defaults, changed by ``VN_UNION_DOCS_LIMIT_<NAME>`` variables."""
    environ = os.environ if environ is None else environ
    changes = {name: environ[ENV_PREFIX + name.upper()] for name in Limits.names()
               if ENV_PREFIX + name.upper() in environ}
    return Limits().replace(**changes) if changes else Limits()


_ACTIVE: contextvars.ContextVar[Limits | None] = contextvars.ContextVar(
    "vn_union_docs_limits", default=None)
_FROM_ENVIRONMENT: Limits | None = None


def current() -> Limits:
    """The limits in force: those of the innermost ``using`` block, else the environment's
    (read once; call ``reload`` after changing ``os.environ`` in a running process)."""
    global _FROM_ENVIRONMENT
    active = _ACTIVE.get()
    if active is not None:
        return active
    if _FROM_ENVIRONMENT is None:
        _FROM_ENVIRONMENT = from_environment()
    return _FROM_ENVIRONMENT


def reload() -> None:
    """Read the ``VN_UNION_DOCS_LIMIT_*`` variables again at the next ``current()``."""
    global _FROM_ENVIRONMENT
    _FROM_ENVIRONMENT = None


@contextlib.contextmanager
def using(limits: Limits | None = None, **changes: Any) -> Iterator[Limits]:
    """Run a block under other limits: ``with using(yaml_aliases=500): ...``."""
    chosen = (limits or current()).replace(**changes)
    token = _ACTIVE.set(chosen)
    try:
        yield chosen
    finally:
        _ACTIVE.reset(token)


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``["yaml_aliases=500"]`` → ``{"yaml_aliases": 500}``, checked (``--limit`` options)."""
    changes: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep:
            raise LimitError(problems=[Problem("--limit", (
                f"«{item}» phải có dạng TÊN=GIÁ_TRỊ, ví dụ yaml_aliases=500"))], limit=name)
        changes[name] = _parse(name, value.strip())
    return changes


def apply_to_environment(changes: Mapping[str, Any]) -> None:
    """Put ``changes`` into ``os.environ`` so this process and its workers use them."""
    for name, value in changes.items():
        os.environ[ENV_PREFIX + name.upper()] = str(value)
    reload()


class LimitError(SpecError):
    """An input went over one of the limits (exit code 1).

    ``problems`` name the key, cell or part; ``limit`` the limit's name.
    """

    exit_code = 1

    def __init__(self, message: str = "", problems: Iterable[Problem] = (),
                 limit: str = "") -> None:
        super().__init__(message, problems)
        self.limit = limit


def number(value: float) -> str:
    """``1.000.000``: a number as Vietnamese text groups its digits."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:g}"


def how_to_raise(name: str) -> str:
    """The sentence every limit message ends with."""
    return (f"nếu văn bản thật cần hơn, nâng giới hạn bằng --limit {name}=… hoặc biến môi "
            f"trường {ENV_PREFIX}{name.upper()}")


def limit_error(name: str, where: str, what: str, *, source: str | None = None,
                row: int | None = None) -> LimitError:
    """A ``LimitError`` for limit ``name`` at ``where`` (key, cell or part): ``what`` says
    what went over (``"có 120 bí danh YAML"``)."""
    message = f"{what}, vượt giới hạn {name} = {number(getattr(current(), name))}"
    return LimitError(problems=[Problem(where, f"{message}; {how_to_raise(name)}", source, row)],
                      limit=name)


def readme_table() -> str:
    """The Markdown table of every limit, its default and its variable (in the README)."""
    import ast
    import inspect

    docs: dict[str, str] = {}
    tree = ast.parse(inspect.getsource(Limits))
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            docs[node.target.id] = " ".join(str(after.value.value).split())
    defaults = Limits()
    lines = ["| limit | default | what it bounds | environment variable |",
             "| --- | --- | --- | --- |"]
    for name in Limits.names():
        value = getattr(defaults, name)
        shown = f"{value:_}" if isinstance(value, int) else str(value)
        lines.append(f"| `{name}` | {shown} | {docs.get(name, '')} | "
                     f"`{ENV_PREFIX}{name.upper()}` |")
    return "\n".join(lines)
