"""Every ND30 document type renders with its Số line and printed type name (issue 16)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from vn_union_docs import CongVan, KeHoach, SpecError, ThongBao, load_document, render_docx
from vn_union_docs.authoring.parts import FORM_SAMPLES
from vn_union_docs.documents.doc_types import DOC_TYPES, FORMS, MODELS
from vn_union_docs.rendering.templates import default_template

ROOT = Path(__file__).resolve().parents[2]
LEGACY = ROOT / "tests" / "fixtures" / "legacy_templates"

# NĐ 30/2020, Điều 7: the fixed type values other systems rely on.
ND30_TYPES = [
    "nghi_quyet", "quyet_dinh", "chi_thi", "quy_che", "quy_dinh", "thong_cao", "thong_bao",
    "huong_dan", "chuong_trinh", "ke_hoach", "phuong_an", "de_an", "du_an", "bao_cao", "bien_ban",
    "to_trinh", "hop_dong", "cong_dien", "ban_ghi_nho", "ban_thoa_thuan", "giay_uy_quyen",
    "giay_moi", "giay_gioi_thieu", "giay_nghi_phep", "phieu_gui", "phieu_chuyen", "phieu_bao",
    "thu_cong", "cong_van",
]

# The abbreviation table of Phụ lục III, Mục I (shared/nd30/viet-tat.md); thư công: none.
ABBREVIATIONS = {
    "nghi_quyet": "NQ", "quyet_dinh": "QĐ", "chi_thi": "CT", "quy_che": "QC", "quy_dinh": "QyĐ",
    "thong_cao": "TC", "thong_bao": "TB", "huong_dan": "HD", "chuong_trinh": "CTr",
    "ke_hoach": "KH", "phuong_an": "PA", "de_an": "ĐA", "du_an": "DA", "bao_cao": "BC",
    "bien_ban": "BB", "to_trinh": "TTr", "hop_dong": "HĐ", "cong_dien": "CĐ",
    "ban_ghi_nho": "BGN", "ban_thoa_thuan": "BTT", "giay_uy_quyen": "GUQ", "giay_moi": "GM",
    "giay_gioi_thieu": "GGT", "giay_nghi_phep": "GNP", "phieu_gui": "PG", "phieu_chuyen": "PC",
    "phieu_bao": "PB", "thu_cong": None, "cong_van": None,
}
PRINTED = {
    "nghi_quyet": "NGHỊ QUYẾT", "quyet_dinh": "QUYẾT ĐỊNH", "chi_thi": "CHỈ THỊ",
    "quy_che": "QUY CHẾ", "quy_dinh": "QUY ĐỊNH", "thong_cao": "THÔNG CÁO",
    "thong_bao": "THÔNG BÁO", "huong_dan": "HƯỚNG DẪN", "chuong_trinh": "CHƯƠNG TRÌNH",
    "ke_hoach": "KẾ HOẠCH", "phuong_an": "PHƯƠNG ÁN", "de_an": "ĐỀ ÁN", "du_an": "DỰ ÁN",
    "bao_cao": "BÁO CÁO", "bien_ban": "BIÊN BẢN", "to_trinh": "TỜ TRÌNH", "hop_dong": "HỢP ĐỒNG",
    "cong_dien": "CÔNG ĐIỆN", "ban_ghi_nho": "BẢN GHI NHỚ", "ban_thoa_thuan": "BẢN THỎA THUẬN",
    "giay_uy_quyen": "GIẤY ỦY QUYỀN", "giay_moi": "GIẤY MỜI", "giay_gioi_thieu": "GIẤY GIỚI THIỆU",
    "giay_nghi_phep": "GIẤY NGHỈ PHÉP", "phieu_gui": "PHIẾU GỬI", "phieu_chuyen": "PHIẾU CHUYỂN",
    "phieu_bao": "PHIẾU BÁO", "thu_cong": "THƯ", "cong_van": None,
}


def spec(doc_type: str, **extra: Any) -> dict[str, Any]:
    """A valid spec of ``doc_type`` (the form's own keys from the template-check samples)."""
    return {
        "type": doc_type, "number": 7, "place": "Thái Bình", "date": "2024-03-08",
        "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế",
                   "code": "CĐYT"},
        "subject": "Về việc tổ chức Hội nghị tổng kết năm 2023",
        "recipients": ["Các Công đoàn cơ sở trực thuộc"],
        "body": "# Nội dung\n\nMột đoạn nội dung.",
        "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn A"},
        "distribution": ["Như trên"],
        **FORM_SAMPLES.get(DOC_TYPES[doc_type].form, {}), **extra,
    }


def paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text, table cells included, in document order."""
    document = Document(io.BytesIO(data))
    body = document.element.body
    return ["".join(t.text or "" for t in p.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        for p in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")]


def test_the_type_values_are_the_fixed_list() -> None:
    assert list(DOC_TYPES) == ND30_TYPES
    assert {t: info.abbreviation for t, info in DOC_TYPES.items()} == ABBREVIATIONS


@pytest.mark.parametrize("doc_type", ND30_TYPES)
def test_every_type_renders_its_number_line_and_type_name(doc_type: str) -> None:
    doc = load_document(spec(doc_type))
    assert type(doc) is MODELS[doc_type]
    text = paragraphs(render_docx(doc))
    abbreviation = ABBREVIATIONS[doc_type]
    expected = f"Số: 07/{abbreviation}-CĐYT" if abbreviation else "Số: 07/CĐYT"
    assert expected in text
    if PRINTED[doc_type] is None:
        assert any(line.startswith("V/v ") for line in text)
    else:
        assert PRINTED[doc_type] in text  # a paragraph of its own
        assert not any(line.startswith("V/v ") for line in text)


def test_each_form_has_its_template_declaring_its_types() -> None:
    from vn_union_docs.rendering.compiled import declared_types

    for form, types in FORMS.items():
        path = default_template(types[0])
        assert path.name == f"{form}.docx"
        assert declared_types(path) == types
    assert set(FORMS) == {"cong_van", "van_ban", "quyet_dinh", "cong_dien", "giay_moi",
                          "giay_gioi_thieu", "bien_ban", "giay_nghi_phep"}


def test_the_three_classes_stay_importable() -> None:
    assert CongVan is MODELS["cong_van"] and KeHoach is MODELS["ke_hoach"]
    assert ThongBao is MODELS["thong_bao"]
    assert KeHoach.type_abbreviation == "KH" and ThongBao.printed_name == "THÔNG BÁO"


@pytest.mark.parametrize("doc_type", ["cong_van", "ke_hoach", "thong_bao"])
def test_templates_written_for_the_three_types_keep_working(doc_type: str) -> None:
    """The default templates as they were before the forms (a clerk's restyled copies)."""
    template = LEGACY / f"{doc_type}.docx"
    text = paragraphs(render_docx(load_document(spec(doc_type)), template=template))
    assert "Đào Văn A" in text
    other = "ke_hoach" if doc_type != "ke_hoach" else "thong_bao"
    from vn_union_docs.errors import TemplateError

    with pytest.raises(TemplateError, match="dành cho"):
        render_docx(load_document(spec(other)), template=template)


def test_to_trinh_needs_recipients() -> None:
    with pytest.raises(SpecError) as info:
        load_document(spec("to_trinh", recipients=[]))
    assert info.value.problems[0].path == "recipients"
    assert "tờ trình" in info.value.problems[0].message


def test_quyet_dinh_grounds_punctuation_and_articles() -> None:
    doc = load_document(spec("quyet_dinh", grounds=["Căn cứ Điều lệ Công đoàn Việt Nam;",
                                                     "Căn cứ Quy chế khen thưởng."],
                             proposal="Theo đề nghị của Ban Tổ chức.",
                             body="# Khen thưởng\n\n## Tập thể\n\n# Thi hành"))
    text = paragraphs(render_docx(doc))
    assert text.index("BAN THƯỜNG VỤ CÔNG ĐOÀN NGÀNH Y TẾ") < text.index(
        "Căn cứ Điều lệ Công đoàn Việt Nam;")
    assert "Căn cứ Quy chế khen thưởng;" in text
    assert "Theo đề nghị của Ban Tổ chức." in text
    assert text.index("Theo đề nghị của Ban Tổ chức.") < text.index("QUYẾT ĐỊNH:")
    assert "Điều 1. Khen thưởng" in text and "1. Tập thể" in text
    assert "Điều 2. Thi hành./." in text


def test_nghi_quyet_decides_with_quyet_nghi() -> None:
    text = paragraphs(render_docx(load_document(spec("nghi_quyet"))))
    assert "QUYẾT NGHỊ:" in text and "NGHỊ QUYẾT" in text and "QUYẾT ĐỊNH:" not in text


def test_bien_ban_layout() -> None:
    doc = load_document(spec("bien_ban", body="Nội dung cuộc họp.", signature=None))
    text = paragraphs(render_docx(doc))
    assert "Thư ký (người ghi biên bản): B" in text
    assert "Chủ trì (chủ tọa): A, Chủ tịch" in text
    assert "Cuộc họp kết thúc vào 11 giờ 00, ngày 15 tháng 3 năm 2024./." in text
    assert "Nội dung cuộc họp." in text  # the record is not closed: the closing line is
    assert "THƯ KÝ" in text and "CHỦ TỌA" in text
    assert text.index("THƯ KÝ") < text.index("CHỦ TỌA") < text.index("Nơi nhận:")
    assert not any("ngày 08 tháng 3 năm 2024" in line for line in text)  # no place-date line
    assert not any(line.startswith("TM.") for line in text)


def test_giay_moi_time_is_written_out() -> None:
    text = paragraphs(render_docx(load_document(spec("giay_moi", body=""))))
    assert "Thời gian: 08 giờ 00, thứ Sáu, ngày 15 tháng 3 năm 2024" in text
    assert "Địa điểm: Hội trường./." in text  # no notes: the last line closes the text
    assert "Công đoàn ngành Y tế trân trọng kính mời: Ông A" in text


def test_giay_nghi_phep_counts_days() -> None:
    text = paragraphs(render_docx(load_document(spec("giay_nghi_phep"))))
    assert any(line.startswith("Được nghỉ phép trong thời gian 05 ngày, kể từ ngày 04 tháng 3 "
                               "năm 2024 đến hết ngày 08 tháng 3 năm 2024 tại Hà Nội")
               for line in text)
    assert "Xác nhận của cơ quan (tổ chức) hoặc chính quyền địa phương nơi nghỉ phép" in text


@pytest.mark.parametrize(("key", "value", "path"), [
    ("time", "2024-02-30 08:00", "time"),
    ("valid_until", "30/02/2024", "valid_until"),
])
def test_bad_form_values_are_named(key: str, value: str, path: str) -> None:
    doc_type = "giay_moi" if key == "time" else "giay_gioi_thieu"
    with pytest.raises(SpecError) as info:
        load_document(spec(doc_type, **{key: value}))
    assert [p.path for p in info.value.problems] == [path]
