"""End-to-end benchmark of ``vn-union-docs batch``: CSV in, one .docx per row out.

Generates a CSV of N rows (the CĐCS of ``examples/batch/cdcs.csv``, repeated with unique
codes; UTF-8 with BOM, semicolons, as Vietnamese Excel saves it) and runs the real command
line in a subprocess (``python -m vn_union_docs batch …``) with the example spec
``examples/batch/cong_van_cdcs.yaml``. Measured: wall time (process start to exit, so
imports and pool start-up count), docs/s, CPU time, and memory of all processes together,
sampled from ``/proc`` every 20 ms:

* ``peak_mb``: the largest sum of the resident sizes (VmRSS) of the command and its
  workers seen at one moment (pages shared after ``fork`` are counted in every process,
  so this overstates the real use);
* ``hwm_sum_mb``: the sum of every process's own high-water mark (VmHWM): an upper bound
  even for a peak shorter than the sampling interval.

Usage::

    python benchmarks/bench_batch.py                 # 10,000 rows, --jobs 1 and 2
    python benchmarks/bench_batch.py --rows 1000 --jobs 2
    python benchmarks/bench_batch.py --memory        # 100,000 rows, --jobs 2
    python benchmarks/bench_batch.py --profile 2000  # cProfile of generate(), jobs=1

``run(n_rows, jobs) -> dict`` is what ``bench_render.py`` imports.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CSV = ROOT / "examples" / "batch" / "cdcs.csv"
EXAMPLE_SPEC = ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"
NAME = "{{ ma_cdcs }}-{{ ten_cdcs }}"


def make_csv(path: Path, n_rows: int) -> Path:
    """Write an N-row CSV shaped like ``examples/batch/cdcs.csv``."""
    with EXAMPLE_CSV.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        base = [row for row in reader if row]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for i in range(n_rows):
            row = list(base[i % len(base)])
            row[0] = f"{i + 1:06d}"
            row[1] = f"{row[1]} {i // len(base) + 1}"
            writer.writerow(row)
    return path


# --- memory of a process tree, from /proc -------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
        return found
    except OSError:
        pass
    for entry in os.listdir("/proc"):  # kernels without .../children
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def _status_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB; (0, 0) when it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def measure(command: list[str], interval: float = 0.02) -> dict[str, Any]:
    """Run ``command``; wall time, CPU time and memory of it and all its descendants."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_kb = 0
    hwm: dict[int, int] = {}
    processes = 0
    while process.poll() is None:
        total = 0
        for pid in _tree(process.pid):
            rss, high = _status_kb(pid)
            total += rss
            if high:
                hwm[pid] = max(hwm.get(pid, 0), high)
        processes = max(processes, len(hwm))
        peak_kb = max(peak_kb, total)
        time.sleep(interval)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "returncode": process.returncode,
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_mb": peak_kb / 1024,
        "hwm_sum_mb": sum(hwm.values()) / 1024,
        "max_single_rss_mb": after.ru_maxrss / 1024,
        "processes": processes,
        "hwm_each_mb": [round(hwm[pid] / 1024) for pid in sorted(hwm)],
        "stdout": stdout.decode("utf-8", "replace").strip(),
        "stderr": stderr.decode("utf-8", "replace").strip()[-2000:],
    }


# --- the benchmark --------------------------------------------------------------------------


def run(n_rows: int, jobs: int, *, keep: bool = False) -> dict[str, Any]:
    """Run ``vn-union-docs batch`` on a generated ``n_rows`` CSV with ``--jobs jobs``.

    Returns ``wall_s``, ``docs_per_s``, ``ms_per_doc``, ``cpu_s``, ``peak_mb``,
    ``hwm_sum_mb`` and the command's summary line.
    """
    work = Path(tempfile.mkdtemp(prefix="vnud-bench-batch-"))
    try:
        data = make_csv(work / "cdcs.csv", n_rows)
        out = work / "out"
        env_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        os.environ["PYTHONPATH"] = env_path
        command = [sys.executable, "-m", "vn_union_docs", "batch", str(EXAMPLE_SPEC),
                   str(data), "--out", str(out), "--name", NAME, "--jobs", str(jobs)]
        result = measure(command)
        if result["returncode"] != 0:
            raise RuntimeError(f"batch failed ({result['returncode']}): {result['stderr']}")
        written = sum(1 for p in out.iterdir() if p.suffix == ".docx")
        if written != n_rows:
            raise RuntimeError(f"{written} files written for {n_rows} rows")
        result.update(
            rows=n_rows,
            jobs=jobs,
            docs_per_s=n_rows / result["wall_s"],
            ms_per_doc=result["wall_s"] / n_rows * 1000,
            summary=result.pop("stdout"),
        )
        result.pop("stderr")
        return result
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def profile(n_rows: int, top: int = 30) -> str:
    """cProfile of ``generate`` (jobs=1, in this process): where a document's time goes."""
    sys.path.insert(0, str(ROOT))
    from vn_union_docs.batch import generate
    from vn_union_docs.batch.source import read_rows

    work = Path(tempfile.mkdtemp(prefix="vnud-bench-profile-"))
    try:
        data = make_csv(work / "cdcs.csv", n_rows)
        generate(EXAMPLE_SPEC, read_rows(data), work / "warm", name=NAME, jobs=1)  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        report = generate(EXAMPLE_SPEC, read_rows(data), work / "out", name=NAME, jobs=1)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        per_doc = report.seconds / max(1, len(report.written)) * 1000
        return f"{n_rows} rows, {per_doc:.2f} ms/doc under the profiler\n{text.getvalue()}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _print(result: dict[str, Any]) -> None:
    print(
        f"{result['rows']:>7,} rows  --jobs {result['jobs']}  "
        f"wall {result['wall_s']:6.1f} s  {result['docs_per_s']:6.0f} docs/s  "
        f"({result['ms_per_doc']:.2f} ms/doc)  cpu {result['cpu_s']:6.1f} s  "
        f"peak {result['peak_mb']:5.0f} MB (sum of HWM {result['hwm_sum_mb']:.0f} MB, "
        f"{result['processes']} processes: {result['hwm_each_mb']} MB)"
    )
    print(f"        {result['summary']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--memory", action="store_true", help="100,000 rows with --jobs 2")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N rows, jobs=1")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile))
        return 0
    if args.memory:
        args.rows, args.jobs = 100_000, [2]
    for jobs in args.jobs:
        _print(run(args.rows, jobs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
