"""Eight processes allocate 1,250 numbers each against one register: exactly 1..10,000, no
duplicate, no gap (NĐ 30/2020, Điều 15), on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest

from vn_union_docs.register import DocumentFacts, Register

PROCESSES = 8
EACH = 1_250


def _facts(worker: int) -> DocumentFacts:
    return DocumentFacts(
        issuer_code="CĐKCN", issuer_name="Công đoàn các Khu công nghiệp", issuer_parent=None,
        year=2026,
        date=dt.date(2026, 3, 2), doc_type="cong_van", symbol="CĐKCN",
        subject=f"việc của văn thư {worker}", signer="Nguyễn Văn A", recipients="CĐCS",
        archive="VT", copies=2, secret=False, number=None)


def _clerk(target: str, worker: int, start: multiprocessing.synchronize.Event,
           out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    register = Register(target)
    facts = _facts(worker)
    start.wait()
    numbers = [register.allocate(facts).number for _ in range(EACH)]
    register.close()
    out.put((worker, numbers))


def _run(target: str) -> list[int]:
    Register(target, create=True).close()
    ctx = multiprocessing.get_context("fork")  # the clerks start without importing again
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_clerk, args=(target, w, start, out)) for w in range(PROCESSES)]
    for proc in procs:
        proc.start()
    start.set()
    results = [out.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    every: list[int] = []
    for _, numbers in results:
        assert numbers == sorted(numbers)  # each clerk's numbers increase
        every.extend(numbers)
    return every


def _check(target: str, every: list[int]) -> None:
    assert sorted(every) == list(range(1, PROCESSES * EACH + 1))
    with Register(target) as register:
        stored = [e.number for e in register.entries(year=2026)]
        assert stored == list(range(1, PROCESSES * EACH + 1))
        assert register.series_list(2026)[0]["next_number"] == PROCESSES * EACH + 1
        allocations = [a for a in register.audit_trail() if a["action"] == "allocate"]
        assert len(allocations) == PROCESSES * EACH


@pytest.mark.slow
def test_eight_processes_sqlite(register_file: str) -> None:
    _check(register_file, _run(register_file))


@pytest.mark.slow
def test_eight_processes_postgresql(pg_url: str) -> None:
    _check(pg_url, _run(pg_url))
