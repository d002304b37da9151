"""End-to-end benchmark of ``vn-union-docs batch``: CSV in, one .docx per row out.

Generates a CSV of N rows (the CĐCS of ``examples/batch/cdcs.csv``, repeated with unique
codes; UTF-8 with BOM, semicolons, as Vietnamese Excel saves it) and runs the real command
line in a subprocess (``python -m vn_union_docs batch …``) with the example spec
``examples/batch/cong_van_cdcs.yaml``. Measured: wall time (process start to exit, so
imports and pool start-up count), docs/s, CPU time, and memory of all processes together,
sampled from ``/proc`` every 20 ms:

* ``peak_pss_mb``: the largest sum of the proportional set sizes (``Pss`` of
  ``/proc/PID/smaps_rollup``, read every 200 ms) of the command and its workers: what they
  use together, each shared page (the Python and library code every process maps) counted
  once, split among the processes that map it;
* ``peak_mb``: the largest sum of the resident sizes (VmRSS) seen at one moment (shared
  pages counted in every process: this overstates the real use);
* ``hwm_sum_mb``: the sum of every process's own high-water mark (VmHWM): an upper bound
  even for a peak shorter than the sampling interval.

Each run also measures plain docxtpl in this process (a fresh ``DocxTemplate``, ``render``,
save to memory, for the spec's first row: the same template and context) just before and
just after the batch, and reports the end-to-end ratio: the mean of the two docxtpl figures
(ms/doc) over the batch's wall ms/doc.

Usage::

    python benchmarks/bench_batch.py                 # 10,000 rows, --jobs 1 and 2
    python benchmarks/bench_batch.py --rows 1000 --jobs 2
    python benchmarks/bench_batch.py --memory        # 100,000 rows, --jobs 2
    python benchmarks/bench_batch.py --million       # 1,000,000 rows, --jobs 2 (~10 min)
    python benchmarks/bench_batch.py --memory --resume   # + resume after a kill at 90 %
    python benchmarks/bench_batch.py --profile 2000  # cProfile of generate(), jobs=1
    python benchmarks/bench_batch.py --stages 3000   # time per stage, one process

``run(n_rows, jobs) -> dict`` is what ``bench_render.py`` imports.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import io
import json
import os
import pstats
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _pss_kb(pid: int) -> int:
    """Proportional set size in kB: the process's own pages plus its share of the pages it
    maps together with others (the shared libraries); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: list[str], interval: float = 0.02) -> dict[str, Any]:
    """Run ``command``; wall time, CPU time and memory of it and all its descendants."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_kb = peak_pss_kb = 0
    hwm: dict[int, int] = {}
    processes = 0
    samples = 0
    root_cmdline = _cmdline(process.pid)
    while process.poll() is None:
        total = 0
        # A child between fork and exec still maps its parent's pages (and shows its parent's
        # command line): it is not counted, or the parent would be counted twice.
        pids = [pid for pid in _tree(process.pid)
                if pid == process.pid or _cmdline(pid) != root_cmdline]
        for pid in pids:
            rss, high = _status_kb(pid)
            total += rss
            if high:
                hwm[pid] = max(hwm.get(pid, 0), high)
        if samples % 10 == 0:  # smaps_rollup walks the page tables: read it less often
            peak_pss_kb = max(peak_pss_kb, sum(_pss_kb(pid) for pid in pids))
        samples += 1
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
        "peak_pss_mb": peak_pss_kb / 1024,
        "max_single_rss_mb": after.ru_maxrss / 1024,
        "processes": processes,
        "hwm_each_mb": [round(hwm[pid] / 1024) for pid in sorted(hwm)],
        "stdout": stdout.decode("utf-8", "replace").strip(),
        "stderr": stderr.decode("utf-8", "replace").strip()[-2000:],
    }


# --- the benchmark --------------------------------------------------------------------------


def plain_docxtpl_ms(count: int = 30) -> float:
    """Plain docxtpl, ms per document (median of 3 rounds): a fresh ``DocxTemplate`` of the
    batch's template, ``render(context, autoescape=True)``, save to a BytesIO, where the
    context is the one our path builds for the example CSV's first row."""
    import statistics

    sys.path.insert(0, str(ROOT))
    from docxtpl import DocxTemplate

    from vn_union_docs.batch.source import read_rows
    from vn_union_docs.documents.spec import SpecTemplate
    from vn_union_docs.rendering.context import build_context
    from vn_union_docs.rendering.render import template_for

    number, cells = next(iter(read_rows(EXAMPLE_CSV)))
    doc = SpecTemplate(EXAMPLE_SPEC).document({"row": number, **cells}, row=number)
    context = build_context(doc)
    template = str(template_for(doc, None))
    rounds = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            tpl = DocxTemplate(template)
            tpl.render(context, autoescape=True)
            tpl.save(io.BytesIO())
        rounds.append((time.perf_counter() - start) / count * 1000)
    return statistics.median(rounds)


def _command(data: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "vn_union_docs", "batch", str(EXAMPLE_SPEC), str(data),
            "--out", str(out), "--name", NAME, "--jobs", str(jobs), *extra]


def _env() -> None:
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def run(n_rows: int, jobs: int, *, resume: str | None = None,
        plain: bool = True, report: Callable[[dict[str, Any]], None] | None = None,
        leftovers: list[Path] | None = None) -> dict[str, Any]:
    """Run ``vn-union-docs batch`` on a generated ``n_rows`` CSV with ``--jobs jobs``.

    Returns ``wall_s``, ``docs_per_s``, ``ms_per_doc``, ``cpu_s``, ``peak_mb``,
    ``hwm_sum_mb``, ``plain_ms`` and ``ratio`` (plain docxtpl in this run, see
    ``plain_docxtpl_ms``: the mean of a measurement just before the batch and one just after,
    ``plain_ms_before``/``plain_ms_after``, since this machine's speed drifts by up to 15 %
    between minutes) and the command's summary line; with ``resume`` also
    ``resume_first_s`` and ``rerun_s`` (see ``measure_resume``). ``leftovers``: the run's
    folder is added to this list (``deferred_cleanup``'s) instead of being deleted at once.
    """
    work = Path(tempfile.mkdtemp(prefix="vnud-bench-batch-"))
    try:
        data = make_csv(work / "cdcs.csv", n_rows)
        out = work / "out"
        _env()
        plain_before = plain_docxtpl_ms() if plain else None
        _settle()
        disk_us = file_creation_us(work / "probe")
        result = measure(_command(data, out, jobs))
        plain_after = plain_docxtpl_ms() if plain else None
        plain_ms = (plain_before + plain_after) / 2 if plain_before and plain_after else None
        if result["returncode"] != 0:
            raise RuntimeError(f"batch failed ({result['returncode']}): {result['stderr']}")
        written = sum(1 for p in os.scandir(out) if p.name.endswith(".docx"))
        if written != n_rows:
            raise RuntimeError(f"{written} files written for {n_rows} rows")
        ms_per_doc = result["wall_s"] / n_rows * 1000
        result.update(
            rows=n_rows,
            jobs=jobs,
            docs_per_s=n_rows / result["wall_s"],
            ms_per_doc=ms_per_doc,
            plain_ms=plain_ms,
            plain_ms_before=plain_before,
            plain_ms_after=plain_after,
            ratio=plain_ms / ms_per_doc if plain_ms else None,
            disk_us_per_file=disk_us,
            summary=result.pop("stdout"),
        )
        result.pop("stderr")
        if report is not None:
            report(result)
        if resume:
            result.update(measure_resume(data, out, jobs, n_rows, kill=resume == "kill"))
            if report is not None:
                report(result)
        return result
    finally:  # deleting a million files takes minutes: the figures are printed before
        if leftovers is not None:
            leftovers.append(work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def file_creation_us(folder: Path, count: int = 2_000) -> float:
    """Microseconds to write one 9 KB file atomically (``files.write_atomic``: a named
    temporary file, then a rename), measured on ``count`` files in ``folder``, which is left
    in place (see ``deferred_cleanup``). On this project's machine it is 25–80 µs on a quiet
    disk and 250–660 µs within minutes of a large deletion: a run's ratio against docxtpl is
    only comparable with runs whose disk was in the same state. The batch itself now writes
    unnamed files on Linux, which cost less (``files._write_unnamed``); the probe keeps the
    named temporary so that its figures compare with the runs measured before."""
    from vn_union_docs.files import write_atomic

    folder.mkdir()
    data = os.urandom(9_000)
    start = time.perf_counter()
    for index in range(count):
        write_atomic(folder / f"{index:05d}.docx", data, make_parents=False)
    return (time.perf_counter() - start) / count * 1e6


def _settle() -> None:
    """Let the file system write out what earlier work left in its journal."""
    os.sync()
    time.sleep(2)


@contextlib.contextmanager
def deferred_cleanup(keep: bool = False) -> Iterator[list[Path]]:
    """A list for ``run(…, leftovers=…)``: the runs' folders, deleted when the block ends,
    after the last measurement (``keep``: left, and named).

    Deleting many files just before a run slows the run's own file creation up to ten times on
    ext4: the inode allocator skips inodes freed in the last 5 seconds, and in the last 5
    minutes when their inode-table block is being rewritten, which the new files' inodes in
    the same block do; every new file then scans past the freed ones (``perf`` shows the
    kernel in ``recently_deleted`` and ``find_inode_bit``: 0.03 ms per file created, 0.4 ms
    after a deletion, in the same loop). A benchmark started within minutes of deleting a
    large folder measures that backlog too."""
    leftovers: list[Path] = []
    try:
        yield leftovers
    finally:
        if keep:
            if leftovers:
                print("kept:", *leftovers)
        else:
            for work in leftovers:
                shutil.rmtree(work, ignore_errors=True)


def _name_of_row(row: int) -> str:
    """The file name ``make_csv`` + ``NAME`` give spreadsheet row ``row`` (header = 1)."""
    with EXAMPLE_CSV.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        base = [r for r in reader if r]
    i = row - 2
    return f"{i + 1:06d}-{base[i % len(base)][1]} {i // len(base) + 1}.docx"


def measure_resume(data: Path, out: Path, jobs: int, n_rows: int, *, kill: bool = True
                   ) -> dict[str, Any]:
    """(1) ``--skip-existing`` on the finished folder: wall time of a run with nothing left
    to do; (2) the same batch into a second folder, killed (with its workers) once the
    checkpoint passes 90 %, then resumed with ``--skip-existing``: seconds until the first
    new document appears, and until the run ends."""
    rerun = measure(_command(data, out, jobs, "--skip-existing"))
    if not kill:
        return {"rerun_s": rerun["wall_s"]}
    second = out.parent / "out-resume"
    process = subprocess.Popen(_command(data, second, jobs), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    checkpoint = second / ".vnud-checkpoint.json"
    while process.poll() is None:
        time.sleep(1.0)
        try:
            done = json.loads(checkpoint.read_text())["done"]
        except (OSError, ValueError, KeyError):
            continue
        if done >= 0.9 * n_rows:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait()
    row = json.loads(checkpoint.read_text())["row"]
    ahead = row + 1  # files of chunks in flight at the kill exist already: the first missing
    while (second / _name_of_row(ahead)).exists() and ahead <= n_rows + 1:
        ahead += 1
    target = second / _name_of_row(ahead)
    started = time.perf_counter()
    resumed = subprocess.Popen(_command(data, second, jobs, "--skip-existing"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = None
    while resumed.poll() is None:
        if first is None and target.exists():
            first = time.perf_counter() - started
        time.sleep(0.02)
    finished = time.perf_counter() - started
    _, stderr = resumed.communicate()
    if resumed.returncode != 0:
        raise RuntimeError(f"resume failed: {stderr.decode()[-2000:]}")
    return {"rerun_s": rerun["wall_s"], "resume_from_row": row,
            "resume_first_s": first if first is not None else finished,
            "resume_total_s": finished}


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
    if "resume_from_row" not in result and "rerun_s" in result:
        print(f"        --skip-existing on the finished folder: {result['rerun_s']:.1f} s",
              flush=True)
        return
    if "rerun_s" in result:
        print(f"        --skip-existing on the finished folder: {result['rerun_s']:.1f} s; "
              f"killed at row {result['resume_from_row']:,}, resumed: first new document "
              f"after {result['resume_first_s']:.1f} s, done after "
              f"{result['resume_total_s']:.1f} s", flush=True)
        return
    ratio = f"{result['ratio']:.1f}x" if result.get("ratio") else "-"
    plain = (f"{result['plain_ms']:.2f} (before {result['plain_ms_before']:.2f}, after "
             f"{result['plain_ms_after']:.2f})" if result.get("plain_ms") else "-")
    print(
        f"{result['rows']:>9,} rows  --jobs {result['jobs']}  "
        f"wall {result['wall_s']:6.1f} s  {result['docs_per_s']:6.0f} docs/s  "
        f"({result['ms_per_doc']:.2f} ms/doc; plain docxtpl {plain} ms: {ratio}; "
        f"disk {result['disk_us_per_file']:.0f} µs/file)  "
        f"cpu {result['cpu_s']:6.1f} s ({result['cpu_s'] / result['rows'] * 1000:.2f} ms/doc)  "
        f"memory together (PSS) {result['peak_pss_mb']:5.0f} MB, "
        f"resident sum {result['peak_mb']:5.0f} MB (sum of HWM {result['hwm_sum_mb']:.0f} MB, "
        f"{result['processes']} processes: {result['hwm_each_mb']} MB)"
    )
    print(f"        {result['summary']}", flush=True)


def stages(n_rows: int) -> str:
    """Time per stage of a row in one process, no threads: reading the CSV, the file name,
    spec fill + validation + body, template context, render + zip, sha256, atomic write."""
    sys.path.insert(0, str(ROOT))
    import hashlib

    from vn_union_docs.batch.names import NamePattern
    from vn_union_docs.batch.source import read_rows
    from vn_union_docs.documents.spec import SpecTemplate
    from vn_union_docs.files import write_atomic
    from vn_union_docs.rendering.compiled import get_compiled
    from vn_union_docs.rendering.context import build_context
    from vn_union_docs.rendering.render import check_template_type, template_for

    work = Path(tempfile.mkdtemp(prefix="vnud-bench-stages-"))
    try:
        data = make_csv(work / "cdcs.csv", n_rows)
        spent: dict[str, float] = {}

        def add(key: str, since: float) -> float:
            now = time.perf_counter()
            spent[key] = spent.get(key, 0.0) + now - since
            return now

        mark = time.perf_counter()
        rows = list(read_rows(data))
        mark = add("read CSV", mark)
        pattern = NamePattern(NAME)
        names = [pattern.render(n, c, 0) for n, c in rows]
        add("file name", mark)
        spec = SpecTemplate(EXAMPLE_SPEC)
        first = spec.document({"row": rows[0][0], **rows[0][1]})
        compiled = get_compiled(template_for(first, None))
        out = work / "out"
        out.mkdir()
        for (number, cells), name in zip(rows, names, strict=True):
            mark = time.perf_counter()
            doc = spec.document({"row": number, **cells}, row=number)
            mark = add("spec fill + validation + body", mark)
            context = build_context(doc)
            mark = add("template context", mark)
            check_template_type(compiled, doc)
            blob = compiled.render(context)
            mark = add("render + zip", mark)
            hashlib.sha256(blob).hexdigest()
            mark = add("sha256", mark)
            write_atomic(out / name, blob, make_parents=False)
            add("atomic write", mark)
        total = sum(spent.values())
        plain = plain_docxtpl_ms()
        lines = [f"{n_rows} rows, one process, no writer thread:"]
        for key, value in spent.items():
            lines.append(f"  {key:32s} {value / n_rows * 1000:7.3f} ms/doc  "
                         f"{value / total * 100:5.1f} %")
        per_doc = total / n_rows * 1000
        lines.append(f"  {'total':32s} {per_doc:7.3f} ms/doc; plain docxtpl {plain:.2f} ms/doc "
                     f"in this run: {plain / per_doc:.1f}x")
        return "\n".join(lines)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--memory", action="store_true", help="100,000 rows with --jobs 2")
    parser.add_argument("--million", action="store_true", help="1,000,000 rows, --jobs 2")
    parser.add_argument("--resume", action="store_const", const="kill",
                        help="also time --skip-existing: a finished folder, a killed run")
    parser.add_argument("--rerun", dest="resume", action="store_const", const="rerun",
                        help="also time --skip-existing on the finished folder")
    parser.add_argument("--keep", action="store_true",
                        help="leave the generated files (deleting a million takes long)")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N rows, jobs=1")
    parser.add_argument("--stages", type=int, metavar="N", help="time per stage, N rows")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile))
        return 0
    if args.stages:
        print(stages(args.stages))
        return 0
    if args.memory:
        args.rows, args.jobs = 100_000, [2]
    if args.million:
        args.rows, args.jobs = 1_000_000, [2]
    with deferred_cleanup(args.keep) as leftovers:
        for jobs in args.jobs:
            run(args.rows, jobs, resume=args.resume, report=_print, leftovers=leftovers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
