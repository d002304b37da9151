"""Issue 13.10: the ``data:`` section documented from the code, Vietnamese aliases, and one
bad key reported alone."""

from __future__ import annotations

import pytest
from conftest import make_spec

from vn_union_docs import load_document
from vn_union_docs.authoring.data_doc import DOC_PATH, SECTIONS, data_markdown
from vn_union_docs.campaign.spec_data import FIELD_ALIASES, SECTION_ALIASES, build_data
from vn_union_docs.errors import SpecError


def test_the_committed_doc_is_generated_from_the_code() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == data_markdown(), (
        "run: python -m vn_union_docs.authoring.data_doc")


def test_every_recognised_key_is_documented_with_an_example() -> None:
    text = data_markdown()
    for key in SECTION_ALIASES.values():
        assert f"## `{key}`" in text
    assert {s[0] for s in SECTIONS} == set(SECTION_ALIASES.values())
    for attribute in ("percent_text", "anniversaries_text", "period_text", "below"):
        assert f"`{attribute}`" in text
    assert text.count("Prints: ") == len(SECTIONS)
    for alias in ("`dat`", "`chi_tieu`", "`ten`", "`tien_do`"):
        assert alias in text


def test_vietnamese_aliases_mean_the_same() -> None:
    english = build_data({"progress": {"achieved": 246, "target": 245},
                          "units": [{"name": "CĐCS A", "achieved": 12, "target": 20}]})
    vietnamese = build_data({"tien_do": {"dat": 246, "chi_tieu": 245},
                             "don_vi": [{"ten": "CĐCS A", "thuc_hien": 12, "chi_tieu": 20}]})
    assert vietnamese["progress"].text == english["progress"].text
    assert vietnamese["units"].table() == english["units"].table()
    assert set(FIELD_ALIASES.values()) >= {"achieved", "target", "name", "start", "end"}
    with pytest.raises(SpecError, match="cùng một"):
        build_data({"progress": {"achieved": 1, "dat": 2, "target": 3}})


def test_the_body_may_use_the_alias_or_the_name() -> None:
    doc = load_document(make_spec(
        data={"tien_do": {"dat": 493, "chi_tieu": 779}},
        body="Đạt {{ tien_do.percent_text }}, tức {{ progress.text }}."))
    body = doc.body.replace("\\", "")  # values are escaped for the Markdown
    assert "Đạt 63,3%, tức 493/779 sáng kiến, đạt 63,3%" in body


def test_one_bad_key_is_reported_alone() -> None:
    spec = make_spec(
        data={"progress": {"achieved": 493, "target": 779}, "theme": "khong_co_phong_trao"},
        body="Đạt {{ progress.percent_text }}.\n\nPhong trào {{ theme.name }}.",
        subject="tiến độ {{ progress.percent_text }}")
    with pytest.raises(SpecError) as info:
        load_document(spec)
    problems = info.value.problems
    assert [p.path for p in problems] == ["data.theme"], [str(p) for p in problems]
    assert not any("không có trong dữ liệu" in p.message for p in problems)
