"""Preview latency of the clerks' page: from the last keystroke to the new page image.

Runs the service (``create_app``, uvicorn on 127.0.0.1, resident converters: one per core as
``vn-union-docs serve`` starts them), opens the page in Debian's headless chromium (Selenium +
chromium-driver), loads the 2-page công văn 58/CĐYT and then types into its trích yếu, one
short word at a time, waiting for each new preview. The page itself measures each latency
(``performance.now()`` at the last input event → every new page image decoded and shown) and
the server's ``Server-Timing`` header says where the time went.

The same edits are then measured with no converter pool (one LibreOffice run per preview, what
the page would cost without the resident converters): the ratio is the pool's gain.

    python benchmarks/bench_preview.py            # 30 edits with the pool, 6 without
    python benchmarks/bench_preview.py --quick    # 10 and 3
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "58-cdyt-cong-van.yaml"
CHROMIUM = os.environ.get("VN_UNION_DOCS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("VN_UNION_DOCS_CHROMEDRIVER", "/usr/bin/chromedriver")
WORDS = ["năm", "hai", "nghìn", "không", "trăm", "hai", "mươi", "sáu", "tại", "các", "đơn", "vị"]


@contextmanager
def service(converters: int) -> Iterator[str]:
    """The app on uvicorn at a free loopback port; yields the base URL."""
    import uvicorn

    from vn_union_docs.service.app import create_app
    from vn_union_docs.service.settings import ServiceSettings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as jobs:
        app = create_app(ServiceSettings(converters=converters, job_dir=Path(jobs)))
        if not converters:  # no pool at all: the page converts with one LibreOffice run
            app.state.converters = None
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise SystemExit("uvicorn did not start")
            time.sleep(0.05)
        if converters and not app.state.converters.available:
            raise SystemExit("the resident converters did not start (LibreOffice, python3-uno?)")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(60)


@contextmanager
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1366,768"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, script: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise SystemExit(f"timed out: {script}")


def measure(base: str, edits: int, tag: str) -> tuple[list[float], list[dict[str, float]]]:
    """Latencies (ms) of ``edits`` previews, and the server timings of each. ``tag`` makes
    every edit's text new (the service caches the pages of a .docx it has seen)."""
    from selenium.webdriver.common.by import By

    with browser() as driver:
        driver.get(base + "/")
        driver.find_element(By.ID, "yaml-file").send_keys(str(SPEC))
        _wait(driver, "return window.vnPreviewStats.latencies.length >= 1")
        subject = driver.find_element(By.ID, "f-subject")
        latencies: list[float] = []
        timings: list[dict[str, float]] = []
        for i in range(edits):
            count = driver.execute_script("return window.vnPreviewStats.latencies.length")
            subject.send_keys(f" {WORDS[i % len(WORDS)]}{tag}{i}")
            _wait(driver, f"return window.vnPreviewStats.latencies.length > {count}")
            latencies.append(driver.execute_script(
                "const l = window.vnPreviewStats.latencies; return l[l.length - 1]"))
            timings.append(driver.execute_script("""
                const e = performance.getEntriesByType('resource')
                  .filter(r => r.name.endsWith('/web/api/preview')).pop();
                const out = {request: e.duration};
                for (const t of e.serverTiming || []) out[t.name] = t.duration;
                return out;"""))
            time.sleep(0.3)
        return latencies, timings


def _p(values: list[float], q: float) -> float:
    if q == 0.5:
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, values: list[float]) -> str:
    return (f"| {name} | {len(values)} | {_p(values, 0.5):,.0f} | {_p(values, 0.9):,.0f} | "
            f"{min(values):,.0f} | {max(values):,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer edits")
    parser.add_argument("--edits", type=int, default=None)
    args = parser.parse_args()
    edits = args.edits or (10 if args.quick else 30)
    cold_edits = max(3, edits // 5)
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {platform.processor() or platform.machine()}, {cores} cores, load average "
          f"at start {load:.2f}; Python {sys.version.split()[0]}; chromium {CHROMIUM}")
    with service(converters=cores) as base:
        warm, timings = measure(base, edits, "a")
    with service(converters=0) as base:
        cold, cold_timings = measure(base, cold_edits, "b")
    print()
    print("| preview, 2-page công văn 58/CĐYT | edits | p50 ms | p90 ms | min ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(_row(f"last keystroke → new page image, resident converters ({cores})", warm))
    for key in ("request", "check", "docx", "pdf", "png"):
        values = [t[key] for t in timings if key in t]
        if values:
            print(_row(f"  of which server {key}" if key != "request" else
                       "  of which the /web/api/preview request", values))
    print(_row("last keystroke → new page image, one LibreOffice run per preview", cold))
    values = [t["pdf"] for t in cold_timings if "pdf" in t]
    if values:
        print(_row("  of which server pdf", values))
    print()
    ratio = statistics.median(cold) / statistics.median(warm)
    print(f"p50 {statistics.median(warm):,.0f} ms with the resident converters (400 ms of it is "
          f"the debounce after the last keystroke); {ratio:.1f}× faster than one LibreOffice "
          "run per preview.")


if __name__ == "__main__":
    main()
