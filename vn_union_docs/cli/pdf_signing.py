"""Signing in the same run as ``render --pdf`` and ``batch --pdf`` (NĐ 30/2020, Điều 5): the
options both commands share, the key opened once per run (one PIN entry for a token), and
the step that signs each PDF — or, with ``--signature-ready``, leaves empty signature fields
at the ND30 positions for offices that sign in their national CA's own tool.

``sign`` uses :func:`open_key` too, so the key options read the same in every command.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from vn_union_docs.errors import UsageError, VnUnionDocsError

if TYPE_CHECKING:
    from vn_union_docs.signing import SigningKey

__all__ = ["PdfSigning", "open_key", "secret", "signing_options", "spec_signer"]

_HELP = "Ký số (NĐ 30/2020)"

# (parameter, type, option, help) of the signing options of ``render`` and ``batch``.
_OPTIONS: tuple[tuple[str, Any, str, str], ...] = (
    ("sign", str | None, "--sign",
     "Ký số từng PDF vừa tạo: signer (người có thẩm quyền; số và ngày để trống thì văn thư "
     "cấp khi ký organisation bằng lệnh sign) hoặc attachment (văn bản kèm theo). Bao gồm "
     "--pdf."),
    ("key", Path | None, "--key", "Tệp khóa PKCS#12 (.p12/.pfx)."),
    ("password_env", str | None, "--password-env", "Biến môi trường chứa mật khẩu tệp .p12."),
    ("pkcs11_lib", Path | None, "--pkcs11-lib", "Thư viện PKCS#11 của token (.so/.dll)."),
    ("token_label", str | None, "--token-label", "Nhãn token."),
    ("key_label", str | None, "--key-label", "Nhãn khóa trên token."),
    ("cert_label", str | None, "--cert-label", "Nhãn chứng thư (mặc định: như nhãn khóa)."),
    ("pin_env", str | None, "--pin-env", "Biến môi trường chứa mã PIN của token."),
    ("image", Path | None, "--image", "Ảnh chữ ký (signer): PNG nền trong suốt, màu xanh."),
    ("seal_mm", float | None, "--seal-mm",
     "Đường kính thật của dấu (mm), cho ô ký của cơ quan (--signature-ready; mặc định 36)."),
    ("tsa", str | None, "--tsa", "Địa chỉ máy chủ dấu thời gian RFC 3161."),
    ("signature_ready", bool, "--signature-ready",
     "Không ký: để ô ký trống đúng vị trí NĐ 30 (và ô số, ngày khi để trống) để ký bằng phần "
     "mềm của tổ chức chứng thực. Bao gồm --pdf."),
)
_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                      default=False if kind is bool else None,
                      annotation=Annotated[kind, typer.Option(
                          option, help=text, rich_help_panel=_HELP, show_default=False)])
    for name, kind, option, text in _OPTIONS
]

R = TypeVar("R")


def signing_options(command: Callable[..., R]) -> Callable[..., R]:
    """Give a typer command (``render``, ``batch``) the signing options; the command takes
    the resulting :class:`PdfSigning` as its ``signing`` parameter instead."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values()
           if p.name != "signing"]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        values = {name: kwargs.pop(name) for name, *_ in _OPTIONS}
        ready = values.pop("signature_ready")
        return command(*args, signing=PdfSigning(values.pop("sign"), ready, **values),
                       **kwargs)

    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*own, *_PARAMETERS], return_annotation=None)
    return wrapper


def secret(var: str | None, what: str, option: str) -> str:
    """The value of the environment variable ``var`` (a password or PIN is never typed on the
    command line, where other users and the shell history would see it)."""
    if not var:
        raise UsageError(f"Cần {option} TÊN_BIẾN: tên biến môi trường chứa {what} "
                         "(không gõ mật khẩu trên dòng lệnh).")
    value = os.environ.get(var)
    if value is None:
        raise VnUnionDocsError(f"Biến môi trường {var} (chứa {what}) chưa được đặt.")
    return value


def open_key(key: Path | None, password_env: str | None, pkcs11_lib: Path | None,
             token_label: str | None, key_label: str | None, pin_env: str | None,
             cert_label: str | None = None) -> SigningKey:
    """The signing key the options name: a PKCS#12 file or a PKCS#11 token (usage error when
    neither or both are given)."""
    from vn_union_docs.signing import load_pkcs12, open_pkcs11

    if key is not None and pkcs11_lib is not None:
        raise UsageError("Chọn một loại khóa: --key (tệp .p12) hoặc --pkcs11-lib "
                         "(token), không cả hai.")
    if key is not None:
        return load_pkcs12(key, secret(password_env, "mật khẩu tệp .p12", "--password-env"))
    if pkcs11_lib is not None:
        if not token_label or not key_label:
            raise UsageError("Token cần --token-label và --key-label.")
        return open_pkcs11(pkcs11_lib, token_label=token_label, key_label=key_label,
                           pin=secret(pin_env, "mã PIN", "--pin-env"), cert_label=cert_label)
    raise UsageError("Cần khóa ký: --key KHÓA.p12 --password-env BIẾN, hoặc "
                     "--pkcs11-lib THƯ_VIỆN --token-label T --key-label K --pin-env BIẾN.")


_ROLES = ("signer", "attachment")


@dataclass
class PdfSigning:
    """What ``render``/``batch`` do to each PDF they write: sign it in ``role``, or prepare
    empty signature fields (``ready``), or nothing. Use as a context manager: the key is
    opened on entry (before any rendering, so a wrong password costs nothing) and closed on
    exit."""

    role: str | None = None
    ready: bool = False
    key: Path | None = None
    password_env: str | None = None
    pkcs11_lib: Path | None = None
    token_label: str | None = None
    key_label: str | None = None
    cert_label: str | None = None
    pin_env: str | None = None
    image: Path | None = None
    seal_mm: float | None = None
    tsa: str | None = None
    _key: SigningKey | None = None

    @property
    def active(self) -> bool:
        """Whether the PDFs are signed or prepared (which implies ``--pdf``)."""
        return self.role is not None or self.ready

    def __enter__(self) -> PdfSigning:
        if self.role is not None and self.ready:
            raise UsageError("Chọn một: --sign (ký ngay) hoặc --signature-ready (để ô ký trống "
                             "cho phần mềm ký của tổ chức chứng thực), không cả hai.")
        if self.role == "organisation":
            raise UsageError(
                "--sign organisation: cơ quan ký sau người có thẩm quyền, và văn thư cấp số, "
                "ngày khi ký (NĐ 30/2020, Điều 15.3; Phụ lục I, II.8.a): tạo PDF với --sign "
                "signer, rồi «vn-union-docs sign TỆP.pdf --role organisation --register …».")
        if self.role is not None and self.role not in _ROLES:
            raise UsageError(f"--sign «{self.role}» không có; chọn: {', '.join(_ROLES)}.")
        if self.role == "signer" and self.image is None:
            raise UsageError("--sign signer cần ảnh chữ ký: --image CHỮ_KÝ.png (PNG nền trong "
                             "suốt, màu xanh; NĐ 30/2020, Phụ lục I, II.7.d).")
        if self.role is not None:
            logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
            self._key = open_key(self.key, self.password_env, self.pkcs11_lib,
                                 self.token_label, self.key_label, self.pin_env,
                                 self.cert_label)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._key is not None:
            self._key.close()
            self._key = None

    def apply(self, pdf: Path, *, title: str | None = None, name: str | None = None) -> str:
        """Sign or prepare ``pdf`` in place (atomically: a failure leaves the unsigned PDF);
        ``title``/``name``: the signer's title and name as the document model has them.
        Returns what was done, for the clerk; raises ``VnUnionDocsError``."""
        from vn_union_docs.signing import prepare_pdf, sign_pdf

        if self.role is not None and _signed_in(pdf, self.role):
            return f"đã ký {self.role} từ trước"  # kept (--skip-existing): never signed twice
        if self.ready:
            prepare_pdf(pdf, pdf, kind="main", seal_mm=self.seal_mm or 36.0,
                        signer_title=title, signer_name=name)
            return "ô ký trống"
        if self.role is None or self._key is None:
            return ""
        result = sign_pdf(pdf, pdf, role=self.role, key=self._key, image=self.image,
                          signer_title=title, signer_name=name, tsa_url=self.tsa)
        return f"đã ký {self.role}, {result.signed_at.isoformat()}"

    def apply_all(self, pdfs: list[Path], *, title: str | None = None,
                  name: str | None = None) -> tuple[list[str], list[str]]:
        """:meth:`apply` to each PDF (a batch): the lines done and the failures, for the
        clerk; one bad PDF does not stop the others."""
        done: list[str] = []
        failed: list[str] = []
        for pdf in pdfs:
            try:
                done.append(f"{pdf.name}: {self.apply(pdf, title=title, name=name)}")
            except VnUnionDocsError as exc:
                failed.append(f"{pdf.name}: {exc}")
        return done, failed


def _signed_in(pdf: Path, role: str) -> bool:
    """Whether ``pdf`` already carries a signature in ``role`` (a PDF kept from a run that
    was stopped and resumed)."""
    from vn_union_docs.signing import Role
    from vn_union_docs.signing.pdfobjects import read_pdf
    from vn_union_docs.signing.roles import field_name

    data, _ = read_pdf(pdf)
    if b"/ByteRange" not in data:  # unsigned: no need to parse
        return False
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    wanted = field_name(Role(role))
    return any(s.field_name == wanted
               for s in PdfFileReader(BytesIO(data), strict=False).embedded_signatures)


def spec_signer(spec: Path) -> tuple[str | None, str | None]:
    """The signer's title line and name from a spec file (``None`` where the spec fills them
    from the data, ``{{ … }}``: the PDF's own text places the image then)."""
    from vn_union_docs.documents.spec import read_spec

    try:
        block = read_spec(spec).get("signature")
    except VnUnionDocsError:
        return None, None
    if not isinstance(block, dict):
        return None, None
    capacity = block.get("capacity")
    lines = [capacity] if isinstance(capacity, str) else list(capacity or [])
    title = block.get("title") or (lines[-1] if lines else None)
    name = block.get("name")

    def plain(value: object) -> str | None:
        return value if isinstance(value, str) and "{" not in value else None

    return plain(title), plain(name)
