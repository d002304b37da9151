"""``vn-union-docs batch``: one document per row of a spreadsheet, for clerks.

A thin layer over :func:`vn_union_docs.batch.generate`: it checks the arguments, shows a
progress bar on a terminal, prints a one-line summary and the bad rows, and exits with
0 (all good), 1 (some input bad) or 2 (a usage error). A user's mistake never shows a
Python traceback. The lead's ``cli.py`` registers it: ``app.command("batch")(batch_command)``.
"""

from __future__ import annotations

import contextlib
import itertools
import shlex
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from vn_union_docs import vi
from vn_union_docs.batch import BatchReport, generate
from vn_union_docs.batch.outputs import DEFAULT_BUNDLE_SIZE
from vn_union_docs.cli import pdf_signing as ps
from vn_union_docs.cli.register import RegisterOption, print_numbers

__all__ = ["batch_command"]

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
_SHOWN_FAILURES = 20
_DATA_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json", ".yaml", ".yml"}


class _RateColumn(ProgressColumn):
    """Documents per second, in Vietnamese."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("… vb/giây", style="progress.data.speed")
        return Text(f"{_num(speed)} vb/giây", style="progress.data.speed")


def _num(value: float, digits: int = 0) -> str:
    return vi.format_number(Decimal(repr(round(value, digits))), digits=digits)


def _usage(console: Console, message: str) -> typer.Exit:
    console.print(f"[bold red]Lỗi cách dùng:[/] {escape(message)}")
    console.print("Xem hướng dẫn: vn-union-docs batch --help")
    return typer.Exit(EXIT_USAGE)


def _summary(report: BatchReport) -> str:
    parts = [f"Đã tạo {_num(report.written_count)} văn bản"]
    if report.skipped_count:
        parts.append(f"bỏ qua {_num(report.skipped_count)} tệp đã có")
    parts.append(f"{_num(report.failed_row_count)} dòng lỗi")
    parts.append(f"{_num(report.seconds, 1)} giây")
    parts.append(f"{_num(report.docs_per_second)} văn bản/giây")
    text = ", ".join(parts) + f" → {report.out_dir}"
    if len(report.bundles) > 1:
        text += f"; {len(report.bundles)} tệp gộp: {report.bundles[0].name} … " \
                f"{report.bundles[-1].name}"
    return text


def resume_command(argv: list[str] | None = None) -> str:
    """The command line that continues this run: the same one with ``--skip-existing``."""
    args = list(sys.argv if argv is None else argv)
    program = Path(args[0]).name if args else "vn-union-docs"
    if program in ("__main__.py", "-m"):
        program = "vn-union-docs"
    rest = args[1:]
    if "--skip-existing" not in rest:
        rest.append("--skip-existing")
    return shlex.join([program, *rest])


class _LogProgress:
    """Progress as plain lines on a log (stderr not a terminal): every 30 seconds."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.last = self.started
        self.first_done: int | None = None

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.first_done is None:
            self.first_done = done
        if now - self.last < 30 or done >= total:
            return
        self.last = now
        rate = (done - self.first_done) / max(now - self.started, 1e-9)
        eta = (total - done) / rate if rate > 0 else 0
        self.console.print(
            f"Đang tạo văn bản: {_num(done)}/{_num(total)} dòng, {_num(rate)} vb/giây, "
            f"còn khoảng {_duration(eta)}")


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} giờ {minutes:02d} phút"
    if minutes:
        return f"{minutes} phút {secs:02d} giây"
    return f"{secs} giây"


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl+C but exiting 143 (128 + 15), as shells expect."""


def _raise_interrupt(signum: int, frame: object) -> None:
    raise _Terminated


@ps.signing_options
def batch_command(
    spec: Annotated[
        Path,
        typer.Argument(
            help="Tệp spec (.yaml/.json) của văn bản; các chỗ {{ tên_cột }} lấy từ từng dòng.",
            show_default=False,
        ),
    ],
    data: Annotated[
        Path,
        typer.Argument(
            help="Tệp dữ liệu: .csv (UTF-8 hoặc Windows-1258, dấu phẩy hoặc chấm phẩy), "
            ".xlsx, .json hoặc .yaml; dòng 1 là tên cột.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Thư mục ghi các văn bản.", show_default=False),
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Mẫu tên tệp theo cột, ví dụ \"{{ ma_cdcs }}-{{ ten_cdcs }}\" "
            "(mặc định: số dòng, như 0002); .docx được thêm vào.",
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option("--template", help="Mẫu .docx riêng (mặc định: mẫu theo loại văn bản)."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Tên trang tính trong tệp .xlsx (mặc định: trang đầu)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", help="Số tiến trình làm song song (mặc định: số lõi CPU).",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Xuất thêm PDF cho từng văn bản (cần LibreOffice).")
    ] = False,
    pdfa: Annotated[
        bool, typer.Option("--pdfa", help="Xuất PDF/A (để lưu trữ, ký số); bao gồm --pdf.")
    ] = False,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Gộp các văn bản thành tệp để in (.docx hoặc .pdf), mỗi văn bản sang "
            "trang mới, đánh số trang riêng; nhiều văn bản thì thành nhiều tệp "
            "TÊN-001.docx, TÊN-002.docx … (xem --bundle-size).",
        ),
    ] = None,
    bundle_size: Annotated[
        int,
        typer.Option("--bundle-size", help="Số văn bản tối đa trong mỗi tệp gộp.", min=1),
    ] = DEFAULT_BUNDLE_SIZE,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Kiểm tra mọi dòng trước; có dòng lỗi thì không ghi gì."),
    ] = False,
    skip_existing: Annotated[
        bool,
        typer.Option(
            "--skip-existing",
            help="Giữ các tệp đã có (chạy tiếp một lần chạy bị dừng, từ điểm đã lưu, "
            "không đọc lại các tệp đã ghi).",
        ),
    ] = False,
    register: RegisterOption = None,
    *,
    signing: ps.PdfSigning,  # signing (issue 18): options shared with render, cli/pdf_signing.py
) -> None:
    """Tạo mỗi dòng dữ liệu một văn bản .docx (ví dụ: mỗi CĐCS một công văn).

    Dòng lỗi được báo kèm số dòng (như trong Excel), cột và lý do; các dòng đúng vẫn được tạo.

    Kết quả: DIR/_manifest.csv (tệp, dòng, sha256) và DIR/_errors.csv khi có lỗi.
    Mỗi thư mục chỉ một lần chạy tại một thời điểm; bị dừng thì lệnh in ra cách chạy tiếp.

    Mã thoát: 0 tất cả đều tốt, 1 có dữ liệu lỗi, 2 dùng lệnh sai.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    console = Console(highlight=False, soft_wrap=True)

    if not spec.is_file():
        raise _usage(err, f"không tìm thấy tệp spec «{spec}»")
    if not data.is_file():
        raise _usage(err, f"không tìm thấy tệp dữ liệu «{data}»")
    if data.suffix.lower() not in _DATA_SUFFIXES:
        raise _usage(
            err, f"không đọc được tệp dữ liệu «{data.name}»: dùng .csv, .xlsx, .json hoặc .yaml"
        )
    if sheet is not None and data.suffix.lower() not in {".xlsx", ".xlsm"}:
        raise _usage(err, "--sheet chỉ dùng với tệp .xlsx")

    from vn_union_docs.batch.source import read_rows

    # --- signing (issue 18): the key is opened once, before any row is rendered ---
    signing.__enter__()
    pdf = pdf or signing.active
    # --- end signing ---

    progress: Progress | None = None
    log = None
    if err.is_terminal:
        progress = Progress(
            TextColumn("Đang tạo văn bản"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TextColumn("còn"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
    else:
        log = _LogProgress(err)
    task_id = None

    def on_progress(done: int, total: int) -> None:
        nonlocal task_id
        if log is not None:
            log.update(done, total)
        if progress is None:
            return
        if task_id is None:  # a resumed run starts at its checkpoint: the rate is this run's
            task_id = progress.add_task("batch", total=total, completed=done)
        progress.update(task_id, completed=done)

    def on_bundle(done: int, total: int) -> None:
        # Bundling comes after the documents and takes minutes for a big run: say so.
        if done == 0:
            err.print(f"Đang gộp tệp in (--bundle): {_num(total)} tệp …")
        else:
            err.print(f"  tệp in {_num(done)}/{_num(total)} xong")

    previous = None
    if hasattr(signal, "SIGTERM"):  # a stopped service or `kill` ends cleanly, like Ctrl+C
        with contextlib.suppress(ValueError):  # not the main thread
            previous = signal.signal(signal.SIGTERM, _raise_interrupt)

    try:
        rows = read_rows(data, sheet=sheet)
        if progress is not None:
            progress.start()
        try:
            report = generate(
                spec, rows, out, name=name, template=template, jobs=jobs, pdf=pdf or pdfa,
                pdfa=pdfa, bundle=bundle, bundle_size=bundle_size, strict=strict,
                skip_existing=skip_existing, on_progress=on_progress, register=register,
                on_bundle=on_bundle,
            )
        finally:
            if progress is not None:
                progress.stop()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        # --- signing (issue 18) ---
        signed: list[str] = []
        sign_failures: list[str] = []
        if signing.active:  # else no PDF is looked at (a million rows: a million stats)
            title, signer_name = ps.spec_signer(spec)
            signed, sign_failures = signing.apply_all(report.pdfs, title=title,
                                                      name=signer_name)
        # --- end signing ---
    except OSError as error:  # disk full, no permission, a folder where a file should go
        target = error.filename2 or error.filename  # a failed rename names its target second
        where = f" «{target}»" if target else ""
        reason = error.strerror or str(error)
        err.print(
            f"[bold red]Không ghi được tệp{escape(where)}:[/] {escape(reason)}. "
            "Các tệp đã ghi đều trọn vẹn; sửa lỗi rồi chạy lại với --skip-existing để làm tiếp:"
        )
        err.print(f"  {escape(resume_command())}", soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt as stop:
        err.print(
            "[yellow]Đã dừng.[/] Các tệp đã ghi đều trọn vẹn; để làm tiếp từ chỗ dừng, chạy:"
        )
        err.print(f"  {escape(resume_command())}", soft_wrap=True)
        raise typer.Exit(143 if isinstance(stop, _Terminated) else 130) from None
    finally:
        signing.__exit__()  # signing (issue 18): close the token session

    if report.failure_count:
        err.print(f"[bold red]{_num(report.failed_row_count)} dòng lỗi[/] (không tạo văn bản):")
        for failure in itertools.islice(report.iter_failed(), _SHOWN_FAILURES):
            err.print(f"  {escape(str(failure))}")
        if report.failure_count > _SHOWN_FAILURES:
            err.print(f"  … và {_num(report.failure_count - _SHOWN_FAILURES)} lỗi khác")
        if report.errors_file is not None:
            err.print(f"Danh sách đầy đủ: {escape(str(report.errors_file))}")
    for message in report.errors:
        err.print(f"[bold red]Lỗi:[/] {escape(message)}")
    if strict and report.failure_count:
        err.print("[yellow]--strict: chưa ghi văn bản nào vì có dòng lỗi.[/]")
    print_numbers(report, console, err)  # with a register, its warnings too
    if report.register is None:
        for warning in report.warnings:
            err.print(f"[yellow]Lưu ý:[/] {escape(warning)}")
    console.print(escape(_summary(report)))
    # --- signing (issue 18) ---
    for line in sign_failures:
        err.print(f"[bold red]Chưa ký:[/] {escape(line)}")
    if signed:
        console.print(f"Ký số: {len(signed)} tệp PDF "
                      f"({'ô ký trống' if signing.ready else signing.role}).")
    ok = report.ok and not sign_failures
    # --- end signing ---
    raise typer.Exit(EXIT_OK if ok else EXIT_BAD_INPUT)
