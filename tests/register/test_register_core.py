"""The register itself: series, manual and allocated numbers, cancel, set-next, close, audit,
schema versions, bad targets, backup (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import need

from vn_union_docs.errors import VnUnionDocsError
from vn_union_docs.register import DocumentFacts, Register, RegisterError, parse_number
from vn_union_docs.register import schema as register_schema

BASE = DocumentFacts(
    issuer_code="CĐKCN", issuer_name="Công đoàn các Khu công nghiệp", issuer_parent="LĐLĐ tỉnh",
    year=2026, date=dt.date(2026, 3, 2), doc_type="cong_van", symbol="CĐKCN",
    subject="tổ chức Tháng Công nhân", signer="TM. BAN THƯỜNG VỤ\nChủ tịch\nNguyễn Văn A",
    recipients="CĐCS trực thuộc", archive="VT, VP", copies=4, secret=False, number=None)


def facts(**changes: object) -> DocumentFacts:
    values = dict(changes)
    if "date" in values:
        values.setdefault("year", values["date"].year)  # type: ignore[union-attr]
    return dataclasses.replace(BASE, **values)  # type: ignore[arg-type]


@pytest.fixture
def reg(register_file: str) -> Register:
    return Register(register_file, create=True)


def test_numbers_follow_each_other_and_a_key_gets_its_number_back(reg: Register) -> None:
    first = reg.allocate(facts(), "/out/a.docx")
    second = reg.allocate(facts(subject="khác"), "/out/b.docx")
    again = reg.allocate(facts(subject="sửa lỗi chính tả"), "/out/a.docx")
    assert (first.number, second.number, again.number) == (1, 2, 1)
    assert first.text == "01/CĐKCN" and again.reused and not first.reused
    assert reg.entries(year=2026)[0].subject == "sửa lỗi chính tả"  # the record is updated


def test_series_per_issuer_year_secret_and_type(register_file: str) -> None:
    with Register(register_file, create=True) as reg:
        assert reg.allocate(facts()).number == 1
        assert reg.allocate(facts(doc_type="ke_hoach", symbol="KH-CĐKCN")).number == 2
        assert reg.allocate(facts(secret=True)).number == 1  # mật: own series
        assert reg.allocate(facts(issuer_code="HĐTĐ", symbol="HĐTĐ")).number == 1  # hội đồng
        assert reg.allocate(facts(date=dt.date(2027, 1, 2))).number == 1  # restarts each year
        assert {(e.kind, e.year) for e in reg.entries()} == {
            ("chung", 2026), ("mat", 2026), ("chung", 2027)}
    other = register_file.replace(".sqlite", "-per-type.sqlite")
    with Register(other, create=True, numbering="per_type") as reg:
        assert reg.allocate(facts()).number == 1
        assert reg.allocate(facts(doc_type="ke_hoach", symbol="KH-CĐKCN")).number == 1
        assert reg.allocate(facts()).number == 2


def test_manual_numbers_recorded_and_a_held_number_refused_naming_its_holder(
        reg: Register) -> None:
    reg.allocate(facts(), "/out/a.docx")
    assert reg.allocate(facts(number=2), "/out/b.docx").number == 2  # the next one: fine
    # Same series, year, number and ký hiệu: the same document, its record updated.
    assert reg.allocate(facts(number=2), "/out/b.docx").reused
    with pytest.raises(RegisterError, match=r"02/CĐKCN .*đã cấp cho văn bản khác.*b\.docx"):
        reg.allocate(facts(number=2, subject="việc khác"), "/out/c.docx")
    with pytest.raises(RegisterError, match=r"02/KH-CĐKCN.*đã cấp"):
        reg.allocate(facts(number=2, doc_type="ke_hoach", symbol="KH-CĐKCN"), "/out/d.docx")
    with pytest.raises(RegisterError, match="vượt số tiếp theo"):  # would leave a gap
        reg.allocate(facts(number=9), "/out/e.docx")
    assert [e.number for e in reg.entries()] == [1, 2]


def test_cancelled_numbers_are_never_reused(reg: Register) -> None:
    reg.allocate(facts(), "/out/a.docx")
    reg.allocate(facts(), "/out/b.docx")
    number, symbol = parse_number("02/CĐKCN")
    entry = reg.cancel(number, symbol, 2026, "ký sai thẩm quyền")
    assert entry.state == "cancelled" and entry.note == "ký sai thẩm quyền"
    assert reg.allocate(facts(), "/out/c.docx").number == 3
    assert reg.allocate(facts(), "/out/b.docx").number == 4  # the cancelled key gets a new one
    with pytest.raises(RegisterError, match="đã hủy"):
        reg.allocate(facts(number=2), "/out/x.docx")
    with pytest.raises(RegisterError, match="đã hủy từ trước"):
        reg.cancel(2, "CĐKCN", 2026, "lần nữa")
    with pytest.raises(RegisterError, match="không có số 07/CĐKCN"):
        reg.cancel(7, "CĐKCN", 2026, "không có")
    with pytest.raises(RegisterError, match="lý do"):
        reg.cancel(1, "CĐKCN", 2026, "  ")


def test_set_next_for_a_paper_book_only_before_the_first_number(reg: Register) -> None:
    reg.set_next("CĐKCN", 2026, 57)
    assert reg.allocate(facts()).number == 57
    assert reg.allocate(facts(number=12), "/out/paper.docx").number == 12  # from the paper book
    with pytest.raises(RegisterError, match="chỉ đặt số tiếp theo trước"):
        reg.set_next("CĐKCN", 2026, 80)


def test_closed_year_takes_no_new_number(reg: Register) -> None:
    reg.allocate(facts(), "/out/a.docx")
    reg.mark_issued([(1, "a.docx", "0" * 64)])
    reg.allocate(facts(), "/out/b.docx")
    with pytest.raises(RegisterError, match="chưa có tệp"):  # b is reserved, not issued
        reg.close_year(2026)
    reg.cancel(2, "CĐKCN", 2026, "không phát hành")
    assert reg.close_year(2026) == 2
    with pytest.raises(RegisterError, match="năm 2026 đã khóa sổ"):
        reg.allocate(facts(subject="muộn"), "/out/c.docx")
    with pytest.raises(RegisterError, match="đã khóa sổ"):
        reg.allocate(facts(issuer_code="HĐTĐ", symbol="HĐTĐ"))  # a new series in that year too
    assert reg.closed_years() == [2026]
    assert reg.allocate(facts(date=dt.date(2027, 1, 4))).number == 1


def test_a_document_dated_before_the_last_one_gets_a_warning(reg: Register) -> None:
    assert not reg.allocate(facts(date=dt.date(2026, 3, 5))).warnings
    late = reg.allocate(facts(date=dt.date(2026, 3, 1)))
    assert late.number == 2 and "sớm hơn" in late.warnings[0] and "Điều 15" in late.warnings[0]


def test_audit_trail_says_who_did_what(reg: Register, monkeypatch: pytest.MonkeyPatch,
                                       register_file: str) -> None:
    monkeypatch.setenv("VN_UNION_DOCS_USER", "van-thu-lan")
    with Register(register_file) as clerk:
        clerk.allocate(facts(), "/out/a.docx")
        clerk.cancel(1, "CĐKCN", 2026, "nhầm")
    actions = [(row["action"], row["number"]) for row in reg.audit_trail()]
    assert actions == [("init", None), ("allocate", 1), ("cancel", 1)]
    assert reg.audit_trail()[-1]["actor"].startswith("van-thu-lan@")


def test_not_a_register_missing_and_unreachable(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="không có sổ đăng ký"):
        Register(str(tmp_path / "missing.sqlite"))
    assert not (tmp_path / "missing.sqlite").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database " * 100)
    with pytest.raises(RegisterError, match="không phải sổ đăng ký"):
        Register(str(junk), create=True)
    assert junk.read_bytes() == b"not a database " * 100
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE khac (a)")
    with pytest.raises(RegisterError, match="không phải sổ đăng ký"):
        Register(str(other), create=True)
    with pytest.raises(RegisterError, match=r"không dùng được.*\*\*\*") as error:
        Register("postgresql://van_thu:bi-mat@127.0.0.1:9/so")
    assert "bi-mat" not in str(error.value)  # the password is never printed
    assert isinstance(error.value, VnUnionDocsError) and error.value.exit_code == 1


def test_schema_version_and_migration_hook(register_file: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    Register(register_file, create=True).close()
    calls: list[int] = []
    monkeypatch.setattr(register_schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(register_schema.MIGRATIONS, 1, lambda conn: calls.append(1))
    Register(register_file).close()
    assert calls == [1]
    with sqlite3.connect(register_file) as conn:
        assert conn.execute("SELECT value FROM vnud_meta WHERE key='schema_version'"
                            ).fetchone() == ("2",)
    monkeypatch.setattr(register_schema, "SCHEMA_VERSION", 1)
    with pytest.raises(RegisterError, match="mới hơn"):
        Register(register_file)


def test_backup_of_a_live_sqlite_register(reg: Register, tmp_path: Path,
                                          register_file: str) -> None:
    for _ in range(50):
        reg.allocate(facts())
    stop = threading.Event()

    def clerk() -> None:
        with Register(register_file) as other:
            while not stop.is_set():
                other.allocate(facts())

    thread = threading.Thread(target=clerk)
    thread.start()
    try:
        copy = reg.backup(tmp_path / "sao-luu" / "so.sqlite")
    finally:
        stop.set()
        thread.join()
    with Register(str(copy)) as restored:
        numbers = [e.number for e in restored.entries()]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 50
    assert not list((tmp_path / "sao-luu").glob(".*"))


@pytest.mark.slow
def test_postgresql_register_and_backup(pg_url: str, tmp_path: Path) -> None:
    with Register(pg_url, create=True) as reg:
        assert reg.allocate(facts(), "/out/a.docx").number == 1
        assert reg.allocate(facts(), "/out/a.docx").reused
        with pytest.raises(RegisterError, match="đã cấp cho văn bản khác"):
            reg.allocate(facts(number=1, subject="khác"), "/out/b.docx")
        reg.cancel(1, "CĐKCN", 2026, "thử")
        assert reg.allocate(facts()).number == 2
        need("pg_dump", "apt-get install postgresql-client")
        dump = reg.backup(tmp_path / "so.dump")
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True,
                             text=True, check=True).stdout
    assert "vnud_entries" in listing and "vnud_audit" in listing
