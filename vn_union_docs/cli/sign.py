"""``vn-union-docs sign FILE.pdf --role ... --out SIGNED.pdf``: digital signatures as
NĐ 30/2020 places them. A thin layer over :mod:`vn_union_docs.signing`, registered in
``cli/app.py``. Several files are signed with one key (one PIN entry for a token).

Exit status: 0 signed, 1 bad input (nothing written for that file), 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from vn_union_docs.cli.output import console, err_console
from vn_union_docs.cli.pdf_signing import open_key
from vn_union_docs.errors import UsageError, VnUnionDocsError

if TYPE_CHECKING:
    from vn_union_docs.register import Register

__all__ = ["sign_command"]

_ROLES = ("signer", "organisation", "attachment", "copy")


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise UsageError(f"--date «{text}»: ngày không hợp lệ; viết 2026-11-27 hoặc 27/11/2026.")


def _at(text: str | None) -> object:
    if not text:
        return None
    from vn_union_docs.signing import mm_box

    parts = text.replace(";", ",").split(",")
    try:
        page, x, y, w, h = (float(p) for p in parts)
    except ValueError:
        raise UsageError(f"--at «{text}»: cần TRANG,X,Y,RỘNG,CAO (mm từ góc trên bên trái "
                               "trang, ví dụ 2,120,95,55,22).") from None
    if page < 1 or min(w, h) <= 0 or not (0 <= x <= 420 and 0 <= y <= 600):
        raise UsageError(f"--at «{text}»: trang từ 1, kích thước dương, toạ độ trong "
                               "trang (mm).")
    return mm_box(int(page) - 1, x, y, w, h)


def _targets(files: list[Path], out: Path) -> list[tuple[Path, Path]]:
    if len(files) == 1 and not out.is_dir():
        return [(files[0], out)]
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: ký nhiều tệp thì --out phải là thư mục.")
    return [(f, out / f.name) for f in files]


def sign_command(
    files: Annotated[list[Path], typer.Argument(help="Tệp PDF cần ký (một hay nhiều tệp).",
                                                show_default=False)],
    role: Annotated[str, typer.Option(
        "--role", help="signer (người có thẩm quyền), organisation (cơ quan, tổ chức), "
        "attachment (văn bản kèm theo), copy (bản sao).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp PDF đã ký (thư mục khi ký "
                                      "nhiều tệp).", show_default=False)],
    key: Annotated[Path | None, typer.Option("--key", help="Tệp khóa PKCS#12 (.p12/.pfx).")]
    = None,
    password_env: Annotated[str | None, typer.Option(
        "--password-env", help="Biến môi trường chứa mật khẩu tệp .p12.")] = None,
    pkcs11_lib: Annotated[Path | None, typer.Option(
        "--pkcs11-lib", help="Thư viện PKCS#11 của token (.so/.dll).")] = None,
    token_label: Annotated[str | None, typer.Option("--token-label", help="Nhãn token.")] = None,
    key_label: Annotated[str | None, typer.Option("--key-label", help="Nhãn khóa trên token.")]
    = None,
    cert_label: Annotated[str | None, typer.Option(
        "--cert-label", help="Nhãn chứng thư (mặc định: như nhãn khóa).")] = None,
    pin_env: Annotated[str | None, typer.Option(
        "--pin-env", help="Biến môi trường chứa mã PIN của token.")] = None,
    image: Annotated[Path | None, typer.Option(
        "--image", help="Ảnh chữ ký (signer) hoặc ảnh dấu (organisation): PNG nền trong suốt.")]
    = None,
    seal_mm: Annotated[float | None, typer.Option(
        "--seal-mm", help="Đường kính thật của dấu (mm).")] = None,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="Số và ký hiệu văn bản chính, ví dụ \"58/CĐYT\" (attachment).")]
    = None,
    number: Annotated[str | None, typer.Option(
        "--number", help="Số văn bản văn thư cấp khi ký organisation (Điều 15.3).")] = None,
    date: Annotated[str | None, typer.Option(
        "--date", help="Ngày ban hành (mặc định hôm nay), 2026-11-27 hoặc 27/11/2026.")] = None,
    copy_form: Annotated[str, typer.Option(
        "--copy-form", help="Hình thức sao: \"SAO Y\", \"SAO LỤC\", \"TRÍCH SAO\".")] = "SAO Y",
    copier: Annotated[str | None, typer.Option(
        "--copier", help="Tên cơ quan sao văn bản (mặc định: tên trên chứng thư).")] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="Vị trí ảnh chữ ký cho PDF không do thư viện tạo: TRANG,X,Y,RỘNG,CAO "
        "(mm từ góc trên bên trái).")] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help="Chức vụ người ký như in trên văn bản (tìm vị trí chính xác).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Họ tên người ký như in trên văn bản.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Nơi ký.")] = None,
    tsa: Annotated[str | None, typer.Option(
        "--tsa", help="Địa chỉ máy chủ dấu thời gian RFC 3161.")] = None,
    register: Annotated[str | None, typer.Option(
        "--register", metavar="TỆP_HOẶC_URL", help="organisation: lấy số từ sổ đăng ký văn bản "
        "đi (tệp SQLite hoặc postgresql://…) và ghi sha256 của tệp đã ký vào sổ (Điều 15.3).",
        show_default=False)] = None,
    spec: Annotated[Path | None, typer.Option(
        "--spec", help="Tệp dữ liệu của văn bản (với --register): trích yếu, nơi nhận… vào sổ.",
        show_default=False)] = None,
    signature_ready: Annotated[bool, typer.Option(
        "--signature-ready", help="Không ký: chỉ thêm ô ký trống đúng vị trí NĐ 30 để ký bằng "
        "phần mềm của tổ chức chứng thực.")] = False,
) -> None:
    """Ký số PDF đúng thể thức NĐ 30/2020 (người có thẩm quyền, cơ quan, văn bản kèm theo,
    bản sao)."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    if role not in _ROLES:
        raise UsageError(f"--role «{role}» không có; chọn: {', '.join(_ROLES)}.")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"Không tìm thấy: {', '.join(missing)}")
    from vn_union_docs.signing import SigningKey, prepare_pdf, sign_pdf

    failed = 0
    signing_key: SigningKey | None = None
    numbering: tuple[Register, object] | None = None
    try:
        targets = _targets(files, out)
        box = _at(at)
        if signature_ready:
            kind = "main" if role in ("signer", "organisation") else role
            for source, target in targets:
                try:
                    prepare_pdf(source, target, kind=kind, at=box,  # type: ignore[arg-type]
                                seal_mm=seal_mm or 36.0, signer_title=title, signer_name=name)
                    console.print(f"[green]✓[/green] {source} → {target} (ô ký trống)")
                except VnUnionDocsError as exc:
                    failed += 1
                    err_console.print(f"[red]✗[/red] {escape(str(exc))}")
            raise typer.Exit(1 if failed else 0)
        signing_key = open_key(key, password_env, pkcs11_lib, token_label, key_label,
                               pin_env, cert_label)
        issued_on = _date(date)
        numbering = _register(register, spec, role, number, targets)
        for source, target in targets:
            try:
                options = dict(image=image, seal_mm=seal_mm, issued_on=issued_on, at=box,
                               signer_title=title, signer_name=name, location=location,
                               tsa_url=tsa)
                if numbering is not None:
                    from vn_union_docs.register.signed import sign_registered

                    result = sign_registered(numbering[0], source, target, key=signing_key,
                                             doc=numbering[1], **options)
                else:
                    result = sign_pdf(
                        source, target, role=role, key=signing_key, reference=reference,
                        number=number, copy_form=copy_form, copier=copier,
                        **options)  # type: ignore[arg-type]
            except VnUnionDocsError as exc:
                failed += 1
                err_console.print(f"[red]✗[/red] {escape(str(exc))}")
                continue
            for warning in result.warnings:
                err_console.print(f"[yellow]![/yellow] {escape(warning)}")
            extra = f", số {result.number}" if result.number else ""
            console.print(f"[green]✓[/green] {source} → {target} (ký {role}"
                          f"{extra}, {result.signed_at.isoformat()})")
    finally:
        if signing_key is not None:
            signing_key.close()
        if numbering is not None:
            numbering[0].close()
    raise typer.Exit(1 if failed else 0)


def _register(option: str | None, spec: Path | None, role: str, number: str | None,
              targets: list[tuple[Path, Path]]) -> tuple[Register, object] | None:
    """The register (and the document's model) for ``--register``; ``None`` without it."""
    if option is None:
        if spec is not None:
            raise UsageError("--spec chỉ dùng cùng --register (ghi văn bản vào sổ).")
        return None
    if role != "organisation":
        raise UsageError("--register chỉ dùng khi ký vai trò organisation: văn thư cấp số "
                         "khi ký số của cơ quan (NĐ 30/2020, Điều 15.3).")
    if number is not None:
        raise UsageError("Chọn một: --number (số văn thư tự cấp) hoặc --register (số lấy từ "
                         "sổ), không cả hai.")
    if spec is not None and len(targets) > 1:
        raise UsageError("--spec là dữ liệu của một văn bản: ký từng tệp một khi dùng --spec.")
    doc = None
    if spec is not None:
        from vn_union_docs.documents.spec import load_document

        doc = load_document(spec)
    from vn_union_docs.cli.register import open_register

    return open_register(option), doc
