"""The command line as a clerk uses it: render, schema, version, errors without tracebacks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vn_union_docs.cli.app import app
from vn_union_docs.cli.locale import translate
from vn_union_docs.documents.doc_types import DOC_TYPES

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

GOOD = """\
type: thong_bao
issuer: {name: Công đoàn ngành Y tế, code: CĐYT}
number: 3
place: Thái Bình
date: 2023-03-07
subject: Lịch họp Ban Thường vụ
body: Họp vào ngày 10/3/2023.
signature: {capacity: TM. BAN THƯỜNG VỤ, title: Chủ tịch, name: Đào Văn Truyền}
distribution: [Các đồng chí Ủy viên BTV]
"""

BAD = """\
type: cong_van
issuer: {name: Công đoàn ngành Y tế, code: CĐYT}
place: Thái Bình
date: 2023-02-30
subject: ""
recipients: [Các CĐCS]
body: Nội dung.
signature: {capacity: T/M. BAN CHẤP HÀNH, name: A}
"""


def test_render_directory_writes_one_docx_per_spec(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.yaml").write_text(GOOD, encoding="utf-8")
    (specs / "b.yml").write_text(GOOD, encoding="utf-8")
    (specs / "notes.txt").write_text("không phải spec", encoding="utf-8")
    (specs / "sub").mkdir()
    (specs / "sub" / "c.yaml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["render", str(specs), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.docx", "b.docx"]
    assert "Đã tạo 2 văn bản, 0 lỗi." in result.output


def test_bad_spec_exit_1_names_file_and_keys_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(tmp_path / "good.yaml"), str(tmp_path / "bad.yaml"),
                                 "--out", str(out)])
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert "bad.yaml" in output
    for key in ("date", "subject", "signature.capacity"):
        assert f": {key}: " in output, key
    assert "Traceback" not in output
    assert sorted(p.name for p in out.iterdir()) == ["good.docx"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(tmp_path / "nope.yaml"), "--out", str(tmp_path)])
    assert result.exit_code == 2


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["render", "--no-such-option"]).exit_code == 2


def test_schema_is_json_schema_of_the_spec() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["discriminator"]["propertyName"] == "type"
    assert set(schema["discriminator"]["mapping"]) == set(DOC_TYPES)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("vn-union-docs ")


def test_python_dash_m(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "vn_union_docs", "render", str(tmp_path / "a.yaml"), "--out",
         str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "a.docx").is_file()


def test_render_custom_template_option(tmp_path: Path) -> None:
    template = tmp_path / "mine.docx"
    shutil.copy(ROOT / "templates" / "van_ban.docx", template)
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["render", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o"),
                                 "--template", str(tmp_path / "missing.docx")])
    assert result.exit_code == 1 and "không tìm thấy mẫu" in result.stdout + result.stderr
    result = runner.invoke(app, ["render", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o"),
                                 "--template", str(template)])
    assert result.exit_code == 0, result.output


def test_render_pdf_option(tmp_path: Path) -> None:
    import pytest

    from vn_union_docs.rendering.pdf import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y "
                    "--no-install-recommends libreoffice-writer-nogui fonts-liberation2")
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["render", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o"),
                                 "--pdf"])
    assert result.exit_code == 0, result.stdout + result.stderr
    pdf = tmp_path / "o" / "a.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and (tmp_path / "o" / "a.docx").is_file()


def test_not_a_docx_template_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.docx"
    junk.write_text("không phải docx", encoding="utf-8")
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["render", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "o"),
                                 "--template", str(junk)])
    assert result.exit_code == 1
    assert "không phải tệp .docx" in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_render_refuses_two_specs_with_the_same_output(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "A.yml").write_text(GOOD.replace("number: 3", "number: 4"), encoding="utf-8")
    result = runner.invoke(app, ["render", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "trùng tên" in result.stdout + result.stderr
    assert len(list((tmp_path / "o").iterdir())) == 1


def test_output_files_honour_the_umask(tmp_path: Path) -> None:
    import os

    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert runner.invoke(app, ["render", str(tmp_path / "a.yaml"), "--out",
                                   str(tmp_path / "o")]).exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "o" / "a.docx").stat().st_mode & 0o777 == 0o644


def test_help_is_in_vietnamese() -> None:
    for args in (["--help"], ["render", "--help"], ["batch", "--help"], ["check", "--help"],
                 ["template", "check", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "Hiện hướng dẫn" in result.stdout
        assert "Show this message" not in result.stdout


def test_help_panels_are_in_vietnamese() -> None:
    result = runner.invoke(app, ["batch", "--help"])
    assert result.exit_code == 0
    for vietnamese in ("Cách dùng:", "Đối số", "Tùy chọn", "[bắt buộc]"):
        assert vietnamese in result.stdout
    for english in ("Usage:", "Arguments", "Options", "[required]"):
        assert english not in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["batch"], "Thiếu đối số «SPEC»."),
        (["render", "--bogus"], "Không có tùy chọn --bogus"),
        (["rendr"], "Không có lệnh «rendr». Có phải ý bạn là 'render'?"),
        (["batch", "a", "b", "--out", "x", "--jobs", "abc"],
         "Giá trị không hợp lệ cho «--jobs» / «-j»: phải là một số nguyên."),
        (["check", "--format", "xml", "examples"],
         "«xml» không phải một trong 'text', 'json'."),
        (["render", "examples", "--out"], "Tùy chọn «--out» cần một giá trị."),
    ],
)
def test_usage_errors_are_in_vietnamese(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 2
    text = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # the panel wraps lines
    assert " ".join(expected.split()) in text
    for english in ("Missing", "No such", "Invalid value", "Did you mean", "requires", "Error",
                    "Try '", "Usage:"):
        assert english not in result.output


def test_unknown_messages_stay_as_they_are() -> None:
    assert translate("Something new from click.") == "Something new from click."


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("Missing option '--out' / '-o'.", "Thiếu tùy chọn «--out» / «-o»."),
        ("Missing parameter: name", "Thiếu tham số «name»"),
        ("No such option: --x (Possible options: --out, --name)",
         "Không có tùy chọn --x (có phải: --out, --name?)"),
        ("Option '--out' does not take a value.", "Tùy chọn «--out» không nhận giá trị."),
        ("Option '--size' requires 2 arguments.", "Tùy chọn «--size» cần 2 giá trị."),
        ("Got unexpected extra argument(s) (a b)", "Thừa đối số: a b"),
        ("Got unexpected extra arguments (a b)", "Thừa đối số: a b"),
        ("Invalid value for 'SPEC': File 'x.yaml' does not exist.",
         "Giá trị không hợp lệ cho «SPEC»: Tệp «x.yaml» không tồn tại."),
        ("Invalid value for '--out': Directory 'a' is a file.",
         "Giá trị không hợp lệ cho «--out»: «a» là một tệp, cần một thư mục."),
        ("Invalid value for '-j': Input should be greater than or equal to 1",
         "Giá trị không hợp lệ cho «-j»: phải từ 1 trở lên."),
        ("Invalid value for '--type': Input should be 'cong_van', 'ke_hoach' or 'thong_bao'",
         "Giá trị không hợp lệ cho «--type»: phải là một trong 'cong_van', 'ke_hoach', "
         "'thong_bao'."),
    ],
)
def test_translate(english: str, vietnamese: str) -> None:
    assert translate(english) == vietnamese
