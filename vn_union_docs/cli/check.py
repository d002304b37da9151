"""``vn-union-docs check FILE_OR_DIR...``: report the slips in spec files and .docx files, and
the digital signatures of PDFs (``--trust CA.pem`` to verify the signers' certificates).

A thin layer over :func:`vn_union_docs.checker.check` (and ``check_with_data`` for
``--data``). A folder means the .yaml, .yml, .json, .docx and .pdf files directly inside it. A path
that does not exist is reported and the others are still checked. Exit status: 0 no error
(warnings allowed), 1 some error (a missing file included), 2 a usage error (a file of
another kind, a bad option).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from vn_union_docs.checker import DOCX_SUFFIX, PDF_SUFFIX, SPEC_SUFFIXES, Finding
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


def _files(paths: list[Path], err: Console) -> tuple[list[Path], list[Path]]:
    """The files to check, in the order given (a folder's files sorted by name), and the
    paths that do not exist."""
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if not path.exists():
            missing.append(path)
        elif path.is_dir():
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
    return files, missing


def _check_file(path: Path, data: Path | None = None, sheet: str | None = None,
                trust: list[Path] | None = None) -> list[Finding]:
    # Imported here: every command of the CLI is loaded at start (python-docx with the rules).
    from vn_union_docs.checker import check as check_document
    from vn_union_docs.checker import unreadable_finding
    from vn_union_docs.checker.with_data import check_with_data

    try:
        if data is not None and path.suffix.lower() in SPEC_SUFFIXES:
            return check_with_data(path, data, sheet=sheet)
        return check_document(path, trust_roots=trust or [])
    except Exception as exc:  # never a traceback for a user's file
        return [unreadable_finding(f"{type(exc).__name__}: {exc}")]


def _missing_finding() -> Finding:
    from vn_union_docs.checker import unreadable_finding

    return unreadable_finding("không tìm thấy tệp hoặc thư mục này")


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


EXIT_CODES_HELP = (
    "\n\nMã thoát: 0 không có lỗi (có thể có cảnh báo); 1 có lỗi (kể cả tệp không tìm thấy); "
    "2 dùng lệnh sai."
)


def check(
    paths: Annotated[list[Path], typer.Argument(
        metavar="TỆP_HOẶC_THƯ_MỤC",
        help="Tệp dữ liệu văn bản (.yaml, .yml, .json), tệp .docx, tệp PDF đã ký số, hoặc thư "
        "mục chứa chúng.",
        show_default=False)],
    data: Annotated[Path | None, typer.Option(
        "--data", "-d", metavar="TỆP_DỮ_LIỆU",
        help="Bảng dữ liệu của văn bản hàng loạt (.csv, .xlsx, .json, .yaml): kiểm tra từng "
        "dòng như lệnh batch sẽ tạo.", show_default=False)] = None,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", metavar="TRANG_TÍNH", help="Trang tính của tệp .xlsx (mặc định: trang đầu).",
        show_default=False)] = None,
    format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Cách in kết quả: text (cho người đọc) hoặc json.",
        case_sensitive=False)] = OutputFormat.text,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", metavar="CA.pem", help="Chứng thư gốc tin cậy (PEM/DER) để xác minh chữ ký "
        "số trong PDF; dùng nhiều lần cho nhiều tổ chức chứng thực.", show_default=False)] = None,
) -> None:
    """Kiểm tra thể thức và số liệu của tệp dữ liệu văn bản, tệp .docx (cả tệp soạn tay) và
    chữ ký số trong tệp PDF (NĐ 30/2020, Điều 5)."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    roots = _trust_roots(trust or [])
    if data is not None and not data.is_file():
        err.print(f"Không tìm thấy tệp dữ liệu «{data}» (--data).")
        raise typer.Exit(EXIT_ERRORS)
    envelopes = [p for p in paths if p.suffix.lower() == ".edxml"]
    if envelopes:  # edXML envelopes: signature and header (vn_union_docs.exchange)
        from vn_union_docs.cli.register import check_envelopes

        sound = check_envelopes(envelopes)
        paths = [p for p in paths if p not in envelopes]
        if not paths:
            raise typer.Exit(EXIT_OK if sound else EXIT_ERRORS)
        if not sound:
            check(paths, data=data, sheet=sheet, format=format, trust=trust)
            raise typer.Exit(EXIT_ERRORS)
    files, missing = _files(paths, err)
    if not files and not missing:
        err.print("Không có tệp .yaml, .yml, .json, .docx hoặc .pdf nào để kiểm tra.")
    results = [(path, _check_file(path, data, sheet, roots)) for path in files]
    results += [(path, [_missing_finding()]) for path in missing]
    if format is OutputFormat.json:
        rows = [{"file": str(path), **f.to_dict()} for path, findings in results for f in findings]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _print_text(results, out)
        if data is None and any("không có trong dữ liệu" in f.message
                                for _, findings in results for f in findings):
            out.print("Văn bản hàng loạt lấy biến từ bảng dữ liệu: kiểm tra bằng "
                      "«vn-union-docs check TỆP --data BẢNG_DỮ_LIỆU».")
    if any(f.severity == "error" for _, findings in results for f in findings):
        raise typer.Exit(EXIT_ERRORS)


check.__doc__ = (check.__doc__ or "") + EXIT_CODES_HELP


check_command = check
