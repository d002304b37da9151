"""``vn-union-docs check FILE_OR_DIR...``: report the slips in spec files and .docx files, and
the digital signatures of PDFs (``--trust CA.pem`` to verify the signers' certificates).

A thin layer over :func:`vn_union_docs.checker.check`. A folder means the .yaml, .yml, .json,
.docx and .pdf files directly inside it. Exit status: 0 no error (warnings allowed), 1 some error,
2 a usage error (a path that does not exist, a file of another kind). The lead's ``cli.py``
registers it: ``app.command("check")(check_command)``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from vn_union_docs.checker import (
    DOCX_SUFFIX,
    PDF_SUFFIX,
    SPEC_SUFFIXES,
    Finding,
    unreadable_finding,
)
from vn_union_docs.checker import check as check_document
from vn_union_docs.errors import UsageError

__all__ = ["OutputFormat", "check", "check_command"]

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_SUFFIXES = (*SPEC_SUFFIXES, DOCX_SUFFIX, PDF_SUFFIX)
_SEVERITY = {"error": ("lỗi", "bold red"), "warning": ("cảnh báo", "yellow"),
             "info": ("thông tin", "blue")}


class OutputFormat(StrEnum):
    """Output of ``check``: lines for people, or JSON for other systems."""

    text = "text"
    json = "json"


def _files(paths: list[Path], err: Console) -> list[Path]:
    """The files to check, in the order given (a folder's files sorted by name)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err.print(f"Không tìm thấy: {', '.join(missing)}")
        raise typer.Exit(EXIT_USAGE)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in _SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
        elif path.suffix.lower() in _SUFFIXES:
            files.append(path)
        else:
            err.print(
                f"Không kiểm tra được «{path}»: chỉ nhận tệp .yaml, .yml, .json, .docx, .pdf "
                "hoặc thư mục chứa chúng."
            )
            raise typer.Exit(EXIT_USAGE)
    return files


def _check_file(path: Path, trust: list[Path]) -> list[Finding]:
    try:
        return check_document(path, trust_roots=trust)
    except Exception as exc:  # never a traceback for a user's file
        return [unreadable_finding(f"{type(exc).__name__}: {exc}")]


def _trust_roots(paths: list[Path]) -> list[Path]:
    """The ``--trust`` files, each checked to be a readable certificate (usage error if not)."""
    if not paths:
        return []
    from vn_union_docs.signing import load_trust_roots

    for path in paths:
        try:
            load_trust_roots([path])
        except Exception:  # missing, unreadable, not a certificate
            raise UsageError(f"--trust {path}: không đọc được chứng thư gốc (tệp PEM hoặc DER "
                             "của tổ chức chứng thực).") from None
    return paths


def _print_text(results: list[tuple[Path, list[Finding]]], out: Console) -> None:
    errors = warnings = 0
    for path, findings in results:
        n_err = sum(f.severity == "error" for f in findings)
        n_warn = sum(f.severity == "warning" for f in findings)
        errors, warnings = errors + n_err, warnings + n_warn
        head = Text(str(path), style="bold")
        if n_err or n_warn:
            head.append(f": {n_err} lỗi, {n_warn} cảnh báo")
        elif findings:  # information only (a PDF's signatures, all sound)
            head.append(": không thấy lỗi", style="green")
        else:
            head.append(": không thấy lỗi", style="green")
        out.print(head)
        for f in findings:
            label, style = _SEVERITY.get(f.severity, (f.severity, ""))
            line = Text("  ")
            line.append(f"{label:<8}", style=style)
            line.append(f" [{f.rule}] ", style="dim")
            line.append(f"{f.place}: ", style="cyan")
            line.append(f.message)
            line.append(f" ({f.source})", style="dim")
            out.print(line)
    out.print(
        f"Tổng cộng: {errors} lỗi, {warnings} cảnh báo trong {len(results)} tệp."
    )


def check(
    paths: Annotated[list[Path], typer.Argument(
        help="Tệp dữ liệu văn bản (.yaml, .yml, .json), tệp .docx, hoặc thư mục chứa chúng.",
        show_default=False)],
    format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Cách in kết quả: text (cho người đọc) hoặc json.",
        case_sensitive=False)] = OutputFormat.text,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", help="Chứng thư gốc tin cậy (PEM/DER) để xác minh chữ ký số trong PDF; "
        "dùng nhiều lần cho nhiều tổ chức chứng thực.", show_default=False)] = None,
) -> None:
    """Kiểm tra thể thức và số liệu của tệp dữ liệu văn bản, tệp .docx (cả tệp soạn tay) và
    chữ ký số trong tệp PDF (NĐ 30/2020, Điều 5)."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    roots = _trust_roots(trust or [])
    envelopes = [p for p in paths if p.suffix.lower() == ".edxml"]
    if envelopes:  # edXML envelopes: signature and header (vn_union_docs.exchange)
        from vn_union_docs.cli.register import check_envelopes

        sound = check_envelopes(envelopes)
        paths = [p for p in paths if p not in envelopes]
        if not paths:
            raise typer.Exit(EXIT_OK if sound else EXIT_ERRORS)
        if not sound:
            check(paths, format, trust)
            raise typer.Exit(EXIT_ERRORS)
    files = _files(paths, err)
    if not files:
        err.print("Không có tệp .yaml, .yml, .json, .docx hoặc .pdf nào để kiểm tra.")
    results = [(path, _check_file(path, roots)) for path in files]
    if format is OutputFormat.json:
        rows = [{"file": str(path), **f.to_dict()} for path, findings in results for f in findings]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _print_text(results, out)
    if any(f.severity == "error" for _, findings in results for f in findings):
        raise typer.Exit(EXIT_ERRORS)


check_command = check
