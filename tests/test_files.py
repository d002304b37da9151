"""files: atomic writes and the batch's background writer."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import vn_union_docs.files as files_module
from vn_union_docs.files import AdaptiveWriter, BackgroundWriter, DirectWriter, write_atomic


def test_write_atomic_creates_parents_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.docx"
    write_atomic(target, b"data")
    assert target.read_bytes() == b"data"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.docx"]


def test_write_atomic_without_parents_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "x.docx", b"data", make_parents=False)
    assert not (tmp_path / "missing").exists()


def test_background_writer_writes_everything_before_wait_returns(tmp_path: Path) -> None:
    with BackgroundWriter(depth=4) as writer:
        for i in range(50):  # more than the queue holds: put blocks, nothing is lost
            writer.put(str(tmp_path / f"{i:02d}.docx"), f"doc {i}".encode())
        writer.wait()
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i:02d}.docx" for i in range(50)]
    for i in range(50):
        assert (tmp_path / f"{i:02d}.docx").read_bytes() == f"doc {i}".encode()


def test_background_writer_uses_one_thread_and_stops_it(tmp_path: Path) -> None:
    before = threading.active_count()
    writer = BackgroundWriter()
    writer.put(str(tmp_path / "a.docx"), b"a")
    writer.put(str(tmp_path / "b.docx"), b"b")
    assert threading.active_count() == before + 1
    writer.close()
    assert threading.active_count() == before
    assert (tmp_path / "b.docx").read_bytes() == b"b"


def test_background_writer_reports_the_first_error_and_writes_nothing_after_it(
    tmp_path: Path,
) -> None:
    writer = BackgroundWriter()
    writer.put(str(tmp_path / "1.docx"), b"1")
    (tmp_path / "2.docx").mkdir()  # a folder where the file should go: the rename fails
    writer.put(str(tmp_path / "2.docx"), b"2")
    writer.put(str(tmp_path / "3.docx"), b"3")
    with pytest.raises(IsADirectoryError):
        writer.wait()
    with pytest.raises(IsADirectoryError):  # later puts say so too instead of queueing
        writer.put(str(tmp_path / "4.docx"), b"4")
    writer.close()
    assert (tmp_path / "1.docx").read_bytes() == b"1"
    assert not (tmp_path / "3.docx").exists() and not (tmp_path / "4.docx").exists()
    # The failed write's temporary file is removed.
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


def test_background_writer_writes_into_several_folders_and_closes_them(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fds = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with BackgroundWriter(depth=2) as writer:
        for i in range(6):
            writer.put(str(tmp_path / "ab"[i % 2] / f"{i}.docx"), f"{i}".encode())
        writer.put(str(tmp_path / "top.docx"), b"top")
        writer.wait()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["0.docx", "2.docx", "4.docx"]
    assert (tmp_path / "b" / "5.docx").read_bytes() == b"5"
    assert (tmp_path / "top.docx").read_bytes() == b"top"
    if fds is not None:  # the folders' descriptors are closed with the writer
        assert set(os.listdir("/proc/self/fd")) <= fds


def test_background_writer_replaces_a_planted_link_instead_of_writing_through_it(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.docx").symlink_to(outside)
    with BackgroundWriter() as writer:
        writer.put(str(tmp_path / "out" / "x.docx"), b"doc")
        writer.wait()
    assert outside.read_bytes() == b"keep"
    assert not (tmp_path / "out" / "x.docx").is_symlink()
    assert (tmp_path / "out" / "x.docx").read_bytes() == b"doc"


@pytest.mark.parametrize("relative", [False, True])
def test_background_writer_errors_name_the_whole_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    base = Path("out") if relative else tmp_path / "out"
    base.mkdir()
    (base / "x.docx").mkdir()  # a folder where the file should go: the rename fails
    writer = BackgroundWriter()
    writer.put(str(base / "x.docx"), b"x")
    with pytest.raises(IsADirectoryError) as failed:
        writer.wait()
    assert str(base / "x.docx") in (failed.value.filename, failed.value.filename2)
    writer.close()

    missing = BackgroundWriter()  # a folder that is not there: named as given, once
    missing.put(str(base / "nowhere" / "y.docx"), b"y")
    with pytest.raises(FileNotFoundError) as gone:
        missing.wait()
    assert gone.value.filename == str(base / "nowhere")
    missing.close()


def test_direct_writer_writes_at_once_and_names_whole_paths_in_errors(tmp_path: Path) -> None:
    (tmp_path / "x.docx").mkdir()  # a folder where the file should go: the rename fails
    with DirectWriter() as writer:
        writer.put(str(tmp_path / "a.docx"), b"a")
        assert (tmp_path / "a.docx").read_bytes() == b"a"  # before any wait
        with pytest.raises(IsADirectoryError) as failed:
            writer.put(str(tmp_path / "x.docx"), b"x")
    assert str(tmp_path / "x.docx") in (failed.value.filename, failed.value.filename2)
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


def _slow_disk(monkeypatch: pytest.MonkeyPatch, seconds: list[float]) -> None:
    """Every file's write takes ``seconds[0]`` (changeable while the test runs)."""
    original = files_module._write_all

    def slow_write(fd: int, data: bytes) -> None:
        time.sleep(seconds[0])
        original(fd, data)

    monkeypatch.setattr(files_module, "_write_all", slow_write)


def test_adaptive_writer_stays_in_the_callers_thread_while_the_disk_is_quick(
    tmp_path: Path,
) -> None:
    before = threading.active_count()
    with AdaptiveWriter() as writer:
        writer.slow_s = 1.0  # whatever this machine's disk does now, it is quick enough
        for i in range(200):
            writer.put(str(tmp_path / f"{i:03d}.docx"), f"{i}".encode())
            assert (tmp_path / f"{i:03d}.docx").is_file()  # written when given
            if i % 20 == 19:
                writer.mark()()
        assert not writer.threaded and threading.active_count() == before


def test_adaptive_writer_moves_to_the_thread_on_a_slow_disk_and_tries_again_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delay = [0.002]  # 2 ms a file
    _slow_disk(monkeypatch, delay)
    writer = AdaptiveWriter(depth=4)
    writer.window, writer.retry, writer.slow_s = 4, 8, 0.001
    modes = []
    for i in range(60):
        writer.put(str(tmp_path / f"{i:02d}.docx"), f"{i}".encode())
        if i % 4 == 3:  # a chunk of 4 files
            written = writer.mark()
            modes.append(writer.threaded)
            if i == 31:  # the disk becomes quick
                delay[0] = 0.0
    written()
    # 4 direct, then 8 on the thread, 4 direct (still slow), 16 on the thread (the wait
    # doubled), 4 direct (quick now) and direct from there on.
    assert modes == [True, True, False, True, True, True, True, False] + [False] * 7
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i:02d}.docx" for i in range(60)]


def test_adaptive_writer_waits_for_the_threads_files_after_moving_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The files queued on the thread before a move back to direct writes are still waited
    # for by the next mark, and a write error on the thread still reaches the caller.
    _slow_disk(monkeypatch, [0.002])
    writer = AdaptiveWriter(depth=8)
    writer.window, writer.retry = 2, 2
    for i in range(2):
        writer.put(str(tmp_path / f"d{i}.docx"), b"d")
    writer.mark()()
    assert writer.threaded
    (tmp_path / "bad.docx").mkdir()  # the thread's second file fails
    writer.put(str(tmp_path / "t0.docx"), b"t")
    writer.put(str(tmp_path / "bad.docx"), b"t")
    written = writer.mark()
    assert not writer.threaded  # trying direct writes again
    with pytest.raises(IsADirectoryError):
        written()
    with pytest.raises(IsADirectoryError):  # and nothing is written after the failed file
        writer.put(str(tmp_path / "after.docx"), b"a")
    writer.close()
    assert (tmp_path / "t0.docx").read_bytes() == b"t"
    assert not (tmp_path / "after.docx").exists()


needs_unnamed = pytest.mark.skipif(not files_module._NAMED_BY_LINK,
                                   reason="unnamed files (O_TMPFILE and /proc) are Linux only")


@needs_unnamed
def test_direct_writer_killed_before_naming_a_file_leaves_nothing(tmp_path: Path) -> None:
    # The data is written into a file with no name; a process killed before the link leaves
    # no temporary file behind (a named temporary would stay until the next batch's cleanup).
    script = (
        "import os, sys\n"
        "from vn_union_docs.files import DirectWriter\n"
        "os.link = lambda *a, **k: os._exit(9)\n"
        "DirectWriter().put(sys.argv[1], b'x' * 9000)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "a.docx")], check=False)
    assert done.returncode == 9
    assert os.listdir(tmp_path) == []


@needs_unnamed
def test_direct_writer_replaces_an_existing_file_and_a_planted_link(tmp_path: Path) -> None:
    (tmp_path / "old.docx").write_bytes(b"old")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (tmp_path / "link.docx").symlink_to(outside)
    with DirectWriter() as writer:
        writer.put(str(tmp_path / "old.docx"), b"new")
        writer.put(str(tmp_path / "link.docx"), b"doc")
        writer.put(str(tmp_path / "fresh.docx"), b"fresh")
    assert (tmp_path / "old.docx").read_bytes() == b"new"
    assert not (tmp_path / "link.docx").is_symlink()
    assert (tmp_path / "link.docx").read_bytes() == b"doc"
    assert outside.read_bytes() == b"keep"
    assert sorted(os.listdir(tmp_path)) == ["fresh.docx", "link.docx", "old.docx", "outside.txt"]
    assert stat.S_IMODE((tmp_path / "fresh.docx").stat().st_mode) == \
        stat.S_IMODE((tmp_path / "outside.txt").stat().st_mode)  # 0666 less the umask


def test_direct_writer_falls_back_to_a_named_temporary_where_unnamed_files_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = os.open
    unnamed = getattr(os, "O_TMPFILE", 0)

    def no_unnamed_files(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if unnamed and flags & unnamed == unnamed:
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return original(path, flags, *args, **kwargs)

    monkeypatch.setattr(files_module.os, "open", no_unnamed_files)
    with DirectWriter() as writer:
        writer.put(str(tmp_path / "a.docx"), b"a")
        writer.put(str(tmp_path / "b.docx"), b"b")
    assert (tmp_path / "a.docx").read_bytes() == b"a" and (tmp_path / "b.docx").read_bytes() == b"b"
    assert sorted(os.listdir(tmp_path)) == ["a.docx", "b.docx"]
