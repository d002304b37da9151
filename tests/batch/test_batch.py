"""Batch generation: names, bad rows, strict mode, atomic writes and resume, jobs, the CLI."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
import typer
from conftest import docx_paragraphs, docx_text
from typer.testing import CliRunner

import vn_union_docs.batch.workers as batch_module
from vn_union_docs.batch import (
    ERRORS_NAME,
    MANIFEST_NAME,
    BatchError,
    RowFailure,
    check_name,
    generate,
)
from vn_union_docs.batch.source import read_rows
from vn_union_docs.errors import SpecError, TemplateError
from vn_union_docs.rendering.pdf import find_soffice

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "batch"

SPEC: dict[str, Any] = {
    "type": "cong_van",
    "issuer": {
        "parent": "LĐLĐ Thành phố Hồ Chí Minh",
        "name": "Liên đoàn Lao động thành phố Thủ Đức",
        "code": "LĐLĐ",
    },
    "number": "{{ so }}",
    "place": "Thủ Đức",
    "date": "2023-03-07",
    "subject": "kết quả Chương trình “01 triệu sáng kiến” của {{ ten }}",
    "recipients": ["Ban Chấp hành {{ ten }}"],
    "body": (
        "Đơn vị {{ ten }} có {{ sk | so }} sáng kiến trên chỉ tiêu {{ ct | so }}, "
        "đạt {{ sk | ty_le(ct) }}.\n\n{{ ghi_chu }}\n"
    ),
    "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Lê Văn Thành"},
    "distribution": ["Như trên"],
}


def make_rows(n: int) -> list[dict[str, Any]]:
    return [
        {"ma": f"{i:04d}", "so": 250 + i, "ten": f"CĐCS Công ty số {i}", "sk": 10 * i + 3,
         "ct": 100, "ghi_chu": f"Ghi chú của đơn vị {i}."}
        for i in range(1, n + 1)
    ]




def manifest(out: Path) -> list[list[str]]:
    with (out / MANIFEST_NAME).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def docx_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.suffix == ".docx")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    return path


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../x.docx", "a/b.docx", "a\\b.docx", "/etc/passwd.docx", "C:x.docx", "a*b.docx",
     "a?.docx", 'a".docx', "a<b>.docx", "a|b.docx", "a\x01b.docx", ".docx", "   .docx",
     "CON.docx", "nul.docx", "Com1.docx", "LPT9.tar.docx", ".an.docx", "a..b.docx",
     "x" * 200 + ".docx"],
)
def test_check_name_refuses(name: str) -> None:
    assert check_name(name)


def test_a_name_ending_in_a_dot_is_told_so() -> None:
    # «CĐ A.» + «.docx» was refused as a path trick («..») (a review).
    reason = check_name("CĐ A..docx")
    assert reason is not None and "kết thúc bằng dấu chấm" in reason


@pytest.mark.parametrize("name", ["0101-CĐCS Phường An Khánh.docx", "CONTROL.docx", "a.b.docx"])
def test_check_name_accepts(name: str) -> None:
    assert check_name(name) is None


def test_default_names_are_padded_row_numbers(tmp_path: Path) -> None:
    report = generate(SPEC, make_rows(12), tmp_path / "out", jobs=1)
    assert report.written == [f"{i:04d}.docx" for i in range(1, 13)]
    assert docx_files(tmp_path / "out") == report.written
    assert report.ok and report.total == 12 and not (tmp_path / "out" / ERRORS_NAME).exists()


def test_bad_names_are_row_errors_found_before_writing(tmp_path: Path) -> None:
    rows = make_rows(8)
    rows[1]["ma"] = "../../thoat"  # row 2 tries to leave DIR
    rows[2]["ma"] = "/tmp/tuyet-doi"
    rows[3]["ma"] = "a:b"
    rows[4]["ma"] = "0001"[:0]  # empty
    rows[5]["ma"] = "con"
    rows[6]["ma"] = "ABC"
    rows[7]["ma"] = "abc"  # repeats row 7 ignoring case
    out = tmp_path / "out"
    report = generate(SPEC, rows, out, name="{{ ma }}", jobs=1)
    assert report.written == ["0001.docx", "ABC.docx"]
    assert [f.row for f in report.failed] == [2, 3, 4, 5, 6, 8]
    assert {f.field for f in report.failed} == {"--name"}
    assert "ngoài thư mục" in report.failed[0].message
    assert "dòng 7" in report.failed[-1].message
    assert not (tmp_path / "thoat.docx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert docx_files(out) == ["0001.docx", "ABC.docx"]


def test_name_pattern_uses_columns_filters_and_row(tmp_path: Path) -> None:
    report = generate(SPEC, make_rows(2), tmp_path, name="{{ row }}-{{ ma }}-{{ sk | so }}",
                      jobs=1)
    assert report.written == ["1-0001-13.docx", "2-0002-23.docx"]


def test_name_pattern_errors(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="cú pháp"):
        generate(SPEC, make_rows(1), tmp_path, name="{{ ma ", jobs=1)
    data = tmp_path / "d.csv"
    data.write_text("ma;so;ten;sk;ct;ghi_chu\n1;1;A;1;1;\n", encoding="utf-8")
    with pytest.raises(BatchError, match="«khong_co»"):
        generate(SPEC, read_rows(data), tmp_path / "out", name="{{ khong_co }}", jobs=1)
    assert not (tmp_path / "out").exists()
    report = generate(SPEC, make_rows(2), tmp_path / "o2", name="{{ khong_co }}", jobs=1)
    assert [f.row for f in report.failed] == [1, 2] and "khong_co" in report.failed[0].message


# --- bad rows, strict -----------------------------------------------------------------------


def test_bad_row_in_the_middle(tmp_path: Path) -> None:
    rows = make_rows(5)
    rows[2]["so"] = "ba trăm"  # row 3: not a number
    out = tmp_path / "out"
    report = generate(SPEC, rows, out, jobs=1)
    assert report.written == ["0001.docx", "0002.docx", "0004.docx", "0005.docx"]
    assert report.failed_rows == [3]
    failure = report.failed[0]
    assert failure.field == "so" and "number" in failure.message
    assert not report.ok
    with (out / ERRORS_NAME).open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["row", "field", "message"]
    assert lines[1][:2] == ["3", "so"]
    assert [line[:2] for line in manifest(out)[1:]] == [
        ["0001.docx", "1"], ["0002.docx", "2"], ["0004.docx", "4"], ["0005.docx", "5"]]


def test_missing_column_and_body_field(tmp_path: Path) -> None:
    rows = make_rows(2)
    del rows[1]["ghi_chu"]
    report = generate(SPEC, rows, tmp_path, jobs=1)
    assert report.written == ["0001.docx"]
    assert report.failed[0].row == 2 and report.failed[0].field == "body"
    assert "«ghi_chu»" in report.failed[0].message


def test_strict_writes_nothing(tmp_path: Path) -> None:
    rows = make_rows(6)
    rows[4]["so"] = "x"
    out = tmp_path / "out"
    report = generate(SPEC, rows, out, strict=True, jobs=2)
    assert report.written == [] and report.failed_rows == [5]
    assert docx_files(out) == []
    assert not (out / MANIFEST_NAME).exists()
    assert (out / ERRORS_NAME).exists()
    # Nothing else either: the table of names checked for collisions is removed.
    assert sorted(p.name for p in out.iterdir()) == [ERRORS_NAME]
    good = generate(SPEC, make_rows(6), out, strict=True, jobs=2)
    assert len(good.written) == 6 and not (out / ERRORS_NAME).exists()


def test_a_bad_spec_raises_before_anything(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    spec["subject"] = "{{ ten "
    with pytest.raises(SpecError):
        generate(spec, make_rows(2), tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_missing_template_stops_the_batch(tmp_path: Path, jobs: int) -> None:
    spec = {**SPEC, "template": str(tmp_path / "khong-co.docx")}
    with pytest.raises(TemplateError, match=r"khong-co\.docx"):
        generate(spec, make_rows(4), tmp_path / "out", jobs=jobs)
    assert docx_files(tmp_path / "out") == []
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()


# --- literal text ---------------------------------------------------------------------------


def test_cells_print_as_typed(tmp_path: Path) -> None:
    rows = make_rows(1)
    rows[0]["ten"] = "CĐCS *Sao* | Việt {{ 7*7 }} & <Co>"
    rows[0]["ghi_chu"] = "- không phải danh sách | cột *nghiêng* # {% if %}"
    report = generate(SPEC, rows, tmp_path, jobs=1)
    assert report.ok
    text = docx_paragraphs(tmp_path / report.written[0])
    joined = "\n".join(text)
    assert "Đơn vị CĐCS *Sao* | Việt {{ 7*7 }} & <Co> có 13 sáng kiến" in joined
    # Its own paragraph (the body closes with "./."), an ordinary one, not a dash item.
    assert "- không phải danh sách | cột *nghiêng* # {% if %}./." in text
    document = docx.Document(str(tmp_path / report.written[0]))
    styles = {p.text: p.style.style_id for p in document.paragraphs}
    assert styles["- không phải danh sách | cột *nghiêng* # {% if %}./."] == "VBBody"
    assert "Kính gửi: Ban Chấp hành CĐCS *Sao* | Việt {{ 7*7 }} & <Co>" in joined
    assert "49" not in joined


# --- files: manifest, atomic writes, resume, jobs --------------------------------------------


def test_manifest_sha256(tmp_path: Path) -> None:
    report = generate(SPEC, make_rows(3), tmp_path, name="{{ ma }}", jobs=1)
    lines = manifest(tmp_path)
    assert lines[0] == ["file", "row", "sha256"]
    assert [line[0] for line in lines[1:]] == report.written
    for name, _row, digest in lines[1:]:
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest


def test_jobs_1_and_2_give_identical_bytes(tmp_path: Path) -> None:
    rows = make_rows(40)
    rows[17]["so"] = "x"
    one = generate(SPEC, rows, tmp_path / "one", name="{{ ma }}-{{ ten }}", jobs=1)
    two = generate(SPEC, rows, tmp_path / "two", name="{{ ma }}-{{ ten }}", jobs=2)
    assert one.written == two.written and len(one.written) == 39
    assert one.failed == two.failed
    for name in [*one.written, MANIFEST_NAME, ERRORS_NAME]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_interrupted_run_leaves_only_complete_files_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = make_rows(10)
    out = tmp_path / "out"
    calls = {"n": 0}

    def dying(original: Any) -> Any:
        def name_the_file(src: Any, dst: Any, **options: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 5:  # the 5th file is written but not named yet: we "die"
                raise KeyboardInterrupt
            original(src, dst, **options)
        return name_the_file

    # A file is named by linking it (an unnamed file, Linux) or by renaming its temporary.
    with monkeypatch.context() as patched:
        patched.setattr(batch_module.os, "link", dying(os.link))
        patched.setattr(batch_module.os, "replace", dying(os.replace))
        with pytest.raises(KeyboardInterrupt):
            generate(SPEC, rows, out, jobs=1)
    assert docx_files(out) == ["0001.docx", "0002.docx", "0003.docx", "0004.docx"]
    assert not (out / MANIFEST_NAME).exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    for name in docx_files(out):
        assert zipfile.ZipFile(out / name).testzip() is None
    before = (out / "0002.docx").stat().st_mtime_ns

    report = generate(SPEC, rows, out, jobs=1, skip_existing=True)
    assert report.skipped == ["0001.docx", "0002.docx", "0003.docx", "0004.docx"]
    assert len(report.written) == 6 and report.ok
    assert (out / "0002.docx").stat().st_mtime_ns == before
    fresh = generate(SPEC, rows, tmp_path / "fresh", jobs=1)
    assert fresh.written == docx_files(out)
    assert manifest(out) == manifest(tmp_path / "fresh")


def test_killed_process_leaves_only_complete_files(tmp_path: Path, spec_file: Path) -> None:
    data = write_csv(tmp_path / "d.csv", make_rows(400))
    spec = spec_file
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import time
        from vn_union_docs.batch import generate
        from vn_union_docs.batch.source import read_rows
        # a pause per chunk: still running when the test kills it, however busy the machine
        generate({str(spec)!r}, read_rows({str(data)!r}), {str(out)!r}, jobs=2,
                 on_progress=lambda done, total: time.sleep(0.2))
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    process = subprocess.Popen([sys.executable, "-c", script], env=env,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.is_dir() and len(list(out.glob("*.docx"))) >= 30:
            break
        if process.poll() is not None:
            pytest.fail("the batch ended before it could be killed")
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, mid-run
    process.wait()
    written = docx_files(out)
    assert 30 <= len(written) < 400
    for name in written:
        assert zipfile.ZipFile(out / name).testzip() is None
    report = generate(str(spec), read_rows(data), out, jobs=2, skip_existing=True)
    assert report.ok and len(report.skipped) + len(report.written) == 400
    assert len(report.skipped) >= 30
    assert len(docx_files(out)) == 400
    # only the checkpoint stays (a later --skip-existing starts from it)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".vnud-checkpoint.json"]
    for name, _row, digest in manifest(out)[1:]:
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


# --- rows from programs, XLSX, progress -------------------------------------------------------


def test_rows_as_callable_generator_and_pairs(tmp_path: Path) -> None:
    rows = make_rows(3)
    by_list = generate(SPEC, rows, tmp_path / "a", jobs=1)
    by_callable = generate(SPEC, lambda: iter(rows), tmp_path / "b", jobs=1)
    by_generator = generate(SPEC, (r for r in rows), tmp_path / "c", jobs=1)
    pairs = generate(SPEC, [(10 + i, r) for i, r in enumerate(rows)], tmp_path / "d", jobs=1)
    assert by_list.written == by_callable.written == by_generator.written
    assert pairs.written == ["0010.docx", "0011.docx", "0012.docx"]
    with pytest.raises(BatchError):
        generate(SPEC, [1, 2], tmp_path / "e", jobs=1)


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    rows = make_rows(5)
    rows[0]["ma"] = "a/b"
    generate(SPEC, rows, tmp_path, name="{{ ma }}", jobs=1,
             on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(BatchError):
        generate(SPEC, make_rows(1), tmp_path, jobs=0)
    with pytest.raises(BatchError):
        generate(SPEC, make_rows(1), tmp_path, bundle=tmp_path / "x.odt")
    (tmp_path / "file").write_text("x")
    with pytest.raises(BatchError):
        generate(SPEC, make_rows(1), tmp_path / "file")


def test_example_csv_and_xlsx_give_identical_documents(tmp_path: Path) -> None:
    spec = EXAMPLES / "cong_van_cdcs.yaml"
    name = "{{ ma_cdcs }}-{{ ten_cdcs }}"
    from_csv = generate(spec, read_rows(EXAMPLES / "cdcs.csv"), tmp_path / "csv", name=name,
                        jobs=2)
    from_xlsx = generate(spec, read_rows(EXAMPLES / "cdcs.xlsx", sheet="CDCS"),
                         tmp_path / "xlsx", name=name, jobs=2)
    assert from_csv.ok and from_xlsx.ok and len(from_csv.written) >= 30
    assert manifest(tmp_path / "csv") == manifest(tmp_path / "xlsx")
    text = docx_text(tmp_path / "csv" / "0301-CĐCS Công ty TNHH Điện tử Sao Việt.docx")
    assert "(1.619 đoàn viên) đã có 412 sáng kiến" in text
    assert "chỉ tiêu phân bổ là 800 sáng kiến, đạt 51,5%" in text
    assert "ít nhất 388 sáng kiến" in text
    assert "Kính gửi: Ban Chấp hành CĐCS Công ty TNHH Điện tử Sao Việt" in text


def test_bundle_docx(tmp_path: Path) -> None:
    report = generate(SPEC, make_rows(3), tmp_path / "out", bundle=tmp_path / "all.docx", jobs=1)
    assert report.ok and report.bundle == tmp_path / "all.docx"
    text = "\n".join(docx_paragraphs(tmp_path / "all.docx"))
    for i in (1, 2, 3):
        assert f"Đơn vị CĐCS Công ty số {i} có" in text


def test_bundling_reports_its_progress(tmp_path: Path) -> None:
    # Bundles come after the documents and took minutes, silently (a review).
    calls: list[tuple[int, int]] = []
    report = generate(SPEC, make_rows(5), tmp_path / "out", bundle=tmp_path / "all.docx",
                      bundle_size=2, jobs=1, on_bundle=lambda done, total: calls.append(
                          (done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)] and len(report.bundles) == 3


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_and_pdf_bundle(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = generate(SPEC, make_rows(2), out, pdf=True, bundle=tmp_path / "all.pdf", jobs=1)
    assert report.ok, report.errors
    assert report.pdfs == [out / "0001.pdf", out / "0002.pdf"]
    assert (tmp_path / "all.pdf").read_bytes().startswith(b"%PDF")


# --- command line -----------------------------------------------------------------------------


@pytest.fixture
def app() -> typer.Typer:
    from vn_union_docs.cli.app import app as application

    return application


def test_cli_success(app: typer.Typer, tmp_path: Path, spec_file: Path) -> None:
    data = write_csv(tmp_path / "d.csv", make_rows(3))
    result = CliRunner().invoke(app, ["batch", str(spec_file), str(data), "--out",
                                      str(tmp_path / "out"), "--name", "{{ ma }}", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 3 văn bản, 0 dòng lỗi" in result.stdout
    assert "văn bản/giây" in result.stdout
    assert docx_files(tmp_path / "out") == ["0001.docx", "0002.docx", "0003.docx"]


def test_cli_bad_row_exits_1(app: typer.Typer, tmp_path: Path, spec_file: Path) -> None:
    rows = make_rows(4)
    rows[1]["so"] = "hai"
    data = write_csv(tmp_path / "d.csv", rows)
    result = CliRunner().invoke(app, ["batch", str(spec_file), str(data), "--out",
                                      str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 1
    assert "dòng 3, so:" in result.stderr  # CSV row 3 (header = row 1)
    assert ERRORS_NAME in result.stderr
    assert "Đã tạo 3 văn bản, 1 dòng lỗi" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_write_error_is_a_message_and_earlier_files_are_complete(
    app: typer.Typer, tmp_path: Path, spec_file: Path, jobs: str
) -> None:
    data = write_csv(tmp_path / "d.csv", make_rows(5))
    out = tmp_path / "out"
    (out / "0003.docx").mkdir(parents=True)  # a folder where row 4's file should go
    result = CliRunner().invoke(app, ["batch", str(spec_file), str(data), "--out", str(out),
                                      "--name", "{{ ma }}", "--jobs", jobs])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"Không ghi được tệp «{out / '0003.docx'}»" in result.stderr
    assert "--skip-existing" in result.stderr
    for name in ["0001.docx", "0002.docx"]:
        assert zipfile.ZipFile(out / name).testzip() is None
    assert not (out / MANIFEST_NAME).exists()
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    # no half-written document; what remains is the state --skip-existing resumes from
    assert all(name.startswith(".vnud-") for name in hidden) and ".vnud-checkpoint.json" in hidden


def test_cli_strict(app: typer.Typer, tmp_path: Path, spec_file: Path) -> None:
    rows = make_rows(4)
    rows[3]["so"] = "bốn"
    data = write_csv(tmp_path / "d.csv", rows)
    result = CliRunner().invoke(app, ["batch", str(spec_file), str(data), "--out",
                                      str(tmp_path / "out"), "--strict"])
    assert result.exit_code == 1
    assert "--strict" in result.stderr
    assert docx_files(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--jobs", "0"], "--jobs"),
        (["--name", "{{ ma"], "cú pháp"),
        (["--name", "{{ khong_co }}"], "khong_co"),
        (["--sheet", "A"], "--sheet"),
        (["--bundle", "x.odt"], "--bundle"),
        (["--template", "khong-co.docx"], "mẫu văn bản"),
    ],
)
def test_cli_usage_errors_exit_2(app: typer.Typer, tmp_path: Path, spec_file: Path,
                                 args: list[str], words: str) -> None:
    data = write_csv(tmp_path / "d.csv", make_rows(1))
    result = CliRunner().invoke(app, ["batch", str(spec_file), str(data), "--out",
                                      str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Lỗi cách dùng" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_cli_missing_files_and_bad_inputs(app: typer.Typer, tmp_path: Path,
                                          spec_file: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["batch", str(spec_file), str(tmp_path / "khong.csv"),
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "không tìm thấy tệp dữ liệu" in result.stderr
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("ma;ma\n1;2\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(spec_file), str(bad_header), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code == 1 and "trùng" in result.stderr
    assert "Traceback" not in result.output
    bad_spec = tmp_path / "s.yaml"
    bad_spec.write_text("type: cong_van\nsubject: [\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(bad_spec), str(bad_header), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code == 1 and "YAML" in result.stderr
    result = runner.invoke(app, ["batch", "--help"])
    assert result.exit_code == 0 and "Mẫu tên tệp" in result.output


def test_row_failure_str() -> None:
    assert str(RowFailure(5, "so", "phải là một số nguyên")) == "dòng 5, so: phải là một số nguyên"


def test_date_column_in_name_pattern_gives_a_valid_file_name(tmp_path: Path) -> None:
    from vn_union_docs.batch import NamePattern

    pattern = NamePattern("{{ ma }}-{{ ngay }}")
    assert pattern.render(2, {"ma": "0101", "ngay": dt.date(2023, 3, 7)}, 1) == \
        "0101-2023-03-07.docx"


def test_empty_data_is_an_error_not_a_silent_success(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="không có dòng nào"):
        generate(SPEC, [], tmp_path / "out", jobs=1)
    assert not any((tmp_path / "out").glob("*.docx")) if (tmp_path / "out").exists() else True


def test_spec_variables_missing_from_the_columns_fail_once_before_writing(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("ma;ten_cddcs\n01;CĐCS A\n02;CĐCS B\n", encoding="utf-8")
    spec = copy.deepcopy(SPEC)
    spec["subject"] = "gửi {{ ten_cdcs }}"
    with pytest.raises(SpecError) as info:
        generate(spec, read_rows(data), tmp_path / "out", jobs=1)
    (problem,) = [p for p in info.value.problems if p.path == "subject"]
    assert "«ten_cdcs»" in problem.message and "có phải cột «ten_cddcs»" in problem.message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_empty_number_cell_is_reported_not_a_silent_draft(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    spec["number"] = "{{ so }}"
    rows = [{**row, "so": None if i == 1 else str(i + 1)} for i, row in enumerate(make_rows(3))]
    report = generate(spec, rows, tmp_path / "out", jobs=1)
    assert [(f.row, f.field) for f in report.failed] == [(2, "so")] or \
        [f.row for f in report.failed] == [2]
    assert "để trống" in report.failed[0].message


def test_cli_names_bundles_left_from_an_earlier_run(
    app: typer.Typer, tmp_path: Path, spec_file: Path
) -> None:
    def run(rows: int) -> Any:
        data = write_csv(tmp_path / "d.csv", make_rows(rows))
        return CliRunner().invoke(app, [
            "batch", str(spec_file), str(data), "--out", str(tmp_path / f"out{rows}"),
            "--bundle", str(tmp_path / "in.docx"), "--bundle-size", "2", "-j", "1"])

    first = run(5)
    assert first.exit_code == 0, first.output
    assert "Lưu ý" not in first.stderr
    second = run(3)
    assert second.exit_code == 0, second.output
    assert "Lưu ý: 1 tệp gộp của lần chạy trước" in second.stderr
    assert "in-003.docx" in second.stderr
