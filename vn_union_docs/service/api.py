"""The JSON API under ``/api``: render, check, schema, templates and document types, health.

The batch endpoints are in :mod:`vn_union_docs.service.batch_api`. Specs are read by the
library itself (``load_document``), so a bad spec gives the same problems, with the same key
paths and Vietnamese messages, as the command line. A spec never names a server path: its
``template:`` may only be the name of a template listed by ``GET /api/templates``.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from vn_union_docs import __version__
from vn_union_docs.checker import Finding, check, check_text, unreadable_finding
from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES, DOCUMENT_ADAPTER, MODELS
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.documents.reading import check_tree
from vn_union_docs.documents.spec import load_document
from vn_union_docs.errors import Problem, SpecError, TemplateError
from vn_union_docs.rendering.compiled import get_compiled
from vn_union_docs.rendering.render import render_docx
from vn_union_docs.rendering.templates import templates_dir
from vn_union_docs.service.limits import run_limited
from vn_union_docs.service.responses import ERROR_RESPONSES, SPEC_SCHEMA_REF
from vn_union_docs.service.settings import ServiceSettings
from vn_union_docs.service.uploads import (
    inspect_zip,
    parse_json_object,
    read_json_body,
    read_upload,
    refuse,
    safe_template_name,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])

DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA = "application/pdf"


# --- models --------------------------------------------------------------------------------

class DocumentType(BaseModel):
    """A document type the library makes."""

    type: str = Field(description="Value of the spec's type: key.")
    name: str = Field(description="Vietnamese name, e.g. công văn.")
    abbreviation: str = Field(description="Abbreviation in the ký hiệu (KH, TB; none for "
                                          "công văn), NĐ 30/2020, Phụ lục III.")
    default_template: str


class TemplateInfo(BaseModel):
    """A template a spec may name in ``template:``."""

    name: str = Field(description="What to write in the spec's template: key.")
    type: str | None = Field(description="Document type the template declares, if any.")
    builtin: bool


class CheckResult(BaseModel):
    """What the checker found (rules cite NĐ 30/2020 by article)."""

    kind: Literal["spec", "docx", "pdf"]
    errors: int
    warnings: int
    findings: list[Finding]
    note: str | None = None
    signatures: list[dict[str, Any]] | None = Field(
        default=None, description="A PDF's digital signatures: who, role, valid, changed after "
        "signing, placement (NĐ 30/2020, Điều 5; Phụ lục I).")


class TemplateFindingOut(BaseModel):
    """One problem of an uploaded template (as ``vn-union-docs template check`` reports)."""

    severity: str
    code: str
    message: str
    part: str = ""
    place: str = ""
    excerpt: str = ""


class TemplateCheckResult(BaseModel):
    """The ``template check`` of an uploaded .docx template."""

    errors: int
    warnings: int
    findings: list[TemplateFindingOut]


class Health(BaseModel):
    """Service status."""

    version: str
    converters: int = Field(description="Resident PDF converters in the pool.")
    pdf: bool = Field(description="Whether PDFs can be made.")
    converter_restarts: int


# --- helpers -------------------------------------------------------------------------------

def _settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


def _template_folders(settings: ServiceSettings) -> list[Path]:
    folders = [templates_dir()]
    if settings.templates_dir is not None:
        folders.insert(0, settings.templates_dir)
    return folders


def spec_to_document(spec: dict[str, Any], folders: Sequence[Path]
                     ) -> tuple[BaseDocument, Path | None]:
    """Validate a spec dict into a model; its ``template:`` resolved among ``folders``."""
    check_tree(spec)  # before the copy: a repeated key is marked on the parsed object
    spec = dict(spec)
    template = safe_template_name(spec.pop("template", None), folders)
    try:
        document = load_document(spec)
    except RecursionError:
        raise SpecError(problems=[Problem("", "spec lồng nhau quá sâu")]) from None
    return document, template


def _filename(document: BaseDocument, suffix: str) -> str:
    number = f"{document.number:02d}" if document.number is not None else "du-thao"
    return f"{document.type}-{number}.{suffix}"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; "
                                   f"filename*=UTF-8''{quote(name)}"}


_UPLOAD_BODY: dict[str, Any] = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}


# --- endpoints -----------------------------------------------------------------------------

@router.get("/schema", summary="JSON Schema of the spec",
            responses={200: {"content": {"application/schema+json": {}}}})
def schema() -> Response:
    """The JSON Schema of a spec, as ``vn-union-docs schema`` prints it."""
    import json

    data = DOCUMENT_ADAPTER.json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "vn-union-docs spec"
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/schema+json")


@router.get("/types", summary="Document types", response_model=list[DocumentType])
def document_types() -> list[DocumentType]:
    """The document types (công văn, kế hoạch, thông báo) and their default templates."""
    return [DocumentType(type=key, name=DOC_TYPE_NAMES[key], abbreviation=model.type_abbreviation,
                         default_template=key) for key, model in MODELS.items()]


@router.get("/templates", summary="Templates", response_model=list[TemplateInfo])
def list_templates(request: Request) -> list[TemplateInfo]:
    """Templates a spec may name in ``template:``: the built-in ones and the served folder."""
    settings = _settings(request)
    seen: dict[str, TemplateInfo] = {}
    for folder in _template_folders(settings):
        builtin = folder == templates_dir()
        for path in sorted(folder.glob("*.docx")):
            if path.stem in seen or path.name.startswith((".", "~$")):
                continue
            try:
                served = get_compiled(path).doc_types  # the types a template serves
                kind = ",".join(served) if served else None
            except Exception:  # a broken template is listed without a type
                kind = None
            seen[path.stem] = TemplateInfo(name=path.stem, type=kind, builtin=builtin)
    return sorted(seen.values(), key=lambda t: (not t.builtin, t.name))


@router.get("/health", summary="Status", response_model=Health)
def health(request: Request) -> Health:
    """Version and converter pool status."""
    pool = request.app.state.converters
    return Health(version=__version__, converters=pool.size if pool.available else 0,
                  pdf=pool.available, converter_restarts=pool.restarts)


@router.post(
    "/render",
    summary="Render a spec as .docx or PDF",
    openapi_extra={"requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": SPEC_SCHEMA_REF}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["spec", "template"],
                "properties": {
                    "spec": {"type": "string", "description": "The spec as JSON text."},
                    "template": {"type": "string", "format": "binary",
                                 "description": "A .docx template (checked first)."}}}},
        },
        "required": True}},
    responses={
        200: {"description": "The document.",
              "content": {DOCX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
                          PDF_MEDIA: {"schema": {"type": "string", "format": "binary"}}}},
        **ERROR_RESPONSES,
    },
    response_class=Response,
)
async def render(
    request: Request,
    format: Annotated[Literal["docx", "pdf"], Query(description="Output format.")] = "docx",
    pdfa: Annotated[bool, Query(description="PDF/A-2b (with format=pdf).")] = False,
    file: Annotated[str | None, Query(
        max_length=200, description="With number: auto and a register: the document's file "
        "name, recorded in the register; the same name again keeps its number.")] = None,
) -> Response:
    """Render the spec (JSON body); or a spec with an uploaded template (multipart form).

    ``number: auto`` takes the next number from the service's register (``serve
    --register``) and records the file name and the sha256 of the bytes returned.

    An uploaded template goes through ``template check`` first (errors: 422 with its
    findings) and renders in the sandbox like every template.
    """
    from vn_union_docs.service.register_api import numbered

    settings = _settings(request)
    folders = _template_folders(settings)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        docx, document = await _render_with_upload(request, settings, folders)
        if document.number == "auto":  # pragma: no cover - refused in _render_with_upload
            raise refuse(422, "number", "number: auto chưa dùng được với mẫu tải lên")
        data = docx if format == "docx" else await request.app.state.converters.to_pdf(
            docx, pdfa=pdfa)
    else:
        spec = await read_json_body(request, settings)
        document, template = await run_limited(settings.work_timeout, spec_to_document, spec,
                                               folders)

        async def make(doc: BaseDocument) -> bytes:
            docx: bytes = await run_limited(settings.work_timeout, render_docx, doc,
                                            template=template)
            if format == "pdf":
                pdf: bytes = await request.app.state.converters.to_pdf(docx, pdfa=pdfa)
                return pdf
            return docx

        data = await numbered(request, document, file, make,
                              lambda doc: _filename(doc, format))
    return Response(data, media_type=PDF_MEDIA if format == "pdf" else DOCX_MEDIA,
                    headers=_attachment(_filename(document, format)))


async def _render_with_upload(request: Request, settings: ServiceSettings,
                              folders: Sequence[Path]) -> tuple[bytes, BaseDocument]:
    form = await request.form(max_files=1, max_fields=4, max_part_size=settings.max_spec_bytes)
    spec_field = form.get("spec")
    upload = form.get("template")
    if not isinstance(spec_field, str):
        raise refuse(422, "spec", "thiếu trường spec (JSON của văn bản)")
    if not isinstance(upload, UploadFile):
        raise refuse(422, "template", "thiếu tệp mẫu .docx (trường template)")
    spec = parse_json_object(spec_field.encode("utf-8"), "spec")
    spec.pop("template", None)
    raw = await read_upload(upload, settings, "template")  # type: ignore[arg-type]
    inspect_zip(raw, settings, "template")
    def work() -> tuple[bytes, BaseDocument]:
        document, _ = spec_to_document(spec, folders)
        if document.number == "auto":
            raise refuse(422, "number", "number: auto chưa dùng được cùng mẫu tải lên; gửi spec "
                                        "dạng JSON (mẫu có tên trong /api/templates)")
        return _render_uploaded_template(raw, document), document

    return await run_limited(settings.work_timeout, work)


def _template_findings(path: Path, doc_type: str | None) -> list[TemplateFindingOut]:
    from vn_union_docs.authoring.template_check import check_template

    return [TemplateFindingOut(severity=f.severity, code=f.code, message=f.message, part=f.part,
                               place=f.place, excerpt=f.excerpt)
            for f in check_template(path, doc_type)]


def _render_uploaded_template(raw: bytes, document: BaseDocument) -> bytes:
    from vn_union_docs.rendering.render import render_compiled

    with tempfile.TemporaryDirectory(prefix="vn-union-docs-upload-") as tmp:
        path = Path(tmp) / "template.docx"
        path.write_bytes(raw)
        errors = [f for f in _template_findings(path, document.type) if f.severity == "error"]
        if errors:
            raise refuse(422, "template", "; ".join(
                f"{f.part} {f.place}: {f.message}".strip() for f in errors[:10]))
        try:
            from vn_union_docs.rendering.compiled import CompiledTemplate

            compiled = CompiledTemplate(path)
        except TemplateError:
            raise
        except Exception as exc:
            raise refuse(422, "template", f"không dùng được mẫu này ({exc})") from None
        return render_compiled(compiled, document)


@router.post(
    "/templates/check",
    summary="Check an uploaded .docx template",
    response_model=TemplateCheckResult,
    responses=ERROR_RESPONSES,
    openapi_extra={"requestBody": {"content": _UPLOAD_BODY, "required": True}},
)
async def check_uploaded_template(
    request: Request,
    type: Annotated[Literal["cong_van", "ke_hoach", "thong_bao"] | None,
                    Query(description="Document type the template is for.")] = None,
) -> TemplateCheckResult:
    """``vn-union-docs template check`` for an uploaded template (multipart field ``file``)."""
    settings = _settings(request)
    raw = await _one_upload(request, settings)
    inspect_zip(raw, settings, "file")

    def run() -> list[TemplateFindingOut]:
        with tempfile.TemporaryDirectory(prefix="vn-union-docs-upload-") as tmp:
            path = Path(tmp) / "template.docx"
            path.write_bytes(raw)
            return _template_findings(path, type)

    findings = await run_limited(settings.work_timeout, run)
    errors = sum(f.severity == "error" for f in findings)
    return TemplateCheckResult(errors=errors, warnings=len(findings) - errors, findings=findings)


async def _one_upload(request: Request, settings: ServiceSettings,
                      field: str = "file") -> bytes:
    return (await _named_upload(request, settings, field))[0]


async def _named_upload(request: Request, settings: ServiceSettings,
                        field: str = "file") -> tuple[bytes, str]:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise refuse(422, field, "gửi tệp dạng multipart/form-data, trường «file»")
    form = await request.form(max_files=1, max_fields=2, max_part_size=settings.max_spec_bytes)
    upload = form.get(field)
    if not isinstance(upload, UploadFile):
        raise refuse(422, field, f"thiếu tệp (trường «{field}»)")
    return await read_upload(upload, settings, field), upload.filename or ""  # type: ignore[arg-type]


@router.post(
    "/check",
    summary="Check a spec or an uploaded .docx/PDF",
    response_model=CheckResult,
    responses=ERROR_RESPONSES,
    openapi_extra={"requestBody": {
        "content": {"application/json": {"schema": {
            "type": "object", "description": "A spec (see Spec). Unlike /api/render, an "
            "invalid spec is not refused: its problems come back as findings."}},
            **_UPLOAD_BODY},
        "required": True}},
)
async def check_endpoint(request: Request) -> CheckResult:
    """Run the document checker: a spec as JSON, or a file (multipart ``file``): a spec
    (.yaml/.yml/.json), a .docx or a PDF.

    A PDF is checked on its text only (dates, numbers, headings); layout rules need the .docx.
    """
    settings = _settings(request)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        raw, filename = await _named_upload(request, settings)
        suffix = Path(filename).suffix.lower()
        if suffix in (".yaml", ".yml", ".json"):
            return await run_limited(settings.work_timeout, _check_spec_file, raw, suffix)
        if raw.startswith(b"%PDF"):
            return await run_limited(settings.work_timeout, _check_pdf, raw, settings)
        inspect_zip(raw, settings, "file")
        return await run_limited(settings.work_timeout, _check_docx, raw)
    spec = await read_json_body(request, settings)
    spec.pop("template", None)  # the checker never opens a server path
    try:
        findings = await run_limited(settings.work_timeout, check, spec)
    except RecursionError:
        raise refuse(422, "body", "spec lồng nhau quá sâu") from None
    return _result("spec", findings)


def _result(kind: Literal["spec", "docx", "pdf"], findings: list[Finding],
            note: str | None = None) -> CheckResult:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return CheckResult(kind=kind, errors=errors, warnings=warnings, findings=findings, note=note)


def _check_spec_file(raw: bytes, suffix: str) -> CheckResult:
    """A spec file as clerks keep them (YAML or JSON), read by the checker itself."""
    with tempfile.TemporaryDirectory(prefix="vn-union-docs-upload-") as tmp:
        path = Path(tmp) / f"spec{suffix}"
        path.write_bytes(raw)
        findings = check(path)
    return _result("spec", [_without_path(f, str(path)) for f in findings])


def _without_path(finding: Finding, path: str) -> Finding:
    """The finding without the server's temporary path in its text."""
    from dataclasses import replace

    return replace(finding, message=finding.message.replace(path, "spec"),
                   place=finding.place.replace(path, "spec"))


def _check_docx(raw: bytes) -> CheckResult:
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:
        return _result("docx", [unreadable_finding(
            f"không mở được tệp .docx ({type(exc).__name__})")])
    return _result("docx", check(document))


def _check_pdf(raw: bytes, settings: ServiceSettings) -> CheckResult:
    """The PDF's text checks and its signature findings (``signing.signature_findings``)."""
    from vn_union_docs.service.signing_api import pdf_signatures

    result = _check_pdf_text(raw, settings)
    found, reports = pdf_signatures(raw)
    extra = [Finding(rule=f["rule"], severity=f["severity"], message=f["message"],
                     place=f["place"], source=f["source"]) for f in found]
    return _result("pdf", [*result.findings, *extra], result.note).model_copy(
        update={"signatures": reports})


def _check_pdf_text(raw: bytes, settings: ServiceSettings) -> CheckResult:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = reader.pages[: settings.max_pdf_pages]
        text = "\n".join((page.extract_text() or "") for page in pages)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
        return _result("pdf", [unreadable_finding(
            f"không đọc được tệp PDF ({type(exc).__name__})")])
    if not text.strip():
        return _result("pdf", [unreadable_finding(
            "PDF không có lớp chữ (bản quét?): không kiểm tra được")])
    note = ("PDF chỉ được kiểm tra phần chữ (ngày tháng, số liệu, đề mục); thể thức trình bày "
            "cần tệp .docx")
    return _result("pdf", check_text(text, place="PDF"), note)
