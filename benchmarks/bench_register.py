"""What the register adds to a batch on SQLite, per document.

Runs ``generate`` in this process (``--jobs 1`` by default: every cost on one core)
over N rows of the example batch (``examples/batch/cong_van_cdcs.yaml`` with the rows of
``examples/batch/cdcs.csv`` repeated), three ways, best of ``--repeat`` each:

* ``plain``: the spec's manual number, no register (today's batch);
* ``auto``: ``number: auto`` with a fresh SQLite register;
* the register's own calls inside ``auto`` (``reserve`` and ``mark_issued``: SQL and
  fsync-free WAL commits), timed by wrapping them.

Printed per document: the register's own time, and the whole difference ``auto - plain``
(which also counts validating each chunk before numbering it, so that a bad row allocates
nothing, and computing each row's register facts; with ``--jobs 1`` the validated documents
are rendered without being validated again).

Figures on the shared 2-core machine (load average 10-12), 2,000 rows, best of 3:
``--jobs 1``: plain 3.52 ms/doc, auto 3.78 ms/doc, register calls 0.42 ms/doc, whole difference
0.26 ms/doc; ``--jobs 2``: plain 1.80, auto 2.75, register calls 0.96 (in the parent, sharing
the cores with both workers), whole difference 0.95 ms/doc.

Usage::

    python benchmarks/bench_register.py              # 2,000 rows
    python benchmarks/bench_register.py --rows 500 --repeat 1
    python benchmarks/bench_register.py --jobs 2     # the validation pass runs in 2 workers
"""

from __future__ import annotations

import argparse
import csv
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from vn_union_docs.batch import generate
from vn_union_docs.batch.source import read_rows
from vn_union_docs.register import Register
from vn_union_docs.register.batch import BatchNumbering

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"
ROWS = ROOT / "examples" / "batch" / "cdcs.csv"


def _csv(path: Path, n_rows: int) -> Path:
    with ROWS.open(encoding="utf-8-sig", newline="") as handle:
        base = list(csv.DictReader(handle, delimiter=";"))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(base[0]), delimiter=";")
        writer.writeheader()
        for index in range(n_rows):
            writer.writerow({**base[index % len(base)], "ma_cdcs": f"{index + 1:06d}"})
    return path


JOBS = 1


def _run(spec: Path, data: Path, work: Path, register: Any) -> float:
    out = work / f"out-{time.perf_counter_ns()}"
    started = time.perf_counter()
    numbering = BatchNumbering(register, out, False) if register is not None else None
    report = generate(spec, read_rows(data), out, name="{{ ma_cdcs }}", jobs=JOBS,
                      numbering=numbering)
    seconds = time.perf_counter() - started
    assert report.ok and len(report.written) == report.total, report.failed[:3]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    global JOBS
    JOBS = args.jobs
    with tempfile.TemporaryDirectory(prefix="vnud-bench-register-") as tmp:
        work = Path(tmp)
        rows = _csv(work / "rows.csv", args.rows)
        warm = _csv(work / "warm.csv", 20)
        auto_spec = work / "auto.yaml"
        auto_spec.write_text(re.sub(r"(?m)^number: .*$", "number: auto",
                                    SPEC.read_text(encoding="utf-8")), encoding="utf-8")
        _run(SPEC, warm, work, None)  # warm up: templates compiled, imports done
        plain = min(_run(SPEC, rows, work, None) for _ in range(args.repeat))
        auto, own = [], []
        for attempt in range(args.repeat):
            register = Register(str(work / f"so-{attempt}.sqlite"), create=True)
            spent = [0.0]
            for name in ("reserve", "mark_issued"):
                method = getattr(register, name)

                def timed(*a: Any, _method: Any = method, _spent: list[float] = spent,
                          **k: Any) -> Any:
                    mark = time.perf_counter()
                    try:
                        return _method(*a, **k)
                    finally:
                        _spent[0] += time.perf_counter() - mark

                setattr(register, name, timed)
            auto.append(_run(auto_spec, rows, work, register))
            own.append(spent[0])
            numbers = [e.number for e in register.entries()]
            assert numbers == list(range(1, args.rows + 1))
            register.close()
    n = args.rows
    best = min(range(args.repeat), key=lambda i: auto[i])
    print(f"rows: {n}, jobs {JOBS}, best of {args.repeat}")
    print(f"plain batch (manual number, no register): {plain:7.2f} s  "
          f"{plain / n * 1000:6.3f} ms/doc")
    print(f"number: auto, SQLite register:            {auto[best]:7.2f} s  "
          f"{auto[best] / n * 1000:6.3f} ms/doc")
    print(f"  register calls (reserve + mark_issued):           "
          f"{own[best] / n * 1000:6.3f} ms/doc")
    print(f"  whole difference (validation and facts included): "
          f"{(auto[best] - plain) / n * 1000:6.3f} ms/doc")


if __name__ == "__main__":
    main()
