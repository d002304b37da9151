"""Issue 13.4 and 13.5: clerks' doubled prefixes, ``ngày ngày``; ``check`` and ``render``
agree; ``check SPEC --data FILE``; missing paths; Roman sections in sentence case."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from typer.testing import CliRunner

from vn_union_docs import check, load_document, render_docx
from vn_union_docs.cli.app import app
from vn_union_docs.errors import VnUnionDocsError

ROOT = Path(__file__).resolve().parents[2]
BATCH = ROOT / "examples" / "batch"
BASE: dict[str, Any] = {
    "type": "cong_van",
    "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế", "code": "CĐYT"},
    "number": 58, "place": "Thái Bình", "date": "2023-02-23",
    "subject": "báo cáo kết quả quý I",
    "recipients": ["Các Công đoàn cơ sở trực thuộc"],
    "body": "# Mục đích\n\nNội dung báo cáo.",
    "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn A"},
    "distribution": ["Như trên"],
}


def spec(**changes: Any) -> dict[str, Any]:
    s = copy.deepcopy(BASE)
    s.update(changes)
    return s


def rules_of(findings: list[Any], severity: str | None = None) -> set[str]:
    return {f.rule for f in findings if severity is None or f.severity == severity}


def paragraph_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for cell in table._cells:
            out += [p.text for p in cell.paragraphs]
    return out


# --- 13.4: prefixes the library prints ----------------------------------------------------


def test_typed_prefixes_are_dropped_and_check_warns() -> None:
    typed = spec(subject="V/v báo cáo kết quả quý I",
                 recipients=["Kính gửi: Các Công đoàn cơ sở trực thuộc"],
                 distribution=["Nơi nhận: Như trên", "LĐLĐ tỉnh (để b/c)"])
    doc = load_document(typed)
    assert doc.subject == "báo cáo kết quả quý I"
    assert doc.recipients == ["Các Công đoàn cơ sở trực thuộc"]
    assert doc.distribution == ["Như trên", "LĐLĐ tỉnh (để b/c)"]
    text = "\n".join(paragraph_texts(render_docx(doc)))
    assert "V/v V/v" not in text and "Kính gửi: Kính gửi" not in text
    assert text.count("Nơi nhận") == 1
    assert render_docx(doc) == render_docx(load_document(spec(
        distribution=["Như trên", "LĐLĐ tỉnh (để b/c)"])))
    findings = check(typed)
    doubled = [f for f in findings if f.rule == "prefix-doubled"]
    assert {f.place for f in doubled} == {"subject", "recipients[0]", "distribution[0]"}
    assert all(f.severity == "warning" for f in doubled)
    assert not rules_of(findings, "error")
    assert not rules_of(check(spec()), "warning") & {"prefix-doubled"}


def test_other_words_stay_as_typed() -> None:
    notice = spec(type="thong_bao", subject="Về việc tổ chức Hội nghị người lao động",
                  recipients=[])
    assert load_document(notice).subject == "Về việc tổ chức Hội nghị người lao động"
    assert "prefix-doubled" not in rules_of(check(notice))
    assert load_document(spec(subject="V/v")).subject == "V/v"  # nothing else: kept


def test_ngay_ngay_is_a_warning_in_text_and_in_jinja() -> None:
    typed = check(spec(body="Họp vào ngày ngày 10/3/2023."))
    assert "date-word-doubled" in rules_of(typed, "warning")
    jinja = check(spec(body='Họp vào ngày {{ "2023-03-10" | ngay }}.'))
    assert "date-word-doubled" in rules_of(jinja, "warning")
    assert "date-word-doubled" not in rules_of(check(spec(body='Họp {{ "2023-03-10" | ngay }}.')))


def test_doubled_prefix_in_a_docx_is_reported() -> None:
    document = docx.Document()
    document.add_paragraph("V/v V/v báo cáo quý I")
    assert "prefix-doubled" in rules_of(check(document))


def test_eth_is_mentioned_by_check() -> None:
    findings = check(spec(issuer={"name": "Công Ðoàn ngành Y tế", "code": "CĐYT"}))
    (eth,) = [f for f in findings if f.rule == "eth-for-d"]
    assert eth.place == "issuer.name" and "U+00D0" in eth.message
    text = "\n".join(paragraph_texts(render_docx(load_document(
        spec(issuer={"name": "Công Ðoàn ngành Y tế", "code": "CĐYT"})))))
    assert "CÔNG ĐOÀN NGÀNH Y TẾ" in text and "Ð" not in text


# --- 13.5: check and render agree ---------------------------------------------------------

BAD_OR_GOOD = [
    spec(),
    spec(body="# I. Mục đích\n\nNội dung."),
    spec(body="## 1. Mục đích\n\nNội dung."),
    spec(date="2023-02-30"),
    spec(date="30/02/2023"),
    spec(date="ngày 07 tháng 3 năm 2023"),
    spec(template="khong-co.docx"),
    spec(signature={"capacity": "THAY MẶT BAN THƯỜNG VỤ", "name": "A"}),
    spec(subject="C«ng v¨n b¸o c¸o"),
    spec(subject="TÌNH HÌNH QUÝ III"),
    spec(recipients=[]),
    spec(number="5a"),
    spec(unknown_key=1),
]


@pytest.mark.parametrize("case", BAD_OR_GOOD, ids=lambda c: json.dumps(
    {k: v for k, v in c.items() if BASE.get(k) != v}, ensure_ascii=False)[:60])
def test_check_errors_exactly_when_render_refuses(case: dict[str, Any]) -> None:
    try:
        render_docx(load_document(case))
        refused = False
    except VnUnionDocsError:
        refused = True
    errors = rules_of(check(case), "error")
    assert refused == bool(errors), (refused, errors)


def test_hand_numbered_heading_is_one_error_in_both() -> None:
    case = spec(body="# I. Mục đích\n\nNội dung.")
    assert "heading-numbered" in rules_of(check(case), "error")
    with pytest.raises(VnUnionDocsError):
        load_document(case)


def test_check_with_data_checks_the_batch_spec_row_by_row(tmp_path: Path) -> None:
    runner = CliRunner()
    alone = runner.invoke(app, ["check", str(BATCH / "cong_van_cdcs.yaml")])
    assert alone.exit_code == 1 and "--data" in alone.output
    ok = runner.invoke(app, ["check", str(BATCH / "cong_van_cdcs.yaml"),
                             "--data", str(BATCH / "cdcs.csv")])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["check", str(BATCH / "cong_van_cdcs.yaml"), "--data",
                               str(BATCH / "cdcs.xlsx")]).exit_code == 0
    rows = (BATCH / "cdcs.csv").read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(";")
    cells = rows[2].split(";")
    cells[header.index("so_sang_kien")] = "nhiều"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([rows[0], rows[1], ";".join(cells), *rows[3:]]), encoding="utf-8")
    result = runner.invoke(app, ["check", str(BATCH / "cong_van_cdcs.yaml"), "--data", str(bad),
                                 "--format", "json"])
    assert result.exit_code == 1
    places = {row["place"] for row in json.loads(result.output) if row["severity"] == "error"}
    assert any(place.startswith("dòng 3") for place in places), places


def test_a_missing_path_is_reported_and_the_others_still_checked(tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text(json.dumps(spec(), ensure_ascii=False), encoding="utf-8")
    slip = tmp_path / "b.yaml"
    slip.write_text(json.dumps(spec(body="Họp ngày ngày 10/3/2023."), ensure_ascii=False),
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(good), str(tmp_path / "missing.docx"),
                                      str(slip), "--format", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.output)
    assert {Path(r["file"]).name for r in rows} == {"missing.docx", "b.yaml"}
    assert any(r["rule"] == "date-word-doubled" for r in rows)


@pytest.mark.parametrize(("text", "flagged"), [
    ("I. Mục đích\n\nNội dung.\n\nII. Nội dung\n\nNội dung.\n\nIV. Tổ chức thực hiện", True),
    ("I. Mục đích\n\nII. Nội dung\n\nIII. Tổ chức thực hiện", False),
    ("Như V. I. Lê-nin đã nói.\n\nV. I. Lê-nin\n\nI. Mục đích", False),
])
def test_sentence_case_sections_are_in_sequence_in_specs_and_docx(text: str,
                                                                  flagged: bool) -> None:
    in_spec = "section-sequence" in rules_of(check(spec(body=text)))
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    in_docx = "section-sequence" in rules_of(check(document))
    assert in_spec == flagged and in_docx == flagged
