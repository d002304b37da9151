"""Worker processes for a batch: plain child processes fed chunks of rows over pipes.

Not ``multiprocessing.Pool``: a spawned pool starts a resource-tracker process (15 MB, for
semaphores a batch never needs) and three threads, and waits for ever when a worker is killed.
Here each worker is ``python -c …`` started with ``subprocess``, reading ``(mode, chunk)``
messages from one pipe and answering on another (``multiprocessing.connection.Connection``:
length-prefixed pickles); a worker that dies is an error named at once. Chunks are handed out
in turn and their results read back in the same order, so the batch sees them in row order.
A thread sends the chunks, so the command never waits on a full pipe while a worker waits on
it in turn. Where a child cannot inherit pipes (``pass_fds``: not on Windows), the workers are
started by ``multiprocessing``'s spawn method over its pipes instead (``CHILD_PROCESSES``).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from vn_union_docs.batch.report import BatchError

_BOOT = ("import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
         "from vn_union_docs.batch.workers import serve; serve(int(sys.argv[2]), int(sys.argv[3]))")
_PIPE_BYTES = 1 << 20  # F_SETPIPE_SZ: a chunk's rows or results rarely wait on the pipe


class WorkerPool:
    """``jobs`` worker processes, each compiling the spec once from ``worker_args``."""

    def __init__(self, jobs: int, worker_args: tuple[Any, ...],
                 serve: Callable[[Any, Any], None]) -> None:
        """``serve(inbox, outbox)``: a worker's life where workers are spawned (Windows);
        elsewhere the child runs ``workers.serve`` itself."""
        self._serve = serve
        self._processes: list[subprocess.Popen[bytes] | _SpawnedWorker] = []
        self._inboxes: list[Any] = []  # multiprocessing connections
        self._outboxes: list[Any] = []
        self._sending: queue.Queue[tuple[int, Any] | None] = queue.Queue()
        self._send_error: BaseException | None = None
        try:
            for _ in range(jobs):
                self._start(worker_args)
        except BaseException:
            self.close(wait=False)
            raise
        self._sender = threading.Thread(target=self._send_all, name="vn-union-docs-sender",
                                        daemon=True)
        self._sender.start()

    def _start(self, worker_args: tuple[Any, ...]) -> None:
        if CHILD_PROCESSES:
            to_child, from_parent = _pipe()
            to_parent, from_child = _pipe()
            process: subprocess.Popen[bytes] | _SpawnedWorker = subprocess.Popen(
                [sys.executable, "-c", _BOOT, json.dumps(sys.path), str(to_child),
                 str(from_child)], pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL)
            os.close(to_child)
            os.close(from_child)
            inbox = Connection(from_parent, readable=False)
            outbox = Connection(to_parent, writable=False)
        else:
            process, inbox, outbox = _SpawnedWorker.start(self._serve)
        self._processes.append(process)
        self._inboxes.append(inbox)
        self._outboxes.append(outbox)
        inbox.send((os.getpid(), worker_args))

    def submit(self, worker: int, mode: str, chunk: list[Any]) -> None:
        """Queue ``chunk`` for ``worker`` (``mode``: ``"check"`` or ``"render"``)."""
        if self._send_error is not None:
            raise self._send_error
        self._sending.put((worker, (mode, chunk)))

    def result(self, worker: int) -> Any:
        """The results of ``worker``'s oldest chunk not yet read; re-raises its error."""
        try:
            status, payload = self._outboxes[worker].recv()
        except (EOFError, OSError):
            code = self._processes[worker].poll()
            raise BatchError(
                f"tiến trình con số {worker + 1} dừng bất ngờ (mã {code}); các tệp đã ghi "
                "đều trọn vẹn, chạy lại với --skip-existing để làm tiếp") from None
        if status == "error":
            raise payload
        return payload

    def _send_all(self) -> None:
        while (item := self._sending.get()) is not None:
            worker, message = item
            try:
                self._inboxes[worker].send(message)
            except OSError as exc:  # the worker is gone: result() says so
                self._send_error = exc

    def close(self, wait: bool = True) -> None:
        """Stop the workers: after their last chunk (``wait``), or at once."""
        if wait:
            for worker in range(len(self._inboxes)):
                self._sending.put((worker, None))  # "stop", after what is queued
        self._sending.put(None)
        sender = getattr(self, "_sender", None)
        if sender is not None:
            sender.join(timeout=5)
        for process in self._processes:
            if not wait:
                with contextlib.suppress(OSError):
                    process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for connection in (*self._inboxes, *self._outboxes):
            connection.close()


class _SpawnedWorker:
    """Where ``pass_fds`` does not exist (Windows): a worker started by ``multiprocessing``'s
    spawn method over two of its pipes, with ``subprocess.Popen``'s few methods used here."""

    def __init__(self, process: Any) -> None:
        self._process = process

    @classmethod
    def start(cls, serve: Callable[[Any, Any], None]) -> tuple[_SpawnedWorker, Any, Any]:
        """A worker running ``serve(inbox, outbox)``; it and the batch's two ends."""
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        child_in, parent_out = context.Pipe(duplex=False)
        parent_in, child_out = context.Pipe(duplex=False)
        process = context.Process(target=serve, args=(child_in, child_out), daemon=True)
        process.start()
        child_in.close()
        child_out.close()
        return cls(process), parent_out, parent_in

    def poll(self) -> int | None:
        code: int | None = self._process.exitcode
        return code

    def terminate(self) -> None:
        self._process.terminate()

    def kill(self) -> None:
        self._process.kill()

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        if self._process.is_alive():
            raise subprocess.TimeoutExpired("worker", timeout or 0)
        return self.poll()


CHILD_PROCESSES = os.name == "posix"
"""Workers are ``python -c`` children reading inherited pipes (POSIX); elsewhere they are
started by ``multiprocessing`` (spawn)."""


def _pipe() -> tuple[int, int]:
    """A pipe ``(read, write)`` as large as the system allows up to 1 MB (Linux); like every
    ``os.pipe``, not inherited but by ``pass_fds``."""
    read, write = os.pipe()
    with contextlib.suppress(OSError, AttributeError, ValueError):
        import fcntl

        fcntl.fcntl(write, 1031, _PIPE_BYTES)  # F_SETPIPE_SZ
    return read, write


__all__ = ["WorkerPool"]
