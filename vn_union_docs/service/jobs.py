"""Batch jobs of the service: one document per spreadsheet row, run in the background.

A job works in its own folder (under ``job_dir`` or a temporary directory): it runs
:func:`vn_union_docs.batch.generate` (one process: the service is already concurrent), makes
the PDFs on the resident converters when asked, and packs a zip of the documents, the
manifest and the errors file. At most ``max_jobs`` run at once; the others wait. A finished
job is kept ``job_ttl`` seconds, then its folder is removed.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vn_union_docs.errors import Problem, SpecError, VnUnionDocsError
from vn_union_docs.service.limits import Deadline, _Overtime, deadline, overtime_problem
from vn_union_docs.service.settings import ServiceSettings
from vn_union_docs.service.uploads import refuse

__all__ = ["Job", "JobStore"]

JobState = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    """One batch job; ``state`` moves queued → running → done | failed."""

    id: str
    folder: Path
    state: JobState = "queued"
    total: int = 0
    done_rows: int = 0
    written: int = 0
    pdfs: int = 0
    failed_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    finished: float | None = None
    seconds: float = 0.0

    @property
    def result(self) -> Path:
        """The zip of a finished job."""
        return self.folder / "result.zip"


@dataclass
class BatchRequest:
    """What a job is asked to do (files already saved in the job's folder)."""

    spec: dict[str, Any]
    data: Path
    name: str | None = None
    template: Path | None = None
    pdf: bool = False
    pdfa: bool = False
    strict: bool = False


class JobStore:
    """The service's batch jobs (thread-safe)."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jobs: dict[str, Job] = {}
        self._running: dict[str, Deadline] = {}
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._root: Path | None = None
        self._own_root = False

    def _root_dir(self) -> Path:
        if self._root is None:
            if self.settings.job_dir is not None:
                self._root = Path(self.settings.job_dir)
                self._root.mkdir(parents=True, exist_ok=True)
            else:
                self._root = Path(tempfile.mkdtemp(prefix="vn-union-docs-jobs-"))
                self._own_root = True
        return self._root

    def new(self) -> Job:
        """A new job with its own folder (not yet submitted); 429 when too many are pending."""
        self.purge()
        with self._lock:
            pending = sum(j.finished is None for j in self._jobs.values())
        if pending >= self.settings.max_pending_jobs:
            raise refuse(429, "", f"đang có {pending} lô chưa xong, quá giới hạn "
                                  f"{self.settings.max_pending_jobs}; hãy thử lại sau")
        job_id = secrets.token_urlsafe(12)
        folder = self._root_dir() / job_id
        folder.mkdir()
        job = Job(id=job_id, folder=folder)
        with self._lock:
            self._jobs[job_id] = job
        return job

    def discard(self, job: Job) -> None:
        """Forget a job that was never submitted (its input was refused)."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id: str) -> Job | None:
        """The job, or ``None`` (unknown or expired)."""
        self.purge()
        with self._lock:
            return self._jobs.get(job_id)

    def submit(self, job: Job, request: BatchRequest,
               convert: Callable[[list[Path], Path, bool], None] | None) -> None:
        """Run ``job`` in the background; ``convert(docx_paths, out, pdfa)`` makes PDFs."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.settings.max_jobs,
                                                thread_name_prefix="vn-union-docs-job")
        self._executor.submit(self._run, job, request, convert)

    def purge(self) -> None:
        """Remove finished jobs older than ``job_ttl``."""
        now = time.time()
        with self._lock:
            old = [j for j in self._jobs.values()
                   if j.finished is not None and now - j.finished > self.settings.job_ttl]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        """Stop taking jobs, stop the running ones, remove a temporary root."""
        with self._lock:
            running = list(self._running.values())
        for limit in running:
            limit.expire()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._own_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    # -- running ------------------------------------------------------------------------
    def _run(self, job: Job, request: BatchRequest,
             convert: Callable[[list[Path], Path, bool], None] | None) -> None:
        job.state = "running"
        started = time.perf_counter()
        try:
            with deadline(self.settings.job_timeout) as limit:
                with self._lock:
                    self._running[job.id] = limit
                try:
                    _work(job, request, convert)
                finally:
                    with self._lock:
                        self._running.pop(job.id, None)
            job.state = "done"
        except _Overtime:
            job.problems.append(overtime_problem(self.settings.job_timeout))
            job.state = "failed"
        except SpecError as exc:
            job.problems = exc.problems or [Problem("", str(exc))]
            job.state = "failed"
        except VnUnionDocsError as exc:
            job.problems.append(Problem("", str(exc)))
            job.state = "failed"
        except Exception as exc:  # never lose a job silently
            job.problems.append(Problem("", f"lỗi không mong đợi khi chạy lô: "
                                            f"{type(exc).__name__}: {exc}"))
            job.state = "failed"
        finally:
            job.seconds = time.perf_counter() - started
            job.finished = time.time()


def _work(job: Job, request: BatchRequest,
          convert: Callable[[list[Path], Path, bool], None] | None) -> None:
    """Generate the documents (and PDFs) and pack the zip."""
    from vn_union_docs.batch import generate
    from vn_union_docs.batch.source import read_rows

    out = job.folder / "out"

    def progress(done: int, total: int) -> None:
        job.done_rows, job.total = done, total

    report = generate(request.spec, read_rows(request.data), out, name=request.name,
                      template=request.template, jobs=1, strict=request.strict,
                      on_progress=progress)
    job.total = report.total
    job.written = len(report.written)
    job.failed_rows = report.failed_rows
    job.problems = [Problem(path=f.field, message=f.message, row=f.row)
                    for f in report.failed[:1000]]
    if (request.pdf or request.pdfa) and report.written:
        if convert is None:
            raise VnUnionDocsError("máy chủ không có bộ chuyển PDF; bỏ tùy chọn pdf")
        convert(report.written_paths, out, request.pdfa)
        job.pdfs = len(report.written)
    _pack(out, job.result)


def _pack(out: Path, target: Path) -> None:
    """Zip every file of ``out`` (documents stored, CSV deflated), sorted, atomically; the
    batch's own state (``.vnud-checkpoint.json`` and other dot files) stays out."""
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w") as archive:
        if out.is_dir():
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                relative = path.relative_to(out)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                arcname = relative.as_posix()
                info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = (zipfile.ZIP_STORED if path.suffix in (".docx", ".pdf")
                                      else zipfile.ZIP_DEFLATED)
                info.external_attr = 0o644 << 16
                with open(path, "rb") as src, archive.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst)
    tmp.replace(target)
