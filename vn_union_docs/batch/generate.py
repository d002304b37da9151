"""``generate``: the batch's public entry point.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from vn_union_docs.batch.names import NamePattern
from vn_union_docs.batch.outputs import (
    _CsvOut,
    _in_row_order,
    _make_bundle,
    _make_pdfs,
    _remove_temporaries,
    _write_errors,
)
from vn_union_docs.batch.report import (
    ERRORS_NAME,
    MANIFEST_NAME,
    BatchError,
    BatchReport,
    RowFailure,
    RowsArg,
)
from vn_union_docs.batch.source import RowSource
from vn_union_docs.batch.workers import _chunks, _plan, _row_factory, _run
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.errors import Problem, SpecError

# --- the public entry point ------------------------------------------------------------------


def _spec_args(spec: SpecTemplate | Mapping[str, Any] | str | Path) -> tuple[Any, Any, Any]:
    """Compile the spec here (a bad spec fails now) and give what a worker needs to
    compile it again."""
    template = spec if isinstance(spec, SpecTemplate) else SpecTemplate(spec)
    return (template.raw, template.source, template.base_dir)


def generate(
    spec: SpecTemplate | Mapping[str, Any] | str | Path,
    rows: RowsArg,
    out_dir: str | Path,
    *,
    name: str | None = None,
    template: str | Path | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    pdfa: bool = False,
    bundle: str | Path | None = None,
    strict: bool = False,
    skip_existing: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    register: Any = None,
) -> BatchReport:
    """Render one .docx per row into ``out_dir``; see the module docstring.

    ``spec``: a spec file, dict or ``SpecTemplate`` whose fields may hold placeholders
    filled from the row. ``rows``: a ``RowSource`` (``datasource.read_rows``), a sequence
    of mappings, or a callable returning a fresh iterator (of mappings, numbered from 1, or
    of ``(row_number, mapping)`` pairs). ``name``: the file-name pattern (default: the row
    number). ``jobs``: worker processes (default: the number of cores). ``pdf``/``pdfa``:
    also a PDF per document (LibreOffice). ``bundle``: also one print file (``.docx`` or
    ``.pdf``; a PDF bundle implies the PDFs). ``strict``: write nothing if any row is bad.
    ``skip_existing``: keep files already there (resume a killed run). ``on_progress``:
    called as ``on_progress(done_rows, total_rows)``. ``register``: a register path, URL or
    ``Register`` that numbers and records the documents (else ``VN_UNION_DOCS_REGISTER``, else
    the default file when the spec has ``number: auto``; see ``vn_union_docs.register.batch``).

    Raises ``SpecError`` when the spec itself is invalid, ``BatchError`` for a bad option or
    name pattern, ``LibreOfficeError`` when PDFs are asked for and LibreOffice is missing.
    Bad rows do not raise: they are in ``BatchReport.failed`` and ``DIR/_errors.csv``.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise BatchError("--jobs phải là số nguyên dương")
    bundle_path = Path(bundle) if bundle is not None else None
    if bundle_path is not None and bundle_path.suffix.lower() not in (".docx", ".pdf"):
        raise BatchError("tệp gộp --bundle phải có đuôi .docx hoặc .pdf")
    need_pdf = pdf or pdfa or (bundle_path is not None and bundle_path.suffix.lower() == ".pdf")
    if need_pdf:
        from vn_union_docs.errors import LibreOfficeError
        from vn_union_docs.rendering.pdf import INSTALL_HELP, find_soffice

        if find_soffice() is None:  # say so now, before anything is written
            raise LibreOfficeError(INSTALL_HELP)
    if out.exists() and not out.is_dir():
        raise BatchError(f"«{out}» đã có và không phải là thư mục")
    template_arg = str(template) if template is not None else None
    if template_arg is not None and not Path(template_arg).is_file():
        raise BatchError(f"không tìm thấy mẫu văn bản «{template_arg}»")

    spec_args = _spec_args(spec)
    pattern = NamePattern(name)
    if isinstance(rows, RowSource) and rows.kind in ("csv", "xlsx"):
        pattern.check_columns(rows.columns)
        SpecTemplate(spec_args[0], source=spec_args[1],
                     base_dir=spec_args[2]).check_columns(rows.columns)
    read = _row_factory(rows)
    report = BatchReport(out_dir=out)
    numbering = _numbering(register, spec_args[0], out, skip_existing)
    try:
        return _generate(report, numbering, read, pattern, spec_args, template_arg, out, jobs,
                         started, strict, skip_existing, need_pdf, pdfa, bundle_path, on_progress)
    finally:
        if numbering is not None:
            numbering.close()


def _numbering(register: Any, raw_spec: Mapping[str, Any], out: Path,
               skip_existing: bool) -> Any:
    """The register hook (``vn_union_docs.register.batch``), or ``None`` without a register."""
    from vn_union_docs.register.batch import BatchNumbering, spec_is_auto

    if register is None and not spec_is_auto(raw_spec) and not os.environ.get(
            "VN_UNION_DOCS_REGISTER"):
        return None  # no register: the register package (and SQLAlchemy) is not even loaded
    return BatchNumbering.open(register, raw_spec, out, skip_existing)


def _generate(report: BatchReport, numbering: Any, read: Any, pattern: NamePattern,
              spec_args: tuple[Any, Any, Any], template_arg: str | None, out: Path, jobs: int,
              started: float, strict: bool, skip_existing: bool, need_pdf: bool, pdfa: bool,
              bundle_path: Path | None, on_progress: Callable[[int, int], None] | None,
              ) -> BatchReport:

    # Pass 1: names.
    plan = _plan(read, pattern)
    report.total = total = len(plan.rows)
    if total == 0:
        raise SpecError(problems=[Problem(
            "", "dữ liệu không có dòng nào (chỉ có dòng tiêu đề, hoặc danh sách rỗng)")])
    failures = list(plan.failures)
    timings = report.timings
    timings["names"] = time.perf_counter() - started

    jobs = max(1, min(jobs, total))
    size = max(1, min(64, math.ceil(total / (jobs * 4))))
    worker_args = (*spec_args, template_arg, str(out), skip_existing, numbering is not None)
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, total)

    # Pass 2 (strict, or numbered by a register): validate every row before writing anything;
    # a register numbers the valid rows in row order (strict: only once all rows are valid).
    if strict or numbering is not None:
        mark = time.perf_counter()
        valid: list[Any] = []
        for results in _run("check", _chunks(read, plan, size), worker_args, jobs):
            for kind, row, payload, _ in results:
                if kind == "fail":
                    failures.extend(RowFailure(row, f, m) for f, m in payload)
                    progress(1)
            if numbering is not None and not strict:
                refused = numbering.reserve(results)
                failures.extend(RowFailure(*r) for r in refused)
                progress(len(refused))
            elif numbering is not None:
                valid.extend(r for r in results if r[0] == "ok")
        if numbering is not None and strict and not failures:
            refused = numbering.reserve(valid)
            failures.extend(RowFailure(*r) for r in refused)
            progress(len(refused))
        timings["check"] = time.perf_counter() - mark
        if failures and strict:
            out.mkdir(parents=True, exist_ok=True)
            report.failed = sorted(failures, key=lambda f: f.row)
            report.errors_file = _write_errors(out, report.failed)
            report.seconds = time.perf_counter() - started
            return report

    # Pass 3: documents.
    mark = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    _remove_temporaries(out)  # left by a killed run
    progress(len(plan.failures))
    manifest = _CsvOut(out / MANIFEST_NAME, ["file", "row", "sha256"])
    try:
        cursor = 0  # results come in row order: find each row's name in the plan
        for results in _run("render", _chunks(read, plan, size, numbering), worker_args, jobs):
            if numbering is not None:
                numbering.issued(results)
            for kind, row, payload, digest in results:
                while plan.names[cursor] is None or plan.rows[cursor] != row:
                    cursor += 1
                name = plan.names[cursor]  # the plan's string, not a copy: memory
                assert name is not None  # the while loop stops on a named row
                cursor += 1
                if kind == "fail":
                    failures.extend(RowFailure(row, f, m) for f, m in payload)
                    continue
                (report.written if kind == "ok" else report.skipped).append(name)
                manifest.row(name, row, digest)
            progress(len(results))
    except BaseException:
        manifest.discard()
        _remove_temporaries(out)  # of files the stopped workers were writing
        raise
    report.manifest = manifest.commit()
    timings["render"] = time.perf_counter() - mark
    del plan

    report.failed = sorted(failures, key=lambda f: f.row)
    errors_path = out / ERRORS_NAME
    if report.failed:
        report.errors_file = _write_errors(out, report.failed)
    else:
        errors_path.unlink(missing_ok=True)  # from an earlier run

    documents = _in_row_order(out, report) if need_pdf or bundle_path is not None else []
    if need_pdf and documents:
        _make_pdfs(report, documents, out, pdfa=pdfa, jobs=jobs, skip_existing=skip_existing)
    if bundle_path is not None and documents:
        mark = time.perf_counter()
        _make_bundle(report, documents, bundle_path)
        timings["bundle"] = time.perf_counter() - mark
    if numbering is not None:
        report.numbers = numbering.texts()
        report.warnings = numbering.warnings
        report.register = numbering.register.where
    report.seconds = time.perf_counter() - started
    return report


