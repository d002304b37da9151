"""Spec files and models: every key of the spec format, and bad input with clear errors."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from vn_union_docs import CongVan, KeHoach, ThongBao, load_document, vi
from vn_union_docs.documents.body import body_blocks
from vn_union_docs.documents.spec import SpecTemplate, read_spec
from vn_union_docs.errors import SpecError
from vn_union_docs.rendering.context import build_context


def base_spec(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "cong_van",
        "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế",
                   "code": "CĐYT"},
        "number": 58,
        "place": "Thái Bình",
        "date": "2023-02-23",
        "subject": "tiếp tục triển khai Chương trình",
        "recipients": ["Các Công đoàn cơ sở trực thuộc"],
        "body": "Nội dung.",
        "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch",
                      "name": "Đào Văn Truyền"},
        "distribution": ["Như trên", "LĐLĐ tỉnh (để b/c)"],
        "archive": "VT, VP CĐN",
    }
    spec.update(changes)
    return spec


def problems(spec: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as info:
        load_document(spec)
    return [(p.path, p.message) for p in info.value.problems]


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_discriminated_union_picks_the_model() -> None:
    assert isinstance(load_document(base_spec()), CongVan)
    assert isinstance(load_document(base_spec(type="ke_hoach")), KeHoach)
    assert isinstance(load_document(base_spec(type="thong_bao")), ThongBao)


@pytest.mark.parametrize(
    ("doc_type", "number", "symbol", "expected"),
    [
        ("cong_van", 58, None, "Số: 58/CĐYT"),
        ("ke_hoach", 222, None, "Số: 222/KH-CĐYT"),
        ("thong_bao", 12, None, "Số: 12/TB-CĐYT"),
        ("cong_van", 5, None, "Số: 05/CĐYT"),
        ("ke_hoach", 5, None, "Số: 05/KH-CĐYT"),
        ("cong_van", 4381, "TLĐ-VP", "Số: 4381/TLĐ-VP"),
        ("cong_van", None, None, "Số:       /CĐYT"),
    ],
)
def test_number_line(doc_type: str, number: int | None, symbol: str | None,
                     expected: str) -> None:
    doc = load_document(base_spec(type=doc_type, number=number, symbol=symbol))
    assert build_context(doc)["number_line"] == expected


def test_yaml_12_leading_zero_is_decimal(tmp_path: Path) -> None:
    path = write(tmp_path, "number: 010\n")
    assert read_spec(path)["number"] == 10  # YAML 1.1 would read octal 8


def test_draft_number_and_day_blank_independently() -> None:
    no_date = build_context(load_document(base_spec(date=None, draft_year=2024)))
    assert no_date["number_line"] == "Số: 58/CĐYT"
    assert no_date["place_date"] == "Thái Bình, ngày      tháng      năm 2024"
    no_number = build_context(load_document(base_spec(number=None)))
    assert no_number["place_date"] == "Thái Bình, ngày 23 tháng 02 năm 2023"
    this_year = build_context(load_document(base_spec(date=None)))
    assert this_year["place_date"].endswith(f"năm {vi.today().year}")


def test_context_lines() -> None:
    context = build_context(load_document(base_spec(
        recipients=["Các CĐCS trực thuộc", "Các Công đoàn ngành"],
        signature={"capacity": ["tm. ban thường vụ", "KT. Chủ tịch"], "title": "Phó Chủ tịch",
                   "name": "Trần Văn Minh"},
        urgency="thuong_khan", secrecy="mat")))
    assert context["recipients"] == ["- Các CĐCS trực thuộc;", "- Các Công đoàn ngành."]
    assert context["recipient_line"] == ""
    assert context["signature_capacity"] == ["TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"]
    assert context["signature_title"] == "PHÓ CHỦ TỊCH"
    assert context["distribution"] == ["- Như trên;", "- LĐLĐ tỉnh (để b/c);",
                                       "- Lưu: VT, VP CĐN."]
    assert context["subject_line"] == "V/v tiếp tục triển khai Chương trình"
    assert context["parent"] == "LĐLĐ TỈNH THÁI BÌNH"
    assert context["issuer"] == "CÔNG ĐOÀN NGÀNH Y TẾ"
    assert (context["urgency"], context["secrecy"]) == ("THƯỢNG KHẨN", "MẬT")


def test_list_items_lose_hand_typed_dashes_and_punctuation() -> None:
    spec = base_spec(distribution=["- Như trên;", "LĐLĐ tỉnh (để b/c).", "Lưu: VT, VP."])
    del spec["archive"]
    doc = load_document(spec)
    assert doc.distribution == ["Như trên", "LĐLĐ tỉnh (để b/c)"]
    assert doc.archive == "VT, VP"  # a "Lưu:" item is the archive line
    assert build_context(doc)["distribution"][-1] == "- Lưu: VT, VP."


def test_yaml_pitfall_luu_item_is_the_archive_line(tmp_path: Path) -> None:
    spec = base_spec()
    text = json.dumps({k: v for k, v in spec.items() if k != "distribution"}, ensure_ascii=False)
    path = write(tmp_path, text.replace("{", "{\n", 1).rstrip("}") +
                 ', "distribution": ["Như trên"]}', "spec.json")
    assert load_document(path).archive == "VT, VP CĐN"
    yaml_text = (
        "type: cong_van\nissuer: {name: Công đoàn ngành Y tế, code: CĐYT}\nplace: Thái Bình\n"
        "subject: thử\nrecipients: [Các CĐCS]\nbody: Nội dung.\n"
        "signature: {name: Đào Văn Truyền}\n"
        "distribution:\n  - Như trên\n  - Lưu: VT, VP CĐN\n"
    )
    doc = load_document(write(tmp_path, yaml_text))
    assert doc.archive == "VT, VP CĐN"
    assert doc.distribution == ["Như trên"]


def test_yaml_pitfall_other_colon_item_names_its_line(tmp_path: Path) -> None:
    yaml_text = (
        "type: cong_van\nissuer: {name: Công đoàn ngành Y tế, code: CĐYT}\nplace: Thái Bình\n"
        "subject: thử\nrecipients: [Các CĐCS]\nbody: Nội dung.\n"
        "signature: {name: Đào Văn Truyền}\n"
        "distribution:\n  - Như trên\n  - BQT Website: đăng tin\n"
    )
    with pytest.raises(SpecError) as info:
        load_document(write(tmp_path, yaml_text))
    (problem,) = info.value.problems
    assert problem.path == "distribution[1]"
    assert "dòng 10" in problem.message and '"BQT Website: đăng tin"' in problem.message
    assert problem.source and problem.source.endswith("spec.yaml")


def test_one_problem_per_error_with_key_paths() -> None:
    spec = base_spec(number="abc", subject="  ")
    spec["signature"] = {"capacity": "T/M. BAN CHẤP HÀNH", "name": "A"}
    spec["issuer"] = {"name": "X", "code": "CĐYT", "parnet": "Y"}
    del spec["place"]
    found = dict(problems(spec))
    assert set(found) == {"number", "subject", "signature.capacity", "issuer.parnet", "place"}
    assert "TM." in found["signature.capacity"] and "T/M" in found["signature.capacity"]
    assert "parent" in found["issuer.parnet"]  # a suggestion for the typo
    assert found["place"] == "thiếu trường bắt buộc"


def test_unknown_top_level_key_suggests() -> None:
    found = dict(problems(base_spec(subjct="x")))
    assert "subject" in found["subjct"]


def test_unknown_type() -> None:
    found = problems(base_spec(type="quyet_dihn"))
    assert found[0][0] == "type" and "quyet_dinh" in found[0][1]


def test_impossible_date() -> None:
    found = dict(problems(base_spec(date="2023-02-31")))
    assert "date" in found


@pytest.mark.parametrize("value", ["3030-02-23", "0001-01-01", "23/02/3030"])
def test_a_slipped_year_is_refused(value: str) -> None:
    # The seeds hold a year 3030; a document dated so is a typing slip (a review rendered one).
    found = dict(problems(base_spec(date=value)))
    assert "gõ nhầm năm" in found["date"]
    assert load_document(base_spec(date="2200-12-31")).date == dt.date(2200, 12, 31)


def test_vietnamese_date_text_is_read() -> None:
    assert load_document(base_spec(date="07/3/2023")).date == dt.date(2023, 3, 7)


def test_cong_van_needs_recipients_other_types_do_not() -> None:
    assert problems(base_spec(recipients=[]))
    assert load_document(base_spec(type="ke_hoach", recipients=[])).recipients == []


@pytest.mark.parametrize("text", ["A & B", "a < b > c", "“ngoặc” và \"nháy\" 'đơn'", "✅ 😀",
                                  "tab\there", "Ăn ằ ẳ ẵ ặ Đđ Ơ ợ Ư ự ỹ"])
def test_text_comes_through_exactly(text: str) -> None:
    assert load_document(base_spec(subject=text)).subject == text


def test_nfd_is_normalised_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Công đoàn ngành Y tế")
    doc = load_document(base_spec(issuer={"name": nfd, "code": "CĐYT"}))
    assert doc.issuer.name == "Công đoàn ngành Y tế"
    assert unicodedata.is_normalized("NFC", doc.issuer.name)


@pytest.mark.parametrize("char", ["\x0b", "\x00", "\x1f", "\x7f", "\u2028"])
def test_control_characters_rejected_with_key(char: str) -> None:
    found = dict(problems(base_spec(signature={"name": f"Đào{char}Văn"})))
    assert "ký tự điều khiển" in found["signature.name"]


@pytest.mark.parametrize(("text", "encoding"), [("C«ng ®oµn ngµnh Y tÕ", "TCVN3"),
                                               ("Coâng ñoaøn ngaønh Y teá", "VNI")])
def test_legacy_encodings_rejected(text: str, encoding: str) -> None:
    found = dict(problems(base_spec(subject=text)))
    assert encoding in found["subject"] and "Unicode" in found["subject"]


def test_degree_before_signer_name_rejected() -> None:
    assert "signature.name" in dict(problems(base_spec(
        signature={"capacity": "TM. BAN THƯỜNG VỤ", "name": "TS. Nguyễn Văn A"})))


def test_body_hand_numbered_heading_is_an_error() -> None:
    found = dict(problems(base_spec(body="# I. MỤC ĐÍCH\n\nNội dung.")))
    assert "tự đánh số" in found["body"] and "dòng 1" in found["body"]


def test_data_placeholders_and_escaping() -> None:
    spec = base_spec(
        data={"so": 1619, "ten": "CĐCS *A* | - B {{ x }}", "ty_le_goc": "63,3"},
        body="Có {{ so | so }} sáng kiến tại {{ ten }}.\n\n- {{ ten }}",
        subject="về {{ ten }}",
    )
    doc = load_document(spec)
    texts = [block.text for block in body_blocks(doc.body)]
    assert texts[0] == "Có 1.619 sáng kiến tại CĐCS *A* | - B {{ x }}."
    assert texts[1] == "- CĐCS *A* | - B {{ x }}./."
    assert doc.subject == "về CĐCS *A* | - B {{ x }}"


def test_batch_row_values_are_text_never_templates() -> None:
    template = SpecTemplate(base_spec(
        number="{{ so }}", body="Kính gửi {{ ten }}: {{ n | so }} sáng kiến.",
        recipients=["{{ ten }}"]))
    doc = template.document({"so": "05", "ten": "{{ 7*7 }} *x*", "n": 3992}, row=3)
    assert doc.number == 5
    assert doc.recipients == ["{{ 7*7 }} *x*"]
    assert body_blocks(doc.body)[0].text == "Kính gửi {{ 7*7 }} *x*: 3.992 sáng kiến./."


def test_missing_variable_names_field_and_row() -> None:
    template = SpecTemplate(base_spec(subject="về {{ ten_cdcs }}"), source="cv.yaml")
    with pytest.raises(SpecError) as info:
        template.document({}, row=7)
    (problem,) = info.value.problems
    assert (problem.path, problem.row, problem.source) == ("subject", 7, "cv.yaml")
    assert "ten_cdcs" in problem.message
    assert "dòng 7" in str(problem)


def test_sandbox_blocks_python_internals() -> None:
    found = dict(problems(base_spec(subject="{{ ''.__class__.__mro__ }}")))
    assert "an toàn" in found["subject"]


def test_jinja_syntax_error_names_field() -> None:
    with pytest.raises(SpecError) as info:
        SpecTemplate(base_spec(body="{{ broken "))
    assert info.value.problems[0].path == "body"


def test_campaign_data_errors_are_reported_under_data() -> None:
    spec = base_spec(data={"stages": [
        {"name": "Giai đoạn 1", "start": "2023-02-03", "end": "2025-02-03"},
        {"name": "Giai đoạn 2", "start": "2025-02-03", "end": "3030-02-03"}]})
    found = problems(spec)
    assert any(path.startswith("data") and "3030" in message for path, message in found)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="không tìm thấy"):
        load_document(tmp_path / "nope.yaml")
    with pytest.raises(SpecError, match="YAML sai cú pháp ở dòng 3"):
        load_document(write(tmp_path, "type: cong_van\nissuer: [a\n"))


def test_missing_variable_behind_a_filter_is_named() -> None:
    template = SpecTemplate(base_spec(body="Có {{ so_sang_kien | so }} sáng kiến."))
    with pytest.raises(SpecError) as info:
        template.document({}, row=4)
    (problem,) = info.value.problems
    assert problem.path == "body" and "so_sang_kien" in problem.message


def test_conflicting_archive_lines_are_an_error() -> None:
    found = dict(problems(base_spec(distribution=["Như trên", "Lưu: VT, VP"])))
    assert "VT, VP CĐN" in found["archive"] and "VT, VP" in found["archive"]


def test_empty_body_and_non_mapping_specs() -> None:
    assert "body" in dict(problems(base_spec(body="  ")))
    with pytest.raises(SpecError, match="bảng khóa–giá trị"):
        load_document([1, 2])  # type: ignore[arg-type]
    missing_type = base_spec()
    del missing_type["type"]
    assert "thiếu" in dict(problems(missing_type))["type"]
    assert "recipients" in dict(problems(base_spec(recipients=[])))


def test_data_numbers_are_read_like_spreadsheet_cells() -> None:
    doc = load_document(base_spec(
        data={"so": "1.619", "chi_tieu": 1372, "ty_le": "63,3"},
        body="Có {{ so | so }} sáng kiến, {{ so | ty_le(chi_tieu, 0) }}; {{ ty_le }}."))
    assert body_blocks(doc.body)[0].text == "Có 1.619 sáng kiến, 118%; 63,3./."
    found = dict(problems(base_spec(data={"so": 1.619}, body="{{ so }}")))
    assert "1619" in found["data.so"]


def test_a_bad_cell_value_names_its_column() -> None:
    template = SpecTemplate(base_spec(body="Đạt {{ so_sang_kien | ty_le(chi_tieu) }}."))
    with pytest.raises(SpecError) as info:
        template.document({"so_sang_kien": "abc", "chi_tieu": 40}, row=5)
    (problem,) = info.value.problems
    assert (problem.path, problem.row) == ("body", 5)
    assert problem.message.startswith("cột «so_sang_kien»: ") and "'abc'" in problem.message
