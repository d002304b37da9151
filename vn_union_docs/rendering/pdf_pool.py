"""Resident LibreOffice converters: .docx bytes in, PDF bytes out, without a start-up per call.

A :class:`ConverterPool` keeps ``size`` LibreOffice processes running, each behind an
`unoserver <https://github.com/unoconv/unoserver>`_ XML-RPC server. The server half needs
LibreOffice's Python bridge (``uno``), which Debian ships for its own ``/usr/bin/python3``
(package ``python3-uno``); the client half is plain XML-RPC, so the project's Python needs
no ``uno``. unoserver (pure Python) is imported by that other interpreter from this
environment's site-packages.

- Each converter has its own profile directory and ports; one conversion runs on it at a
  time, so at most ``size`` conversions run at once and the others wait their turn.
- A conversion that takes longer than ``timeout`` seconds kills that converter's process
  group (unoserver, oosplash, soffice.bin) and restarts it; a converter found dead is
  restarted and the document is tried once more on it.
- ``ConverterPool(addresses=["host:port", ...])`` uses converters someone else runs (for
  example ``vn-union-docs serve``): nothing is started or restarted then. The environment
  variable ``VN_UNION_DOCS_CONVERTERS`` names them for ``render --pdf`` and ``batch --pdf``
  (:func:`pool_from_env`).

Every process the pool starts ends with :meth:`ConverterPool.close` (also on ``with`` exit).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from types import TracebackType

from vn_union_docs.errors import LibreOfficeError
from vn_union_docs.files import write_atomic
from vn_union_docs.rendering.soffice import INSTALL_HELP, find_soffice

__all__ = ["CONVERTERS_ENV", "UNO_PYTHON_ENV", "ConverterPool", "find_uno_python",
           "pool_from_env"]

#: ``host:port,host:port`` of running converters (unoserver XML-RPC) to use.
CONVERTERS_ENV = "VN_UNION_DOCS_CONVERTERS"
#: A Python interpreter that can ``import uno`` (default: this one, else /usr/bin/python3).
UNO_PYTHON_ENV = "VN_UNION_DOCS_UNO_PYTHON"

#: Longest wait (s) for a started converter to answer.
START_TIMEOUT = 90.0

_NO_UNO = (
    "Không tìm thấy Python có mô-đun uno của LibreOffice (cần cho bộ chuyển PDF thường trú).\n"
    "Debian/Ubuntu: apt-get install -y python3-uno ; hoặc đặt biến môi trường "
    f"{UNO_PYTHON_ENV} trỏ tới trình Python đó (trên Windows: python.exe trong thư mục "
    "program của LibreOffice)."
)
_NO_UNOSERVER = "Thiếu gói unoserver: pip install unoserver"

_PDF_FILTER = "writer_pdf_Export"
_PDFA_OPTIONS = ["SelectPdfVersion=2"]  # PDF/A-2b


def _can_import_uno(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def find_uno_python() -> str | None:
    """A Python that can ``import uno``: ``$VN_UNION_DOCS_UNO_PYTHON``, this interpreter,
    ``/usr/bin/python3``, or LibreOffice's own bundled Python."""
    candidates = [os.environ.get(UNO_PYTHON_ENV), sys.executable, "/usr/bin/python3",
                  shutil.which("python3")]
    soffice = find_soffice()
    if soffice:
        program = Path(soffice).resolve().parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _can_import_uno(candidate):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


# Runs under the Python that has uno. unoserver is appended after the interpreter's own
# paths (its uno stays first). A watchdog thread kills the converter's process group
# (unoserver and LibreOffice) when the process that started it is gone, even by SIGKILL,
# so that no converter outlives the command that owns it.
_BOOTSTRAP = """
import os, signal, sys, threading, time
parent = os.getppid()
def _watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=_watch, daemon=True).start()
# unoserver waits fixed 5 s + 2 s at start and polls LibreOffice every 2 s; polling every
# 0.5 s instead (the same number of tries) makes a converter ready in about 2 s.
_sleep = time.sleep
time.sleep = lambda seconds: _sleep(min(seconds, 0.5))
sys.path.append({site!r})
sys.argv[0] = "unoserver"
from unoserver.server import main
sys.exit(main())
"""


def _parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit():
        raise LibreOfficeError(f"địa chỉ bộ chuyển PDF «{text}» phải có dạng máy:cổng "
                               "(ví dụ 127.0.0.1:2003)")
    return host.strip("[]"), int(port)


class _Transport(xmlrpc.client.Transport):
    """XML-RPC over HTTP with a socket timeout (the standard transport has none)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: object) -> HTTPConnection:
        conn = super().make_connection(host)  # type: ignore[arg-type]
        conn.timeout = self._timeout
        return conn


@dataclass
class _Converter:
    """One converter: an address, and the process when the pool started it."""

    host: str
    port: int
    process: subprocess.Popen[bytes] | None = None
    profile: Path | None = None
    index: int = 0
    conversions: int = 0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"http://{self.host}:{self.port}",
                                         transport=_Transport(timeout), allow_none=True)


class ConverterPool:
    """Resident LibreOffice converters; thread-safe, usable from asyncio (:meth:`to_pdf`).

    ``ConverterPool(size)`` starts ``size`` converters on :meth:`start` (default: one per
    core); ``ConverterPool(addresses=[...])`` uses running ones. ``timeout`` bounds one
    conversion (then the converter is restarted and :class:`LibreOfficeError` raised).
    """

    def __init__(self, size: int | None = None, *, addresses: Sequence[str] = (),
                 timeout: float = 60.0, soffice: str | None = None,
                 uno_python: str | None = None, base_port: int = 0) -> None:
        self._external = [_parse_address(a) for a in addresses if a.strip()]
        self.size = len(self._external) if self._external else (
            (os.cpu_count() or 1) if size is None else size)
        self.timeout = timeout
        self.base_port = base_port
        self._soffice = soffice
        self._uno_python = uno_python
        self._free: queue.Queue[_Converter] = queue.Queue()
        self._all: list[_Converter] = []
        self._lock = threading.Lock()
        self._started = False
        self._start_error: LibreOfficeError | None = None
        self._closed = False
        self._async_gate: asyncio.Semaphore | None = None
        self._tmp: Path | None = None
        self.restarts = 0

    # -- life cycle -------------------------------------------------------------------
    @property
    def owned(self) -> bool:
        """True when the pool started (and so restarts and stops) its converters."""
        return not self._external

    @property
    def addresses(self) -> list[str]:
        """``host:port`` of every converter (for ``$VN_UNION_DOCS_CONVERTERS``)."""
        return [conv.address for conv in self._all]

    @property
    def available(self) -> bool:
        """True once started with at least one converter."""
        return self._started and bool(self._all)

    def __enter__(self) -> ConverterPool:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Start the converters (or check the given addresses answer); idempotent.

        A failure is remembered: :meth:`convert` then fails at once with the same error
        instead of trying to start LibreOffice again for every document.
        """
        with self._lock:
            if self._started:
                return
            if self._start_error is not None:
                raise self._start_error
            try:
                self._start_locked()
            except LibreOfficeError as exc:
                self._start_error = exc
                raise

    def _start_locked(self) -> None:
        if self._closed:
            raise LibreOfficeError("bộ chuyển PDF đã đóng")
        if self.size < 1:
            raise LibreOfficeError("chưa cấu hình bộ chuyển PDF nào (--converters 0)")
        if self._external:
            converters = [_Converter(host, port) for host, port in self._external]
            for conv in converters:
                self._wait_ready(conv, deadline=time.monotonic() + 3)
        else:
            self._prepare_launch()
            with ThreadPoolExecutor(max_workers=self.size) as ex:
                futures = [ex.submit(self._launch, i) for i in range(self.size)]
                converters = []
                errors: list[BaseException] = []
                for fut in futures:
                    try:
                        converters.append(fut.result())
                    except LibreOfficeError as exc:
                        errors.append(exc)
                if errors:
                    for conv in converters:
                        self._stop(conv)
                    raise errors[0]
        self._all = converters
        for conv in converters:
            self._free.put(conv)
        self._started = True

    def close(self) -> None:
        """Stop every converter the pool started and remove its profiles."""
        with self._lock:
            self._closed = True
            for conv in self._all:
                self._stop(conv)
            self._all = []
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)
                self._tmp = None

    def _prepare_launch(self) -> None:
        self._soffice = self._soffice or find_soffice()
        if not self._soffice:
            raise LibreOfficeError(INSTALL_HELP)
        self._uno_python = self._uno_python or find_uno_python()
        if not self._uno_python:
            raise LibreOfficeError(_NO_UNO)
        if importlib.util.find_spec("unoserver") is None:
            raise LibreOfficeError(_NO_UNOSERVER)
        self._tmp = Path(tempfile.mkdtemp(prefix="vn-union-docs-pool-"))

    def _launch(self, index: int) -> _Converter:
        """Start one unoserver + LibreOffice in its own process group and wait for it."""
        assert self._tmp is not None and self._soffice and self._uno_python
        spec = importlib.util.find_spec("unoserver")
        assert spec is not None and spec.submodule_search_locations
        site = str(Path(next(iter(spec.submodule_search_locations))).parent)
        last_error = ""
        for _attempt in range(1 if self.base_port else 3):  # a port taken meanwhile: retry
            if self.base_port:  # XML-RPC on base+2i, LibreOffice's own socket on base+2i+1
                port, uno_port = self.base_port + 2 * index, self.base_port + 2 * index + 1
            else:
                port, uno_port = _free_port(), _free_port()
            profile = Path(tempfile.mkdtemp(prefix="profile-", dir=self._tmp))
            if self.base_port and not (_port_free(port) and _port_free(uno_port)):
                raise LibreOfficeError(f"cổng {port} hoặc {uno_port} của bộ chuyển PDF đang "
                                       "bị chương trình khác dùng; chọn --converter-port khác")
            bootstrap = _BOOTSTRAP.format(site=site)
            cmd = [self._uno_python, "-c", bootstrap, "--interface", "127.0.0.1",
                   "--port", str(port), "--uno-interface", "127.0.0.1",
                   "--uno-port", str(uno_port), "--executable", self._soffice,
                   "--user-installation", str(profile), "--quiet",
                   "--conversion-timeout", str(max(1, int(self.timeout) + 5))]
            log_path = profile.with_suffix(".log")
            try:
                with open(log_path, "wb") as log:
                    process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                               stdout=subprocess.DEVNULL, stderr=log,
                                               start_new_session=True)
            except OSError as exc:
                raise LibreOfficeError(f"không chạy được {self._uno_python} cho bộ chuyển PDF "
                                       f"({exc.strerror or exc})") from None
            conv = _Converter("127.0.0.1", port, process, profile, index)
            try:
                self._wait_ready(conv, deadline=time.monotonic() + START_TIMEOUT)
                return conv
            except LibreOfficeError as exc:
                last_error = str(exc)
                self._stop(conv)
        raise LibreOfficeError(f"không khởi động được bộ chuyển PDF: {last_error}")

    def _wait_ready(self, conv: _Converter, *, deadline: float) -> None:
        while True:
            if conv.process is not None and conv.process.poll() is not None:
                tail = ""
                if conv.profile is not None:
                    with contextlib.suppress(OSError):
                        lines = conv.profile.with_suffix(".log").read_text(
                            "utf-8", "replace").strip().splitlines()
                        tail = lines[-1] if lines else ""
                raise LibreOfficeError(f"bộ chuyển PDF dừng ngay khi khởi động "
                                       f"(mã thoát {conv.process.returncode}) {tail}".strip())
            try:
                conv.proxy(5).info()
                return
            except (OSError, xmlrpc.client.Error):
                pass
            if time.monotonic() > deadline:
                raise LibreOfficeError(f"bộ chuyển PDF {conv.address} không trả lời")
            time.sleep(0.2)

    def _stop(self, conv: _Converter) -> None:
        if conv.process is not None:
            # The whole group at once (unoserver, oosplash, soffice.bin): LibreOffice keeps
            # nothing worth a clean exit here, and its profile is removed below.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(conv.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                conv.process.wait(timeout=10)
        if conv.profile is not None:
            shutil.rmtree(conv.profile, ignore_errors=True)
            with contextlib.suppress(OSError):
                conv.profile.with_suffix(".log").unlink()

    def _restart(self, conv: _Converter) -> _Converter:
        """Replace a hung or dead converter by a new one (same slot in the pool)."""
        self._stop(conv)
        self.restarts += 1
        fresh = self._launch(conv.index)
        with self._lock:
            self._all = [fresh if c is conv else c for c in self._all]
        return fresh

    # -- conversion -------------------------------------------------------------------
    def convert(self, docx: bytes, *, pdfa: bool = False) -> bytes:
        """Convert one .docx (bytes) to PDF bytes; blocks until a converter is free."""
        if not self._started:
            self.start()
        try:
            conv = self._free.get(timeout=self.timeout * 4)
        except queue.Empty:
            raise LibreOfficeError("mọi bộ chuyển PDF đều bận quá lâu; hãy thử lại sau") from None
        try:
            for attempt in (1, 2):
                try:
                    return self._call(conv, docx, pdfa)
                except TimeoutError:
                    if self.owned:
                        conv = self._restart(conv)
                    raise LibreOfficeError(
                        f"LibreOffice treo quá {self.timeout:g} giây khi chuyển sang PDF; "
                        "bộ chuyển đã được khởi động lại") from None
                except (ConnectionError, OSError, xmlrpc.client.ProtocolError) as exc:
                    # A converter that died (or was killed by its own time limit).
                    if not self.owned or attempt == 2:
                        raise LibreOfficeError(
                            f"bộ chuyển PDF {conv.address} không trả lời ({exc})") from None
                    conv = self._restart(conv)
                except xmlrpc.client.Fault as exc:
                    raise LibreOfficeError(
                        "LibreOffice không đọc được tệp .docx này để chuyển sang PDF "
                        f"({_fault_text(exc)})") from None
            raise AssertionError("unreachable")
        finally:
            if not self._closed:
                self._free.put(conv)

    def _call(self, conv: _Converter, docx: bytes, pdfa: bool) -> bytes:
        if conv.process is not None and conv.process.poll() is not None:
            raise ConnectionError("process exited")
        try:
            result = conv.proxy(self.timeout).convert(
                None, xmlrpc.client.Binary(docx), None, "pdf", _PDF_FILTER,
                _PDFA_OPTIONS if pdfa else [], False)
        except TimeoutError as exc:
            raise TimeoutError from exc
        conv.conversions += 1
        if isinstance(result, xmlrpc.client.Binary):
            data = result.data
        elif isinstance(result, bytes):
            data = result
        else:
            raise LibreOfficeError("bộ chuyển PDF trả về dữ liệu không phải tệp PDF")
        if not data.startswith(b"%PDF"):
            raise LibreOfficeError("LibreOffice không trả về tệp PDF")
        if pdfa and b"pdfaid:part" not in data:
            raise LibreOfficeError("LibreOffice này không xuất được PDF/A (cần bản 7.4 trở lên)")
        return data

    async def to_pdf(self, docx: bytes, *, pdfa: bool = False) -> bytes:
        """``convert`` for asyncio code: waits for a free converter without blocking the loop."""
        if self._async_gate is None:
            self._async_gate = asyncio.Semaphore(max(1, self.size))
        async with self._async_gate:
            return await asyncio.to_thread(self.convert, docx, pdfa=pdfa)

    def convert_files(self, docx_paths: Iterable[Path | str], out_dir: Path | str, *,
                      pdfa: bool = False,
                      on_progress: Callable[[Path], object] | None = None) -> list[Path]:
        """Convert files to ``out_dir/<stem>.pdf`` (written atomically), all converters busy.

        Returns the PDF paths in input order; raises :class:`LibreOfficeError` naming the
        files that failed after converting the others.
        """
        paths = [Path(p) for p in docx_paths]
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        failures: list[str] = []

        def one(path: Path) -> Path:
            target = out / (path.stem + ".pdf")
            try:
                write_atomic(target, self.convert(path.read_bytes(), pdfa=pdfa))
            except LibreOfficeError as exc:
                failures.append(f"{path}: {exc}")
                return target
            if on_progress is not None:
                on_progress(target)
            return target

        with ThreadPoolExecutor(max_workers=max(1, self.size)) as ex:
            results = list(ex.map(one, paths))
        if failures:
            shown = sorted(failures)[:20]
            raise LibreOfficeError(f"Không chuyển được {len(failures)} tệp sang PDF:\n"
                                   + "\n".join(shown))
        return results


def _fault_text(fault: xmlrpc.client.Fault) -> str:
    text = str(fault.faultString).strip().splitlines()
    return text[-1][:200] if text else "lỗi không rõ"


def pool_from_env() -> ConverterPool | None:
    """The pool ``$VN_UNION_DOCS_CONVERTERS`` names (``host:port,...``), or ``None``."""
    value = os.environ.get(CONVERTERS_ENV, "").strip()
    if not value:
        return None
    return ConverterPool(addresses=[a for a in value.split(",") if a.strip()])
