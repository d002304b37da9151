"""``vn-union-docs unicode``: a TCVN3 (.VnTime) file converted to Unicode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vn_union_docs.cli.output import console, err_console
from vn_union_docs.files import write_atomic
from vn_union_docs.vi import legacy


def unicode_command(
    source: Annotated[Path, typer.Argument(metavar="TỆP",
                                           help="Tệp văn bản gõ bằng bảng mã TCVN3 (.VnTime).",
                                           show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="TỆP_MỚI",
                                      help="Tệp Unicode sẽ ghi ra.")],
) -> None:
    """Chuyển một tệp (spec YAML/JSON, CSV) từ bảng mã TCVN3 (.VnTime) sang Unicode."""
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


