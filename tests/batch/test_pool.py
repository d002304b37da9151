"""The batch's worker processes (``batch/pool.py``): the same files whichever way the workers
are started, and a worker that dies is an error at once, not a batch that waits for ever."""

from __future__ import annotations

import csv
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import BATCH_SPEC, make_spec

from vn_union_docs.batch import MANIFEST_NAME, generate, pool
from vn_union_docs.batch.generate import _spec_args
from vn_union_docs.batch.report import BatchError
from vn_union_docs.batch.source import read_rows
from vn_union_docs.batch.workers import serve_connections

SPEC: dict[str, Any] = make_spec(BATCH_SPEC, body="Đơn vị {{ ten }} có {{ sk | so }} sáng kiến.\n")


def _csv(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ma", "so", "ten", "sk"])
        for i in range(1, n + 1):
            writer.writerow([f"{i:04d}", 250 + i, f"CĐCS số {i}", 10 * i])
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".docx"}


@pytest.mark.parametrize("children", [True, False], ids=["child-processes", "spawned"])
def test_two_workers_write_what_one_process_writes(tmp_path: Path, monkeypatch: Any,
                                                   children: bool) -> None:
    monkeypatch.setattr(pool, "CHILD_PROCESSES", children)  # False: how Windows starts them
    data = _csv(tmp_path / "rows.csv", 150)
    one = generate(SPEC, read_rows(data), tmp_path / "one", name="{{ ma }}", jobs=1)
    two = generate(SPEC, read_rows(data), tmp_path / "two", name="{{ ma }}", jobs=2)
    assert one.written_count == two.written_count == 150
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert ((tmp_path / "one" / MANIFEST_NAME).read_bytes()
            == (tmp_path / "two" / MANIFEST_NAME).read_bytes())


@pytest.mark.parametrize("children", [True, False], ids=["child-processes", "spawned"])
def test_a_dead_worker_is_reported_not_waited_for(tmp_path: Path, monkeypatch: Any,
                                                  children: bool) -> None:
    monkeypatch.setattr(pool, "CHILD_PROCESSES", children)
    out = tmp_path / "out"
    out.mkdir()
    workers = pool.WorkerPool(2, (*_spec_args(SPEC), None, str(out), False),
                              serve_connections)
    try:
        rows = list(read_rows(_csv(tmp_path / "rows.csv", 4)))
        workers.submit(0, "render", [(n, c, f"{n}.docx") for n, c in rows[:2]])
        assert [r[0] for r in workers.result(0)] == ["ok", "ok"]
        victim = workers._processes[1]
        pid = victim.pid if hasattr(victim, "pid") else victim._process.pid
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        workers.submit(1, "render", [(n, c, f"{n}.docx") for n, c in rows[2:]])
        started = time.monotonic()
        with pytest.raises(BatchError, match="dừng bất ngờ"):
            workers.result(1)
        assert time.monotonic() - started < 10
    finally:
        workers.close(wait=False)
    assert sorted(p.name for p in out.iterdir()) == ["2.docx", "3.docx"]
