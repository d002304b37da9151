"""The body part written without parsing it (``rendering.direct``) is byte for byte what the
parsing path (and docxtpl) writes, and templates or values it cannot vouch for are parsed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from vn_union_docs import load_document
from vn_union_docs.rendering.compiled import CompiledTemplate
from vn_union_docs.rendering.docxzip import read_zip, write_zip
from vn_union_docs.rendering.render import document_context, render_with_docxtpl, template_for

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").glob("*.docx"))
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _both(template: Path, context: dict[str, Any]) -> tuple[bytes, bytes, bool]:
    """(direct-capable render, parsing-path render, whether the first went direct)."""
    direct, parsed = CompiledTemplate(template), CompiledTemplate(template)
    parsed._direct = None
    fast = direct.render(context)
    return fast, parsed.render(context), direct.direct_documents == 1


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_goes_direct_with_the_same_bytes(example: Path) -> None:
    doc = load_document(example)
    template = template_for(doc)
    compiled = CompiledTemplate(template)
    context = document_context(compiled, doc)
    fast, parsed, direct = _both(template, context)
    assert direct, "the shipped templates and examples take the direct path"
    assert fast == parsed == render_with_docxtpl(template, context)


# Text that lxml prints differently from Jinja's escaping, or that is easy to get wrong.
_TRICKY = st.lists(st.sampled_from(
    [*"aăâđêôơưAĐ ", "'", '"', "&", "<", ">", "&#39;", "&amp;", "\u00a0", "\u00ad",
     "\u200b", "😀", "e\u0301", "]]>", "{{", "%}", "\t", "\n"]),
    max_size=12).map("".join)


@pytest.fixture(scope="module")
def base_context() -> dict[str, Any]:
    doc = load_document(ROOT / "examples" / "qd-khen-thuong.yaml")
    template = template_for(doc)
    return document_context(CompiledTemplate(template), doc) | {"__template": template}


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_TRICKY, min_size=4, max_size=4))
def test_any_text_values_give_the_parsing_paths_bytes(base_context: dict[str, Any],
                                                      values: list[str]) -> None:
    context = dict(base_context)
    template = context.pop("__template")
    for key, value in zip(("number_line", "place_date", "signature_name", "signature_title"),
                          values, strict=True):
        context[key] = value
    context["distribution"] = values
    fast, parsed, _ = _both(template, context)
    assert fast == parsed


def test_empty_values_and_quotes_take_the_direct_path() -> None:
    doc = load_document(ROOT / "examples" / "58-cdyt-cong-van.yaml")
    template = template_for(doc)
    context = document_context(CompiledTemplate(template), doc)
    context |= {"place_date": "", "signature_name": "H'Nhi Byă \"Út\"", "number_line": ""}
    fast, parsed, direct = _both(template, context)
    assert direct
    assert fast == parsed == render_with_docxtpl(template, context)
    xml = read_zip(fast)["word/document.xml"].decode()
    assert "H'Nhi Byă \"Út\"" in xml and '<w:t xml:space="preserve"/>' in xml


def _template(path: Path, *paragraphs: str) -> Path:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_unbalanced_blocks_keep_the_template_on_the_parsing_path(tmp_path: Path) -> None:
    # {% if %} in one paragraph, {% endif %} in another: the branch cuts paragraphs in two.
    template = _template(tmp_path / "t.docx", "Mở {% if flag %}một", "hai{% endif %} đóng")
    compiled = CompiledTemplate(template)
    assert compiled._direct is None
    for flag in (True, False):
        assert compiled.render({"flag": flag}) == render_with_docxtpl(template, {"flag": flag})


def test_values_printed_as_markup_are_parsed(tmp_path: Path) -> None:
    template = _template(tmp_path / "safe.docx", "Giá trị: {{ x | safe }}")
    assert CompiledTemplate(template)._direct is None
    plain = _template(tmp_path / "plain.docx", "Giá trị: {{ x }}")
    compiled = CompiledTemplate(plain)
    assert compiled._direct is not None
    context = {"x": Markup("</w:t></w:r><w:r><w:t>chèn")}  # foreign markup in the context
    assert compiled.render(context) == render_with_docxtpl(plain, context)
    assert compiled.direct_documents == 0
    compiled.render({"x": "chữ"})
    assert compiled.direct_documents == 1


def test_a_value_inside_an_attribute(tmp_path: Path) -> None:
    # A placeholder in an attribute: lxml prints a quote there as &quot;, not as it is.
    source = _template(tmp_path / "a.docx", "Kiểu {{ x }}")
    parts = read_zip(source.read_bytes())
    xml = parts["word/document.xml"].decode()
    xml = re.sub(r"<w:p>", '<w:p><w:pPr><w:pStyle w:val="{{ style }}"/></w:pPr>', xml, count=1)
    parts["word/document.xml"] = xml.encode()
    template = tmp_path / "attr.docx"
    template.write_bytes(write_zip(parts))
    compiled = CompiledTemplate(template)
    assert compiled._direct is not None and compiled._direct.values_in_attributes
    for style in ("Normal", 'Kiểu "A"', "B'C", "x&y"):
        context = {"x": 'nói "có"', "style": style}
        assert compiled.render(context) == render_with_docxtpl(template, context), style


def test_a_batch_row_renders_direct(tmp_path: Path) -> None:
    spec = ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"
    doc = load_document(spec, variables={
        "ma_cdcs": "01", "ten_cdcs": "Công đoàn H'Mông & Dao", "chu_tich": "Y'Bih",
        "so_doan_vien": 10, "so_sang_kien": 3, "chi_tieu": 4}, row=1)
    template = template_for(doc)
    context = document_context(CompiledTemplate(template), doc)
    fast, parsed, direct = _both(template, context)
    assert direct and fast == parsed
    assert b"H'M\xc3\xb4ng &amp; Dao" in read_zip(fast)["word/document.xml"]
    assert io.BytesIO(fast).read(2) == b"PK"


@pytest.mark.parametrize("text", [
    "{% set y = x | safe %}{{ y }}",
    "{% for y in [x | safe] %}{{ y }}{% endfor %}",
    "{{ lipsum(1) }}",
    "{% macro m() %}</w:t>{% endmacro %}{{ m() }}",
    "{% filter upper %}{{ x }}{% endfilter %}",
])
def test_templates_that_may_print_markup_are_parsed(tmp_path: Path, text: str) -> None:
    template = _template(tmp_path / "m.docx", f"Giá trị: {text}")
    compiled = CompiledTemplate(template)
    assert compiled._direct is None
    context = {"x": "a"}
    if "lipsum" not in text:  # random text: the two renders differ anyway
        assert compiled.render(context) == render_with_docxtpl(template, context)


def test_a_comment_in_the_body_keeps_the_template_on_the_parsing_path(tmp_path: Path) -> None:
    # A tag inside an XML comment would fool the balance count: such templates are parsed.
    source = _template(tmp_path / "c.docx", "Một {{ x }}")
    parts = read_zip(source.read_bytes())
    xml = parts["word/document.xml"].decode().replace("<w:p>", "<w:p><!-- </w:p> -->", 1)
    parts["word/document.xml"] = xml.encode()
    template = tmp_path / "comment.docx"
    template.write_bytes(write_zip(parts))
    compiled = CompiledTemplate(template)
    assert compiled._direct is None
    assert compiled.render({"x": "a"}) == render_with_docxtpl(template, {"x": "a"})
