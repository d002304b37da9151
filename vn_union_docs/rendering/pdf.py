"""PDF output through LibreOffice, and one-file print bundles (.docx and .pdf).

LibreOffice takes 1–1.5 s to start, so converting one file per ``soffice`` call is slow.
:class:`PdfConverter` converts many files per call (chunks), each converter with its own
profile directory (``-env:UserInstallation``) so several converters run side by side;
:func:`convert_to_pdf` spreads chunks over ``jobs`` converters.

A conversion that makes no progress for ``timeout`` seconds is killed (the whole process
group) and its unfinished files are retried once. PDFs are written into a temporary
directory next to the output and renamed into place as each one is complete, so a killed
run never leaves a half PDF under its final name. ``pdfa=True`` gives PDF/A-2b (needs
LibreOffice >= 7.4; each output is checked for its PDF/A mark).
"""


from __future__ import annotations

import contextlib
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import TracebackType

from vn_union_docs.archives import refuse_external_links
from vn_union_docs.errors import InvalidValueError, LibreOfficeError
from vn_union_docs.rendering.ooxml import w
from vn_union_docs.rendering.soffice import (
    INSTALL_HELP,
    SOFFICE_ENV,
    find_soffice,
    require_soffice,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_TIMEOUT",
    "INSTALL_HELP",
    "SOFFICE_ENV",
    "PdfConverter",
    "convert_to_pdf",
    "find_soffice",
]

#: Longest time (s) a soffice call may go without finishing a document, start-up included.
DEFAULT_TIMEOUT = 120.0

#: Files per soffice call: start-up (~1 s) is shared by the files of a chunk.
DEFAULT_CHUNK_SIZE = 100

_NO_PDFA = (
    "LibreOffice này không xuất được PDF/A (tệp ra thiếu dấu PDF/A). "
    "Cần LibreOffice 7.4 trở lên: hãy cập nhật LibreOffice."
)
_PDF_FILTER = "pdf:writer_pdf_Export"
# PDF/A-2b (SelectPdfVersion 2); LibreOffice >= 7.4 takes JSON filter options.
_PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


def _pdf_name(docx: Path) -> str:
    return docx.stem + ".pdf"


def _check_inputs(paths: Sequence[Path]) -> None:
    # soffice names each PDF after its input: two inputs with one stem would collide
    # (compared ignoring case, as Windows and macOS file systems do).
    seen: dict[str, Path] = {}
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(path)
        key = _pdf_name(path).casefold()
        if key in seen:
            raise InvalidValueError(
                f"hai tệp sẽ cho cùng một tên PDF: {seen[key]} và {path}")
        seen[key] = path
    for path in paths:  # links LibreOffice would follow (its profile blocks them too)
        with contextlib.suppress(zipfile.BadZipFile):  # not a zip: LibreOffice says so
            refuse_external_links(path, what="tệp")


# The converter's profile: no links followed from a document (linked images, movies, external
# settings: "Block any links from documents not among the trusted locations"), no macros.
_ISOLATED_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def _seed_profile(profile: Path) -> None:
    """Write the isolating settings into a fresh LibreOffice profile."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_ISOLATED_PROFILE, encoding="utf-8")


@dataclass
class _CallResult:
    done: list[Path] = field(default_factory=list)  # inputs whose PDF is complete
    attempted: list[Path] = field(default_factory=list)  # inputs LibreOffice got to
    timed_out: bool = False
    returncode: int | None = None
    stderr: str = ""


def _is_complete_pdf(path: Path) -> bool:
    """A PDF is complete once its trailer (``%%EOF``) is written."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - 64))
            return b"%%EOF" in fh.read()
    except OSError:
        return False


class _Cancelled(Exception):
    """Another worker failed or the caller was interrupted: stop converting."""


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` and every process it started (oosplash, soffice.bin)."""
    if os.name == "nt":  # pragma: no cover - Windows
        subprocess.run(
            ["taskkill", "/T", "/F", "/PID", str(proc.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class PdfConverter:
    """One LibreOffice converter with its own profile directory; use as a context manager.

    ``convert`` turns many .docx files into PDFs with one ``soffice`` call per chunk of
    ``chunk_size`` files. ``timeout`` is the longest a call may go without finishing a
    document (start-up included); then the process group is killed and the unfinished files
    are retried once before :class:`LibreOfficeError` names them. Each call is a new
    ``soffice`` process, but the profile directory is kept until :meth:`close`. Not
    thread-safe: use one converter per thread.
    """

    def __init__(
        self,
        *,
        pdfa: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        soffice: str | None = None,
    ) -> None:
        if chunk_size < 1:
            raise InvalidValueError("chunk_size must be at least 1")
        self.soffice = require_soffice(soffice)
        self.pdfa = pdfa
        self.timeout = timeout
        self.chunk_size = chunk_size
        self._profile: Path | None = Path(tempfile.mkdtemp(prefix="vn-union-docs-lo-"))
        _seed_profile(self._profile)
        self._cancel = threading.Event()  # set by convert_to_pdf to stop a worker

    # -- context manager -------------------------------------------------------------
    def __enter__(self) -> PdfConverter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the profile directory. The converter cannot be used afterwards."""
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def _reset_profile(self) -> None:
        """Start the next call with a fresh profile: a soffice killed while it was creating
        or saving the profile can leave one that makes every later start fail."""
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile.mkdir(parents=True, exist_ok=True)
            _seed_profile(self._profile)

    # -- conversion ------------------------------------------------------------------
    def convert(
        self,
        docx_paths: Iterable[Path | str],
        out_dir: Path | str,
        *,
        on_progress: Callable[[Path], object] | None = None,
    ) -> list[Path]:
        """Convert every file to ``out_dir/<stem>.pdf``; return the PDF paths in input order.

        ``on_progress(pdf_path)`` is called as each PDF is put in place. Raises
        :class:`LibreOfficeError` naming every file that could not be converted (the others
        are written).
        """
        paths = [Path(p).resolve() for p in docx_paths]
        _check_inputs(paths)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        failures: list[str] = []
        for start in range(0, len(paths), self.chunk_size):
            chunk = paths[start : start + self.chunk_size]
            failures += self._convert_chunk(chunk, out, on_progress)
        if failures:
            raise LibreOfficeError(_failure_message(failures))
        return [out / _pdf_name(p) for p in paths]

    def _command(self, files: Sequence[Path], outdir: Path) -> list[str]:
        assert self._profile is not None, "converter is closed"
        return [
            self.soffice,
            f"-env:UserInstallation={self._profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            _PDFA_FILTER if self.pdfa else _PDF_FILTER,
            "--outdir",
            str(outdir),
            *(str(f) for f in files),
        ]

    def _convert_chunk(
        self,
        files: Sequence[Path],
        out: Path,
        on_progress: Callable[[Path], object] | None = None,
    ) -> list[str]:
        """Convert ``files``; return one failure line per file that could not be converted.

        Each PDF is renamed into ``out`` as soon as it is complete. A file that hangs or fails
        is tried once more (in a new call with the files not yet converted); the files
        after a hung one still get converted.
        """
        if self._profile is None:
            raise RuntimeError("PdfConverter is closed")
        tmp = Path(tempfile.mkdtemp(prefix=".pdf-tmp-", dir=out))
        strikes: dict[Path, int] = {}
        failures: list[str] = []
        try:
            todo = list(files)
            while todo:
                result = self._call(todo, tmp, out, on_progress)
                for leftover in tmp.iterdir():  # half-written PDFs
                    leftover.unlink()
                if result.timed_out or result.returncode != 0:
                    self._reset_profile()
                done = set(result.done)
                if result.timed_out:
                    why = f"LibreOffice treo quá {self.timeout:g} giây"
                else:
                    why = f"LibreOffice không xuất được PDF (mã thoát {result.returncode})"
                detail = _last_error_line(result.stderr)
                remaining = []
                for f in todo:
                    if f in done:
                        continue
                    if f in result.attempted:
                        strikes[f] = strikes.get(f, 0) + 1
                    if strikes.get(f, 0) >= 2:
                        line = f"{f}: {why}, đã thử lại 1 lần"
                        failures.append(line + (f" ({detail})" if detail else ""))
                    else:
                        remaining.append(f)
                todo = remaining
            return failures
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _call(
        self,
        files: Sequence[Path],
        tmp: Path,
        out: Path,
        on_progress: Callable[[Path], object] | None,
    ) -> _CallResult:
        """One soffice call writing into ``tmp``; complete PDFs are moved to ``out``.

        The call is killed when no document finishes within ``timeout`` seconds.
        """
        tmp_abs = tmp.resolve()
        popen_kw: dict[str, object] = {}
        if sys.platform == "win32":  # pragma: no cover - Windows
            popen_kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            popen_kw["start_new_session"] = True
        proc = subprocess.Popen(
            self._command(files, tmp_abs),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **popen_kw,  # type: ignore[call-overload]
        )
        announced: list[str] = []  # PDF names soffice announced, in order
        marker = f" -> {tmp_abs}{os.sep}"  # soffice prints absolute output paths
        last_progress = [time.monotonic()]
        err_chunks: list[bytes] = []

        def read_stdout() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                # "convert /in/a.docx -> /tmp/x/a.pdf using filter : ..." is printed once a
                # file is loaded, before it is exported.
                line = raw.decode("utf-8", "replace")
                if line.startswith("convert ") and marker in line:
                    announced.append(line.split(marker, 1)[1].rsplit(" using filter", 1)[0])
                last_progress[0] = time.monotonic()

        def read_stderr() -> None:
            assert proc.stderr is not None
            for raw in proc.stderr:
                err_chunks.append(raw)
                last_progress[0] = time.monotonic()

        readers = [threading.Thread(target=fn, daemon=True) for fn in (read_stdout, read_stderr)]
        for t in readers:
            t.start()
        index = {_pdf_name(f): i for i, f in enumerate(files)}
        moved: set[int] = set()

        def harvest(candidates: Iterable[int]) -> None:
            for i in candidates:
                name = _pdf_name(files[i])
                if i not in moved and _is_complete_pdf(tmp / name):
                    if self.pdfa and b"<pdfaid:part>" not in (tmp / name).read_bytes():
                        raise LibreOfficeError(_NO_PDFA)
                    os.replace(tmp / name, out / name)
                    moved.add(i)
                    if on_progress is not None:
                        on_progress(out / name)

        timed_out = False
        try:
            while True:
                try:
                    proc.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    # A file is stored once the next one is announced: move it now.
                    harvest(index[n] for n in announced[:-1] if n in index)
                    if self._cancel.is_set():
                        raise _Cancelled from None
                    if time.monotonic() - last_progress[0] > self.timeout:
                        _kill_group(proc)
                        timed_out = True
                        break
            for t in readers:
                t.join(timeout=5)
            harvest(range(len(files)))
        except BaseException:  # Ctrl-C, cancellation: leave no soffice behind
            _kill_group(proc)
            raise

        done = [files[i] for i in sorted(moved)]
        # Which files LibreOffice got to: all of them after a clean exit; otherwise those up
        # to the last announced one, and the next one too if that one was finished (the
        # call then died loading the next). With nothing announced, blame them all.
        attempted = list(files)
        positions = [index[n] for n in announced if n in index]
        if (timed_out or proc.returncode != 0) and positions:
            last = positions[-1]
            if files[last] in done:
                last += 1
            attempted = list(files[: last + 1])
        return _CallResult(
            done=done,
            attempted=attempted,
            timed_out=timed_out,
            returncode=proc.returncode,
            stderr=b"".join(err_chunks).decode("utf-8", "replace"),
        )


def _last_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and "javaldx" not in ln]
    return lines[-1] if lines else ""


def _failure_message(failures: Sequence[str]) -> str:
    shown = list(failures[:20])
    if len(failures) > 20:
        shown.append(f"... và {len(failures) - 20} tệp khác")
    return f"Không chuyển được {len(failures)} tệp sang PDF:\n" + "\n".join(shown)


def convert_to_pdf(
    docx_paths: Iterable[Path | str],
    out_dir: Path | str,
    *,
    pdfa: bool = False,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    soffice: str | None = None,
    on_progress: Callable[[Path], object] | None = None,
) -> list[Path]:
    """Convert .docx files to ``out_dir/<stem>.pdf`` with ``jobs`` LibreOffice processes.

    Files are split into chunks (at most ``chunk_size``, smaller so that every job gets
    work) that ``jobs`` converters, each with its own profile, take in turn. Returns the PDF
    paths in input order; raises :class:`LibreOfficeError` naming the files that failed
    after converting all the others, or when LibreOffice is missing. ``on_progress(pdf_path)``
    is called from the worker threads as each PDF is put in place. When
    ``$VN_UNION_DOCS_CONVERTERS`` names running converters (``vn-union-docs serve``), they
    convert instead (see ``pdf_pool``).
    """
    paths = [Path(p).resolve() for p in docx_paths]
    from vn_union_docs.rendering.pdf_pool import pool_from_env

    resident = pool_from_env()  # resident converters named by $VN_UNION_DOCS_CONVERTERS
    if resident is not None:
        _check_inputs(paths)
        with resident:
            return resident.convert_files(paths, out_dir, pdfa=pdfa, on_progress=on_progress)
    exe = require_soffice(soffice)
    _check_inputs(paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not paths:
        return []
    jobs = max(1, min(jobs, len(paths)))
    size = max(1, min(chunk_size, math.ceil(len(paths) / jobs)))
    chunks: queue.SimpleQueue[list[Path]] = queue.SimpleQueue()
    for start in range(0, len(paths), size):
        chunks.put(paths[start : start + size])

    cancel = threading.Event()

    def worker() -> list[str]:
        failures: list[str] = []
        with PdfConverter(pdfa=pdfa, timeout=timeout, chunk_size=size, soffice=exe) as conv:
            conv._cancel = cancel
            while not cancel.is_set():
                try:
                    chunk = chunks.get_nowait()
                except queue.Empty:
                    break
                failures += conv._convert_chunk(chunk, out, on_progress)
        return failures

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(worker) for _ in range(jobs)]
        failures: list[str] = []
        try:
            # Completion order: a failed worker is seen at once, not after a busy one.
            for fut in as_completed(futures):
                failures += fut.result()
        except BaseException:  # e.g. Ctrl-C or an error in on_progress: stop the others
            cancel.set()
            raise
    if failures:
        raise LibreOfficeError(_failure_message(sorted(failures)))
    return [out / _pdf_name(p) for p in paths]


# --------------------------------------------------------------------------------------
# Bundles
# --------------------------------------------------------------------------------------

_w = w


_HDR_FTR = (_w("headerReference"), _w("footerReference"))


def _batched(items: Iterable[Path | str], n: int) -> Iterator[list[Path]]:
    it = iter(items)
    while batch := [Path(p) for p in islice(it, n)]:
        yield batch

