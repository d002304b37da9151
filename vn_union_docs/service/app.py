"""The FastAPI application of ``vn-union-docs serve``: ``create_app(settings) -> FastAPI``.

What routers can use (the clerks' web page in ``service/web`` builds on these):

- ``request.app.state.settings``: the :class:`~vn_union_docs.service.settings.ServiceSettings`.
- ``request.app.state.converters``: the resident LibreOffice pool
  (:class:`vn_union_docs.rendering.pdf_pool.ConverterPool`), started with the app and closed
  with it::

      pdf: bytes = await request.app.state.converters.to_pdf(docx_bytes, pdfa=False)

  ``to_pdf`` waits for a free converter (at most ``converters`` conversions run at once),
  raises :class:`vn_union_docs.errors.LibreOfficeError` when no converter is available or
  the conversion fails or hangs (the hung converter is killed and restarted).
  ``converters.available`` tells whether PDFs can be made at all.
- ``request.app.state.jobs``: the batch job store (``service.jobs.JobStore``).

Errors leave the service as JSON ``{"detail": str, "problems": [{"path", "message", ...}]}``
with the library's Vietnamese messages: 422 bad input, 413 too large, 401 no token, 503 no
PDF converter or time limit reached.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vn_union_docs import __version__
from vn_union_docs.errors import LibreOfficeError, Problem, SpecError, VnUnionDocsError
from vn_union_docs.rendering.pdf_pool import ConverterPool
from vn_union_docs.service import responses as service_errors
from vn_union_docs.service.api import router as api_router
from vn_union_docs.service.batch_api import router as batch_router
from vn_union_docs.service.jobs import JobStore
from vn_union_docs.service.login import router as login_router
from vn_union_docs.service.register_api import open_register
from vn_union_docs.service.register_api import router as register_router
from vn_union_docs.service.settings import ServiceSettings, is_loopback
from vn_union_docs.service.signing_api import open_server_key
from vn_union_docs.service.signing_api import router as signing_router
from vn_union_docs.service.uploads import UploadRefused

__all__ = ["create_app"]

_DESCRIPTION = (
    "HTTP API of vn-union-docs: Vietnamese trade-union documents (công văn, kế hoạch, "
    "thông báo) laid out as Nghị định 30/2020/NĐ-CP defines them, as .docx or PDF. "
    "Errors are JSON with a list of problems (key path, Vietnamese message). Clients that "
    "are not on the loopback send the API token as `Authorization: Bearer <token>`."
)


_DOCS_STATIC = "/api/docs/static"
# The API's description is public: a browser can show it without sending the token.
_PUBLIC = ("/openapi.json", "/api/docs", "/login", "/web/static/")
#: Pages a browser opens: without the token it is sent to /login instead of a 401.
_PAGES = ("/", "/batch")


def _pool_for(settings: ServiceSettings) -> ConverterPool:
    if settings.converter_addresses:
        return ConverterPool(addresses=settings.converter_addresses,
                             timeout=settings.converter_timeout)
    return ConverterPool(settings.converters, timeout=settings.converter_timeout,
                         base_port=settings.converter_port)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the application; its lifespan starts and stops the converter pool and jobs."""
    settings = settings or ServiceSettings()
    pool = _pool_for(settings)
    # Opened here, before the server listens: a bad register or key stops serve at once.
    register = open_register(settings.register_target)
    sign_key = open_server_key(settings)
    jobs = JobStore(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if pool.size:
            try:
                await asyncio.to_thread(pool.start)
                service_errors.log.warning(
                    "PDF converters ready: VN_UNION_DOCS_CONVERTERS=%s", ",".join(pool.addresses))
            except LibreOfficeError as exc:  # serve .docx anyway; PDFs answer 503
                service_errors.log.warning("PDF converters not started: %s", exc)
        try:
            yield
        finally:
            await asyncio.to_thread(pool.close)
            jobs.close()
            if register is not None:
                register.close()
            if sign_key is not None:
                sign_key.close()

    # Swagger UI served from the package, not a CDN: offices may have no internet.
    app = FastAPIOffline(
        title="vn-union-docs",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        static_url=_DOCS_STATIC,
    )
    app.state.settings = settings
    app.state.converters = pool
    app.state.jobs = jobs
    app.state.register = register
    app.state.sign_key = sign_key

    app.add_middleware(_Guard, settings=settings)
    _install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    from vn_union_docs.service.web import router as web_router

    app.include_router(api_router)
    app.include_router(register_router)
    app.include_router(signing_router)
    app.include_router(login_router)
    app.include_router(batch_router)
    app.include_router(web_router)
    service_errors.install_openapi(app)
    return app


class _TooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        problems = [Problem("body", f"dữ liệu gửi lên vượt giới hạn {limit:,} byte".replace(
            ",", "."))]
        super().__init__(413, problems)  # type: ignore[arg-type]  # rendered by http_error


class _Guard:
    """Before any route: the token for non-loopback clients, the body size (declared or
    counted while it is read, for chunked bodies) and the time limit of the request.

    Plain ASGI rather than ``@app.middleware("http")``: no task group per request.
    """

    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings
        self.limit = settings.max_upload_bytes + 1_000_000  # multipart overhead
        self.page_limit = settings.max_spec_bytes + 10_000  # the page's JSON (form + spec)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings
        client = scope.get("client")
        public = (scope["method"] in ("GET", "HEAD") and scope["path"].startswith(_PUBLIC)) \
            or (scope["method"] == "POST" and scope["path"] in ("/login", "/logout"))
        if (settings.require_token_everywhere or not is_loopback(client[0] if client else None)) \
                and scope["method"] != "OPTIONS" and not public:
            problem = service_errors.token_problem(Request(scope), settings.token)
            if problem is not None and scope["method"] == "GET" and scope["path"] in _PAGES:
                target = scope["path"] + ("?" + scope["query_string"].decode("latin-1")
                                          if scope.get("query_string") else "")
                await RedirectResponse(f"/login?next={quote(target, safe='')}", 303)(
                    scope, receive, send)
                return
            if problem is not None:
                response = service_errors.problem_response(
                    401, problem, headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        # The web page's endpoints take JSON only: the spec limit, counted for chunked bodies
        # too (their own check reads Content-Length).
        limit = self.page_limit if scope["path"].startswith("/web/api/") else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await service_errors.too_large(limit, "body")(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, limited, tracked), settings.request_timeout)
        except* TimeoutError:
            if not started:
                response = service_errors.problem_response(
                    503, service_errors.timeout_problem(settings.request_timeout))
                await response(scope, receive, send)
        except* _TooLarge:
            if not started:
                await service_errors.too_large(limit, "body")(scope, receive, send)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SpecError)
    async def spec_error(request: Request, exc: SpecError) -> JSONResponse:
        return service_errors.spec_error_response(exc)

    @app.exception_handler(UploadRefused)
    async def refused(request: Request, exc: UploadRefused) -> JSONResponse:
        return service_errors.problem_response(exc.status, exc.problem)

    @app.exception_handler(LibreOfficeError)
    async def libreoffice_error(request: Request, exc: LibreOfficeError) -> JSONResponse:
        return service_errors.message_response(503, "pdf", str(exc))

    @app.exception_handler(VnUnionDocsError)
    async def library_error(request: Request, exc: VnUnionDocsError) -> JSONResponse:
        return service_errors.message_response(422, "", str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return service_errors.request_validation_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        return service_errors.http_error_response(exc)
