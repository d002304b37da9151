"""The register of outgoing documents through the service (``serve --register PATH_OR_URL``).

- ``POST /api/render`` (and the web page's download) with ``number: auto`` takes the next
  number from the register, prints it, and records the file name and the sha256 of the bytes
  sent (NĐ 30/2020, Điều 15–16). The query ``file=`` names the document (a file name, never
  a path): rendering the same ``file`` again keeps its number, as on the command line.
- ``GET /api/register/{year}``: the year's numbers; ``POST /api/register/{year}/cancel``;
  ``GET /api/register/{year}/export?format=xlsx|docx``: the printed register;
  ``POST /api/register/{year}/edxml``: the edXML envelope of a registered number, signed with
  the key configured on the server (``serve --edxml-key``).

One :class:`~vn_union_docs.register.Register` per service (SQLAlchemy's pool is thread-safe;
every allocation is its own transaction, so two clerks never get the same number).
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from vn_union_docs.errors import Problem, SpecError
from vn_union_docs.service.responses import NOT_CONFIGURED_RESPONSES
from vn_union_docs.service.uploads import refuse

__all__ = ["NUMBER_KEY_PREFIX", "SerialRegister", "numbered", "open_register", "router"]

router = APIRouter(prefix="/api/register", tags=["register"])

#: Register key of a document made through the service: this prefix and its ``file`` name.
NUMBER_KEY_PREFIX = "vn-union-docs-serve:"

#: The year in a register path: a calendar year (the register's own column is an integer).
Year = Annotated[int, PathParam(ge=1900, le=9999, description="Năm của sổ (năm văn bản).")]

_FILE_NAME = re.compile(r"[^\\/:*?\"<>|\x00-\x1f]{1,200}")


class RegisterEntryOut(BaseModel):
    """One number of the register (Phụ lục IV's columns)."""

    number: str = Field(description="Số và ký hiệu, e.g. 05/CĐKCN.")
    issuer_code: str
    year: int
    series: str
    state: str = Field(description="reserved (giữ số), issued or cancelled.")
    date: str | None
    type: str | None
    subject: str | None
    signer: str | None
    file_name: str | None
    sha256: str | None
    note: str | None


class CancelRequest(BaseModel):
    """Cancel a number (never reused)."""

    number: str = Field(description="Số và ký hiệu, e.g. 05/CĐKCN.", max_length=100)
    reason: str = Field(min_length=1, max_length=1000)


class EdxmlRequest(BaseModel):
    """An edXML envelope for a registered number (QCVN 102:2016)."""

    number: str = Field(description="Số và ký hiệu, e.g. 05/CĐKCN.", max_length=100)
    spec: dict[str, Any] = Field(description="The document's spec (issuer.organ_id needed).")
    to: list[str] = Field(default_factory=list, max_length=200,
                          description="Recipients as CODE=Name (the envelope's To).")


class SerialRegister:
    """A :class:`~vn_union_docs.register.Register` whose calls run one at a time.

    A ``Register`` object is made for one process at a time (the lock file it ``flock``s is
    shared by all its threads, and ``reserve`` keeps its pending rows on the object); the
    service's request threads share one, so each call holds this lock. Other processes
    (``render``, ``batch``, another service) are kept apart by the register itself.
    """

    def __init__(self, register: Any) -> None:
        self._register = register
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._register, name)
        if not callable(value):
            return value

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)

        return locked


def open_register(target: str | None) -> SerialRegister | None:
    """The service's register (created if empty), or ``None`` without ``--register``."""
    if target is None:
        return None
    from vn_union_docs.register import Register

    return SerialRegister(Register(target, create=True))


def _register(request: Request) -> Any:
    register = getattr(request.app.state, "register", None)
    if register is None:
        raise refuse(404, "register", "dịch vụ chưa có sổ đăng ký văn bản: chạy "
                                      "«vn-union-docs serve --register TỆP_HOẶC_URL»")
    return register


def document_key(file: str | None) -> str:
    """The register key of a service document: its ``file`` name, or a new one each time."""
    if file is None:
        return NUMBER_KEY_PREFIX + "auto-" + uuid.uuid4().hex
    if not _FILE_NAME.fullmatch(file) or file.strip(". ") == "":
        raise refuse(422, "file", "tên tệp không hợp lệ: chỉ một tên tệp (không có / \\ : * ? "
                                  "\" < > |), tối đa 200 ký tự")
    return NUMBER_KEY_PREFIX + file


async def numbered(request: Request, doc: Any, file: str | None,
                   make: Callable[[Any], Any], name_for: Callable[[Any], str]) -> bytes:
    """Render ``doc`` with ``make(doc)`` (an awaitable of the bytes sent); a ``number: auto``
    document is first given a number from the register, then its file name (``file`` or
    ``name_for(doc)``) and the sha256 of the bytes are recorded.

    Without a register, ``number: auto`` is a 422 naming the option that gives one.
    """
    if doc.number != "auto":
        result: bytes = await make(doc)
        return result
    register = getattr(request.app.state, "register", None)
    if register is None:
        raise SpecError(problems=[Problem("number", (
            "number: auto cần sổ đăng ký văn bản, mà dịch vụ chưa có: chạy «vn-union-docs serve "
            "--register TỆP_HOẶC_URL», hoặc ghi số văn bản (number: 58)"))])
    from vn_union_docs.register import RegisterError, facts_from_document

    key = document_key(file)
    try:
        facts = facts_from_document(doc)
    except ValueError as exc:
        raise SpecError(problems=[Problem("date", str(exc))]) from None
    allocation = await run_in_threadpool(register.allocate, facts, key)
    numbered_doc = doc.model_copy(update={"number": allocation.number})
    data: bytes = await make(numbered_doc)
    sha = hashlib.sha256(data).hexdigest()
    try:
        await run_in_threadpool(register.mark_issued,
                                [(allocation.entry_id, file or name_for(numbered_doc), sha)])
    except RegisterError:  # pragma: no cover - the row was just reserved
        raise
    doc.number = allocation.number  # the caller names the download after it
    return data


def _entry(entry: Any) -> RegisterEntryOut:
    return RegisterEntryOut(
        number=entry.text, issuer_code=entry.issuer_code, year=entry.year, series=entry.kind,
        state=entry.state, date=entry.doc_date.isoformat() if entry.doc_date else None,
        type=entry.doc_type, subject=entry.subject, signer=entry.signer,
        file_name=entry.file_name, sha256=entry.sha256, note=entry.note)


def _parse(text: str) -> tuple[int, str]:
    from vn_union_docs.register import parse_number

    try:
        return parse_number(text)
    except ValueError as exc:
        raise refuse(422, "number", str(exc)) from None




@router.get("/{year}", summary="Numbers of a year", response_model=list[RegisterEntryOut],
            responses=NOT_CONFIGURED_RESPONSES)
async def list_year(request: Request, year: Year) -> list[RegisterEntryOut]:
    """The register's numbers of ``year``, in register order (``register list``)."""
    register = _register(request)
    entries = await run_in_threadpool(register.entries, year=year)
    return [_entry(e) for e in entries]


@router.post("/{year}/cancel", summary="Cancel a number", response_model=RegisterEntryOut,
             responses=NOT_CONFIGURED_RESPONSES)
async def cancel(request: Request, year: Year, body: CancelRequest) -> RegisterEntryOut:
    """Mark a number cancelled (``register cancel``): it is never given again."""
    register = _register(request)
    number, symbol = _parse(body.number)
    entry = await run_in_threadpool(register.cancel, number, symbol, year, body.reason)
    return _entry(entry)


_EXPORT_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/{year}/export", summary="The printed register", response_class=Response,
            responses={200: {"content": {m: {"schema": {"type": "string", "format": "binary"}}
                                         for m in _EXPORT_MEDIA.values()}},
                       **NOT_CONFIGURED_RESPONSES})
async def export(request: Request, year: Year,
                 format: Annotated[Literal["docx", "xlsx"], Query()] = "xlsx") -> Response:
    """The register of ``year`` to print and bind (.docx, Phụ lục IV) or for the office (.xlsx)."""
    from vn_union_docs.register.export import books, docx_bytes, xlsx_bytes

    register = _register(request)

    def work() -> bytes:
        chosen = books(register, year)
        return docx_bytes(chosen) if format == "docx" else xlsx_bytes(chosen)

    data = await run_in_threadpool(work)
    name = f"so-van-ban-di-{year}.{format}"
    return Response(data, media_type=_EXPORT_MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


_EDXML_BODY: dict[str, Any] = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["spec", "pdf", "to"],
    "properties": {
        "number": {"type": "string", "description": "Số và ký hiệu, e.g. 05/CĐKCN."},
        "spec": {"type": "string", "description": "The document's spec as JSON text "
                 "(issuer.organ_id needed)."},
        "pdf": {"type": "string", "format": "binary", "description": "The signed PDF."},
        "to": {"type": "array", "items": {"type": "string"},
               "description": "Recipients as MÃ_ĐỊNH_DANH=Tên cơ quan (repeat the field)."}}}}}


@router.post("/{year}/edxml", summary="edXML envelope of a registered number",
             response_class=Response,
             openapi_extra={"requestBody": {"content": _EDXML_BODY, "required": True}},
             responses={200: {"content": {"application/xml": {}}}, **NOT_CONFIGURED_RESPONSES})
async def edxml(request: Request, year: Year) -> Response:
    """The edXML envelope (QCVN 102:2016) of a registered, issued number with its signed PDF,
    signed with the organisation's key the server was started with (``serve --sign-key``;
    a request never names a key or a path)."""
    from vn_union_docs.service.signing_api import server_key as open_key

    register = _register(request)
    settings = request.app.state.settings
    server_key = open_key(request)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise refuse(422, "pdf", "gửi dạng multipart/form-data: number, spec, pdf, to")
    form = await request.form(max_files=1, max_fields=210,
                              max_part_size=settings.max_spec_bytes)
    from vn_union_docs.documents.spec import load_document
    from vn_union_docs.service.uploads import parse_json_object, read_upload

    number_field, spec_field, upload = form.get("number"), form.get("spec"), form.get("pdf")
    if not isinstance(number_field, str):
        raise refuse(422, "number", "thiếu số và ký hiệu (trường number, ví dụ 05/CĐKCN)")
    if not isinstance(spec_field, str):
        raise refuse(422, "spec", "thiếu trường spec (JSON của văn bản)")
    if isinstance(upload, str) or upload is None:
        raise refuse(422, "pdf", "thiếu tệp PDF đã ký (trường pdf)")
    recipients_text = [t for t in form.getlist("to") if isinstance(t, str)]
    number, symbol = _parse(number_field)
    spec = parse_json_object(spec_field.encode("utf-8"), "spec")
    spec.pop("template", None)  # the envelope needs the document's facts, not its layout
    document = load_document(spec)
    pdf = await read_upload(upload, settings, "pdf")  # type: ignore[arg-type]

    def work() -> bytes:
        import tempfile
        from pathlib import Path

        from vn_union_docs.exchange.document import envelope_for, parse_organ
        from vn_union_docs.exchange.envelope import build
        from vn_union_docs.exchange.signature import sign

        recipients = [parse_organ(t) for t in recipients_text]
        with tempfile.TemporaryDirectory(prefix="vn-union-docs-edxml-") as tmp:
            path = Path(tmp) / f"{number:02d}-{year}.pdf"
            path.write_bytes(pdf)
            envelope = envelope_for(register, number, symbol, year, document, path, recipients)
        with server_key.lock:  # the token's session is not shared between threads
            signed: bytes = sign(build(envelope), server_key.key)
        return signed

    data = await run_in_threadpool(work)
    name = f"{number:02d}-{year}.edxml"
    return Response(data, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
