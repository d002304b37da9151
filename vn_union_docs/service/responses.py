"""Error responses of the service and the OpenAPI document.

Every error is JSON ``{"detail": "...", "problems": [Problem, ...]}`` where a problem is the
library's own :class:`vn_union_docs.errors.Problem` (key path, Vietnamese message, and for a
batch the spreadsheet row), so a client shows the same messages the command line prints.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from vn_union_docs.documents.doc_types import DOCUMENT_ADAPTER
from vn_union_docs.errors import Problem, SpecError

log = logging.getLogger("vn_union_docs.service")

__all__ = [
    "ERROR_RESPONSES",
    "NOT_CONFIGURED_RESPONSES",
    "SPEC_SCHEMA_REF",
    "ErrorResponse",
    "install_openapi",
    "problem_response",
    "spec_error_response",
]

#: Where the spec's JSON Schema sits in the OpenAPI document.
SPEC_SCHEMA_REF = "#/components/schemas/Spec"


class ErrorResponse(BaseModel):
    """Every error the API returns: a summary and the problems, one per key path."""

    detail: str = Field(description="One-line summary in Vietnamese.")
    problems: list[Problem] = Field(default_factory=list)


def _doc(status: int, text: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": text}


#: The error responses most endpoints declare.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc(400, "Yêu cầu hỏng (multipart không đọc được)."),
    401: _doc(401, "Thiếu hoặc sai mã truy cập (token) — client không ở máy này."),
    413: _doc(413, "Dữ liệu gửi lên quá lớn."),
    422: _doc(422, "Dữ liệu chưa hợp lệ: danh sách lỗi theo khóa."),
    503: _doc(503, "Chưa có bộ chuyển PDF, hoặc quá thời gian xử lý."),
}

#: ERROR_RESPONSES and 404 for what the service may not be started with (register, key).
NOT_CONFIGURED_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    404: _doc(404, "Dịch vụ chưa có sổ đăng ký (--register) hoặc khóa ký số (--sign-key)."),
}

_SUMMARY = {
    400: "Yêu cầu không hợp lệ",
    401: "Cần mã truy cập (token)",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Chưa sẵn sàng",
    413: "Dữ liệu gửi lên quá lớn",
    415: "Kiểu dữ liệu không được hỗ trợ",
    422: "Dữ liệu chưa hợp lệ",
    429: "Quá nhiều yêu cầu cùng lúc",
    503: "Dịch vụ tạm thời không xử lý được",
}


def problem_response(status: int, *problems: Problem, detail: str | None = None,
                     headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A JSON error response with ``problems``."""
    body = ErrorResponse(detail=detail or _SUMMARY.get(status, "Lỗi"), problems=list(problems))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def message_response(status: int, path: str, message: str) -> JSONResponse:
    """An error with one problem."""
    return problem_response(status, Problem(path=path, message=message))


def spec_error_response(exc: SpecError) -> JSONResponse:
    """422 with every problem of a ``SpecError`` (key paths as the library gives them)."""
    problems = exc.problems or [Problem(path="", message=str(exc))]
    return problem_response(422, *problems)


def too_large(limit: int, path: str) -> JSONResponse:
    """413 naming the limit in the Vietnamese form (1.000.000 byte)."""
    return message_response(413, path, f"dữ liệu gửi lên vượt giới hạn {limit:,} byte; "
                            "hãy gửi tệp nhỏ hơn hoặc chia nhỏ".replace(",", "."))


def timeout_problem(seconds: float) -> Problem:
    """The problem of a request that ran out of time."""
    return Problem(path="", message=f"yêu cầu vượt thời gian xử lý {seconds:g} giây; "
                                    "hãy thử lại hoặc gửi ít dữ liệu hơn")


def token_problem(request: Request, token: str | None) -> Problem | None:
    """``None`` when the request carries the right token, else why it is refused."""
    if token is None:
        return Problem(path="Authorization", message=(
            "máy chủ chưa đặt mã truy cập (token) nên chỉ nhận yêu cầu từ chính máy này; "
            "người quản trị hãy chạy serve với --token-env"))
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer":
        value = request.headers.get("x-api-token", "")
    if value and hmac.compare_digest(value.strip().encode(), token.encode()):
        return None
    from vn_union_docs.service.sessions import COOKIE, valid_session

    if valid_session(request.cookies.get(COOKIE), token):  # a browser logged in at /login
        return None
    return Problem(path="Authorization", message=(
        "thiếu hoặc sai mã truy cập: gửi tiêu đề «Authorization: Bearer <token>»"))


_PYDANTIC_MESSAGES = {
    "missing": "thiếu giá trị bắt buộc",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "float_parsing": "phải là số",
    "json_invalid": "không phải JSON hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
}


def _loc(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _vi_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in ("literal_error", "enum"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"giá trị không hợp lệ; phải là một trong: {expected}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = error.get("ctx") or {}
        bound = next(iter(ctx.values()), "")
        sign = {"greater_than_equal": "≥", "less_than_equal": "≤",
                "greater_than": ">", "less_than": "<"}[kind]
        return f"phải {sign} {bound}"
    return _PYDANTIC_MESSAGES.get(kind, f"giá trị không hợp lệ ({error.get('msg', kind)})")


def request_validation_response(exc: RequestValidationError) -> JSONResponse:
    """422 for a bad query parameter or form field, in the library's problem format."""
    problems = [Problem(path=_loc(tuple(e.get("loc", ()))), message=_vi_message(e))
                for e in exc.errors()]
    return problem_response(422, *problems)


def http_error_response(exc: StarletteHTTPException) -> JSONResponse:
    """Any ``HTTPException`` as an ``ErrorResponse`` (``detail`` may already be problems)."""
    detail = exc.detail
    if isinstance(detail, list) and all(isinstance(p, Problem) for p in detail):
        return problem_response(exc.status_code, *detail, headers=exc.headers)
    message = detail if isinstance(detail, str) else _SUMMARY.get(exc.status_code, "Lỗi")
    if exc.status_code == 404 and message == "Not Found":
        message = "không có địa chỉ này; xem /openapi.json"
    elif exc.status_code == 405 and message == "Method Not Allowed":
        message = "phương thức HTTP này không dùng được cho địa chỉ này"
    return problem_response(exc.status_code, Problem(path="", message=message),
                            headers=exc.headers)


def spec_schema_components() -> dict[str, Any]:
    """The spec's JSON Schema as OpenAPI components (``Spec`` and its definitions)."""
    schema = DOCUMENT_ADAPTER.json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    schema["title"] = "Spec"
    schema["description"] = ("A document spec (công văn, kế hoạch, thông báo), as the "
                             "library's YAML/JSON spec files; see GET /api/schema.")
    return {"Spec": schema, **defs}


def install_openapi(app: FastAPI) -> None:
    """OpenAPI carrying the library version, with the spec's schema from the models."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version,
                             description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, value in spec_schema_components().items():
            components.setdefault(name, value)
        schema["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "Needed by clients that are not on the loopback."}}
        schema["security"] = [{"bearer": []}, {}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
