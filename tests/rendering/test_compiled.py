"""The compiled (fast) render path gives docxtpl's bytes: every part, every template, every
example; falls back to docxtpl for what it cannot do; escapes and refuses as docxtpl does."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.shared import Cm
from docxtpl import DocxTemplate

from vn_union_docs import load_document
from vn_union_docs.errors import TemplateError
from vn_union_docs.rendering.compiled import CompiledTemplate, _finish, get_compiled
from vn_union_docs.rendering.context import build_context
from vn_union_docs.rendering.docxzip import read_zip, write_zip
from vn_union_docs.rendering.render import render_docx, render_with_docxtpl

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").glob("*.docx"))
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _batch_documents() -> list[Any]:
    """The batch example's spec with its first rows, when the example is there."""
    spec = ROOT / "examples" / "batch" / "cong_van_cdcs.yaml"
    rows = ROOT / "examples" / "batch" / "cdcs.csv"
    if not (spec.is_file() and rows.is_file()):
        return []
    from vn_union_docs.batch.source import read_rows

    docs = []
    for row, cells in read_rows(rows):
        docs.append(load_document(spec, variables=cells, row=row))
        if len(docs) == 3:
            break
    return docs


@pytest.fixture(scope="module")
def contexts() -> list[tuple[str, dict[str, Any]]]:
    docs = [(path.name, load_document(path)) for path in EXAMPLES]
    docs += [("batch", doc) for doc in _batch_documents()]
    return [(name, build_context(doc)) for name, doc in docs]


def _assert_same(fast: bytes, ref: bytes) -> None:
    """Every part equal (named in the failure), then the whole file."""
    fast_parts, ref_parts = read_zip(fast), read_zip(ref)
    assert sorted(fast_parts) == sorted(ref_parts)
    for name in ref_parts:
        assert fast_parts[name] == ref_parts[name], name
    assert fast == ref


# -- the default templates and the examples ---------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_default_templates_every_example_byte_identical(template: Path, contexts) -> None:
    compiled = CompiledTemplate(template)
    assert compiled.static_fallback_reason is None
    assert contexts, "no example specs found"
    for _name, context in contexts:
        fast = compiled.render(context)
        assert compiled.fallback_reason is None
        _assert_same(fast, render_with_docxtpl(template, context))
    assert compiled._env.misses == 0  # every source docxtpl compiles was compiled up front


def test_render_docx_uses_the_fast_path_and_is_deterministic() -> None:
    doc = load_document(EXAMPLES[0])
    first = render_docx(doc)
    assert render_docx(doc) == first
    from vn_union_docs.rendering.render import document_context, template_for

    compiled = get_compiled(template_for(doc))
    assert compiled.fallback_reason is None
    from vn_union_docs.rendering.properties import document_properties

    assert compiled.render(document_context(compiled, doc), document_properties(doc)) == first


def test_cache_per_path_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "cv.docx"
    path.write_bytes((ROOT / "templates" / "cong_van.docx").read_bytes())
    first = get_compiled(path)
    assert get_compiled(path) is first
    assert get_compiled(tmp_path / "." / "cv.docx") is first  # resolved path
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = get_compiled(path)
    assert second is not first
    assert get_compiled(path) is second


# -- a template with every docxtpl feature the fast path reimplements ------------------------


def _png() -> bytes:
    """A 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _add_footnotes(data: bytes, text: str) -> bytes:
    """Add a footnotes part (python-docx cannot) with ``text`` in it."""
    parts = read_zip(data)
    parts["word/footnotes.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<w:footnotes xmlns:w="{W_NS}"><w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t>'
        "</w:r></w:p></w:footnote></w:footnotes>"
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_CT}"/></Types>'
        .encode())
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rId900" Type="{FOOTNOTES_RT}" Target="footnotes.xml"/>'
        "</Relationships>".encode())
    return write_zip(parts)


def _features_template(path: Path, *, sections: int = 1, footnote: str | None = None,
                       extra: str | None = None) -> Path:
    """A template with tagged header, core properties, table loops, a picture, {%p}, {{r}}."""
    document = Document()
    document.core_properties.title = "{{ name }}"
    document.core_properties.comments = "bình luận"
    section = document.sections[0]
    section.header.paragraphs[0].text = "Đầu trang {{ name }}"
    section.footer.paragraphs[0].text = "Chân trang cố định"
    document.add_paragraph("Kính gửi: {{ name }}")
    document.add_paragraph("{{ multi }}")
    document.add_paragraph("{%p if flag %}")
    document.add_paragraph("Có cờ: {{ name|upper }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("Chạy: {{r name }}.")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "{%tc for c in cols %}"
    table.cell(0, 1).text = "{{ c }}"
    table.cell(0, 2).text = "{%tc endfor %}"
    table.cell(1, 0).text = "A"
    table.cell(1, 1).text = "B"
    table.cell(1, 2).text = "C"
    document.add_paragraph("{%p for item in items %}")
    document.add_paragraph("- {{ item }};")
    document.add_paragraph("{%p endfor %}")
    document.add_picture(io.BytesIO(_png()), width=Cm(1))
    document.add_picture(io.BytesIO(_png()), width=Cm(1))
    if extra:
        document.add_paragraph(extra)
    for _ in range(sections - 1):
        document.add_section()
        document.add_paragraph("Phần sau {{ name }}")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if footnote is not None:
        data = _add_footnotes(data, footnote)
    path.write_bytes(data)
    return path


def _context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "name": "Công đoàn cơ sở A & B <số 1> \"mới\" 'cũ' 😀",
        "multi": "dòng một\ndòng hai\tcột\ftrang",
        "flag": True,
        "cols": ["một", "hai", "ba", "bốn"],
        "items": ["x & y", "z"],
    }
    context.update(overrides)
    return context


@pytest.mark.parametrize("variant", [
    {},
    {"footnote": "Ghi chú {{ name }}"},
    {"footnote": "Ghi chú cố định", "sections": 3},
    {"sections": 2},
])
def test_features_byte_identical(tmp_path: Path, variant: dict[str, Any]) -> None:
    template = _features_template(tmp_path / "t.docx", **variant)
    compiled = CompiledTemplate(template)
    assert compiled.static_fallback_reason is None
    assert compiled._core_dynamic
    assert [p.name for p in compiled._xml_parts] == ["word/header1.xml"]  # footer constant
    for context in (_context(), _context(flag=False, cols=[], items=[], multi="một dòng")):
        fast = compiled.render(context)
        assert compiled.fallback_reason is None
        _assert_same(fast, render_with_docxtpl(template, context))
    assert compiled.render(_context()) == compiled.render(_context())


def test_tagged_footnotes_in_several_sections_fall_back(tmp_path: Path) -> None:
    # docxtpl renders footnotes once per section, re-compiling its own output.
    template = _features_template(tmp_path / "t.docx", sections=2, footnote="Chú {{ name }}")
    compiled = CompiledTemplate(template)
    assert compiled.static_fallback_reason is None
    fast = compiled.render(_context())
    assert "footnotes" in (compiled.fallback_reason or "")
    assert fast == render_with_docxtpl(template, _context())


def test_values_come_out_exactly_as_given(tmp_path: Path) -> None:
    value = "A & B <c> \"d\" 'e' 😀 ©"
    doc = load_document(EXAMPLES[0])
    for template in TEMPLATES:
        context = build_context(doc) | {"issuer": value, "signature_name": value,
                                        "issuers": [{"parent": "", "name": value}]}
        fast = CompiledTemplate(template).render(context)
        ref = render_with_docxtpl(template, context)
        assert fast == ref
        for data in (fast, ref):
            xml = read_zip(data)["word/document.xml"].decode("utf-8")
            texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
            unescaped = [t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                         for t in texts]
            assert unescaped.count(value) == 2
            assert "&amp;amp;" not in xml and "<c>" not in xml
    features = _features_template(tmp_path / "f.docx")
    data = CompiledTemplate(features).render(_context(name=value))
    header = read_zip(data)["word/header1.xml"].decode("utf-8")
    assert "Đầu trang A &amp; B &lt;c&gt; \"d\" 'e' 😀 ©" in header
    # docxtpl's render_properties escapes twice (Jinja autoescape, then lxml): a tag in a core
    # property shows "&amp;" in File > Properties. The fast path reproduces it; the default
    # templates have no tags there.
    core = read_zip(data)["docProps/core.xml"].decode("utf-8")
    assert ("<dc:title>A &amp;amp; B &amp;lt;c&amp;gt; &amp;#34;d&amp;#34; &amp;#39;e&amp;#39;"
            " 😀 ©</dc:title>") in core


def test_control_characters_behave_as_in_docxtpl(tmp_path: Path) -> None:
    # The models reject them; built by hand, both paths must still agree.
    template = _features_template(tmp_path / "t.docx")
    for bad in ("a\x01b", "a\x0bb", "a\ud800b"):
        outcomes = []
        for render in (CompiledTemplate(template).render,
                       lambda c: render_with_docxtpl(template, c)):
            try:
                outcomes.append(render(_context(name=bad)))
            except Exception as exc:
                outcomes.append(type(exc))
        assert outcomes[0] == outcomes[1], bad


# -- errors ------------------------------------------------------------------------------------


def _one_paragraph_template(path: Path, text: str) -> Path:
    document = Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


@pytest.mark.parametrize("text", [
    "{{ ''.__class__.__mro__ }}",
    "{{ name.__class__ }}",
    "{{ khong_co }}",
    "{% if name %}không đóng",
])
def test_template_errors_as_in_docxtpl(tmp_path: Path, text: str) -> None:
    template = _one_paragraph_template(tmp_path / "bad.docx", text)
    with pytest.raises(TemplateError) as fast:
        CompiledTemplate(template).render({"name": "x"})
    with pytest.raises(TemplateError) as ref:
        render_with_docxtpl(template, {"name": "x"})
    assert str(fast.value) == str(ref.value)
    if "__" in text:
        assert "an toàn" in str(fast.value)


def test_security_error_in_a_header(tmp_path: Path) -> None:
    document = Document()
    document.sections[0].header.paragraphs[0].text = "{{ ''.__class__.__mro__ }}"
    document.add_paragraph("{{ name }}")
    document.save(str(tmp_path / "h.docx"))
    with pytest.raises(TemplateError, match="an toàn"):
        CompiledTemplate(tmp_path / "h.docx").render({"name": "x"})


# -- fallback ----------------------------------------------------------------------------------


def test_subdoc_in_the_context_falls_back(tmp_path: Path) -> None:
    template = _one_paragraph_template(tmp_path / "s.docx", "{{p sub }}")
    compiled = CompiledTemplate(template)
    assert compiled.fallback_reason is None
    subdoc = DocxTemplate(str(template)).new_subdoc()
    subdoc.add_paragraph("Đoạn của văn bản con")
    data = compiled.render({"sub": subdoc})
    assert "Subdoc" in (compiled.fallback_reason or "")
    assert data == render_with_docxtpl(template, {"sub": subdoc})
    assert "Đoạn của văn bản con" in read_zip(data)["word/document.xml"].decode("utf-8")
    compiled.render({"sub": "x"})
    assert compiled.fallback_reason is None


def test_inline_image_nested_in_the_context_falls_back(tmp_path: Path) -> None:
    from docxtpl import InlineImage

    loop = "{% for i in imgs %}{{ i }}{% endfor %}"
    template = _one_paragraph_template(tmp_path / "i.docx", loop)
    image = tmp_path / "p.png"
    image.write_bytes(_png())
    inline = InlineImage(DocxTemplate(str(template)), str(image))
    compiled = CompiledTemplate(template)
    outcomes = []
    for render in (compiled.render, lambda c: render_with_docxtpl(template, c)):
        try:
            outcomes.append(render({"imgs": [inline]}))
        except Exception as exc:  # an InlineImage needs the DocxTemplate that renders it
            outcomes.append(type(exc))
    assert "InlineImage" in (compiled.fallback_reason or "")
    assert outcomes[0] == outcomes[1]


def test_template_that_does_not_compile_falls_back_statically(tmp_path: Path) -> None:
    template = _one_paragraph_template(tmp_path / "x.docx", "{{ a b }}")
    compiled = CompiledTemplate(template)
    assert compiled.static_fallback_reason
    assert compiled.fallback_reason == compiled.static_fallback_reason


# -- pieces ------------------------------------------------------------------------------------


def test_finish_matches_docxtpl_post_processing() -> None:
    renderer = type("R", (), {"resolve_listing": staticmethod(DocxTemplate.resolve_listing
                                                               .__get__(None, object))})
    samples = [
        "<w:p><w:r><w:t>a</w:t></w:r></w:p>\n<w:p>\n<w:p x>\n\n<w:p ><w:pPr/>",
        "\n<w:p>\n<w:p \n<w:pPr>\n<w:pp>{_{ x }_} {_% y %_}",
        "<w:p><w:r><w:t>a\nb\tc\ad\fe</w:t></w:r></w:p>\n<w:p><w:r><w:t>x</w:t></w:r></w:p>",
    ]
    for sample in samples:
        expected = re.sub(r"\n<w:p([ >])", r"<w:p\1", sample)
        for old, new in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
            expected = expected.replace(old, new)
        expected = DocxTemplate.resolve_listing(renderer, expected)
        assert _finish(sample) == expected


def test_zip_layout_matches_write_zip() -> None:
    data = CompiledTemplate(TEMPLATES[0]).render(build_context(load_document(EXAMPLES[0])))
    assert write_zip(read_zip(data)) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("size", [0, 1, 257, 262, 9_000, 65_536, 300_000])
@pytest.mark.parametrize("kind", ["xml", "random"])
def test_the_zip_writer_gives_what_zipfile_reads(size: int, kind: str) -> None:
    """``docxzip`` writes zips itself (ISA-L's deflate, its own headers): ``zipfile`` reads
    every entry back, CRC and sizes checked, small and large parts, names in UTF-8."""
    import random

    from vn_union_docs.rendering.docxzip import deflate_entry

    rnd = random.Random(size)
    alphabet = '<w:t xml:space="preserve">Công đoàn</w:t>'.encode()
    payload = (bytes(rnd.choice(alphabet)
                     for _ in range(size)) if kind == "xml" else rnd.randbytes(size))
    parts = {"word/document.xml": payload, "[Content_Types].xml": b"<Types/>",
             "word/media/ảnh.png": payload[::-1]}
    data = write_zip(parts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["[Content_Types].xml", "word/document.xml",
                                      "word/media/ảnh.png"]
        for info in archive.infolist():
            assert archive.read(info) == parts[info.filename]
            assert zlib.crc32(parts[info.filename]) == info.CRC
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
        assert archive.getinfo("word/media/ảnh.png").flag_bits & 0x800
    entry = deflate_entry("word/document.xml", payload)
    assert zlib.decompress(entry.data, -15) == payload
    assert entry.header + entry.data in data
    assert write_zip(dict(reversed(parts.items()))) == data  # order and bytes are fixed
