"""Joint documents, type_name, unnumbered documents, outline levels and appendices (issue 15)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import docx_paragraphs
from docx import Document
from typer.testing import CliRunner

from vn_union_docs import SpecError, check, load_document, render_docx
from vn_union_docs.cli.app import app
from vn_union_docs.errors import TemplateError

ROOT = Path(__file__).resolve().parents[2]
LEGACY = ROOT / "tests" / "fixtures" / "legacy_templates"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def spec(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "thong_bao", "number": 5, "place": "Hà Nội", "date": "2024-05-10",
        "issuer": {"name": "Trường Đại học Xây dựng Hà Nội", "code": "ĐHXD"},
        "subject": "Kết quả Hội nghị", "body": "Nội dung, xem Phụ lục kèm theo.",
        "signature": {"capacity": "KT. HIỆU TRƯỞNG", "title": "Phó Hiệu trưởng",
                      "name": "Nguyễn Văn A"},
        "distribution": ["Như trên"],
    }
    base.update(extra)
    return base


JOINT = {
    "issuer": [{"name": "Trường Đại học Xây dựng Hà Nội", "code": "ĐHXD"},
               {"name": "Công đoàn Trường", "code": "CĐT"}],
    "signature": [{"capacity": "KT. HIỆU TRƯỞNG", "title": "Phó Hiệu trưởng",
                   "name": "Nguyễn Văn A"},
                  {"capacity": "TM. BAN CHẤP HÀNH", "title": "Chủ tịch", "name": "Trần Thị B"}],
}


def lines(data: bytes) -> list[str]:
    return docx_paragraphs(data)


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as info:
        load_document(data)
    return [(p.path, p.message) for p in info.value.problems]


# --------------------------------------------------------------------------- joint


def test_joint_number_line_header_and_type_name() -> None:
    # a long name is broken into lines (<w:br/>, read as "\n"); compare the words
    text = [line.replace("\n", " ") for line in lines(render_docx(load_document(spec(**JOINT))))]
    assert "Số: 05/TBLT-ĐHXD-CĐT" in text
    assert "THÔNG BÁO LIÊN TỊCH" in text
    lead = text.index("TRƯỜNG ĐẠI HỌC XÂY DỰNG HÀ NỘI")
    other = next(i for i, line in enumerate(text) if line.startswith("CÔNG ĐOÀN TRƯỜNG"))
    assert lead < other < text.index("Số: 05/TBLT-ĐHXD-CĐT")


def test_joint_cong_van_has_no_abbreviation() -> None:
    doc = load_document(spec(type="cong_van", number=12, recipients=["Các đơn vị"], **JOINT))
    assert "Số: 12/ĐHXD-CĐT" in lines(render_docx(doc))


def test_joint_signatures_side_by_side_lead_on_the_right() -> None:
    document = Document(io.BytesIO(render_docx(load_document(spec(**JOINT)))))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    pair = next(row for row in rows if "Nguyễn Văn A" in row[-1])
    assert "Trần Thị B" in pair[0] and "TM. BAN CHẤP HÀNH" in pair[0]
    assert "KT. HIỆU TRƯỞNG" in pair[1]
    text = lines(render_docx(load_document(spec(**JOINT))))
    assert text.index("Nguyễn Văn A") < text.index("Nơi nhận:")  # Nơi nhận below them


def test_symbol_still_overrides() -> None:
    assert load_document(spec(symbol="TBLT-XD", **JOINT)).symbol_text == "TBLT-XD"


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"issuer": []}, "issuer", "trống"),
    ({"issuer": [{"name": "A", "code": "A"}, {"name": "B"}]}, "issuer[1].code", "thiếu"),
    ({"outline": ["khoan", "muc"]}, "outline", "không thể đứng sau"),
    ({"outline": ["muc", "chapter"]}, "outline", "«chapter» không có"),
    ({"appendices": [{"title": "Danh sách"}]}, "appendices[0].body", "thiếu"),
    ({"unnumbered": True}, "unnumbered", "không có number"),
])
def test_bad_input_one_clear_message(change: dict[str, Any], path: str, words: str) -> None:
    found = problems(spec(**change))
    assert len(found) == 1 and found[0][0] == path and words in found[0][1], found


def test_cli_bad_input_exit_1_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("type: thong_bao\nissuer: []\nplace: A\nsubject: B\nbody: C\n"
                   "signature: {name: D}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["render", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "issuer" in result.output
    assert not list((tmp_path / "out").glob("*.docx")) if (tmp_path / "out").exists() else True


# --------------------------------------------------------------------------- type_name, unnumbered


def test_type_name_override_and_its_warning() -> None:
    doc = load_document(spec(type="chuong_trinh", type_name="Chương trình phối hợp"))
    assert "CHƯƠNG TRÌNH PHỐI HỢP" in lines(render_docx(doc))
    assert "Số: 05/CTr-ĐHXD" in lines(render_docx(doc))
    assert not [f for f in check(spec(type="chuong_trinh", type_name="Chương trình phối hợp"))]
    found = [f for f in check(spec(type_name="Kế hoạch liên tịch")) if
             f.rule == "type-name-symbol"]
    assert found and found[0].severity == "warning" and "«KH»" in found[0].message


def test_unnumbered_has_no_number_line_unlike_a_draft() -> None:
    unnumbered = lines(render_docx(load_document(spec(number=None, unnumbered=True))))
    assert not any(line.startswith("Số:") for line in unnumbered)
    draft = lines(render_docx(load_document(spec(number=None))))
    assert "Số: " + " " * 6 + "/TB-ĐHXD" in draft
    assert [f.rule for f in check(spec(number=None, unnumbered=True))] == ["unnumbered"]


# --------------------------------------------------------------------------- outline


def test_outline_parts_and_sections_restart() -> None:
    body = ("# Kết quả\n\n## Tình hình\n\n### Một\n\nA.\n\n## Chỉ tiêu\n\nB.\n\n"
            "# Phương hướng\n\n## Mục tiêu\n\nC.")
    text = lines(render_docx(load_document(spec(outline=["phan", "muc", "khoan"], body=body))))
    assert text[text.index("Phần I") + 1] == "KẾT QUẢ"
    assert "I. TÌNH HÌNH" in text and "1. Một" in text and "II. CHỈ TIÊU" in text
    assert text[text.index("Phần II") + 1] == "PHƯƠNG HƯỚNG"
    assert "I. MỤC TIÊU" in text  # mục restart in each phần


def test_outline_chuong_muc_dieu() -> None:
    body = ("# Quy định chung\n\n## Phạm vi\n\n### Điều chỉnh\n\nA.\n\n### Đối tượng\n\nB.\n\n"
            "# Tổ chức\n\n## Hội nghị\n\n### Thời gian\n\nC.")
    text = lines(render_docx(load_document(spec(type="quy_che",
                                                outline=["chuong", "muc", "dieu"], body=body))))
    assert text[text.index("Chương I") + 1] == "QUY ĐỊNH CHUNG"
    assert text[text.index("Mục 1") + 1] == "PHẠM VI"
    assert "Điều 1. Điều chỉnh" in text and "Điều 2. Đối tượng" in text
    assert text[text.index("Chương II") + 1] == "TỔ CHỨC"
    assert "Điều 3. Thời gian" in text  # điều run on through the document
    assert text.count("Mục 1") == 2  # mục restart in each chương


def test_default_outline_unchanged() -> None:
    text = lines(render_docx(load_document(spec(body="# Mục đích\n\n## Một\n\n### Hai\n\nA."))))
    assert "I. MỤC ĐÍCH" in text and "1. Một" in text and "a) Hai" in text


def test_heading_deeper_than_outline_is_refused() -> None:
    found = problems(spec(outline=["muc"], body="# A\n\n## B"))
    assert found[0][0] == "body" and "quá sâu" in found[0][1]


# --------------------------------------------------------------------------- appendices


def _sections(data: bytes) -> list[dict[str, Any]]:
    document = Document(io.BytesIO(data))
    out = []
    for section in document.sections:
        sect = section._sectPr
        start = sect.find(f"{W}pgNumType")
        out.append({"landscape": section.page_width > section.page_height,
                    "restart": start is not None and start.get(f"{W}start") == "1",
                    "title_page": section.different_first_page_header_footer,
                    "header": section.header.paragraphs[0].text if section.header else ""})
    return out


def test_appendices_sections_numbering_and_guide_line() -> None:
    doc = load_document(spec(appendices=[
        {"title": "Danh sách đơn vị", "body": "| TT | Đơn vị |\n|---|---|\n| 1 | A |"},
        {"body": "Bảng rộng.", "landscape": True}]))
    data = render_docx(doc)
    text = lines(data)
    assert "Phụ lục I" in text and "Phụ lục II" in text
    assert "DANH SÁCH ĐƠN VỊ" in text
    guide = ("(Kèm theo Thông báo số 05/TB-ĐHXD ngày 10 tháng 5 năm 2024 của Trường Đại học "
             "Xây dựng Hà Nội)")
    assert text.count(guide) == 2
    assert text.index("Nơi nhận:") < text.index("Phụ lục I")
    sections = _sections(data)
    assert [s["landscape"] for s in sections] == [False, False, True]
    assert [s["restart"] for s in sections[1:]] == [True, True]
    assert all(s["title_page"] for s in sections)
    assert check(doc) == []
    assert render_docx(doc) == data  # deterministic


def test_single_appendix_and_draft_guide() -> None:
    doc = load_document(spec(number=None, date=None, draft_year=2024,
                             appendices=[{"body": "Nội dung."}]))
    text = lines(render_docx(doc))
    assert "Phụ lục" in text and "Phụ lục I" not in text
    assert any(line.startswith("(Kèm theo Thông báo số      /TB-ĐHXD ngày      tháng      "
                               "năm 2024") for line in text)


def test_electronic_guide_line_leaves_number_and_date_blank() -> None:
    from vn_union_docs.rendering.appendix import guide_line

    doc = load_document(spec(appendices=[{"body": "A."}]))
    assert guide_line(doc, electronic=True).startswith(
        "(Kèm theo Thông báo số      /TB-ĐHXD ngày      tháng      năm 2024 của")


def test_schema_describes_the_new_keys() -> None:
    import json

    result = CliRunner().invoke(app, ["schema"])
    schema = json.loads(result.output)
    props = schema["$defs"]["ThongBao"]["properties"]
    for key in ("type_name", "unnumbered", "outline", "appendices"):
        assert props[key].get("description"), key
    assert any(branch.get("type") == "array" for branch in props["issuer"]["anyOf"])
    assert any(branch.get("type") == "array" for branch in props["signature"]["anyOf"])
    assert "joint_issuers" not in props
    appendix = schema["$defs"]["Appendix"]
    assert appendix["required"] == ["body"] and "landscape" in appendix["properties"]


def test_appendix_rendered_file_checks_clean(tmp_path: Path) -> None:
    out = tmp_path / "a.docx"
    render_docx(load_document(spec(appendices=[{"body": "Bảng.", "landscape": True}])), out)
    assert check(out) == []


def test_appendix_unmentioned_is_warned(tmp_path: Path) -> None:
    data = spec(body="Nội dung.", appendices=[{"body": "Bảng."}])
    assert [f.rule for f in check(data)] == ["appendix-unmentioned"]
    out = tmp_path / "a.docx"
    render_docx(load_document(data), out)
    assert [f.rule for f in check(out)] == ["appendix-unmentioned"]


def test_old_template_refuses_appendices_but_renders_the_rest() -> None:
    template = LEGACY / "thong_bao.docx"
    assert "Nguyễn Văn A" in lines(render_docx(load_document(spec()), template=template))
    with pytest.raises(TemplateError, match="appendix_xml"):
        render_docx(load_document(spec(appendices=[{"body": "A."}])), template=template)


# --------------------------------------------------------------------------- batch


def test_batch_placeholders_in_every_new_key(tmp_path: Path) -> None:
    from vn_union_docs.batch import generate

    template = spec(
        issuer=[{"name": "Trường {{ truong }}", "code": "{{ ma }}"},
                {"name": "Công đoàn Trường {{ truong }}", "code": "CĐT"}],
        signature=[{"capacity": "KT. HIỆU TRƯỞNG", "title": "Phó Hiệu trưởng",
                    "name": "{{ hieu_pho }}"},
                   {"capacity": "TM. BAN CHẤP HÀNH", "title": "Chủ tịch", "name": "{{ ct }}"}],
        type_name="{{ ten_loai }}",
        appendices=[{"title": "Đơn vị thuộc {{ truong }}",
                     "body": "Danh sách: {{ don_vi }}, *không* in đậm: {{ sao }}."}],
    )
    rows = [{"truong": "Xây dựng", "ma": "ĐHXD", "hieu_pho": "A", "ct": "B",
             "ten_loai": "Thông báo phối hợp", "don_vi": "Khoa 1", "sao": "*x*"},
            {"truong": "Thủy lợi", "ma": "ĐHTL", "hieu_pho": "C", "ct": "D",
             "ten_loai": "Thông báo phối hợp", "don_vi": "Khoa 2", "sao": "|"}]
    report = generate(template, rows, tmp_path, jobs=1)
    assert report.ok, report.failed
    files = sorted(tmp_path.glob("*.docx"))
    assert len(files) == 2
    second = lines(files[1].read_bytes())
    assert "Số: 05/TBLT-ĐHTL-CĐT" in second and "THÔNG BÁO PHỐI HỢP" in second
    assert "ĐƠN VỊ THUỘC THỦY LỢI" in second and "D" in second
    assert "Danh sách: Khoa 2, không in đậm: |./." in second
    with zipfile.ZipFile(files[0]) as archive:
        assert b"*x*" in archive.read("word/document.xml")  # a value's * prints as typed
