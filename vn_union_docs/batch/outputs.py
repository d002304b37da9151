"""Files a batch makes after its documents: PDFs and print bundles, a group at a time from
the manifest, so neither the list of documents nor a province's print job is ever held whole.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from vn_union_docs.batch.report import BatchReport
from vn_union_docs.errors import VnUnionDocsError
from vn_union_docs.files import is_regular_file

PDF_GROUP = 500  # documents per convert_to_pdf call (each call splits them among its jobs)
DEFAULT_BUNDLE_SIZE = 500  # documents per print bundle (about 1,000 A4 pages of công văn)


def _groups(report: BatchReport, size: int) -> Iterator[list[Path]]:
    documents = (report.out_dir / name for _, name in report._entries())
    while True:
        group = list(itertools.islice(documents, size))
        if not group:
            return
        yield group


def make_pdfs(report: BatchReport, *, pdfa: bool, jobs: int, skip_existing: bool) -> None:
    """A PDF beside every document of the manifest (LibreOffice), ``PDF_GROUP`` at a time."""
    from vn_union_docs.errors import LibreOfficeError
    from vn_union_docs.rendering.pdf import convert_to_pdf

    mark = time.perf_counter()
    for group in _groups(report, PDF_GROUP):
        todo = group
        if skip_existing:
            todo = [p for p in group if not _pdf_is_current(p)]
        try:
            if todo:
                convert_to_pdf(todo, report.out_dir, pdfa=pdfa, jobs=jobs)
        except LibreOfficeError as error:
            report.errors.append(str(error))
    report.timings["pdf"] = time.perf_counter() - mark


def _pdf_is_current(docx: Path) -> bool:
    pdf = docx.with_suffix(".pdf")
    return is_regular_file(pdf) and pdf.stat().st_mtime >= docx.stat().st_mtime


def bundle_paths(bundle: Path, documents: int, size: int) -> list[Path]:
    """``bundle`` itself when one file holds every document, else ``NAME-001.docx`` …"""
    count = max(1, -(-documents // size))
    if count == 1:
        return [bundle]
    width = max(3, len(str(count)))
    return [bundle.with_name(f"{bundle.stem}-{i:0{width}d}{bundle.suffix}")
            for i in range(1, count + 1)]


def stale_bundles(bundle: Path, targets: list[Path]) -> list[Path]:
    """Bundles beside ``bundle`` named as this command names them (``NAME.docx``,
    ``NAME-001.docx`` …) that are not among ``targets``: an earlier run's, which a clerk
    could print with this one's."""
    shape = re.compile(rf"{re.escape(bundle.stem)}(?:-\d{{3,}})?{re.escape(bundle.suffix)}")
    made = {target.name for target in targets}
    try:
        names = os.listdir(bundle.parent)
    except OSError:
        return []
    return sorted(bundle.parent / name for name in names
                  if name not in made and shape.fullmatch(name))


def make_bundles(report: BatchReport, bundle: Path, size: int,
                 on_bundle: Callable[[int, int], None] | None = None) -> None:
    """Print bundles of at most ``size`` documents each, in row order, each document on new
    pages with its own page numbering (``rendering.bundle``); ``on_bundle(done, total)``
    before the first file and after each."""
    from vn_union_docs.rendering.bundle import bundle_docx, bundle_pdf

    mark = time.perf_counter()
    documents = report.written_count + report.skipped_count
    targets = bundle_paths(bundle, documents, size)
    is_pdf = bundle.suffix.lower() == ".pdf"
    if on_bundle is not None:
        on_bundle(0, len(targets))
    for done, (target, group) in enumerate(zip(targets, _groups(report, size), strict=False),
                                           start=1):
        try:
            if is_pdf:
                pdfs = [p.with_suffix(".pdf") for p in group
                        if is_regular_file(p.with_suffix(".pdf"))]
                if not pdfs:
                    continue
                bundle_pdf(pdfs, target)
            else:
                bundle_docx(group, target)
        except (VnUnionDocsError, OSError, ValueError) as error:
            report.errors.append(f"không tạo được tệp gộp «{target}»: {error}")
        else:
            report.bundles.append(target)
        if on_bundle is not None:
            on_bundle(done, len(targets))
    report.bundle = report.bundles[0] if report.bundles else None
    old = stale_bundles(bundle, targets)
    if old:
        shown = ", ".join(path.name for path in old[:5]) + (" …" if len(old) > 5 else "")
        report.warnings.append(
            f"{len(old)} tệp gộp của lần chạy trước vẫn còn cạnh tệp gộp mới và không thuộc "
            f"lần này ({shown}); hãy xóa để khỏi in nhầm")
    report.timings["bundle"] = time.perf_counter() - mark
