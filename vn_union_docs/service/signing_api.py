"""Digital signatures through the service (NĐ 30/2020, Điều 5; Phụ lục I, II.7.d, II.8).

``POST /api/sign`` signs an uploaded PDF in one role with the key the server was started with:
a PKCS#12 file (``serve --sign-key KEY.p12 --sign-password-env VAR``) or a PKCS#11 token
(``--sign-pkcs11-lib LIB --sign-token-label T --sign-key-label K --sign-pin-env VAR``).
A request never names a key, a password or a path. The key is opened once, when the service
starts (a wrong password stops ``serve`` with one message), and closed with it; signatures
are made one at a time (a token's session is not shared between threads).

``POST /api/check`` of an uploaded PDF includes the signature findings
(:func:`vn_union_docs.signing.signature_findings`), and ``signatures`` lists each one.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from vn_union_docs.service.responses import NOT_CONFIGURED_RESPONSES
from vn_union_docs.service.settings import ServiceSettings
from vn_union_docs.service.uploads import read_upload, refuse

__all__ = ["ServerKey", "open_server_key", "router", "server_key"]

router = APIRouter(prefix="/api", tags=["signing"])

PDF_MEDIA = "application/pdf"
_ROLES = ("signer", "organisation", "attachment", "copy")


class ServerKey:
    """The service's signing key, opened once; :meth:`sign` serialises its use."""

    def __init__(self, key: Any) -> None:
        self.key = key
        self.lock = threading.Lock()

    def sign(self, **options: Any) -> Any:
        """``vn_union_docs.signing.sign_pdf`` with this key (one signature at a time)."""
        from vn_union_docs.signing import sign_pdf

        with self.lock:
            return sign_pdf(key=self.key, **options)

    def close(self) -> None:
        """Close the token session (nothing for a PKCS#12 key)."""
        self.key.close()


def server_key(request: Request) -> ServerKey:
    """The service's open key; 404 when ``serve`` was started without one."""
    key: ServerKey | None = getattr(request.app.state, "sign_key", None)
    if key is None:
        raise refuse(404, "key", "dịch vụ chưa có khóa ký số của cơ quan: chạy «vn-union-docs "
                                 "serve --sign-key KHOA.p12 --sign-password-env BIEN» (hoặc "
                                 "--sign-pkcs11-lib … cho USB token)")
    return key


def open_server_key(settings: ServiceSettings) -> ServerKey | None:
    """Open the configured key (PKCS#12 or PKCS#11), or ``None`` when none is configured.

    Raises :class:`vn_union_docs.signing.SigningError` (wrong password or PIN, expired
    certificate …)."""
    from vn_union_docs.signing import load_pkcs12, open_pkcs11

    if settings.sign_key is not None:
        password = settings.sign_password.get_secret_value() if settings.sign_password else None
        return ServerKey(load_pkcs12(settings.sign_key, password))
    if settings.sign_pkcs11_lib is not None:
        if not settings.sign_token_label or not settings.sign_key_label:
            from vn_union_docs.signing import SigningError

            raise SigningError("PKCS#11 cần cả --sign-token-label và --sign-key-label")
        pin = settings.sign_pin.get_secret_value() if settings.sign_pin else ""
        return ServerKey(open_pkcs11(
            settings.sign_pkcs11_lib, token_label=settings.sign_token_label,
            key_label=settings.sign_key_label, pin=pin))
    return None


_SIGN_BODY: dict[str, Any] = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "role"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "The PDF to sign."},
        "role": {"type": "string", "enum": list(_ROLES)},
        "image": {"type": "string", "format": "binary",
                  "description": "Transparent PNG: the signature (signer) or the seal "
                                 "(organisation)."},
        "seal_mm": {"type": "number", "description": "The seal's real diameter (mm)."},
        "number": {"type": "string", "description": "Number to fill in a document signed "
                                                     "blank (Điều 15.3)."},
        "issued_on": {"type": "string", "format": "date",
                      "description": "Date to fill in (default: today in Vietnam)."},
        "reference": {"type": "string", "description": "Số và ký hiệu on an attachment's "
                                                        "stamp."},
        "copy_form": {"type": "string", "enum": ["SAO Y", "SAO LỤC", "TRÍCH SAO"]},
    }}}}


def _text(form: Any, name: str, limit: int = 200) -> str | None:
    value = form.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise refuse(422, name, f"trường «{name}» phải là chữ, tối đa {limit} ký tự")
    return value.strip()


@router.post("/sign", summary="Sign an uploaded PDF", response_class=Response,
             openapi_extra={"requestBody": {"content": _SIGN_BODY, "required": True}},
             responses={200: {"description": "The signed PDF.", "content": {PDF_MEDIA: {
                 "schema": {"type": "string", "format": "binary"}}}}, **NOT_CONFIGURED_RESPONSES})
async def sign(request: Request) -> Response:
    """Sign the PDF (multipart ``file``) as ``role`` with the server's key: each role in its
    own incremental update, earlier signatures stay valid. Bad input (no position found,
    image not a transparent PNG, role already signed, …) is 422 with the Vietnamese reason."""
    settings: ServiceSettings = request.app.state.settings
    key = server_key(request)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise refuse(422, "file", "gửi dạng multipart/form-data: file (PDF), role")
    form = await request.form(max_files=2, max_fields=10, max_part_size=settings.max_spec_bytes)
    upload, image_upload = form.get("file"), form.get("image")
    if not isinstance(upload, UploadFile):
        raise refuse(422, "file", "thiếu tệp PDF cần ký (trường file)")
    role = _text(form, "role")
    if role not in _ROLES:
        raise refuse(422, "role", f"vai trò ký phải là một trong: {', '.join(_ROLES)}")
    pdf = await read_upload(upload, settings, "file")  # type: ignore[arg-type]
    if not pdf.startswith(b"%PDF"):
        raise refuse(422, "file", "tệp gửi lên không phải PDF")
    options: dict[str, Any] = {"role": role, "copy_form": _text(form, "copy_form") or "SAO Y"}
    if isinstance(image_upload, UploadFile):
        options["image"] = await read_upload(
            image_upload, settings, "image")  # type: ignore[arg-type]
    for name in ("number", "reference"):
        if (value := _text(form, name)) is not None:
            options[name] = value
    if (seal := _text(form, "seal_mm", 10)) is not None:
        try:
            options["seal_mm"] = float(seal.replace(",", "."))
        except ValueError:
            raise refuse(422, "seal_mm", "đường kính dấu (mm) phải là số, ví dụ 36") from None
    if (day := _text(form, "issued_on", 10)) is not None:
        try:
            options["issued_on"] = dt.date.fromisoformat(day)
        except ValueError:
            raise refuse(422, "issued_on", "ngày ký viết dạng YYYY-MM-DD") from None

    def work() -> bytes:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="vn-union-docs-sign-") as tmp:
            if "image" in options:  # sign_pdf reads the image from a file
                path = Path(tmp) / "image.png"
                path.write_bytes(options["image"])
                options["image"] = path
            data: bytes = key.sign(source=pdf, **options).data
        return data

    signed = await run_in_threadpool(work)
    name = (Path(upload.filename or "van-ban.pdf").stem or "van-ban") + f"-{role}.pdf"
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in name)
    return Response(signed, media_type=PDF_MEDIA,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def pdf_signatures(raw: bytes) -> tuple[list[dict[str, str]], list[dict[str, object]]]:
    """The signature findings and reports of a PDF (for ``POST /api/check``)."""
    from vn_union_docs.signing import SigningError, signature_findings, verify_pdf

    try:
        findings = signature_findings(raw)
        reports = [r.to_dict() for r in verify_pdf(raw)]
    except SigningError as exc:
        return [{"rule": "signature.unreadable", "severity": "warning", "message": str(exc),
                 "place": "tệp", "source": "NĐ 30/2020, Điều 5"}], []
    for report in reports:  # JSON-ready: the box as a list
        box = report.get("box")
        if box is not None and not isinstance(box, list | dict | str):
            report["box"] = list(box) if isinstance(box, tuple) else str(box)
    return findings, reports

