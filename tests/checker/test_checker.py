"""The document checker: every slip of issue 9 is caught with the right rule and place, its
corrected version reports nothing, and what the library renders passes with no finding."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
import typer
from conftest import make_spec
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from typer.testing import CliRunner

from vn_union_docs import checker
from vn_union_docs.checker import Finding, check, check_text, rules, rules_markdown
from vn_union_docs.cli.check import check_command

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def found(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, f.place) for f in findings}


def rule_ids(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


# ---------------------------------------------------------------------------- rules as data


def test_every_rule_has_code_and_every_function_a_rule() -> None:
    assert set(rules()) == set(checker.registry._CHECKS)


def test_rules_are_complete() -> None:
    for r in rules().values():
        assert r.severity in ("error", "warning", "info"), r.id
        assert r.message and r.source and r.description, r.id


def test_rules_markdown_is_up_to_date() -> None:
    text = (ROOT / "docs" / "checker-rules.md").read_text(encoding="utf-8")
    assert text == rules_markdown(), "run: python -c 'from vn_union_docs.checker import " \
        "rules_markdown; open(\"docs/checker-rules.md\", \"w\").write(rules_markdown())'"
    for rule_id in rules():
        assert f"`{rule_id}`" in text


# ---------------------------------------------------------------------------- spec slips


BASE: dict[str, Any] = {
    "type": "ke_hoach",
    "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế", "code": "CĐYT"},
    "number": 222,
    "place": "Thái Bình",
    "date": "2023-05-16",
    "subject": "Hưởng ứng Phong trào thi đua trong các cấp công đoàn",
    "body": (
        "Thực hiện Kế hoạch số 227/KH-LĐLĐ ngày 27/4/2023 của Liên đoàn Lao động tỉnh.\n\n"
        "# Mục đích, yêu cầu\n\n"
        "- Nâng cao nhận thức, trách nhiệm của đoàn viên.\n\n"
        "# Tổ chức thực hiện\n\n"
        "Nhận Kế hoạch này, đề nghị các Công đoàn cơ sở triển khai thực hiện.\n"
    ),
    "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn Truyền"},
    "distribution": ["LĐLĐ tỉnh (để b/c)", "CĐCS trực thuộc"],
    "archive": "VT, VP CĐN",
}


def spec(**changes: Any) -> dict[str, Any]:
    """The checker's base spec (a kế hoạch) with some keys replaced."""
    return make_spec(BASE, **changes)


def test_base_spec_is_clean() -> None:
    assert check(spec()) == []


BODY_SLIPS = [
    # (slip, correction, rule, severity)
    (
        # seed 004: sections I to V, then "III. TỔ CHỨC THỰC HIỆN"
        "I. MỤC ĐÍCH\n\nII. CHỦ ĐỀ\n\nIII. NỘI DUNG\n\nIV. TIÊU CHÍ\n\nV. GIẢI PHÁP\n\n"
        "III. TỔ CHỨC THỰC HIỆN",
        "I. MỤC ĐÍCH\n\nII. CHỦ ĐỀ\n\nIII. NỘI DUNG\n\nIV. TIÊU CHÍ\n\nV. GIẢI PHÁP\n\n"
        "VI. TỔ CHỨC THỰC HIỆN",
        "section-sequence", "error",
    ),
    (
        "Giai đoạn 2 (từ ngày 03/02/2025 đến 03/02/3030): thi đua chào mừng.",
        "Giai đoạn 2 (từ ngày 03/02/2025 đến 03/02/2030): thi đua chào mừng.",
        "date-implausible", "error",
    ),
    (
        "Hạn nộp báo cáo trước ngày 31/02/2023.",
        "Hạn nộp báo cáo trước ngày 28/02/2023.",
        "date-impossible", "error",
    ),
    (
        "Thi đua chào mừng kỷ niệm 85 năm Ngày Quốc khánh (02/9/1945-02/9/2025).",
        "Thi đua chào mừng kỷ niệm 80 năm Ngày Quốc khánh (02/9/1945-02/9/2025).",
        "anniversary-count", "error",
    ),
    (
        # seed 004, stage 2: one count for two events, each with its own parentheses
        "Thi đua chào mừng kỷ niệm 100 năm Ngày thành lập Đảng Cộng sản Việt Nam "
        "(03/02/1930-03/02/2030), 85 năm Ngày Cách mạng Tháng Tám (19/8/1945-19/8/2030) và "
        "Quốc khánh nước CNXHCN Việt Nam (02/9/1945-02/9/2025); 100 năm ngày thành lập Công "
        "đoàn Việt Nam (28/7/1929-28/7/2029).",
        "Thi đua chào mừng kỷ niệm 100 năm Ngày thành lập Đảng Cộng sản Việt Nam "
        "(03/02/1930-03/02/2030), 85 năm Ngày Cách mạng Tháng Tám (19/8/1945-19/8/2030) và "
        "Quốc khánh nước CNXHCN Việt Nam (02/9/1945-02/9/2030); 100 năm ngày thành lập Công "
        "đoàn Việt Nam (28/7/1929-28/7/2029).",
        "anniversary-count", "error",
    ),
    (
        "Tính đến cuối tháng 11/2022 đã có 3.992 sáng kiến được đăng ký trên chỉ tiêu là "
        "8.684 sáng kiến đạt 45,94%.",
        "Tính đến cuối tháng 11/2022 đã có 3.992 sáng kiến được đăng ký trên chỉ tiêu là "
        "8.684 sáng kiến đạt 45,97%.",
        "percent-mismatch", "error",
    ),
    (
        "Đã có 3992 sáng kiến được đăng ký trên chỉ tiêu là 8.684 sáng kiến.",
        "Đã có 3.992 sáng kiến được đăng ký trên chỉ tiêu là 8.684 sáng kiến.",
        "thousands-mixed", "warning",
    ),
    (
        "Thực hiện Công văn số 256/LĐLĐ ngày 7 tháng 3 năm 2023 của Liên đoàn Lao động.",
        "Thực hiện Công văn số 256/LĐLĐ ngày 07 tháng 3 năm 2023 của Liên đoàn Lao động.",
        "date-form", "warning",
    ),
    (
        "Thực hiện Kế hoạch số 17/KH-CĐYT ngày 12 tháng 1 năm 2022 của Công đoàn ngành.",
        "Thực hiện Kế hoạch số 17/KH-CĐYT ngày 12 tháng 01 năm 2022 của Công đoàn ngành.",
        "date-form", "warning",
    ),
    (
        "Thực hiện Kế hoạch số 17/KH-CĐYT ngày 12 tháng 03 năm 2022 của Công đoàn ngành.",
        "Thực hiện Kế hoạch số 17/KH-CĐYT ngày 12 tháng 3 năm 2022 của Công đoàn ngành.",
        "date-form", "warning",
    ),
    (
        "Thực hiện Công văn số 4381/TLD-VP ngày 21/6/2022 của Đoàn Chủ tịch.",
        "Thực hiện Công văn số 4381/TLĐ-VP ngày 21/6/2022 của Đoàn Chủ tịch.",
        "symbol-letter-d", "warning",
    ),
    (
        "# I. Mục đích, yêu cầu\n\nNội dung.",
        "# Mục đích, yêu cầu\n\nNội dung.",
        "heading-numbered", "error",  # render refuses it too (issue 13.5)
    ),
]


@pytest.mark.parametrize(("slip", "fixed", "rule", "severity"), BODY_SLIPS)
def test_body_slip_is_reported_and_its_correction_is_clean(
    slip: str, fixed: str, rule: str, severity: str
) -> None:
    findings = check(spec(body=slip))
    assert [(f.rule, f.place, f.severity) for f in findings] == [(rule, "body", severity)]
    assert check(spec(body=fixed)) == []


def test_messages_name_the_slip_in_vietnamese() -> None:
    [pct] = check_text("Đã có 3.992 sáng kiến trên chỉ tiêu 8.684 sáng kiến, đạt 45,94%.")
    assert pct.message == (
        "Tỷ lệ «45,94%» không khớp với số liệu trong cùng câu: 3.992/8.684 = 45,97%."
    )
    assert pct.source.startswith("Kiểm tra nội dung")
    jump, back = check_text("I. MỤC ĐÍCH\n\nII. NỘI DUNG\n\nV. GIẢI PHÁP\n\nIII. TỔ CHỨC")
    assert jump.message == "Mục «V» đứng sau mục «II»: số thứ tự đúng là «III»."
    assert back.message == "Mục «III» đứng sau mục «V»: số thứ tự đúng là «VI»."
    [first] = check_text("II. NỘI DUNG")
    assert first.message == "Mục «II» là mục đầu tiên: số thứ tự đúng là «I»."
    [ann] = check_text("kỷ niệm 85 năm Ngày Quốc khánh (02/9/1945-02/9/2025)")
    assert "«85 năm»" in ann.message and "(80 năm)" in ann.message


def test_seed_003_paragraph_reports_percentage_and_grouping() -> None:
    text = (
        "Qua phát động thực hiện giai đoạn 1, tính đến cuối tháng 11/2022 đã có 3992 sáng kiến "
        "được đăng ký thực hiện trên chỉ tiêu phân bổ của LĐLĐ Thành phố Hồ Chí Minh là 8.684 "
        "sáng kiến đạt 45,94%"
    )
    assert rule_ids(check_text(text)) == {"percent-mismatch", "thousands-mixed"}


def test_dates_in_the_past_and_periods_are_normal() -> None:
    text = (
        "Kỷ niệm 95 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929-28/7/2024). Giai đoạn 5 "
        "năm (2021-2025) và Đại hội nhiệm kỳ 2023-2028. Ngày 03/02/1930 Đảng ra đời. Đến năm "
        "2045 tỉnh phát triển; ngày 01 tháng 01 năm 2070 là mốc dài hạn."
    )
    assert check_text(text, document_date=date(2023, 5, 16)) == []


def test_numbers_that_are_not_counts() -> None:
    text = (
        "Căn cứ Công văn số 2799/UBND ngày 12/02/2022 và Nghị định số 30/2020/NĐ-CP; toàn tỉnh "
        "có 8.684 sáng kiến trong năm 2023 (Covid-19, TCVN 6909:2001). Liên hệ Điện thoại: "
        "0257.3827904 hoặc 0912345678, mã số 1234; lần thứ 1500 không phải số đếm."
    )
    assert check_text(text, document_date=date(2023, 5, 16)) == []


def test_percentage_agreeing_within_its_rounding_passes() -> None:
    assert check_text("Toàn ngành có 493/779 sáng kiến và bằng 63,3% so với chỉ tiêu.") == []
    assert check_text("Toàn tỉnh có 1.619 sáng kiến, đạt tỷ lệ 118% so với chỉ tiêu.") == []
    assert check_text("Có 1.619 sáng kiến trên chỉ tiêu 1.372, đạt tỷ lệ 118% chỉ tiêu.") == []
    # unrelated figures in one sentence: no guess
    assert check_text("Có 120 đoàn viên, 30 công đoàn cơ sở; 95% đoàn viên tham gia.") == []


def test_check_text_api() -> None:
    [f] = check_text("Hạn cuối 03/02/3030.", document_date=date(2023, 5, 16), place="subject")
    assert (f.rule, f.place) == ("date-implausible", "subject")
    assert "16/5/2023" in f.message
    assert check_text("Hạn cuối 03/02/3030.", document_date=date(3000, 1, 1)) == []


FRAME_SLIPS = [
    # (changes, correction, rule, place)
    ({"number": "256."}, {"number": 256}, "number-line", "number"),
    ({"symbol": "KH-CDYT"}, {"symbol": "KH-CĐYT"}, "symbol-letter-d", "symbol"),
    ({"issuer__code": "LĐLD"}, {"issuer__code": "LĐLĐ"}, "symbol-letter-d", "issuer.code"),
    ({"symbol": "CĐYT"}, {"symbol": "KH-CĐYT"}, "symbol-type", "symbol"),
    ({"type": "thong_bao", "symbol": "KH-CĐYT"}, {"type": "thong_bao", "symbol": "TB-CĐYT"},
     "symbol-type", "symbol"),
    ({"type": "cong_van", "symbol": "CV-CĐCS", "recipients": ["Các CĐCS"]},
     {"type": "cong_van", "symbol": "CĐCS", "recipients": ["Các CĐCS"]},
     "symbol-type", "symbol"),
    ({"symbol": "KH - CĐYT"}, {"symbol": "KH-CĐYT"}, "number-line", "symbol"),
    ({"place": "Tp. Thủ Đức"}, {"place": "Thủ Đức"}, "place-name", "place"),
    ({"place": "Tân an"}, {"place": "Tân An"}, "place-name", "place"),
    ({"date": "2023-02-30"}, {"date": "2023-02-28"}, "place-date", "date"),
    ({"distribution": ["LĐLĐ tỉnh; (b.cáo)", "CĐCS trực thuộc"]},
     {"distribution": ["LĐLĐ tỉnh (b.cáo)", "CĐCS trực thuộc"]},
     "distribution-items", "distribution[0]"),
    ({"distribution": ["LĐLĐ tỉnh;", "CĐCS trực thuộc"]},
     {"distribution": ["LĐLĐ tỉnh", "CĐCS trực thuộc"]}, "distribution-items", "distribution[0]"),
    ({"distribution": ["LĐLĐ tỉnh", "- CĐCS trực thuộc"]},
     {"distribution": ["LĐLĐ tỉnh", "CĐCS trực thuộc"]}, "distribution-items", "distribution[1]"),
    ({"archive": "VT."}, {"archive": "VT"}, "archive-line", "archive"),
    ({"archive": "Lưu: VT"}, {"archive": "VT"}, "archive-line", "archive"),
    ({"archive": "VP CĐN"}, {"archive": "VT, VP CĐN"}, "archive-vt", "archive"),
    ({"signature__capacity": "T/M. BAN CHẤP HÀNH"}, {"signature__capacity": "TM. BAN CHẤP HÀNH"},
     "signature-capacity", "signature.capacity"),
    ({"signature__capacity": ["TM. BAN THƯỜNG VỤ", "K/T CHỦ TỊCH"]},
     {"signature__capacity": ["TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"]},
     "signature-capacity", "signature.capacity[1]"),
    ({"signature__title": None}, {"signature__title": "Chủ tịch"}, "signature-title",
     "signature.title"),
]


@pytest.mark.parametrize(("changes", "fixed", "rule", "place"), FRAME_SLIPS)
def test_frame_slip_in_a_spec(
    changes: dict[str, Any], fixed: dict[str, Any], rule: str, place: str
) -> None:
    assert found(check(spec(**changes))) == {(rule, place)}
    assert check(spec(**fixed)) == []


def test_capacity_message_offers_the_fix() -> None:
    [f] = check(spec(signature__capacity="T/M. BAN CHẤP HÀNH"))
    assert "«TM. BAN CHẤP HÀNH»" in f.message and f.severity == "error"


SPEC_FILE = """\
type: cong_van
issuer:
  name: Liên đoàn Lao động tỉnh Phú Yên
  code: LĐLĐ
number: 112
place: Phú Yên
date: {date}
subject: tiếp tục triển khai giai đoạn 2 Chương trình 01 triệu sáng kiến
recipients:
  - Các cấp công đoàn trong tỉnh
body: |
  Kết thúc giai đoạn 1, toàn tỉnh có 1.619 sáng kiến, đạt tỷ lệ 118% so với chỉ tiêu.
signature:
  capacity: TM. BAN THƯỜNG VỤ
  title: Chủ tịch
  name: Phan Quốc Thắng
distribution:
  - Như trên
  - {item}
  - Lưu: {archive}
"""


def test_spec_file_yaml_pitfalls(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SPEC_FILE.format(date="2022-07-04", item="BQT Website: đăng tin", archive="VP"),
        encoding="utf-8",
    )
    assert found(check(bad)) == {
        ("distribution-items", "distribution[1]"),
        ("archive-vt", "distribution[2]"),
    }
    good = tmp_path / "good.yaml"
    good.write_text(
        SPEC_FILE.format(date="2022-07-04", item='"BQT Website: đăng tin"', archive="VT, VP"),
        encoding="utf-8",
    )
    assert check(good) == []


def test_spec_file_impossible_date_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SPEC_FILE.format(date="2022-02-30", item="LĐLĐ tỉnh", archive="VT"), encoding="utf-8"
    )
    assert found(check(bad)) == {("place-date", "date")}


def test_unreadable_and_unsupported_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("type: [unclosed\n", encoding="utf-8")
    [f] = check(broken)
    assert (f.rule, f.place, f.severity) == ("unreadable", "tệp", "error")
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"not a zip")
    assert rule_ids(check(fake)) == {"unreadable"}
    with pytest.raises(ValueError):
        check(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError):
        check(tmp_path / "missing.yaml")


def test_json_spec_file(tmp_path: Path) -> None:
    path = tmp_path / "kh.json"
    path.write_text(json.dumps(spec(symbol="KH-CDYT"), ensure_ascii=False), encoding="utf-8")
    assert found(check(path)) == {("symbol-letter-d", "symbol")}


# ---------------------------------------------------------------------------- .docx


def _page_field(paragraph: Any) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


BODY = [
    "Chương trình “1 triệu sáng kiến” do Tổng Liên đoàn Lao động Việt Nam tổ chức đã được các "
    "cấp Công đoàn và đoàn viên, CNVCLĐ trong tỉnh tích cực hưởng ứng. Kết thúc giai đoạn 1, "
    "toàn tỉnh tham gia 1.619 sáng kiến, đạt tỷ lệ 118% so với chỉ tiêu được giao.",
    "Thực hiện Công văn số 4381/TLĐ-VP ngày 21/6/2022 của Đoàn Chủ tịch Tổng Liên đoàn Lao "
    "động Việt Nam về việc tiếp tục triển khai giai đoạn 2 Chương trình.",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "Phấn đấu hoàn thành chỉ tiêu đến hết ngày 31/8/2023 đạt 4.133 sáng kiến; liên hệ Ban "
    "Chính sách pháp luật, Điện thoại: 0257.3827904.",
    "II. TỔ CHỨC THỰC HIỆN",
    "Đề nghị các cấp công đoàn trong tỉnh quán triệt, tổ chức triển khai thực hiện có hiệu quả "
    "các nội dung trên./.",
]


def make_docx(
    path: Path,
    *,
    font: str = "Times New Roman",
    margins: tuple[float, float, float, float] = (20, 20, 30, 15),  # top bottom left right
    a4: bool = True,
    number_line: str = "Số: 112/LĐLĐ",
    national_title: str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    motto: str = "Độc lập - Tự do - Hạnh phúc",
    place_date: str = "Phú Yên, ngày 07 tháng 3 năm 2023",
    date_italic: bool = True,
    body: list[str] | None = None,
    body_size: float = 14,
    distribution: tuple[str, ...] = ("- Như trên;", "- Các đ/c BTV LĐLĐ tỉnh;", "- Lưu: VT, VP."),
    capacity: str = "TM. BAN THƯỜNG VỤ",
    title: str | None = "CHỦ TỊCH",
    page_numbers: str = "header",  # header | first-too | footer | none
) -> Path:
    """A công văn made "by hand" with python-docx: header and signature in tables, as clerks
    make them in Word; every keyword produces one slip when changed."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(13)
    section = document.sections[0]
    if a4:
        section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = margins
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)

    def write(paragraph: Any, text: str, *, size: float = 13, italic: bool = False,
              bold: bool = False) -> None:
        run = paragraph.add_run(text)
        run.font.name = font
        run.font.size = Pt(size)
        run.italic = italic
        run.bold = bold

    def cell_lines(cell: Any, lines: list[tuple[str, dict[str, Any]]]) -> None:
        first = True
        for text, fmt in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            write(paragraph, text, **fmt)

    head = document.add_table(rows=1, cols=2)
    cell_lines(head.cell(0, 0), [
        ("LIÊN ĐOÀN LAO ĐỘNG TỈNH PHÚ YÊN", {"bold": True}),
        (number_line, {}),
        ("V/v tiếp tục triển khai giai đoạn 2", {"size": 12}),
    ])
    cell_lines(head.cell(0, 1), [
        (national_title, {"bold": True, "size": 12}),
        (motto, {"bold": True}),
        ("", {}),
        (place_date, {"italic": date_italic, "size": 14}),
    ])
    write(document.add_paragraph(), "Kính gửi: Các cấp công đoàn trong tỉnh", size=14)
    for text in body if body is not None else BODY:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        write(paragraph, text, size=body_size, bold=text.isupper())
    foot = document.add_table(rows=1, cols=2)
    cell_lines(foot.cell(0, 0), [
        ("Nơi nhận:", {"bold": True, "italic": True, "size": 12}),
        *[(line, {"size": 11}) for line in distribution],
    ])
    signature = [(capacity, {"bold": True, "size": 14})]
    if title:
        signature.append((title, {"bold": True, "size": 14}))
    signature += [("", {}), ("", {}), ("Phan Quốc Thắng", {"bold": True, "size": 14})]
    cell_lines(foot.cell(0, 1), signature)

    if page_numbers in ("header", "first-too"):
        _page_field(section.header.paragraphs[0])
        section.different_first_page_header_footer = page_numbers == "header"
    elif page_numbers == "footer":
        _page_field(section.footer.paragraphs[0])
        section.different_first_page_header_footer = True
    document.save(str(path))
    return path


# paragraph numbers in make_docx's document (only paragraphs with text count)
P_NUMBER, P_DATE, P_MOTTO, P_BODY, P_LUU, P_CAPACITY = 2, 6, 5, 8, 17, 18


def test_correct_handmade_docx_reports_nothing(tmp_path: Path) -> None:
    assert check(make_docx(tmp_path / "good.docx")) == []


def test_handmade_docx_with_the_usual_slips(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "bad.docx",
        font="Arial",
        margins=(20, 20, 20, 20),
        number_line="Số 112/LĐLD",
        place_date="Phú Yên, ngày 7 tháng 3 năm 2023",
        distribution=("- Như trên;", "- Các đ/c BTV LĐLĐ tỉnh;", "- Lưu: VT"),
    )
    findings = check(path)
    assert found(findings) == {
        ("margins", "thiết lập trang"),
        ("font", "đoạn 1: «LIÊN ĐOÀN LAO ĐỘNG TỈNH PHÚ YÊN»"),
        ("number-line", f"đoạn {P_NUMBER}: «Số 112/LĐLD»"),
        ("symbol-letter-d", f"đoạn {P_NUMBER}: «Số 112/LĐLD»"),
        ("place-date", f"đoạn {P_DATE}: «Phú Yên, ngày 7 tháng 3 năm 2023»"),
        ("distribution-items", f"đoạn {P_LUU}: «- Lưu: VT»"),
    }
    by_rule = {f.rule: f for f in findings}
    assert "Arial" in by_rule["font"].message
    assert "trái 20 mm" in by_rule["margins"].message
    assert "«Phú Yên, ngày 07 tháng 3 năm 2023»" in by_rule["place-date"].message
    assert "hai chấm" in by_rule["number-line"].message
    assert all(f.severity == "error" for f in findings if f.rule != "symbol-letter-d")


@pytest.mark.parametrize(
    ("kwargs", "rule", "place"),
    [
        ({"a4": False}, "page-size", "thiết lập trang"),
        ({"margins": (15, 20, 30, 15)}, "margins", "thiết lập trang"),
        ({"national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM."}, "national-title",
         "đoạn 4: «CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM.»"),
        ({"motto": "Độc lập – Tự do – Hạnh phúc"}, "motto",
         f"đoạn {P_MOTTO}: «Độc lập – Tự do – Hạnh phúc»"),
        ({"number_line": "Số: 256./LĐLĐ"}, "number-line", f"đoạn {P_NUMBER}: «Số: 256./LĐLĐ»"),
        ({"number_line": "Số: 58 /LĐLĐ"}, "number-line", f"đoạn {P_NUMBER}: «Số: 58 /LĐLĐ»"),
        ({"number_line": "Số: 5/LĐLĐ"}, "number-line", f"đoạn {P_NUMBER}: «Số: 5/LĐLĐ»"),
        ({"number_line": "Số: 112/KH-LĐLĐ"}, "symbol-type",
         f"đoạn {P_NUMBER}: «Số: 112/KH-LĐLĐ»"),
        ({"place_date": "Phú Yên, ngày 04 tháng 07 năm 2022"}, "place-date",
         f"đoạn {P_DATE}: «Phú Yên, ngày 04 tháng 07 năm 2022»"),
        ({"place_date": "Phú Yên, ngày 23 tháng 2 năm 2023"}, "place-date",
         f"đoạn {P_DATE}: «Phú Yên, ngày 23 tháng 2 năm 2023»"),
        ({"place_date": "Phú Yên ngày 23 tháng 02 năm 2023"}, "place-date",
         f"đoạn {P_DATE}: «Phú Yên ngày 23 tháng 02 năm 2023»"),
        ({"place_date": "Phú Yên, ngày 23 tháng 02 năm 2023."}, "place-date",
         f"đoạn {P_DATE}: «Phú Yên, ngày 23 tháng 02 năm 2023.»"),
        ({"place_date": "Tp. Tuy Hòa, ngày 23 tháng 02 năm 2023"}, "place-name",
         f"đoạn {P_DATE}: «Tp. Tuy Hòa, ngày 23 tháng 02 năm 2023»"),
        ({"date_italic": False}, "place-date-italic",
         f"đoạn {P_DATE}: «Phú Yên, ngày 07 tháng 3 năm 2023»"),
        ({"body_size": 12}, "font-size", f"đoạn {P_BODY}: «{BODY[0][:59]}…»"),
        ({"distribution": ("- LĐLĐ tỉnh; (b.cáo)", "- Lưu: VT.")}, "distribution-items",
         f"đoạn {P_LUU - 2}: «- LĐLĐ tỉnh; (b.cáo)»"),
        ({"distribution": ("- Như trên;", "- Các đ/c BTV;", "- Lưu VT.")}, "archive-line",
         f"đoạn {P_LUU}: «- Lưu VT.»"),
        ({"distribution": ("- Như trên;", "- Các đ/c BTV;", "- Lưu: VP CĐN.")}, "archive-vt",
         f"đoạn {P_LUU}: «- Lưu: VP CĐN.»"),
        ({"capacity": "T/M. BAN CHẤP HÀNH"}, "signature-capacity",
         f"đoạn {P_CAPACITY}: «T/M. BAN CHẤP HÀNH»"),
        ({"title": None}, "signature-title", f"đoạn {P_CAPACITY}: «TM. BAN THƯỜNG VỤ»"),
        ({"page_numbers": "first-too"}, "page-numbers", "đầu trang (header)"),
        ({"page_numbers": "footer"}, "page-numbers", "chân trang (footer)"),
        ({"page_numbers": "none", "body": BODY[:2] * 12}, "page-numbers", "đầu trang (header)"),
        ({"body": [*BODY[:4], "III. TỔ CHỨC THỰC HIỆN", *BODY[5:]]}, "section-sequence",
         f"đoạn {P_BODY + 4}: «III. TỔ CHỨC THỰC HIỆN»"),
        ({"body": [*BODY[:1], "Kỷ niệm 85 năm Ngày Quốc khánh (02/9/1945-02/9/2025)."]},
         "anniversary-count",
         f"đoạn {P_BODY + 1}: «…niệm 85 năm Ngày Quốc khánh (02/9/1945-02/9/2025).»"),
    ],
)
def test_handmade_docx_slip(tmp_path: Path, kwargs: dict[str, Any], rule: str, place: str) -> None:
    assert found(check(make_docx(tmp_path / "slip.docx", **kwargs))) == {(rule, place)}


def test_handmade_header_with_tabs_instead_of_a_table(tmp_path: Path) -> None:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    lines = [
        "LIÊN ĐOÀN LAO ĐỘNG TỈNH PHÚ YÊN\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "\t\tĐộc lập - Tự do - Hạnh phúc",
        "Số: 112/LĐLĐ\t\tPhú Yên, ngày 7 tháng 3 năm 2023",
        "Kính gửi: Các cấp công đoàn trong tỉnh",
        BODY[0],
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, VP.",
        "TM. BAN THƯỜNG VỤ",
        "CHỦ TỊCH",
        "Phan Quốc Thắng",
    ]
    for k, text in enumerate(lines):
        document.add_paragraph().add_run(text).italic = k == 2
    path = tmp_path / "tabs.docx"
    document.save(str(path))
    assert found(check(path)) == {
        ("place-date", "đoạn 3: «Phú Yên, ngày 7 tháng 3 năm 2023»")
    }


def test_short_document_needs_no_page_number(tmp_path: Path) -> None:
    assert check(make_docx(tmp_path / "short.docx", page_numbers="none")) == []


def test_docx_without_frame_reports_missing_parts(tmp_path: Path) -> None:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(14)
    document.add_paragraph("Một đoạn văn không có phần thể thức nào.")
    path = tmp_path / "bare.docx"
    document.save(str(path))
    assert rule_ids(check(path)) == {"national-title", "motto", "place-date",
                                     "distribution-items"}


def test_theme_font_of_a_default_document_is_reported(tmp_path: Path) -> None:
    document = docx.Document()  # python-docx's default: the theme's body font, Cambria
    document.add_paragraph("Nội dung")
    path = tmp_path / "calibri.docx"
    document.save(str(path))
    fonts = [f for f in check(path) if f.rule == "font"]
    assert len(fonts) == 1 and "«Cambria»" in fonts[0].message


def test_check_accepts_a_document_object(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "x.docx", number_line="Số 112/LĐLĐ")
    assert rule_ids(check(docx.Document(str(path)))) == {"number-line"}


# ---------------------------------------------------------------------------- CLI


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("check")(check_command)

    @app.callback()
    def main() -> None:
        """Test app."""

    return app


def test_cli_lists_the_problems_of_a_handmade_docx(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "tay.docx", font="Arial", margins=(20, 20, 20, 20),
        place_date="Phú Yên, ngày 7 tháng 3 năm 2023",
    )
    result = CliRunner().invoke(_app(), ["check", str(path)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "[margins]" in out and "Lề trái 20 mm" in out
    assert "[font]" in out and "Arial" in out
    assert "[place-date]" in out and "ngày 7 tháng 3" in out
    assert "lỗi" in out and "Tổng cộng" in out


def test_cli_json_and_exit_codes(tmp_path: Path) -> None:
    bad = make_docx(tmp_path / "bad.docx", number_line="Số 112/LĐLĐ")
    good = make_docx(tmp_path / "good.docx")
    runner = CliRunner()
    result = runner.invoke(_app(), ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert {(r["file"], r["rule"]) for r in rows} == {(str(bad), "number-line")}
    assert set(rows[0]) == {"file", "rule", "severity", "message", "place", "source"}
    assert runner.invoke(_app(), ["check", str(good)]).exit_code == 0
    warn = tmp_path / "warn.yaml"
    warn.write_text(json.dumps(spec(symbol="KH-CDYT"), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(_app(), ["check", str(warn)])
    assert result.exit_code == 0 and "cảnh báo" in result.output
    # a missing path is reported like an error (the other paths are still checked)
    assert runner.invoke(_app(), ["check", str(tmp_path / "missing.yaml")]).exit_code == 1
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert runner.invoke(_app(), ["check", str(tmp_path / "notes.txt")]).exit_code == 2


# ---------------------------------------------------------------------------- no false alarms


@pytest.mark.skipif(not EXAMPLES, reason="no examples/*.yaml yet")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_and_their_rendering_have_no_finding(example: Path, tmp_path: Path) -> None:
    from vn_union_docs import load_document, render_docx

    # The one warning an example shows on purpose (issue 15: a document with no number).
    allowed = {"tb-khong-so-cdcs.yaml": ["unnumbered"]}.get(example.name, [])
    assert [f.rule for f in check(example)] == allowed
    doc = load_document(example)
    assert [f.rule for f in check(doc)] == allowed
    out = tmp_path / f"{example.stem}.docx"
    render_docx(doc, out)
    assert [f.rule for f in check(out)] == allowed


def test_spec_that_render_would_refuse_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "typo.yaml"
    bad.write_text(
        SPEC_FILE.format(date="2022-07-04", item="LĐLĐ tỉnh", archive="VT").replace(
            "subject:", "subjct:"), encoding="utf-8")
    findings = check(bad)
    assert {(f.rule, f.place) for f in findings} == {("spec-invalid", "subject"),
                                                     ("spec-invalid", "subjct")}
    assert all(f.severity == "error" for f in findings)
    assert any("subject" in f.message for f in findings if f.place == "subjct")
