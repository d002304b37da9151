"""The clerks' web page of ``vn-union-docs serve`` (issue 21): a form, a live preview, downloads.

``router`` is included by ``vn_union_docs.service.app.create_app``. Routes:

- ``GET /``: the page (Vietnamese; the document types are in the HTML before any script runs;
  the form is built in the browser from the spec's JSON Schema, embedded in the page).
- ``GET /batch``: the batch page (a spec and a spreadsheet → a zip, through ``/api/batch``).
- ``GET /web/static/{name}``: the page's own scripts and style sheet (nothing from a CDN).
- ``POST /web/api/inspect``: problems, checker findings and the printed number and
  place-date lines of the spec the form holds (no rendering; a few milliseconds).
- ``POST /web/api/preview``: the same and the pages as PNG images (``data:`` URLs).
- ``POST /web/api/render?format=docx|pdf``: the document to download.
- ``POST /web/api/yaml/dump`` / ``POST /web/api/yaml/load``: the spec as a YAML file and back.

A spec's ``template:`` is a name from ``GET /api/templates`` (the served folder, then the
built-in templates), never a path.

The ``/web/api`` endpoints take the form's envelope (:class:`forms.FormSpec`); other systems
use ``/api/render`` with a plain spec.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from vn_union_docs import Problem, SpecError, TemplateError, render_docx
from vn_union_docs.errors import LibreOfficeError
from vn_union_docs.rendering.templates import templates_dir
from vn_union_docs.service.api import _template_folders
from vn_union_docs.service.web import forms
from vn_union_docs.service.web.preview import docx_to_pdf, preview_pages

router = APIRouter()

_PACKAGE = resources.files(__name__)
_STATIC: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "form.js": "text/javascript; charset=utf-8",
    "batch.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
_ENV = Environment(
    loader=FileSystemLoader(str(_PACKAGE / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _json_for_script(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` can close it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: The page may load and call nothing but the service itself (offline by construction).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _page(name: str, **values: Any) -> HTMLResponse:
    html = _ENV.get_template(name).render(**values)
    return HTMLResponse(html, headers={
        "Cache-Control": "no-cache",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    })


def _folders(request: Request) -> list[Path]:
    """Where a spec's ``template:`` name is looked up: the served folder, then the built-ins."""
    settings = getattr(request.app.state, "settings", None)
    return _template_folders(settings) if settings is not None else [templates_dir()]


def _templates(request: Request) -> list[dict[str, Any]]:
    """The templates the form offers (``GET /api/templates``)."""
    from vn_union_docs.service.api import list_templates

    try:
        return [t.model_dump() for t in list_templates(request)]
    except Exception:  # no settings (the router outside the service): built-ins only
        return []


def _register_configured(request: Request) -> bool:
    """Whether ``serve --register`` names a register (then ``number: auto`` is offered)."""
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "register_target", None) is not None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, type: str | None = None) -> HTMLResponse:
    """The page where a clerk composes one document."""
    types = forms.document_types()
    selected = type if any(t["id"] == type for t in types) else types[0]["id"]
    return _page(
        "index.html",
        types=types,
        selected=selected,
        schema_json=_json_for_script(forms.schema()),
        labels_json=_json_for_script({"keys": forms.LABELS, "enums": forms.ENUM_LABELS,
                                      "types": types, "templates": _templates(request),
                                      "register": _register_configured(request)}),
    )


@router.get("/batch", response_class=HTMLResponse, include_in_schema=False)
def batch_page() -> HTMLResponse:
    """The page where a clerk makes one document per row of a spreadsheet."""
    return _page("batch.html", types=forms.document_types())


@router.get("/web/static/{name}", include_in_schema=False)
def static(name: str, request: Request) -> Response:
    """One of the page's own files (a fixed list: no request names a path on the server)."""
    media = _STATIC.get(name)
    if media is None:
        return JSONResponse({"detail": "không có tệp này", "problems": []}, status_code=404)
    data = (_PACKAGE / "static" / name).read_bytes()
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media, headers=headers)


def _spec_size(request: Request) -> None:
    """413 for a spec larger than the service's ``max_spec_bytes`` (1 MB by default)."""
    settings = getattr(request.app.state, "settings", None)
    limit = getattr(settings, "max_spec_bytes", forms.MAX_SPEC_BYTES)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        from fastapi import HTTPException

        raise HTTPException(413, f"văn bản quá lớn: tối đa {limit:,} byte".replace(",", "."))


_SIZED = [Depends(_spec_size)]


@router.post("/web/api/inspect", dependencies=_SIZED, include_in_schema=False)
def inspect(form: forms.FormSpec, request: Request) -> dict[str, Any]:
    """Problems, checker findings and printed lines of the form's spec (no rendering)."""
    result, _doc, _template = forms.inspect(form, _folders(request))
    return result


@router.post("/web/api/preview", dependencies=_SIZED, include_in_schema=False)
async def preview(form: forms.FormSpec, request: Request) -> JSONResponse:
    """``inspect`` and, when the spec is valid, the pages as images (``pages``, ``page_count``).

    A spec that cannot be rendered gets ``pages: null`` (the page keeps the last good images);
    when no PDF can be made, ``pdf_error`` says why.
    The ``Server-Timing`` header says where the time went (check, docx, pdf, png; ms).
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    result, doc, template = await run_in_threadpool(forms.inspect, form, _folders(request))
    timings["check"] = time.perf_counter() - start
    result.update(pages=None, page_count=0)
    if doc is not None:
        start = time.perf_counter()
        try:
            docx = await run_in_threadpool(render_docx, doc, template=template)
        except TemplateError as exc:  # e.g. a template made for another document type
            result["valid"] = False
            result["problems"].append({"path": forms.TEMPLATE_KEY, "message": str(exc)})
            return JSONResponse(result)
        timings["docx"] = time.perf_counter() - start
        try:
            result.update(await preview_pages(request.app.state, docx, timings))
        except LibreOfficeError as exc:  # the findings are still worth showing
            result["pdf_error"] = str(exc)
    header = ", ".join(f"{name};dur={seconds * 1000:.1f}" for name, seconds in timings.items())
    return JSONResponse(result, headers={"Server-Timing": header})


def _file_name(doc: Any, suffix: str) -> str:
    """``58-CĐYT.docx``, ``du-thao-KH-CĐYT.pdf``: the number and ký hiệu, safe on Windows."""
    number = f"{doc.number:02d}" if doc.number is not None else "du-thao"
    stem = re.sub(r'[\\/:*?"<>|\s]+', "-", f"{number}-{doc.symbol_text}").strip("-.")
    return f"{stem or 'van-ban'}{suffix}"


def _attachment(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode() or "van-ban"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _valid(form: forms.FormSpec, folders: list[Path]) -> tuple[Any, Path | None]:
    spec, problems = forms.spec_from_form(form)
    template, template_problems = forms.resolve_template(spec, folders)
    problems += template_problems
    doc, invalid = forms.validate(spec) if not problems else (None, [])
    if doc is None:
        raise SpecError(problems=problems + invalid)
    return doc, template


_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@router.post("/web/api/render", dependencies=_SIZED, include_in_schema=False)
async def render(form: forms.FormSpec, request: Request,
                 format: Annotated[Literal["docx", "pdf"], Query()] = "docx") -> Response:
    """The document as .docx or PDF, named after its number and ký hiệu (422 with every
    problem when the spec cannot be rendered)."""
    from vn_union_docs.service.register_api import numbered

    doc, template = await run_in_threadpool(_valid, form, _folders(request))

    async def make(document: Any) -> bytes:
        try:
            data: bytes = await run_in_threadpool(render_docx, document, template=template)
        except TemplateError as exc:
            raise SpecError(problems=[Problem(forms.TEMPLATE_KEY, str(exc))]) from None
        if format == "pdf":
            data = await docx_to_pdf(request.app.state, data)
        return data

    # number: auto takes the next number from the register (serve --register) on download.
    data = await numbered(request, doc, None, make, lambda d: _file_name(d, "." + format))
    return Response(data, media_type=_MEDIA[format],
                    headers={"Content-Disposition": _attachment(_file_name(doc, "." + format))})


@router.post("/web/api/yaml/dump", dependencies=_SIZED, include_in_schema=False)
def yaml_dump(form: forms.FormSpec) -> Response:
    """The form's spec as a YAML file (``vn-union-docs render`` reads it back)."""
    spec, problems = forms.spec_from_form(form)
    if problems:
        raise SpecError(problems=problems)
    text = forms.dump_yaml(spec)
    return Response(text.encode(), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": _attachment("van-ban.yaml")})


@router.post("/web/api/yaml/load", dependencies=_SIZED, include_in_schema=False)
def yaml_load(body: forms.YamlText) -> dict[str, Any]:
    """A spec file's text as the form holds it (422 when it is not a YAML/JSON mapping)."""
    return forms.load_yaml(body)
