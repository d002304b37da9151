"""The spec fields' Jinja is compiled once per distinct text (documents/spec.py)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vn_union_docs.documents import spec as spec_module
from vn_union_docs.documents.models import BaseDocument
from vn_union_docs.documents.spec import SpecTemplate, compile_field, load_document, read_spec
from vn_union_docs.errors import SpecError
from vn_union_docs.rendering.render import render_docx

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _uncached_document(spec: dict[str, Any]) -> BaseDocument:
    original = spec_module.compile_field
    spec_module.compile_field = spec_module._compile_field
    try:
        return load_document(spec)
    finally:
        spec_module.compile_field = original


def test_second_load_hits_the_cache_and_output_is_unchanged() -> None:
    spec = read_spec(EXAMPLES / "58-cdyt-cong-van.yaml")
    spec["body"] = str(spec["body"]) + "\n\nĐoàn viên: {{ 3 * 7 }} người."
    spec_module._cached_compile_field.cache_clear()
    first = load_document(spec)
    after_first = spec_module._cached_compile_field.cache_info()
    second = load_document(spec)
    after_second = spec_module._cached_compile_field.cache_info()
    assert after_first.misses >= 1
    assert after_second.hits > after_first.hits
    assert after_second.misses == after_first.misses
    reference = _uncached_document(spec)
    data = render_docx(first)
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        assert "21 người" in docx.read("word/document.xml").decode()
    assert data == render_docx(second) == render_docx(reference)


def test_same_text_gives_the_same_template_object() -> None:
    a = compile_field("Kính gửi {{ ten }}", False)
    b = compile_field("Kính gửi {{ ten }}", False)
    assert a[0] is b[0]
    assert a[1] == frozenset({"ten"})
    # Markdown and plain text of the same source are different templates.
    assert compile_field("Kính gửi {{ ten }}", True)[0] is not a[0]


def test_rows_do_not_leak_between_renders() -> None:
    first = SpecTemplate({"type": "cong_van", "subject": "Về {{ viec }}"})
    template = next(f for f in first.fields if f.keys == ("subject",)).template
    assert template.render({"viec": "A"}) == "Về A"
    assert template.render({"viec": "B"}) == "Về B"


def test_long_texts_are_not_kept() -> None:
    text = "{{ x }}" + "a" * (spec_module.COMPILE_CACHE_MAX_CHARS + 1)
    before = spec_module._cached_compile_field.cache_info().currsize
    template, variables = compile_field(text, False)
    assert variables == frozenset({"x"})
    assert spec_module._cached_compile_field.cache_info().currsize == before
    assert compile_field(text, False)[0] is not template


def test_a_syntax_error_is_still_reported_every_time() -> None:
    for _ in range(2):
        with pytest.raises(SpecError) as caught:
            SpecTemplate({"type": "cong_van", "subject": "Về {{ viec "})
        assert caught.value.problems[0].path == "subject"
