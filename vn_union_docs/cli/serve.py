"""``vn-union-docs serve``: the HTTP API and the clerks' web page, with resident PDF converters.

Binds 127.0.0.1 by default. Clients that are not on the loopback must send the API token
(``Authorization: Bearer …``), read from an environment variable (``--token-env``, default
``VN_UNION_DOCS_TOKEN``) so that it never shows in ``ps``. Binding another address without a
token is refused. The command starts and owns its converter pool: they stop with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.console import Console

from vn_union_docs.service.settings import TOKEN_ENV, ServiceSettings, is_loopback

__all__ = ["serve_command"]

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _usage(message: str) -> typer.Exit:
    _err.print(f"[bold red]Lỗi cách dùng:[/] {message}")
    _err.print("Xem hướng dẫn: vn-union-docs serve --help")
    return typer.Exit(2)


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe (mặc định chỉ máy "
                                      "này; 0.0.0.0 cho mọi máy, khi đó bắt buộc có token).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535,
                                      help="Cổng HTTP.")] = 8000,
    token_env: Annotated[str, typer.Option(
        "--token-env", help="Tên biến môi trường chứa mã truy cập (token) API.")] = TOKEN_ENV,
    require_token: Annotated[bool, typer.Option(
        "--require-token", help="Đòi token cả với yêu cầu từ chính máy này (khi đặt sau một "
        "reverse proxy trên cùng máy).")] = False,
    templates: Annotated[Path | None, typer.Option(
        "--templates", help="Thư mục mẫu .docx riêng mà spec có thể gọi theo tên.",
        exists=True, file_okay=False, dir_okay=True)] = None,
    register: Annotated[str | None, typer.Option(
        "--register", help="Sổ đăng ký văn bản đi (tệp SQLite hoặc postgresql://…): "
        "number: auto lấy số từ sổ này.")] = None,
    sign_key: Annotated[Path | None, typer.Option(
        "--sign-key", help="Khóa PKCS#12 (.p12) của cơ quan để ký số (POST /api/sign, gói "
        "edXML).", exists=True, dir_okay=False)] = None,
    sign_password_env: Annotated[str, typer.Option(
        "--sign-password-env", help="Biến môi trường chứa mật khẩu của khóa.")
    ] = "VN_UNION_DOCS_KEY_PASSWORD",
    sign_pkcs11_lib: Annotated[Path | None, typer.Option(
        "--sign-pkcs11-lib", help="Thư viện PKCS#11 của USB token (thay cho --sign-key).",
        exists=True, dir_okay=False)] = None,
    sign_token_label: Annotated[str | None, typer.Option(
        "--sign-token-label", help="Nhãn token.")] = None,
    sign_key_label: Annotated[str | None, typer.Option(
        "--sign-key-label", help="Nhãn khóa trên token.")] = None,
    sign_pin_env: Annotated[str, typer.Option(
        "--sign-pin-env", help="Biến môi trường chứa mã PIN của token.")
    ] = "VN_UNION_DOCS_PIN",
    cors_origin: Annotated[list[str] | None, typer.Option(
        "--cors-origin", help="Nguồn (origin) được gọi API từ trình duyệt; lặp lại được, "
        "ví dụ --cors-origin https://eoffice.ldld.vn")] = None,
    converters: Annotated[int | None, typer.Option(
        "--converters", min=0, max=64, help="Số bộ chuyển PDF (LibreOffice) thường trú; "
        "mặc định bằng số lõi CPU; 0 để không xuất PDF.")] = None,
    converter_port: Annotated[int, typer.Option(
        "--converter-port", min=0, max=65000, help="Cổng đầu của các bộ chuyển PDF (để "
        "render/batch --pdf dùng chung qua VN_UNION_DOCS_CONVERTERS); 0: cổng tự chọn.")] = 0,
    max_upload_mb: Annotated[float, typer.Option(
        "--max-upload-mb", min=0.1, help="Cỡ tệp tải lên tối đa (MB).")] = 20.0,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=1, help="Thời gian tối đa của một yêu cầu (giây).")] = 120.0,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning, error."
                                           )] = "info",
) -> None:
    """Chạy dịch vụ HTTP (API + trang web cho văn thư) với bộ chuyển PDF thường trú."""
    import uvicorn

    token = os.environ.get(token_env) or None
    if token is not None and len(token) < 16:
        raise _usage(f"token trong biến {token_env} quá ngắn (cần ít nhất 16 ký tự)")
    if not is_loopback(host) and token is None:
        raise _usage(f"mở dịch vụ ra địa chỉ {host} cần mã truy cập: đặt biến môi trường "
                     f"{token_env} (ví dụ: export {token_env}=$(openssl rand -hex 24))")
    if require_token and token is None:
        raise _usage(f"--require-token cần biến môi trường {token_env}")
    if sign_key is not None and sign_pkcs11_lib is not None:
        raise _usage("chọn một: --sign-key (tệp .p12) hoặc --sign-pkcs11-lib (USB token)")
    password = os.environ.get(sign_password_env) if sign_key is not None else None
    pin = os.environ.get(sign_pin_env) if sign_pkcs11_lib is not None else None
    if sign_pkcs11_lib is not None and pin is None:
        raise _usage(f"--sign-pkcs11-lib cần mã PIN trong biến môi trường {sign_pin_env}")
    settings = ServiceSettings(
        host=host, port=port, token=token, require_token_everywhere=require_token,
        templates_dir=templates, register_target=register, cors_origins=cors_origin or [],
        sign_key=sign_key, sign_pkcs11_lib=sign_pkcs11_lib, sign_token_label=sign_token_label,
        sign_key_label=sign_key_label,
        sign_password=SecretStr(password) if password is not None else None,
        sign_pin=SecretStr(pin) if pin is not None else None,
        converters=(os.cpu_count() or 1) if converters is None else converters,
        converter_port=converter_port, max_upload_bytes=int(max_upload_mb * 1_000_000),
        request_timeout=timeout)
    from vn_union_docs.service.app import create_app

    app = create_app(settings)
    _err.print(f"vn-union-docs serve: http://{host}:{port}/ (API: /api, OpenAPI: "
               f"/openapi.json); {settings.converters} bộ chuyển PDF")
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower(), server_header=False,
                proxy_headers=False)
