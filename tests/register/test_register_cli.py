"""The register from the command line: render and batch with ``number: auto`` and
``--register``, and the văn thư's ``register`` commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from register.register_helpers import EXAMPLES, auto_spec, printed_number
from vn_union_docs.cli.app import app
from vn_union_docs.register import Register, default_path

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_default_register(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VN_UNION_DOCS_REGISTER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def _render(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["render", *args])
    return result.exit_code, result.output


def test_number_auto_uses_the_default_register_and_prints_the_number(tmp_path: Path) -> None:
    spec = auto_spec(EXAMPLES / "58-cdyt-cong-van.yaml", tmp_path / "cv.yaml")
    code, output = _render(str(spec), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert str(default_path()) in output and "cấp số 01/CĐYT" in output
    assert printed_number(tmp_path / "out" / "cv.docx") == "01/CĐYT"
    with Register(str(default_path())) as reg:
        (entry,) = reg.entries(year=2023)
    data = (tmp_path / "out" / "cv.docx").read_bytes()
    assert entry.sha256 == hashlib.sha256(data).hexdigest() and entry.file_name == "cv.docx"
    assert entry.signer and entry.signer.endswith("Đào Văn Truyền") and entry.copies
    assert entry.state == "issued" and entry.doc_date and entry.doc_date.year == 2023


def test_a_bien_ban_is_numbered_with_its_chair_as_signer(tmp_path: Path) -> None:
    # A biên bản has no signature block of its own: the chair signs (Mẫu 1.9). The register
    # records the block as printed, and the batch of one file goes on (it once stopped with
    # an AttributeError on the missing signature).
    register = str(tmp_path / "so.sqlite")
    spec = auto_spec(EXAMPLES / "bien-ban-hop-btv.yaml", tmp_path / "bb.yaml")
    code, output = _render(str(spec), "--out", str(tmp_path / "out"), "--register", register)
    assert code == 0, output
    assert "cấp số 01/BB-CĐYT" in output
    assert printed_number(tmp_path / "out" / "bb.docx") == "01/BB-CĐYT"
    with Register(register) as reg:
        (entry,) = reg.entries(year=2024)
    assert entry.signer == "Chủ tọa\nĐào Văn Truyền" and entry.doc_type == "bien_ban"


def test_rerender_keeps_the_number_another_document_is_refused(tmp_path: Path) -> None:
    register = str(tmp_path / "so.sqlite")
    out = tmp_path / "out"
    first = auto_spec(EXAMPLES / "58-cdyt-cong-van.yaml", tmp_path / "a.yaml")
    assert _render(str(first), "--out", str(out), "--register", register)[0] == 0
    auto_spec(EXAMPLES / "58-cdyt-cong-van.yaml", first, subject="tiêu đề đã sửa")
    code, output = _render(str(first), "--out", str(out), "--register", register)
    assert code == 0 and "giữ số 01/CĐYT" in output
    manual = tmp_path / "b.yaml"
    manual.write_text((EXAMPLES / "58-cdyt-cong-van.yaml").read_text(encoding="utf-8")
                      .replace("number: 58", "number: 1"), encoding="utf-8")
    code, output = _render(str(manual), "--out", str(out), "--register", register)
    assert code == 1 and "đã cấp cho văn bản khác" in output and "a.docx" in output
    assert not (out / "b.docx").exists()
    with Register(register) as reg:
        (entry,) = reg.entries()
    assert entry.subject and entry.subject.startswith("tiêu đề đã sửa")


def test_without_register_and_manual_number_nothing_is_touched(tmp_path: Path) -> None:
    code, _ = _render(str(EXAMPLES / "58-cdyt-cong-van.yaml"), "--out", str(tmp_path / "o"))
    assert code == 0 and not default_path().exists()


def test_draft_with_number_auto_is_a_clear_error(tmp_path: Path) -> None:
    spec = auto_spec(EXAMPLES / "du-thao-cong-van-thang-cong-nhan.yaml", tmp_path / "d.yaml")
    code, output = _render(str(spec), "--out", str(tmp_path / "o"))
    assert code == 1 and "number: auto cần ngày ban hành" in output
    assert not (tmp_path / "o" / "d.docx").exists()


def test_closed_year_and_bad_register_exit_1_without_a_file(tmp_path: Path) -> None:
    register = tmp_path / "so.sqlite"
    spec = auto_spec(EXAMPLES / "58-cdyt-cong-van.yaml", tmp_path / "cv.yaml")
    assert runner.invoke(app, ["register", "init", "--register", str(register)]).exit_code == 0
    result = runner.invoke(app, ["register", "close", "--year", "2023", "--register",
                                 str(register)])
    assert result.exit_code == 0, result.output
    code, output = _render(str(spec), "--out", str(tmp_path / "o"), "--register", str(register))
    assert code == 1 and "đã khóa sổ" in output and not (tmp_path / "o" / "cv.docx").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_text("không phải sổ", encoding="utf-8")
    code, output = _render(str(spec), "--out", str(tmp_path / "o"), "--register", str(junk))
    assert code == 1 and "không phải sổ đăng ký" in output and "Traceback" not in output
    result = runner.invoke(app, ["register", "list", "--register", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "không có sổ đăng ký" in result.output


def test_batch_numbers_in_row_order_and_a_bad_row_allocates_nothing(tmp_path: Path) -> None:
    spec = auto_spec(EXAMPLES / "batch" / "cong_van_cdcs.yaml", tmp_path / "cv.yaml")
    data = tmp_path / "cdcs.csv"
    lines = (EXAMPLES / "batch" / "cdcs.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = lines[3].split(";")
    bad[3] = "nhiều"  # so_doan_vien is not a number: row 4 fails
    lines[3] = ";".join(bad)
    data.write_text("\n".join(lines[:8]) + "\n", encoding="utf-8")
    register = str(tmp_path / "so.sqlite")
    result = runner.invoke(app, ["batch", str(spec), str(data), "--out", str(tmp_path / "o"),
                                 "--jobs", "2", "--register", register])
    assert result.exit_code == 1 and "dòng 4" in result.output
    assert "Số đã cấp (6): 01/LĐLĐ … 06/LĐLĐ" in result.output
    printed = {p.name: printed_number(p) for p in (tmp_path / "o").glob("*.docx")}
    assert printed == {"0002.docx": "01/LĐLĐ", "0003.docx": "02/LĐLĐ", "0005.docx": "03/LĐLĐ",
                       "0006.docx": "04/LĐLĐ", "0007.docx": "05/LĐLĐ", "0008.docx": "06/LĐLĐ"}
    with Register(register) as reg:
        assert [(e.number, e.file_name) for e in reg.entries()] == [
            (i + 1, name) for i, name in enumerate(sorted(printed))]


def test_strict_batch_with_a_bad_row_allocates_nothing(tmp_path: Path) -> None:
    spec = auto_spec(EXAMPLES / "batch" / "cong_van_cdcs.yaml", tmp_path / "cv.yaml")
    data = tmp_path / "cdcs.csv"
    lines = (EXAMPLES / "batch" / "cdcs.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace(";86;", ";x;").replace(";112;", ";x;")
    data.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    register = tmp_path / "so.sqlite"
    result = runner.invoke(app, ["batch", str(spec), str(data), "--out", str(tmp_path / "o"),
                                 "--strict", "--register", str(register)])
    assert result.exit_code == 1
    with Register(str(register)) as reg:
        assert reg.entries() == []


def _numbered_register(tmp_path: Path) -> str:
    register = str(tmp_path / "so.sqlite")
    spec = auto_spec(EXAMPLES / "batch" / "cong_van_cdcs.yaml", tmp_path / "cv.yaml")
    result = runner.invoke(app, ["batch", str(spec), str(EXAMPLES / "batch" / "cdcs.csv"),
                                 "--out", str(tmp_path / "o"), "--jobs", "1",
                                 "--register", register])
    assert result.exit_code == 0, result.output
    return register


def test_list_cancel_export_and_backup_commands(tmp_path: Path) -> None:
    register = _numbered_register(tmp_path)
    reg_option = ["--register", register]
    result = runner.invoke(app, ["register", "cancel", "05/LĐLĐ", "--year", "2023",
                                 "--reason", "gửi nhầm", *reg_option])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["register", "list", "--year", "2023", *reg_option])
    assert result.exit_code == 0 and "34/LĐLĐ" in result.output and "gửi nhầm" in result.output
    result = runner.invoke(app, ["register", "cancel", "5/LĐLĐ", "--year", "2023",
                                 "--reason", "lại", *reg_option])
    assert result.exit_code == 1 and "đã hủy từ trước" in result.output
    result = runner.invoke(app, ["register", "cancel", "năm", "--year", "2023",
                                 "--reason", "x", *reg_option])
    assert result.exit_code == 2 and "05/CĐKCN" in result.output

    for fmt in ("docx", "xlsx"):
        out = tmp_path / f"so.{fmt}"
        made = []
        for _ in range(2):  # deterministic: the same register gives the same bytes
            result = runner.invoke(app, ["register", "export", "--year", "2023", "--format",
                                         fmt, "--out", str(out), *reg_option])
            assert result.exit_code == 0, result.output
            made.append(out.read_bytes())
        assert made[0] == made[1], fmt
    with zipfile.ZipFile(tmp_path / "so.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    for text in ("SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Từ số 01 đến số 34", "Quyển số: 1",
                 "Tên loại và trích yếu nội dung văn bản", "Ký nhận", "Đã hủy số: gửi nhầm",
                 'w:orient="landscape"', "LIÊN ĐOÀN LAO ĐỘNG THÀNH PHỐ THỦ ĐỨC"):
        assert text in xml, text
    sheet = load_workbook(tmp_path / "so.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Số, ký hiệu văn bản")
    assert values[header + 1][:3] == ["(1)", "(2)", "(3)"]
    assert [row[0] for row in values[header + 2:]] == [f"{n:02d}/LĐLĐ" for n in range(1, 35)]
    assert values[header + 6][9] == "Đã hủy số: gửi nhầm"
    assert values[header + 2][1].date() == dt.date(2023, 3, 7) and values[header + 2][6] >= 2

    result = runner.invoke(app, ["register", "backup", str(tmp_path / "b.sqlite"), *reg_option])
    assert result.exit_code == 0
    with Register(str(tmp_path / "b.sqlite")) as copy:
        assert len(copy.entries()) == 34
    result = runner.invoke(app, ["register", "export", "--year", "2031", "--format", "docx",
                                 "--out", str(tmp_path / "none.docx"), *reg_option])
    assert result.exit_code == 1 and not (tmp_path / "none.docx").exists()


def test_set_next_then_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register = tmp_path / "so.sqlite"
    monkeypatch.setenv("VN_UNION_DOCS_REGISTER", str(register))
    result = runner.invoke(app, ["register", "set-next", "--issuer", "CĐYT", "--year", "2023",
                                 "--next", "58"])
    assert result.exit_code == 0, result.output
    spec = auto_spec(EXAMPLES / "58-cdyt-cong-van.yaml", tmp_path / "cv.yaml")
    code, output = _render(str(spec), "--out", str(tmp_path / "o"))
    assert code == 0 and "58/CĐYT" in output
    result = runner.invoke(app, ["register", "audit"])
    assert result.exit_code == 0
    for action in ("init", "set-next", "allocate", "issue"):
        assert action in result.output


def test_a_draft_renders_without_touching_the_register(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    register = tmp_path / "so.sqlite"
    monkeypatch.setenv("VN_UNION_DOCS_REGISTER", str(register))
    draft = EXAMPLES / "du-thao-cong-van-thang-cong-nhan.yaml"
    code, output = _render(str(draft), "--out", str(tmp_path / "o"))
    assert code == 0 and "bản nháp" in output and (tmp_path / "o" / f"{draft.stem}.docx").exists()
    spec = tmp_path / "nhap.yaml"
    spec.write_text(re.sub(r"(?m)^(number|date): .*$", r"\1: null",
                           (EXAMPLES / "batch" / "cong_van_cdcs.yaml").read_text(
                               encoding="utf-8")) + "\ndraft_year: 2023\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(spec), str(EXAMPLES / "batch" / "cdcs.csv"),
                                 "--out", str(tmp_path / "b"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "b").glob("*.docx"))) == 34
    with Register(str(register)) as reg:
        assert reg.entries() == []
