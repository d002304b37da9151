"""Interleaved A/B benchmark of the batch in one process: a git revision against the working
tree (or another revision), on the same rows, in alternating runs.

This machine's speed drifts by up to 15 % from minute to minute, so two runs of
``bench_batch.py`` taken minutes apart cannot show a change of a few per cent. Here each side
runs ``batch.generate(..., jobs=1)`` over the same CSV in a fresh interpreter, the sides
alternate (A B, B A, A B …) and the medians are compared. Each side's manifest (the SHA-256
of every file) is compared as well, so a change meant to be faster is also shown to write the
same bytes.

Each side is a copy of the package, the templates and the batch example, exported with
``git archive`` (a revision) or copied (the working tree) into a temporary folder, and
imported from there (``PYTHONPATH``, run from that folder so that the editable install's path
does not come first).

Usage::

    python benchmarks/bench_ab.py                        # HEAD against the working tree
    python benchmarks/bench_ab.py --base HEAD~3 --rows 20000 --rounds 4
    python benchmarks/bench_ab.py --base v1 --candidate v2 --out-dir /dev/shm
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_batch import NAME, make_csv  # noqa: E402

# What a side needs to import the package and render the example.
_PATHS = ("vn_union_docs", "templates", "examples/batch")

# Run in a fresh interpreter from the side's folder: one warm-up batch, then the timed one.
_CHILD = """
import json, os, resource, sys, time
import vn_union_docs
from vn_union_docs.batch import generate
from vn_union_docs.batch.source import read_rows
assert vn_union_docs.__file__.startswith(os.getcwd()), vn_union_docs.__file__
spec, data, warm, out, name = sys.argv[1:6]
generate(spec, read_rows(warm), out + "-warm", name=name, jobs=1)
os.sync()
time.sleep(1)
start, thread = time.perf_counter(), time.thread_time()
report = generate(spec, read_rows(data), out, name=name, jobs=1)
wall, main = time.perf_counter() - start, time.thread_time() - thread
print(json.dumps({"wall_s": wall, "main_cpu_s": main, "written": len(report.written)}))
"""


def export(rev: str | None, into: Path) -> Path:
    """The package, templates and batch example of ``rev`` (``None``: the working tree)."""
    into.mkdir(parents=True)
    if rev is None:
        for path in _PATHS:
            shutil.copytree(ROOT / path, into / path,
                            ignore=shutil.ignore_patterns("__pycache__"))
        return into
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *_PATHS],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_side(side: Path, data: Path, warm: Path, out: Path) -> dict[str, Any]:
    """One timed batch of ``data`` with the package in ``side``."""
    spec = side / "examples" / "batch" / "cong_van_cdcs.yaml"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(spec), str(data), str(warm), str(out), NAME],
        cwd=side, env={**os.environ, "PYTHONPATH": str(side)},
        check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def same_outputs(first: Path, second: Path) -> bool:
    """Whether two runs wrote the same files with the same bytes (their manifests)."""
    return filecmp.cmp(first / "_manifest.csv", second / "_manifest.csv", shallow=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="git revision A (default HEAD)")
    parser.add_argument("--candidate", default=None,
                        help="git revision B (default: the working tree)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out-dir", default=None,
                        help="where the documents go (default: the system's temporary folder)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vnud-bench-ab-", dir=args.out_dir))
    try:
        sides = {"A": export(args.base, work / "A"), "B": export(args.candidate, work / "B")}
        data = make_csv(work / "rows.csv", args.rows)
        warm = make_csv(work / "warm.csv", 500)
        times: dict[str, list[float]] = {"A": [], "B": []}
        cpu: dict[str, list[float]] = {"A": [], "B": []}
        first_out: dict[str, Path] = {}
        for number in range(args.rounds):
            order = ("A", "B") if number % 2 == 0 else ("B", "A")
            for label in order:
                out = work / f"out-{label}-{number}"
                result = run_side(sides[label], data, warm, out)
                if result["written"] != args.rows:
                    raise SystemExit(f"{label}: {result['written']} files for {args.rows} rows")
                times[label].append(result["wall_s"] / args.rows * 1000)
                cpu[label].append(result["main_cpu_s"] / args.rows * 1000)
                first_out.setdefault(label, out)
                print(f"round {number + 1} {label}: {times[label][-1]:.3f} ms/doc, main "
                      f"thread CPU {cpu[label][-1]:.3f} ms/doc", flush=True)
        a, b = statistics.median(times["A"]), statistics.median(times["B"])
        print(f"A ({args.base}): median {a:.3f} ms/doc; B ({args.candidate or 'working tree'}): "
              f"median {b:.3f} ms/doc; B/A {b / a:.3f} ({(a - b) / a:+.1%} faster)")
        same = same_outputs(first_out["A"], first_out["B"])
        print("outputs: " + ("byte-identical" if same else "DIFFERENT (see the manifests)"))
    finally:  # deleted last: see bench_batch.deferred_cleanup
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
