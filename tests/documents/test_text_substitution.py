"""A plain text field (text and ``{{ name }}`` only) is filled without Jinja's per-render
cost: the result is Jinja's, every time; anything else is left to Jinja."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import UndefinedError

from vn_union_docs import limits
from vn_union_docs.documents.sandbox import (
    render_text_field,
    simple_substitution,
    text_environment,
)

_VALUES = st.one_of(
    st.text(max_size=20), st.integers(), st.none(), st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9,
                min_value=-(10**9)),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(), st.datetimes(),
)
_SOURCES = ["Ban Chấp hành {{ ten }}", "{{ ten }} và {{ so }}", "{{ten}}{{so}}!\n",
            "Số {{- so }} / {{ ten -}} .", "không có biến", "{{ ten }}"]


@settings(max_examples=150, deadline=None)
@given(source=st.sampled_from(_SOURCES), ten=_VALUES, so=_VALUES)
def test_pieces_give_what_jinja_renders(source: str, ten: Any, so: Any) -> None:
    pieces = simple_substitution(source)
    assert pieces is not None
    template = text_environment().from_string(source)
    context = {"ten": ten, "so": so}
    assert render_text_field(template, pieces, context) == template.render(context)


@pytest.mark.parametrize("source", [
    "{{ ten | upper }}", "{{ ten.x }}", "{% if ten %}có{% endif %}", "{{ ten ~ so }}",
    "{{ range(3) }}", "{# ghi chú #}{{ ten", "{{ ten[0] }}",
])
def test_anything_else_is_left_to_jinja(source: str) -> None:
    assert simple_substitution(source) is None


def test_a_missing_variable_raises_jinjas_error() -> None:
    source = "Kính gửi {{ khong_co }}"
    template = text_environment().from_string(source)
    with pytest.raises(UndefinedError, match="khong_co"):
        render_text_field(template, simple_substitution(source), {"ten": "x"})


def test_the_output_limit_still_holds() -> None:
    source = "{{ ten }}{{ ten }}"
    template = text_environment().from_string(source)
    with limits.using(jinja_output_chars=10), pytest.raises(Exception, match="jinja_output"):
        render_text_field(template, simple_substitution(source), {"ten": "x" * 8})


def test_values_print_as_in_a_document() -> None:
    source = "{{ a }}|{{ b }}|{{ c }}|{{ d }}"
    context = {"a": Decimal("63.3"), "b": dt.date(2023, 3, 7), "c": None, "d": True}
    assert render_text_field(text_environment().from_string(source),
                             simple_substitution(source), context) == "63,3|07/3/2023||có"


@settings(max_examples=100, deadline=None)
@given(ma=_VALUES, ten=_VALUES, row=st.integers(min_value=1, max_value=10**6))
def test_file_name_patterns_give_what_jinja_renders(ma: Any, ten: Any, row: int) -> None:
    """``--name`` is filled by its pieces with the file-name finalizer (ISO dates)."""
    from vn_union_docs.batch import NamePattern
    from vn_union_docs.documents.sandbox import file_name_environment

    source = "{{ ma }}-{{ ten }} ({{ row }})"
    assert NamePattern(source)._pieces is not None  # the fast way is the one tested
    expected = file_name_environment().from_string(source).render(
        {"row": row, "ma": ma, "ten": ten})
    expected = unicodedata.normalize("NFC", expected).strip()
    if not expected.lower().endswith(".docx"):
        expected += ".docx"
    assert NamePattern(source).render(row, {"ma": ma, "ten": ten}, 4) == expected
