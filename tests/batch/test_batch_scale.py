"""Issue 19: a batch at scale — memory that does not grow with rows, resume from the
checkpoint without reading the documents already written, print bundles of at most N
documents, progress and the resume command."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import BATCH_SPEC, make_spec
from typer.testing import CliRunner

from vn_union_docs.batch import MANIFEST_NAME, generate
from vn_union_docs.batch.outputs import bundle_paths
from vn_union_docs.batch.source import read_rows
from vn_union_docs.cli.batch import batch_command, resume_command

REPO = Path(__file__).resolve().parents[2]

SPEC: dict[str, Any] = make_spec(BATCH_SPEC, body="Đơn vị {{ ten }} có {{ sk | so }} sáng kiến.\n")


def write_csv(path: Path, n: int, start: int = 1) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ma", "so", "ten", "sk"])
        for i in range(start, start + n):
            writer.writerow([f"{i:06d}", 250 + i % 100, f"CĐCS Công ty số {i}", 10 * i])
    return path


def manifest(out: Path) -> list[list[str]]:
    with (out / MANIFEST_NAME).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# --- memory ---------------------------------------------------------------------------------

_MEMORY_SCRIPT = textwrap.dedent("""
    import csv, resource, sys
    from vn_union_docs.batch import generate, workers
    from vn_union_docs.batch.source import read_rows

    def write_row(self, row, cells, name, writer):  # no rendering: the main's own work only
        if row % 97 == 0:
            return ("fail", row, [("so", "sai")], None)
        return ("ok", row, name, "0" * 64)

    workers._Worker.write_row = write_row
    data, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(data, "w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["ma", "so", "ten", "sk"])
        for i in range(1, n + 1):
            # every 500th row repeats an earlier name: name clashes are found all along
            j = i - 3 if i % 500 == 0 else i
            w.writerow([f"{j:07d}", 5, f"CĐCS Công ty số {j}", 3])
    report = generate(sys.argv[4], read_rows(data), out, name="{{ ma }}-{{ ten }}", jobs=1)
    assert report.written_count + report.failed_row_count == n, report
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")


def _peak_kb(tmp_path: Path, rows: int, spec: Path) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(tmp_path / f"d{rows}.csv"),
         str(tmp_path / f"out{rows}"), str(rows), str(spec)],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return int(result.stdout.split()[-1])


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux only")
def test_main_process_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    """Peak of the main process at 60,000 rows within 3 MB of its peak at 20,000 (the
    documents themselves are not rendered: what is measured is what the main process keeps
    per row — names, manifest, errors, report). Before issue 19 it kept every name in a list
    and a dict, and every written name in the report: about 15 MB more at 60,000 rows."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    small = _peak_kb(tmp_path, 20_000, spec)
    large = _peak_kb(tmp_path, 60_000, spec)
    assert large - small < 3 * 1024, f"peak {small} kB at 20,000 rows, {large} kB at 60,000"
    bad = {i + 1 for i in range(1, 60_001) if (i + 1) % 97 == 0 or i % 500 == 0}
    assert len(manifest(tmp_path / "out60000")) - 1 == 60_000 - len(bad)


# --- resume ---------------------------------------------------------------------------------


class _Stop(Exception):
    pass


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file whose digest is computed from disk (jobs=1: in this process)."""
    read: list[str] = []
    original = hashlib.file_digest

    def file_digest(handle: Any, digest: Any) -> Any:
        read.append(getattr(handle, "name", "?"))
        return original(handle, digest)

    monkeypatch.setattr(hashlib, "file_digest", file_digest)
    return read


def test_resume_continues_from_the_checkpoint_without_reading_written_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_csv(tmp_path / "d.csv", 600)
    out = tmp_path / "out"

    def stop_at(done: int, total: int) -> None:
        if done >= 400:
            raise _Stop

    with pytest.raises(_Stop):
        generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, on_progress=stop_at)
    assert (out / ".vnud-checkpoint.json").is_file() and not (out / MANIFEST_NAME).exists()
    done_before = len(list(out.glob("*.docx")))
    assert done_before >= 400
    # The chunk rendered while the last one's files were written is on disk too, not yet
    # in the checkpoint: resuming reads those files (at most a chunk) too.
    checkpointed = json.loads((out / ".vnud-checkpoint.json").read_bytes())["done"]
    assert done_before - 64 <= checkpointed <= done_before

    read = _count_reads(monkeypatch)
    seen: list[tuple[int, int]] = []
    report = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, skip_existing=True,
                      on_progress=lambda done, total: seen.append((done, total)))
    assert report.ok and report.resumed_rows == checkpointed
    assert report.skipped_count == done_before and report.written_count == 600 - done_before
    # Only the last chunk is checked, not the 400 files before it (and those ahead of it).
    assert len(read) <= 64 + done_before - checkpointed
    assert seen[0] == (checkpointed, 600) and seen[-1] == (600, 600)
    assert report.skipped == [f"{i:06d}.docx" for i in range(1, 1 + done_before)]

    generate(SPEC, read_rows(data), tmp_path / "fresh", name="{{ ma }}", jobs=1)
    assert manifest(out) == manifest(tmp_path / "fresh")

    # A finished folder: nothing to do, and the documents are not read again.
    read.clear()
    again = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, skip_existing=True)
    assert again.ok and again.written_count == 0 and again.skipped_count == 600
    assert len(read) <= 64
    assert manifest(out) == manifest(tmp_path / "fresh")


def test_resume_with_changed_data_looks_at_each_file(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "d.csv", 20)
    out = tmp_path / "out"
    generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1)
    write_csv(data, 25)  # five more rows: the checkpoint does not match
    report = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, skip_existing=True)
    assert report.ok and report.skipped_count == 20 and report.written_count == 5
    assert len(manifest(out)) == 26


def test_resume_after_a_tampered_tail_does_not_trust_the_checkpoint(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "d.csv", 30)
    out = tmp_path / "out"
    generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1)
    (out / "000030.docx").unlink()  # the last document
    report = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, skip_existing=True)
    assert report.ok and report.written == ["000030.docx"] and report.skipped_count == 29


def test_duplicate_names_across_a_resume_are_still_found(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    rows = [["ma", "so", "ten", "sk"]] + [[f"{i:03d}", 1, f"T{i}", 1] for i in range(1, 101)]
    rows[90][0] = "005"  # row 91 repeats row 6's name
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "out"

    def stop_at(done: int, total: int) -> None:
        if done >= 50:
            raise _Stop

    with pytest.raises(_Stop):
        generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, on_progress=stop_at)
    report = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, skip_existing=True)
    assert report.failed_rows == [91] and "dòng 6" in report.failed[0].message


# --- bundles, progress, resume command ----------------------------------------------------------


def test_bundles_hold_at_most_bundle_size_documents(tmp_path: Path) -> None:
    import docx

    data = write_csv(tmp_path / "d.csv", 5)
    report = generate(SPEC, read_rows(data), tmp_path / "out", jobs=1,
                      bundle=tmp_path / "in.docx", bundle_size=2)
    assert report.ok, report.errors
    assert report.bundles == [tmp_path / "in-001.docx", tmp_path / "in-002.docx",
                              tmp_path / "in-003.docx"]
    texts = ["\n".join(p.text for p in docx.Document(str(b)).paragraphs)
             for b in report.bundles]
    assert [t.count("Đơn vị CĐCS") for t in texts] == [2, 2, 1]
    assert "số 5 có" in texts[2]
    # every document restarts its page numbering
    body = docx.Document(str(report.bundles[0])).element.body.xml
    assert body.count('w:start="1"') == 2
    assert bundle_paths(tmp_path / "x.pdf", 3, 10) == [tmp_path / "x.pdf"]
    assert report.warnings == []

    # Fewer rows the next time: the third bundle of the first run is named, not printed.
    (tmp_path / "in-01.docx").write_bytes(b"not ours: the number has two digits")
    data = write_csv(tmp_path / "d.csv", 3)
    again = generate(SPEC, read_rows(data), tmp_path / "out2", jobs=1,
                     bundle=tmp_path / "in.docx", bundle_size=2)
    assert again.bundles == [tmp_path / "in-001.docx", tmp_path / "in-002.docx"]
    assert len(again.warnings) == 1 and "1 tệp gộp của lần chạy trước" in again.warnings[0]
    assert "in-003.docx" in again.warnings[0] and "in-01.docx" not in again.warnings[0]


def test_resume_command_adds_skip_existing_once() -> None:
    argv = ["/usr/bin/vn-union-docs", "batch", "s.yaml", "d.csv", "--out", "thư mục/out"]
    assert resume_command(argv) == ("vn-union-docs batch s.yaml d.csv --out 'thư mục/out' "
                                    "--skip-existing")
    assert resume_command([*argv, "--skip-existing"]).count("--skip-existing") == 1


def test_cli_interrupted_prints_the_command_that_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vn_union_docs.cli.batch as cli_batch

    application = typer.Typer()
    application.command("batch")(batch_command)

    @application.callback()
    def main() -> None:
        pass

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_batch, "generate", interrupted)
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    data = write_csv(tmp_path / "d.csv", 2)
    argv = ["batch", str(spec), str(data), "--out", str(tmp_path / "out")]
    monkeypatch.setattr(sys, "argv", ["vn-union-docs", *argv])
    result = CliRunner().invoke(application, argv)
    assert result.exit_code == 130
    assert "--skip-existing" in result.stderr and str(data) in result.stderr
    # SIGTERM (a stopped service, `kill`) says the same and exits 143, as shells expect.
    from vn_union_docs.cli.batch import _raise_interrupt

    def terminated(*args: Any, **kwargs: Any) -> Any:
        _raise_interrupt(15, None)

    monkeypatch.setattr(cli_batch, "generate", terminated)
    result = CliRunner().invoke(application, argv)
    assert result.exit_code == 143 and "--skip-existing" in result.stderr


def test_strict_resume_after_a_run_with_bad_rows_writes_nothing_new(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("ma;so;ten;sk\n001;1;A;1\n002;hai;B;1\n003;3;C;1\n", encoding="utf-8")
    out = tmp_path / "out"
    first = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1)
    assert first.failed_rows == [3] and first.written_count == 2
    (out / "003.docx").unlink()
    again = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, strict=True,
                     skip_existing=True)
    assert again.failed_rows == [3] and again.written_count == 0
    assert not (out / "003.docx").exists()


def test_a_row_is_reported_only_once_its_file_is_on_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # jobs=1 renders the next chunk while the writer thread finishes the last one; a chunk's
    # results (manifest, checkpoint, progress) must still wait for its files. A slow disk
    # makes the writer lag behind the renderer, by more than a chunk (60 rows: chunks of 15,
    # and up to 32 files wait for the writer).
    import time

    import vn_union_docs.files as files_module

    data = write_csv(tmp_path / "d.csv", 60)
    out = tmp_path / "out"
    original = files_module._write_all

    def slow_write(fd: int, data: bytes) -> None:
        time.sleep(0.005)
        original(fd, data)

    monkeypatch.setattr(files_module, "_write_all", slow_write)
    # 5 ms a file is slow: after the first chunk the files go to the thread.
    monkeypatch.setattr(files_module.AdaptiveWriter, "slow_s", 0.001)
    monkeypatch.setattr(files_module.AdaptiveWriter, "window", 1)
    missing: list[int] = []
    threaded: list[bool] = []

    def check(done: int, total: int) -> None:
        missing.extend(row for row in range(1, done + 1)
                       if not (out / f"{row:06d}.docx").is_file())
        threaded.append(any(t.name == "vn-union-docs-writer" for t in threading.enumerate()))

    report = generate(SPEC, read_rows(data), out, name="{{ ma }}", jobs=1, on_progress=check)
    assert report.ok and report.written_count == 60
    assert missing == []
    assert threaded[-1]  # the thread did write
