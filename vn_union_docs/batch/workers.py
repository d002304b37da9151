"""The work of each row (fill, validate, render, write) in worker processes, fed in chunks.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from vn_union_docs.batch.pool import WorkerPool
from vn_union_docs.batch.report import BatchError, RowsArg
from vn_union_docs.batch.source import RowSource
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.errors import Problem, SpecError, TemplateError
from vn_union_docs.files import AdaptiveWriter, DirectWriter, is_regular_file

_Meta = TypeVar("_Meta")

# --- rows ------------------------------------------------------------------------------------


def _row_factory(rows: RowsArg) -> Callable[[], Iterator[tuple[int, Mapping[str, Any]]]]:
    """A callable giving a fresh iterator of ``(row_number, cells)`` for every read."""
    if isinstance(rows, RowSource):
        source = rows
        return lambda: iter(source)
    if callable(rows):
        make = rows
        return lambda: _numbered(make())
    items = list(rows) if isinstance(rows, Iterator) else rows  # one-shot: keep the dicts
    return lambda: _numbered(items)


def _numbered(items: Iterable[Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Rows given as mappings are numbered from 1; ``(row, mapping)`` pairs keep theirs."""
    for index, item in enumerate(items, start=1):
        if isinstance(item, Mapping):
            yield index, item
        elif (
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], int)
            and isinstance(item[1], Mapping)
        ):
            yield item
        else:
            raise BatchError(
                f"phần tử thứ {index} của rows không phải là một bảng {{cột: giá trị}}: "
                f"{type(item).__name__}"
            )


# --- the work of one row (in a worker process, or in this one for jobs=1) ---------------------

_Result = tuple[str, int, Any, Any]  # (kind, row, name | failures, sha256 | None)


class _Worker:
    """Compiles the spec once; validates, renders and writes rows."""

    def __init__(self, spec: Mapping[str, Any], source: str | None, base_dir: Path | None,
                 template: str | None, out_dir: str, skip_existing: bool,
                 numbered: bool = False, *, background_writes: bool = True) -> None:
        self.spec = SpecTemplate(spec, source=source, base_dir=base_dir)
        self.numbered = numbered  # a register numbers the rows: check() returns their facts
        # A spec field filled by one variable ("number: '{{ so }}'") is reported as that column.
        self.columns = {f.path: f.single for f in self.spec.fields if f.single}
        self.template = template
        self.out_dir = out_dir
        self.skip_existing = skip_existing
        self._compiled: dict[tuple[str, str | None], Any] = {}
        # One process: files are written here while the disk is quick, on a thread (the
        # kernel's work on the other core) while it is slow (files.AdaptiveWriter). A worker
        # of a pool writes them itself: every core already renders, and a thread would only
        # add hand-overs of the interpreter lock.
        self.background_writes = background_writes
        self._writer: AdaptiveWriter | DirectWriter | None = None

    def failures(self, row: int, error: SpecError) -> list[tuple[str, str]]:
        found = []
        for problem in error.problems or [Problem("", str(error))]:
            column = self.columns.get(problem.path)
            if column:
                found.append((column, f"{problem.message} (trường {problem.path})"))
            else:
                found.append((problem.path, problem.message))
        return found

    def check(self, chunk: list[tuple[int, dict[str, Any], str]]) -> list[_Result]:
        """Validate the chunk's rows; with a register, an ``ok`` result carries the row's
        ``DocumentFacts`` (what the register numbers by)."""
        results: list[_Result] = []
        if self.numbered:
            from vn_union_docs.register.facts import facts_from_document
        for row, cells, name in chunk:
            try:
                doc = self.spec.document({"row": row, **cells}, row=row)
                facts = facts_from_document(doc) if self.numbered else None
            except SpecError as error:
                results.append(("fail", row, self.failures(row, error), None))
            except ValueError as error:  # cannot be numbered (vn_union_docs.register)
                results.append(("fail", row, [("number", str(error))], None))
            else:
                results.append(("ok", row, name, facts))
        return results

    def render_document(self, doc: Any) -> bytes:
        """``render_docx(doc, template=…)`` with the template looked up once per batch."""
        from vn_union_docs.rendering.render import get_compiled, render_compiled, template_for

        key = (doc.type, doc.template)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = get_compiled(template_for(doc, self.template))
        return render_compiled(compiled, doc)

    def start(self, chunk: list[tuple[Any, ...]]
              ) -> tuple[list[_Result], Callable[[], None]]:
        """Render the chunk's rows and queue their files: the results, and a function that
        returns once those files are in place (raising the first write error)."""
        if self._writer is None:
            self._writer = AdaptiveWriter() if self.background_writes else DirectWriter()
        try:
            results = self._render(chunk, self._writer)
        except BaseException:
            self._writer.wait()  # what was queued is written before the error goes up
            raise
        files_written = self._writer.mark()

        def written() -> None:
            files_written()
            _release_free_memory()

        return results, written

    def render(self, chunk: list[tuple[Any, ...]]) -> list[_Result]:
        """Render and write the chunk's rows; every file is in place when this returns."""
        results, written = self.start(chunk)
        written()  # a write error stops the batch, as a render error would
        return results

    def close(self) -> None:
        """Stop the writer thread (after the files queued so far are written)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _render(self, chunk: list[tuple[Any, ...]], writer: AdaptiveWriter | DirectWriter,
                ) -> list[_Result]:
        # (row, cells, name) or, numbered by a register, (row, cells, name, number)
        return [self.write_row(row, cells, name, writer, *numbered)
                for row, cells, name, *numbered in chunk]

    def write_row(self, row: int, cells: dict[str, Any], name: str,
                  writer: AdaptiveWriter | DirectWriter, number: int | None = None
                  ) -> _Result:
        """The work of one row: keep an existing file (``skip_existing``), or fill the spec
        from the cells, validate, give it its register ``number`` if any, render and queue
        the file for writing. This is the one place a row becomes a document."""
        path = os.path.join(self.out_dir, name)
        if self.skip_existing and is_regular_file(path):  # never a link: it is replaced
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            return ("skip", row, name, digest)
        try:
            doc = self.spec.document({"row": row, **cells}, row=row)
            if number is not None:
                doc.number = number
            data = self.render_document(doc)
        except SpecError as error:
            return ("fail", row, self.failures(row, error), None)
        except TemplateError:
            raise  # the template is broken for every row: stop the batch
        except Exception as error:  # one odd row must not stop a long batch
            message = f"không tạo được văn bản: {type(error).__name__}: {error}"
            return ("fail", row, [("", message)], None)
        writer.put(path, data)  # temporary file in the same folder, then a rename
        return ("ok", row, name, hashlib.sha256(data).hexdigest())


def _linux_libc() -> Any:
    """The C library on Linux (``prctl``, ``malloc_trim``), else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _linux_libc()


def _release_free_memory() -> None:
    """Give the C heap's free pages back to the system after a chunk (glibc keeps them
    otherwise: a worker's resident size would creep up with the documents' buffers)."""
    if _LIBC is not None:
        with contextlib.suppress(AttributeError):  # a C library without it (not glibc)
            _LIBC.malloc_trim(0)


_WORKER: _Worker | None = None


def _init_worker(parent: int, *args: Any) -> None:
    global _WORKER
    if hasattr(signal, "SIGTERM"):  # the pool stops its workers with SIGTERM: let it
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    _WORKER = _Worker(*args, background_writes=False)


def _die_with_parent(parent: int) -> None:
    """End this worker as soon as the batch's main process is gone (killed, say), so no
    orphan goes on writing into the folder: the kernel's parent-death signal on Linux, and
    on every system a thread that watches the parent's process id."""
    if _LIBC is not None:
        with contextlib.suppress(AttributeError):
            _LIBC.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # gone before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="vn-union-docs-parent-watch", daemon=True).start()


def _run_chunk(mode: str, chunk: list[tuple[Any, ...]]) -> list[_Result]:
    assert _WORKER is not None
    return _WORKER.check(chunk) if mode == "check" else _WORKER.render(chunk)


def serve(read_fd: int, write_fd: int) -> None:
    """A worker's life (``batch.pool``): compile the spec, then answer each chunk until told
    to stop; ``read_fd``/``write_fd``: the pipes inherited from the batch."""
    serve_connections(Connection(read_fd, writable=False), Connection(write_fd, readable=False))


def serve_connections(inbox: Any, outbox: Any) -> None:
    """``serve`` over two ``multiprocessing`` connections."""
    if hasattr(signal, "SIGINT"):  # Ctrl+C stops the command, which stops the workers
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    failure: BaseException | None = None
    try:
        parent, args = inbox.recv()
        _init_worker(parent, *args)
    except BaseException as exc:  # every chunk is answered with it
        failure = exc
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):
            break
        if message is None:
            break
        try:
            if failure is not None:
                raise failure
            outbox.send(("ok", _run_chunk(*message)))
        except BaseException as exc:
            try:
                outbox.send(("error", exc))
            except Exception:  # an error that does not pickle: its text
                outbox.send(("error", BatchError(f"{type(exc).__name__}: {exc}")))
    if _WORKER is not None:
        _WORKER.close()


# --- driving the workers -------------------------------------------------------------------

_Chunk = list[tuple[Any, ...]]


def _render_overlapped(worker: _Worker, chunks: Iterator[tuple[_Chunk, _Meta]]
                       ) -> Generator[tuple[list[_Result], _Meta], None, None]:
    """Each chunk's results once its files are written, in order. The next chunk is rendered
    first, so the writer thread never runs dry at a chunk's end (waiting for it there cost
    0.04 ms a document, 6 %). A chunk's results still wait for its files: the manifest
    never lists a file that is not on disk."""
    def finished(started: tuple[list[_Result], Callable[[], None], _Meta]
                 ) -> tuple[list[_Result], _Meta]:
        results, written, meta = started
        written()
        return results, meta

    pending: tuple[list[_Result], Callable[[], None], _Meta] | None = None
    items = iter(chunks)
    while True:
        try:  # reading the rows may fail or be interrupted too
            item = next(items, None)
            if item is None:
                break
            chunk, meta = item
            started = worker.start(chunk) if chunk else None
        except BaseException:  # the rendered chunk before still counts: its files are there
            if pending is not None:
                yield finished(pending)
            raise
        if pending is not None:
            yield finished(pending)
            pending = None
        if started is None:
            yield [], meta
        else:
            pending = (*started, meta)
    if pending is not None:
        yield finished(pending)


def _run(mode: str, chunks: Iterator[tuple[_Chunk, _Meta]], worker_args: tuple[Any, ...],
         jobs: int) -> Generator[tuple[list[_Result], _Meta], None, None]:
    """Each chunk's results with its ``meta``, in order; at most a few chunks in flight per
    worker. An empty chunk is not sent anywhere."""
    if jobs == 1:
        worker = _Worker(*worker_args)
        try:
            if mode == "check":
                for chunk, meta in chunks:
                    yield (worker.check(chunk) if chunk else []), meta
            else:
                yield from _render_overlapped(worker, chunks)
        finally:
            worker.close()
        return
    # Child processes started afresh (not forked: the main process runs threads, and a fork
    # taken while one of them holds a lock leaves the worker waiting on it for ever).
    pool = WorkerPool(jobs, worker_args, serve_connections)
    finished = False
    try:
        pending: deque[tuple[int | None, _Meta]] = deque()
        turn = 0
        for chunk, meta in chunks:
            if chunk:
                pool.submit(turn % jobs, mode, chunk)
                pending.append((turn % jobs, meta))
                turn += 1
            else:
                pending.append((None, meta))
            if len(pending) >= jobs * 3:
                index, first = pending.popleft()
                yield (pool.result(index) if index is not None else []), first
        while pending:
            index, first = pending.popleft()
            yield (pool.result(index) if index is not None else []), first
        finished = True
    finally:
        pool.close(wait=finished)
