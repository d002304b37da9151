"""Regression tests for concepts that used to live in several places (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import docx_text, make_spec

from vn_union_docs import check, load_document, render_docx
from vn_union_docs.errors import SpecError


def spec(**changes: Any) -> dict[str, Any]:
    return make_spec(**{"body": "Nội dung cũ có 3.992 sáng kiến.", **changes})


def test_a_copied_model_renders_its_new_body() -> None:
    doc = load_document(spec())
    render_docx(doc)  # the old body is parsed and cached
    copy = doc.model_copy(update={"body": "Nội dung mới hoàn toàn."})
    text = docx_text(render_docx(copy))
    assert "Nội dung mới hoàn toàn./." in text
    assert "Nội dung cũ" not in text


def test_an_assigned_body_is_rendered() -> None:
    doc = load_document(spec())
    render_docx(doc)
    doc.body = "Đoạn thay thế."
    assert "Đoạn thay thế./." in docx_text(render_docx(doc))


def test_a_bad_body_is_a_spec_error_with_its_key_when_the_model_is_built() -> None:
    with pytest.raises(SpecError) as info:
        load_document(spec(body="# I. Mục đích\n\nNội dung."))
    assert [p.path for p in info.value.problems] == ["body"]


DATES = ["2023-02-23", "23/02/2023", "23/2/2023", "23.02.2023", "23-02-2023",
         "2023-02-30", "30/02/2023", "31/04/2023", "2023-13-01", "hôm qua", "20230223"]


def _renders(value: str) -> bool:
    try:
        load_document(spec(date=value))
    except SpecError:
        return False
    return True


def _check_errors(value: str) -> list[str]:
    return [f.rule for f in check(spec(date=value)) if f.severity == "error"]


@pytest.mark.parametrize("value", DATES)
def test_check_and_render_accept_and_refuse_the_same_dates(value: str) -> None:
    assert _renders(value) == (not _check_errors(value)), _check_errors(value)


def test_the_same_date_in_two_forms_gets_the_same_findings() -> None:
    body = "Đến 03/02/2073 hoàn thành."  # 50 years after the document date
    iso = check(spec(date="2023-02-23", body=body))
    dmy = check(spec(date="23/02/2023", body=body))
    assert [f.rule for f in iso] == [f.rule for f in dmy]
    assert "date-implausible" not in [f.rule for f in iso]
