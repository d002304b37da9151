"""``vn-union-docs register …``: the văn thư's register of outgoing documents.

Every command takes ``--register PATH_OR_URL``, else ``VN_UNION_DOCS_REGISTER``, else the
default file (``vn_union_docs.register.default_path()``), the one ``number: auto`` uses.
The register package (and SQLAlchemy) is imported only when a command uses a register, so
``render`` and ``batch`` without one start as fast as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table  # the audit trail

from vn_union_docs.cli.errors import handled
from vn_union_docs.cli.output import console, err_console
from vn_union_docs.errors import UsageError
from vn_union_docs.files import write_atomic

if TYPE_CHECKING:
    from vn_union_docs.register import Register

ENV_VAR = "VN_UNION_DOCS_REGISTER"  # vn_union_docs.register.ENV_VAR, without importing it

register_app = typer.Typer(
    help="Sổ đăng ký văn bản đi (NĐ 30/2020, Điều 15–16): cấp số, hủy số, khóa sổ, in sổ.",
    no_args_is_help=True,
)

RegisterOption = Annotated[str | None, typer.Option(
    "--register", metavar="TỆP_HOẶC_URL",
    help="Sổ đăng ký: tệp SQLite hoặc postgresql://…; mặc định biến môi trường "
    "VN_UNION_DOCS_REGISTER, rồi tệp mặc định.", show_default=False)]
YearOption = Annotated[int, typer.Option("--year", help="Năm của sổ.", show_default=False)]
STATES = {"reserved": "giữ số", "issued": "đã phát hành", "cancelled": "đã hủy"}


def open_register(option: str | None, *, create: bool = False,
                  numbering: str = "single") -> Register:
    """The register the command works on (see the module docstring)."""
    from vn_union_docs.register import Register, resolve

    target = resolve(option, needed=True)
    assert target is not None
    return Register(target, create=create, numbering=numbering)


def _number(text: str) -> tuple[int, str]:
    from vn_union_docs.register import parse_number

    try:
        return parse_number(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def init_command(
    register: RegisterOption = None,
    numbering: Annotated[str, typer.Option(
        "--numbering", help="single: một hệ thống số cho mọi loại văn bản; per-type: mỗi loại "
        "một hệ thống số (NĐ 30/2020, Điều 15.1.c).")] = "single",
) -> None:
    """Tạo sổ đăng ký mới (tệp SQLite hoặc cơ sở dữ liệu PostgreSQL trống)."""
    mode = numbering.replace("-", "_")
    if mode not in ("single", "per_type"):
        raise UsageError("--numbering phải là single hoặc per-type")
    with open_register(register, create=True, numbering=mode) as reg:
        if reg.numbering != mode:
            reg.set_setting("numbering", mode)
        console.print(f"[green]✓[/green] Sổ đăng ký: {escape(reg.where)} (đánh số: "
                      f"{'mỗi loại một hệ thống' if reg.numbering == 'per_type' else 'chung'})")


def list_command(
    register: RegisterOption = None,
    year: Annotated[int | None, typer.Option("--year", help="Chỉ năm này.")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Chỉ cơ quan có mã này.")] = None,
) -> None:
    """Liệt kê các số đã cấp."""
    with open_register(register) as reg:
        entries = reg.entries(year=year, issuer_code=issuer.upper() if issuer else None)
    if not entries:
        console.print("Sổ chưa có số nào" + (f" năm {year}" if year else "") + ".")
        return
    console.print(f"[bold]Sổ đăng ký văn bản đi[/bold] — {escape(reg.where)}")
    # One line per number (greppable, never cut by a narrow terminal).
    for entry in entries:
        series = "" if entry.kind == "chung" else f" [{entry.kind}]"
        state = STATES.get(entry.state, entry.state)
        if entry.state == "cancelled" and entry.note:
            state += f" ({entry.note})"
        subject = entry.subject or ""
        if len(subject) > 70:
            subject = subject[:69] + "…"
        date = f"{entry.doc_date:%d/%m/%Y}" if entry.doc_date else "          "
        file = f" → {entry.file_name}" if entry.file_name else ""
        console.print(escape(f"{entry.text}{series}  {date}  {state}: {subject}{file}"))
    console.print(f"{len(entries)} số.")


def cancel_command(
    number: Annotated[str, typer.Argument(help="Số, ký hiệu, ví dụ \"05/CĐKCN\".",
                                          show_default=False)],
    year: YearOption,
    reason: Annotated[str, typer.Option("--reason", help="Lý do hủy số.", show_default=False)],
    series: Annotated[str | None, typer.Option(
        "--series", help="Hệ thống số (chung, mat, cong_van…) khi số có ở nhiều hệ thống.")
    ] = None,
    register: RegisterOption = None,
) -> None:
    """Hủy một số đã cấp (số đã hủy không dùng lại)."""
    value, symbol = _number(number)
    with open_register(register) as reg:
        entry = reg.cancel(value, symbol, year, reason, series)
    console.print(f"[green]✓[/green] Đã hủy số {entry.text} năm {year}: {escape(reason)}")


def set_next_command(
    issuer: Annotated[str, typer.Option("--issuer", help="Mã cơ quan (phần ký hiệu), ví dụ "
                                        "CĐKCN.", show_default=False)],
    year: YearOption,
    next_number: Annotated[int, typer.Option("--next", help="Số sẽ cấp tiếp theo.",
                                             show_default=False)],
    series: Annotated[str, typer.Option(
        "--series", help="Hệ thống số: chung, mat, hoặc loại văn bản khi đánh số theo loại.")
    ] = "chung",
    name: Annotated[str | None, typer.Option("--name", help="Tên cơ quan (in trên bìa sổ).")
                    ] = None,
    register: RegisterOption = None,
) -> None:
    """Đặt số tiếp theo của một hệ thống số (khi chuyển từ sổ giấy sang giữa năm)."""
    with open_register(register, create=True) as reg:
        reg.set_next(issuer.upper(), year, next_number, series, name)
    console.print(f"[green]✓[/green] {issuer.upper()} năm {year} ({series}): số tiếp theo "
                  f"{next_number:02d}")


def close_command(year: YearOption, register: RegisterOption = None) -> None:
    """Khóa sổ một năm: không cấp thêm số trong năm đó."""
    with open_register(register) as reg:
        count = reg.close_year(year)
    console.print(f"[green]✓[/green] Đã khóa sổ năm {year} ({count} số).")


def backup_command(
    file: Annotated[Path, typer.Argument(help="Tệp sao lưu.", show_default=False)],
    register: RegisterOption = None,
) -> None:
    """Sao lưu sổ đang dùng (bản chụp nhất quán, không phải dừng ai)."""
    with open_register(register) as reg:
        path = reg.backup(file)
    console.print(f"[green]✓[/green] Đã sao lưu sổ vào {escape(str(path))}")


def export_command(
    year: YearOption,
    fmt: Annotated[str, typer.Option("--format", help="docx (in, đóng sổ) hoặc xlsx.",
                                     show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp kết quả.", show_default=False)],
    issuer: Annotated[str | None, typer.Option("--issuer", help="Chỉ cơ quan có mã này.")
                      ] = None,
    book: Annotated[int, typer.Option("--book", help="Số quyển của quyển đầu tiên.")] = 1,
    register: RegisterOption = None,
) -> None:
    """In sổ đăng ký văn bản đi một năm (bìa, trang đầu và 10 cột của Phụ lục IV)."""
    kind = fmt.lower().lstrip(".")
    if kind not in ("docx", "xlsx"):
        raise UsageError("--format phải là docx hoặc xlsx")
    from vn_union_docs.register.export import export

    with open_register(register) as reg:
        path = export(reg, year, kind, out, issuer.upper() if issuer else None, book)
    console.print(f"[green]✓[/green] {escape(str(path))}")


def audit_command(
    register: RegisterOption = None,
    year: Annotated[int | None, typer.Option("--year", help="Chỉ năm này.")] = None,
) -> None:
    """Nhật ký: ai cấp, sửa, hủy số nào, lúc nào."""
    with open_register(register) as reg:
        rows = reg.audit_trail(year)
    table = Table("Lúc (UTC)", "Người", "Việc", "Sổ", "Số", "Chi tiết")
    for row in rows:
        where = " ".join(str(v) for v in (row["issuer_code"], row["year"], row["kind"]) if v)
        table.add_row(row["at"], escape(row["actor"]), row["action"], where,
                      f"{row['number']:02d}" if row["number"] else "",
                      escape(row["detail"] or ""))
    console.print(table)


def edxml_command(
    number: Annotated[str, typer.Argument(help="Số, ký hiệu, ví dụ \"05/CĐKCN\".",
                                          show_default=False)],
    year: YearOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp .edxml sẽ ghi.",
                                      show_default=False)],
    spec: Annotated[Path, typer.Option("--spec", help="Tệp spec của văn bản (issuer.organ_id, "
                                       "địa danh, độ khẩn).", show_default=False)],
    key: Annotated[Path | None, typer.Option(
        "--key", envvar="VN_UNION_DOCS_KEY",
        help="Khóa của cơ quan: tệp PKCS#12 (.p12); mặc định biến môi trường VN_UNION_DOCS_KEY.",
        show_default=False)] = None,
    pkcs11_lib: Annotated[Path | None, typer.Option(
        "--pkcs11-lib", help="Thư viện PKCS#11 của token (.so/.dll); khi có, ký bằng token "
        "thay cho --key.",
        show_default=False)] = None,
    token_label: Annotated[str | None, typer.Option("--token-label", help="Nhãn token.")
                           ] = None,
    key_label: Annotated[str | None, typer.Option("--key-label", help="Nhãn khóa trên token.")
                         ] = None,
    cert_label: Annotated[str | None, typer.Option(
        "--cert-label", help="Nhãn chứng thư (mặc định: như nhãn khóa).")] = None,
    pin_env: Annotated[str | None, typer.Option(
        "--pin-env", help="Biến môi trường chứa mã PIN của token.")] = None,
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Nơi nhận có mã định danh: MÃ=Tên cơ quan (lặp lại được); thay cho các "
        "mã organ_id trong recipients/distribution của spec.", show_default=False)] = None,
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="Bản PDF đã ký số (mặc định: tệp .pdf cạnh tệp .docx trong sổ).")] = None,
    appendix: Annotated[list[Path] | None, typer.Option(
        "--appendix", help="Tệp phụ lục gửi kèm (lặp lại được).")] = None,
    password_env: Annotated[str, typer.Option(
        "--password-env", help="Biến môi trường chứa mật khẩu của khóa.")
    ] = "VN_UNION_DOCS_KEY_PASSWORD",
    register: RegisterOption = None,
) -> None:
    """Đóng gói tin edXML (QCVN 102:2016) của một văn bản đã đăng ký, ký số bằng khóa cơ quan
    (tệp .p12 hoặc token PKCS#11, như lệnh sign)."""
    from vn_union_docs.cli.pdf_signing import open_key
    from vn_union_docs.documents.spec import load_document
    from vn_union_docs.exchange.document import envelope_for, parse_organ, write_envelope
    from vn_union_docs.signing import SigningKey, load_pkcs12

    value, symbol = _number(number)
    if pkcs11_lib is None and key is None:
        raise UsageError("cần khóa của cơ quan để ký gói tin: --key TỆP.p12 (hoặc biến môi "
                         "trường VN_UNION_DOCS_KEY), hoặc --pkcs11-lib THƯ_VIỆN --token-label T "
                         "--key-label K --pin-env BIẾN")
    doc = load_document(spec)
    recipients = [parse_organ(item) for item in to] if to else None
    with open_register(register) as reg:
        entry = reg.find(value, symbol, year)
        chosen = pdf or (Path(entry.doc_key).with_suffix(".pdf") if entry.doc_key else None)
        if chosen is None:
            raise UsageError("sổ không ghi tệp của văn bản; cho bản PDF đã ký bằng --pdf")
        envelope = envelope_for(reg, value, symbol, year, doc, chosen, recipients,
                                appendix or [])
    signing_key: SigningKey
    if pkcs11_lib is not None:  # the token, as sign/render/batch open it
        signing_key = open_key(None, None, pkcs11_lib, token_label, key_label, pin_env,
                               cert_label)
    else:
        assert key is not None
        signing_key = load_pkcs12(key, os.environ.get(password_env))
    with signing_key:
        path = write_envelope(envelope, signing_key, None, out)
    console.print(f"[green]✓[/green] {escape(entry.text)} → {escape(str(path))} "
                  f"({len(envelope.attachments)} tệp đính kèm, đã ký số bằng "
                  f"{escape(signing_key.source)})")


def check_envelopes(paths: list[Path]) -> bool:
    """``check FILE.edxml``: verify each envelope; return whether every one is sound."""
    from vn_union_docs.exchange.document import check_envelope
    from vn_union_docs.exchange.envelope import ExchangeError

    sound = True
    for path in paths:
        try:
            envelope, signer, problems = check_envelope(path.read_bytes())
        except (ExchangeError, OSError) as exc:
            err_console.print(f"[red]✗[/red] {escape(str(path))}: {escape(str(exc))}")
            sound = False
            continue
        for problem in problems:
            err_console.print(f"[red]✗[/red] {escape(str(path))}: {escape(problem)}")
        sound = sound and not problems
        if not problems:
            console.print(f"[green]✓[/green] {escape(str(path))}: {envelope.document_id}, chữ ký "
                          f"số hợp lệ ({escape(signer)}), {len(envelope.attachments)} tệp "
                          "đính kèm khớp")
    return sound


for _name, _command in (
    ("init", init_command), ("list", list_command), ("cancel", cancel_command),
    ("set-next", set_next_command), ("close", close_command), ("backup", backup_command),
    ("export", export_command), ("audit", audit_command), ("edxml", edxml_command),
):
    register_app.command(_name)(handled(_command, f"register {_name}"))



def print_numbers(report: Any, console: Any, err: Any) -> None:
    """After a batch with a register: the numbers given and the register's warnings."""
    if report.register is None:
        return
    numbers = report.numbers
    shown = (numbers[0] if len(numbers) == 1 else f"{numbers[0]} … {numbers[-1]}"
             if numbers else "không có")
    console.print(f"Số đã cấp ({len(numbers)}): {escape(shown)} — sổ {escape(report.register)}")
    for warning in report.warnings[:20]:
        err.print(f"  [yellow]![/yellow] {escape(warning)}")


class DocumentWriter:
    """What ``render`` calls for each document: written directly when no register is in use,
    else numbered and recorded (``issue_document``). The register is opened on first need:
    ``--register``, else ``VN_UNION_DOCS_REGISTER``, else the default file for ``number: auto``.
    """

    def __init__(self, option: str | None) -> None:
        self.option = option
        self.register: Register | None = None

    def write(self, doc: Any, path: Path, render: Callable[[Any], bytes]) -> str:
        """Write ``doc`` to ``path``; return what to print after the file name."""
        if not (self.option or os.environ.get(ENV_VAR) or getattr(doc, "number", None) == "auto"):
            write_atomic(path, render(doc))  # no register: today's behaviour
            return ""
        from vn_union_docs.register import Register, issue_document, resolve

        target = resolve(self.option, needed=True)
        assert target is not None
        if self.register is None:
            self.register = Register(target, create=True)
            console.print(f"Sổ đăng ký: {escape(self.register.where)}")
        allocation = issue_document(self.register, doc, path, render)
        if allocation is None:
            return " (bản nháp: không cấp số)"
        for warning in allocation.warnings:
            err_console.print(f"  [yellow]![/yellow] {escape(warning)}")
        action = "giữ số" if allocation.reused else "cấp số"
        return f" ({action} {escape(allocation.text)})"

    def close(self) -> None:
        """Close the register if one was opened."""
        if self.register is not None:
            self.register.close()

