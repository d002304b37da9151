"""Benchmark: ``vn-union-docs serve`` on the loopback, and ``batch --pdf`` with resident converters.

Run ``python benchmarks/bench_service.py [CLIENTS] [RENDERS] [BATCH_ROWS]`` (default 20 50 100).

1. Starts ``vn-union-docs serve`` (one resident converter per core) on a free loopback port.
2. One client, one request at a time: ``POST /api/render`` of the 2-page công văn
   (examples/58-cdyt-cong-van.yaml) as .docx (300 requests) and as PDF from a warm converter
   (60 requests): p50 / p95.
3. Load: ``CLIENTS`` concurrent clients × ``RENDERS`` renders each, .docx then PDF; counts
   errors (anything but 200), p50 / p95 latency and requests per second.
4. ``render --pdf`` of the one công văn (the whole command: Python start, render, PDF), with
   the service's converters and with its own LibreOffice, three interleaved rounds each.
5. ``batch --pdf`` of ``BATCH_ROWS`` rows (examples/batch, rows repeated with new codes):
   LibreOffice started for the run (``convert_to_pdf``, today's way) against the running
   service's converters (``VN_UNION_DOCS_CONVERTERS``), two interleaved rounds each:
   documents per second, end to end (the command's start, .docx and PDF).

Everything stays on 127.0.0.1 and every process started here is stopped at the end.
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout

from vn_union_docs.documents.spec import read_spec  # noqa: E402

CLI = [sys.executable, "-m", "vn_union_docs"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(times: list[float]) -> dict[str, float]:
    return {"n": len(times), "p50_ms": round(_pct(times, 0.50) * 1000, 1),
            "p95_ms": round(_pct(times, 0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(times) * 1000, 1)}


class Server:
    """``vn-union-docs serve`` in a subprocess, stopped on exit."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in __exit__)
            prefix="serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.url = f"http://127.0.0.1:{self.port}"
        self.converters = ""

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"serve exited: {Path(self.log.name).read_text()}")
            text = Path(self.log.name).read_text("utf-8", "replace")
            found = re.search(r"VN_UNION_DOCS_CONVERTERS=(\S+)", text)
            if found:
                self.converters = found.group(1)
            try:
                health = httpx2.get(f"{self.url}/api/health", timeout=2).json()
                if health["pdf"] and self.converters:
                    return self
            except (httpx2.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.3)
        raise SystemExit("serve did not become ready")

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        os.unlink(self.log.name)


def sequential(url: str, spec: dict[str, Any], fmt: str, n: int) -> dict[str, float]:
    times = []
    with httpx2.Client(base_url=url, timeout=60) as client:
        for _ in range(3):  # warm-up (compiled template, converter)
            client.post(f"/api/render?format={fmt}", json=spec).raise_for_status()
        for _ in range(n):
            start = time.perf_counter()
            r = client.post(f"/api/render?format={fmt}", json=spec)
            times.append(time.perf_counter() - start)
            r.raise_for_status()
    return _summary(times)


def load(url: str, spec: dict[str, Any], fmt: str, clients: int, renders: int
         ) -> dict[str, Any]:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client_loop() -> None:
        with httpx2.Client(base_url=url, timeout=300) as client:
            for _ in range(renders):
                start = time.perf_counter()
                try:
                    r = client.post(f"/api/render?format={fmt}", json=spec)
                    ok = r.status_code == 200 and len(r.content) > 1000
                    why = f"{r.status_code}"
                except httpx2.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                elapsed = time.perf_counter() - start
                with lock:
                    times.append(elapsed)
                    if not ok:
                        errors.append(why)

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {**_summary(times), "clients": clients, "errors": len(errors),
            "error_kinds": sorted(set(errors)), "per_second": round(len(times) / wall, 1)}


def batch_pdf(rows: int, converters: str | None) -> dict[str, Any]:
    src = ROOT / "examples" / "batch"
    lines = (src / "cdcs.csv").read_text("utf-8-sig").splitlines()
    header, body = lines[0], [ln for ln in lines[1:] if ln.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        data = Path(tmp) / "rows.csv"
        out_rows = []
        for i in range(rows):
            cells = body[i % len(body)].split(";")
            cells[0] = f"{i + 1:05d}"
            out_rows.append(";".join(cells))
        data.write_text("\n".join([header, *out_rows]) + "\n", encoding="utf-8")
        env = dict(os.environ)
        env.pop("VN_UNION_DOCS_CONVERTERS", None)
        if converters:
            env["VN_UNION_DOCS_CONVERTERS"] = converters
        start = time.perf_counter()
        done = subprocess.run([*CLI, "batch", str(src / "cong_van_cdcs.yaml"), str(data),
                               "--out", str(Path(tmp) / "out"), "--pdf",
                               "--name", "{{ ma_cdcs }}"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        seconds = time.perf_counter() - start
        pdfs = len(list((Path(tmp) / "out").glob("*.pdf")))
    if done.returncode != 0 or pdfs != rows:
        raise SystemExit(f"batch failed ({pdfs}/{rows} PDFs): {done.stderr[-2000:]}")
    return {"rows": rows, "seconds": round(seconds, 2), "per_second": round(rows / seconds, 1)}


def render_pdf_one(converters: str | None) -> float:
    """Seconds of ``vn-union-docs render SPEC --pdf`` for the one 2-page công văn."""
    env = dict(os.environ)
    env.pop("VN_UNION_DOCS_CONVERTERS", None)
    if converters:
        env["VN_UNION_DOCS_CONVERTERS"] = converters
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        start = time.perf_counter()
        done = subprocess.run([*CLI, "render", str(ROOT / "examples" / "58-cdyt-cong-van.yaml"),
                               "--out", tmp, "--pdf"], capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - start
        if done.returncode != 0 or not (Path(tmp) / "58-cdyt-cong-van.pdf").is_file():
            raise SystemExit(f"render --pdf failed: {done.stderr[-2000:]}")
    return round(seconds, 2)


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    renders = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    spec = json.loads(json.dumps(read_spec(ROOT / "examples" / "58-cdyt-cong-van.yaml"),
                                 default=str))
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                          f"Python {platform.python_version()}",
                               "load_average_at_start": round(os.getloadavg()[0], 2)}
    with Server() as server:
        results["converters"] = server.converters
        results["docx_sequential"] = sequential(server.url, spec, "docx", 300)
        results["pdf_sequential_warm"] = sequential(server.url, spec, "pdf", 60)
        results["docx_load"] = load(server.url, spec, "docx", clients, renders)
        results["pdf_load"] = load(server.url, spec, "pdf", clients, renders)
        # Interleaved rounds: the machine's load changes less between the two ways.
        one_resident, one_own = [], []
        for _ in range(3):
            one_resident.append(render_pdf_one(server.converters))
            one_own.append(render_pdf_one(None))
        results["render_pdf_one_doc_s"] = {"resident": one_resident, "own_soffice": one_own}
        resident, own = [], []
        for _ in range(2):
            resident.append(batch_pdf(rows, server.converters))
            own.append(batch_pdf(rows, None))
        results["batch_pdf_resident"] = resident
        results["batch_pdf_own_soffice"] = own
    results["load_average_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
