"""Batch endpoints: a spec and a CSV/XLSX upload → a job id → poll → a zip.

``POST /api/batch`` (multipart: ``spec`` JSON/YAML file, ``data`` CSV/XLSX file, optional
``name`` pattern, ``pdf``, ``pdfa``, ``strict``) checks the spec, the columns and the name
pattern at once (422 with the problems) and answers 202 with the job; ``GET
/api/batch/{id}`` tells its state; ``GET /api/batch/{id}/result`` is the zip: the documents,
``_manifest.csv`` and, when rows were bad, ``_errors.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from vn_union_docs.errors import Problem, SpecError, VnUnionDocsError
from vn_union_docs.service.api import _template_folders
from vn_union_docs.service.jobs import BatchRequest, Job, JobStore
from vn_union_docs.service.limits import run_limited
from vn_union_docs.service.responses import ERROR_RESPONSES
from vn_union_docs.service.settings import ServiceSettings
from vn_union_docs.service.uploads import (
    UploadRefused,
    inspect_zip,
    parse_json_object,
    read_upload,
    refuse,
    safe_template_name,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/batch", tags=["batch"])

_DATA_SUFFIXES = {".csv": ".csv", ".txt": ".csv", ".xlsx": ".xlsx", ".xlsm": ".xlsx"}
_ZIP_MEDIA = "application/zip"


class JobStatus(BaseModel):
    """State of a batch job."""

    id: str
    state: Literal["queued", "running", "done", "failed"]
    total: int = Field(description="Data rows (header excluded).")
    done_rows: int
    written: int = Field(description="Documents written.")
    pdfs: int
    failed_rows: list[int] = Field(description="Spreadsheet row numbers (header = row 1).")
    problems: list[Problem] = Field(description="Why rows (or the job) failed.")
    seconds: float
    status_url: str
    result_url: str | None = Field(description="The zip, once the job is done.")


def _status(job: Job) -> JobStatus:
    base = f"/api/batch/{job.id}"
    return JobStatus(id=job.id, state=job.state, total=job.total, done_rows=job.done_rows,
                     written=job.written, pdfs=job.pdfs, failed_rows=job.failed_rows,
                     problems=job.problems, seconds=round(job.seconds, 3), status_url=base,
                     result_url=f"{base}/result" if job.state == "done" else None)


def _read_spec(raw: bytes, filename: str, folder: Path) -> dict[str, object]:
    if filename.lower().endswith((".yaml", ".yml")):
        from vn_union_docs.documents.spec import read_spec

        path = folder / "spec.yaml"
        path.write_bytes(raw)
        try:
            return read_spec(path)
        except SpecError as exc:  # the saved file's path means nothing to the client
            raise SpecError(problems=[Problem(p.path, p.message, "spec", p.row)
                                      for p in exc.problems]) from None
        finally:
            path.unlink()
    return parse_json_object(raw, "spec")


def _prepare(job: Job, spec_raw: bytes, spec_name: str, data_raw: bytes, data_name: str,
             settings: ServiceSettings, name: str | None, pdf: bool, pdfa: bool,
             strict: bool) -> BatchRequest:
    """Save the uploads and check everything that can be checked before the job runs."""
    from vn_union_docs.batch import NamePattern
    from vn_union_docs.batch.source import read_rows
    from vn_union_docs.documents.spec import SpecTemplate

    suffix = _DATA_SUFFIXES.get(Path(data_name).suffix.lower())
    if suffix is None:
        raise refuse(422, "data", "dữ liệu phải là tệp .csv hoặc .xlsx")
    if suffix == ".xlsx":
        inspect_zip(data_raw, settings, "data")
    data_path = job.folder / f"data{suffix}"
    data_path.write_bytes(data_raw)
    spec = _read_spec(spec_raw, spec_name, job.folder)
    template = safe_template_name(spec.pop("template", None), _template_folders(settings))
    compiled = SpecTemplate(spec, source="spec")
    rows = read_rows(data_path)
    columns = rows.columns
    compiled.check_columns(columns)
    NamePattern(name).check_columns(columns)
    for count, _ in enumerate(rows, start=1):
        if count > settings.max_batch_rows:
            raise refuse(413, "data", f"dữ liệu có hơn {settings.max_batch_rows} dòng, "
                         "quá giới hạn một lô; hãy chia thành nhiều tệp")
    return BatchRequest(spec=spec, data=data_path, name=name, template=template, pdf=pdf,
                        pdfa=pdfa, strict=strict)


@router.post("", summary="Start a batch", status_code=202, response_model=JobStatus,
             responses={**ERROR_RESPONSES,
                        429: ERROR_RESPONSES[422] | {"description": "Too many jobs pending."}})
async def start_batch(
    request: Request,
    spec: Annotated[UploadFile, File(description="The spec (.json, .yaml) with {{ column }} "
                                                 "placeholders.")],
    data: Annotated[UploadFile, File(description="The rows: .csv (UTF-8 or Windows-1258) or "
                                                 ".xlsx (first sheet).")],
    name: Annotated[str | None, Form(max_length=500, description="File-name pattern, e.g. "
                                     "{{ ma_cdcs }}-{{ ten_cdcs }} (default: the row number).")
                    ] = None,
    pdf: Annotated[bool, Form(description="Also a PDF of every document.")] = False,
    pdfa: Annotated[bool, Form(description="PDF/A-2b instead of PDF.")] = False,
    strict: Annotated[bool, Form(description="Write nothing if any row is bad.")] = False,
) -> JSONResponse:
    """Check the inputs and start the job; poll ``status_url``."""
    settings: ServiceSettings = request.app.state.settings
    store: JobStore = request.app.state.jobs
    pool = request.app.state.converters
    spec_raw = await read_upload(spec, settings, "spec")
    data_raw = await read_upload(data, settings, "data")
    if (pdf or pdfa) and not pool.available:
        raise refuse(503, "pdf", "máy chủ không có bộ chuyển PDF (LibreOffice); "
                     "bỏ tùy chọn pdf hoặc nhờ quản trị bật --converters")
    job = store.new()
    try:
        batch = await run_limited(
            settings.work_timeout, _prepare, job, spec_raw, spec.filename or "spec.json", data_raw,
            data.filename or "data.csv", settings, name or None, pdf, pdfa, strict)
    except (SpecError, UploadRefused):
        store.discard(job)
        raise
    except VnUnionDocsError as exc:
        store.discard(job)
        raise refuse(422, "data", str(exc)) from None

    def convert(paths: list[Path], out: Path, as_pdfa: bool) -> None:
        pool.convert_files(paths, out, pdfa=as_pdfa)

    store.submit(job, batch, convert if pool.available else None)
    return JSONResponse(_status(job).model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/api/batch/{job.id}"})


def _job(request: Request, job_id: str) -> Job:
    store: JobStore = request.app.state.jobs
    job = store.get(job_id)
    if job is None:
        raise HTTPException(404, [Problem("job_id", f"không có lô «{job_id}» (sai mã, hoặc "
                                                    "đã quá hạn lưu và bị xóa)")])
    return job


@router.get("/{job_id}", summary="State of a batch", response_model=JobStatus,
            responses={404: ERROR_RESPONSES[422] | {"description": "No such job."},
                       401: ERROR_RESPONSES[401]})
def batch_status(request: Request, job_id: str) -> JobStatus:
    """The job's state, counts and row problems."""
    return _status(_job(request, job_id))


@router.get(
    "/{job_id}/result",
    summary="The zip of a finished batch",
    response_class=FileResponse,
    responses={200: {"content": {_ZIP_MEDIA: {"schema": {"type": "string",
                                                        "format": "binary"}}},
                     "description": "Documents, _manifest.csv and _errors.csv."},
               404: ERROR_RESPONSES[422] | {"description": "No such job."},
               409: ERROR_RESPONSES[422] | {"description": "Not finished, or failed."},
               401: ERROR_RESPONSES[401]},
)
def batch_result(request: Request, job_id: str) -> FileResponse:
    """The documents, the manifest and the errors file, as one zip."""
    job = _job(request, job_id)
    if job.state != "done":
        why = ("lô bị lỗi, xem problems ở địa chỉ trạng thái" if job.state == "failed"
               else "lô chưa xong; hỏi lại địa chỉ trạng thái sau ít giây")
        raise HTTPException(409, [Problem("job_id", why)])
    return FileResponse(job.result, media_type=_ZIP_MEDIA, filename=f"lo-{job.id}.zip")
