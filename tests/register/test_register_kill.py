"""Kill test: a ``--jobs 2`` batch with ``number: auto`` killed at random moments 20 times and
resumed with ``--skip-existing``; at the end the register and the files agree exactly."""

from __future__ import annotations

import csv
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from register.register_helpers import EXAMPLES, auto_spec, printed_number
from vn_union_docs.register import Register

ROWS = 4000  # enough that the kills keep landing mid-run at ~3,000 documents a second
BAD_ROW = 40  # spreadsheet row (header = 1) whose figure is not a number: allocates nothing
KILLS = 20


def _data(path: Path) -> None:
    with (EXAMPLES / "batch" / "cdcs.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for index in range(ROWS):
            row = dict(rows[index % len(rows)])
            row["ma_cdcs"] = f"{index + 1:04d}"
            if index + 2 == BAD_ROW:
                row["so_doan_vien"] = "nhiều"
            writer.writerow(row)


def _batch(spec: Path, data: Path, out: Path, register: str, resume: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "vn_union_docs", "batch", str(spec), str(data),
               "--out", str(out), "--jobs", "2", "--name", "{{ ma_cdcs }}",
               "--register", register]
    if resume:
        command.append("--skip-existing")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


@pytest.mark.slow
def test_killed_batches_leave_register_and_files_in_agreement(tmp_path: Path) -> None:
    spec = auto_spec(EXAMPLES / "batch" / "cong_van_cdcs.yaml", tmp_path / "cv.yaml")
    data, out = tmp_path / "cdcs.csv", tmp_path / "out"
    _data(data)
    register = str(tmp_path / "so.sqlite")
    seed = int(os.environ.get("VNUD_KILL_SEED", time.time_ns() % 10_000))
    chance = random.Random(seed)
    killed = 0
    for attempt in range(KILLS):
        before = len(list(out.glob("*.docx")))
        process = _batch(spec, data, out, register, resume=attempt > 0)
        # Kill at a random moment once the run is writing (worker start-up takes a while).
        deadline = time.monotonic() + 60
        while (process.poll() is None and time.monotonic() < deadline
               and len(list(out.glob("*.docx"))) <= before):
            time.sleep(0.02)
        time.sleep(chance.uniform(0.0, 0.1))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, mid-run
            killed += 1
        process.wait()
    final = _batch(spec, data, out, register, resume=True)
    _, errors = final.communicate(timeout=300)
    assert final.returncode == 1, errors.decode()  # 1: the one bad row
    assert f"dòng {BAD_ROW}" in errors.decode()
    assert killed >= KILLS // 2, f"seed {seed}: only {killed} runs were killed mid-way"

    files = sorted(out.glob("*.docx"))
    assert [f.stem for f in files] == [f"{i - 1:04d}" for i in range(2, ROWS + 2)
                                       if i != BAD_ROW]
    with Register(register) as reg:
        entries = reg.entries(year=2023)
    # No gap, no duplicate, nothing left reserved: 1..119, each issued once.
    assert [e.number for e in entries] == list(range(1, ROWS)), f"seed {seed}"
    assert {e.state for e in entries} == {"issued"}, f"seed {seed}"
    by_file = {Path(e.doc_key or "").name: e for e in entries}
    assert sorted(by_file) == [f.name for f in files]
    for rank, path in enumerate(files, start=1):
        entry = by_file[path.name]
        assert entry.file_name == path.name
        assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
        assert printed_number(path) == entry.text == f"{rank:02d}/LĐLĐ", f"seed {seed}"
    # the batch's checkpoint stays on purpose (--skip-existing resumes from it, issue 19)
    left = [p.name for p in out.glob(".*") if p.name != ".vnud-checkpoint.json"]
    assert not left, "temporary files left behind"
