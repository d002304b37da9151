"""Template authoring: export, restyle, check (every problem with its place), sandbox, docs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import typer
from docx import Document
from docx.oxml import parse_xml
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vn_union_docs import vi
from vn_union_docs.authoring import (
    GUIDE_NAME,
    TemplateFinding,
    check_template,
    context_markdown,
    export_templates,
    template_check_report,
)
from vn_union_docs.authoring.context_doc import CONTEXT_DOC
from vn_union_docs.cli.template import template_app
from vn_union_docs.documents import body as body_module
from vn_union_docs.documents.doc_types import DOC_TYPES, FORMS
from vn_union_docs.documents.spec import load_document
from vn_union_docs.errors import TemplateError
from vn_union_docs.rendering.context import CONTEXT_FIELDS
from vn_union_docs.rendering.docxzip import read_zip, write_zip
from vn_union_docs.rendering.render import render_docx

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "58-cdyt-cong-van.yaml"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MARKER = "MẪU RIÊNG CỦA CĐCS"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default templates exported once for the module."""
    directory = tmp_path_factory.mktemp("exported")
    export_templates(directory)
    return directory


@pytest.fixture(scope="module")
def example_doc():  # type: ignore[no-untyped-def]
    return load_document(EXAMPLE)


def _edit(source: Path, target: Path, *, top: list[str] = (), header: str | None = None,
          title: str | None = None) -> Path:
    """Copy a template with paragraphs added at the very top, in the order given.

    An item starting with ``<w:`` is the XML inside a ``<w:p>`` (runs), else plain text.
    """
    doc = Document(str(source))
    body = doc.element.body
    for index, item in enumerate(top):
        if item.startswith("<w:"):
            element = parse_xml(f"<w:p {W}>{item}</w:p>")
        else:
            element = doc.add_paragraph(item)._p
        body.insert(index, element)
    if header is not None:
        doc.sections[0].header.paragraphs[0].add_run(header)
    if title is not None:
        doc.core_properties.title = title
    doc.save(str(target))
    return target


def _codes(findings: list[TemplateFinding], severity: str | None = None) -> list[str]:
    return [f.code for f in findings if severity is None or f.severity == severity]


def _one(findings: list[TemplateFinding], code: str) -> TemplateFinding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, (code, [str(f) for f in findings])
    return found[0]


# --------------------------------------------------------------------------- export


def test_export_writes_templates_and_guide(tmp_path: Path) -> None:
    written = export_templates(tmp_path / "mau")
    assert [p.name for p in written] == [f"{form}.docx" for form in FORMS] + [
        "template-context.md", GUIDE_NAME]
    guide = (tmp_path / "mau" / GUIDE_NAME).read_text(encoding="utf-8")
    assert "{{p body }}" in guide and "template check" in guide
    with pytest.raises(TemplateError, match="--force"):
        export_templates(tmp_path / "mau")
    assert export_templates(tmp_path / "mau", overwrite=True) == written


@pytest.mark.parametrize("doc_type", ["cong_van", "ke_hoach", "thong_bao", "quyet_dinh",
                                      "nghi_quyet", "cong_dien", "giay_moi", "giay_gioi_thieu",
                                      "bien_ban", "giay_nghi_phep", "to_trinh"])
def test_default_templates_pass_check(exported: Path, doc_type: str) -> None:
    form = DOC_TYPES[doc_type].form
    findings = check_template(exported / f"{form}.docx", doc_type)
    assert not _codes(findings, "error"), [str(f) for f in findings]
    assert "unused" not in _codes(findings)


# --------------------------------------------------------------------------- done when (1)


def test_restyled_template_renders_with_the_change_and_passes(exported: Path, tmp_path: Path,
                                                               example_doc) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rieng.docx"
    doc = Document(str(exported / "cong_van.docx"))
    first = doc.add_paragraph(f"{MARKER}: {{{{ subject }}}}")
    doc.element.body.insert(0, first._p)
    doc.styles["VB Body"].font.size = Pt(13)
    doc.save(str(path))

    findings = check_template(path, "cong_van")
    assert not _codes(findings, "error"), [str(f) for f in findings]

    out = Document(io.BytesIO(render_docx(example_doc, template=path)))
    assert out.paragraphs[0].text == f"{MARKER}: {example_doc.subject}"
    assert out.styles["VB Body"].font.size == Pt(13)
    assert any(p.style.style_id == "VBBody" and "Chương trình" in p.text
               for p in out.paragraphs)


def test_spec_template_key_is_relative_to_the_spec(exported: Path, tmp_path: Path) -> None:
    _edit(exported / "cong_van.docx", tmp_path / "mau.docx", top=[f"{MARKER} {{{{ issuer }}}}"])
    spec = tmp_path / "cv.yaml"
    spec.write_text(EXAMPLE.read_text(encoding="utf-8") + "template: mau.docx\n",
                    encoding="utf-8")
    out = Document(io.BytesIO(render_docx(load_document(spec))))
    assert out.paragraphs[0].text == f"{MARKER} CÔNG ĐOÀN NGÀNH Y TẾ"


def test_cli_render_with_template_option(exported: Path, tmp_path: Path) -> None:
    try:
        from vn_union_docs.cli.app import app
    except ImportError as exc:  # another module of the CLI is not there yet
        pytest.skip(f"vn_union_docs.cli does not import: {exc}")
    template = _edit(exported / "cong_van.docx", tmp_path / "mau.docx", top=[MARKER])
    result = CliRunner().invoke(app, ["render", str(EXAMPLE), "--out", str(tmp_path / "out"),
                                      "--template", str(template)])
    assert result.exit_code == 0, result.output
    out = Document(str(tmp_path / "out" / f"{EXAMPLE.stem}.docx"))
    assert out.paragraphs[0].text == MARKER


# --------------------------------------------------------------------------- done when (2)


def test_broken_unknown_and_curly_are_all_reported_with_places(exported: Path,
                                                               tmp_path: Path) -> None:
    doc = Document(str(exported / "cong_van.docx"))
    # a broken tag inside the header table (first cell, after its paragraphs)
    cell = doc.tables[0].cell(0, 0)
    cell.add_paragraph("Cơ quan: {{ issuer | }}")
    paragraph = doc.add_paragraph("Về việc {{ subjct }} của đơn vị")
    doc.element.body.insert(0, paragraph._p)
    paragraph = doc.add_paragraph("{{ issuer | replace(“CÔNG ĐOÀN”, “CĐ”) }}")
    doc.element.body.insert(0, paragraph._p)
    doc.sections[0].header.paragraphs[0].add_run("{{ pag }}")
    path = tmp_path / "hong.docx"
    doc.save(str(path))

    findings = check_template(path, "cong_van")
    syntax = _one(findings, "syntax")
    assert syntax.severity == "error"
    assert syntax.where == "thân văn bản, bảng 1, hàng 1, ô 1, đoạn 8"
    assert "{{ issuer | }}" in syntax.message and syntax.excerpt == "Cơ quan: {{ issuer | }}"

    unknown = [f for f in findings if f.code == "unknown-variable"]
    assert [f.where for f in unknown] == ["thân văn bản, đoạn 2", "đầu trang 1 (Header, mục 1)"
                                          ", đoạn 1"]
    assert "«subjct»" in unknown[0].message and "có phải «subject»?" in unknown[0].message
    assert unknown[0].excerpt == "Về việc {{ subjct }} của đơn vị"

    curly = _one(findings, "curly-quote")
    assert curly.severity == "warning" and curly.where == "thân văn bản, đoạn 1"

    # errors first, then warnings; the report carries every place
    assert _codes(findings)[:3] == ["unknown-variable", "syntax", "unknown-variable"]
    report = template_check_report(findings, path, "cong_van")
    for finding in (syntax, *unknown, curly):
        assert finding.where in report
    assert "3 lỗi" in report


def test_split_tags_docxtpl_cannot_read(exported: Path, tmp_path: Path) -> None:
    deleted = '<w:del w:id="1" w:author="x"><w:r><w:delText>x</w:delText></w:r></w:del>'
    path = _edit(exported / "cong_van.docx", tmp_path / "split.docx", top=[
        "Kính gửi: {%p if urgency %}",
        "Số {{ number_",
        "line }}",
        # {{ and }} split over runs by formatting only: docxtpl reads it, nothing to report
        "<w:r><w:t>{{ sig</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>nature_name }}</w:t></w:r>",
        # { and { with deleted text between them: docxtpl prints the tag literally
        f"<w:r><w:t>{{</w:t></w:r>{deleted}<w:r><w:t>{{ issuer }}}}</w:t></w:r>",
    ])
    findings = check_template(path)
    split = _one(findings, "split-tag")
    assert split.where == "thân văn bản, đoạn 5" and "{{ issuer }}" in split.message
    across = _one(findings, "tag-across-paragraphs")
    assert across.where == "thân văn bản, đoạn 2" and "trải sang đoạn sau" in across.message
    alone = _one(findings, "p-tag-not-alone")
    assert alone.where == "thân văn bản, đoạn 1" and "Kính gửi" in alone.message
    assert "unbalanced" in _codes(findings)  # that {%p if %} is never closed
    assert "stray-close" not in _codes(findings)  # the "line }}" half is not reported twice
    assert _codes(findings).count("track-changes") == 1
    assert not [f for f in findings if "signature_name" in f.message]


def test_blocks_unbalanced_and_mixed(exported: Path, tmp_path: Path) -> None:
    path = _edit(exported / "van_ban.docx", tmp_path / "blocks.docx",
                 top=["{%p endfor %}", "{%p if urgency %}", "{{ urgency }}", "{% endif %}"])
    findings = check_template(path, "thong_bao")
    assert _one(findings, "unbalanced").where == "thân văn bản, đoạn 1"  # stray endfor
    mixed = _one(findings, "mixed-levels")
    assert mixed.where == "thân văn bản, đoạn 4" and "{%p if urgency %}" in mixed.message


def test_unknown_filter_and_body_without_p(exported: Path, tmp_path: Path) -> None:
    path = _edit(exported / "van_ban.docx", tmp_path / "f.docx",
                 top=["{{ place_date | ngayy }}", "{{ body }}"])
    findings = check_template(path, "ke_hoach")
    assert "có phải «ngay»?" in _one(findings, "unknown-filter").message
    assert _one(findings, "body-not-p").where == "thân văn bản, đoạn 2"


def test_trial_render_finds_runtime_errors_and_their_place(exported: Path,
                                                          tmp_path: Path) -> None:
    path = _edit(exported / "cong_van.docx", tmp_path / "rt.docx",
                 top=["Ghi chú", "Số tiền: {{ subject | so }}"])
    finding = _one(check_template(path), "render")
    assert finding.where == "thân văn bản, đoạn 2" and "không phải là số" in finding.message


def _undeclared(source: Path, target: Path) -> Path:
    """A copy of a template that does not declare its document type (no Category)."""
    parts = read_zip(source.read_bytes())
    core = parts["docProps/core.xml"].decode()
    parts["docProps/core.xml"] = re.sub(r"<cp:category>[^<]*</cp:category>", "", core).encode()
    target.write_bytes(write_zip(parts))
    return target


def test_unused_context_parts_are_warnings(exported: Path, tmp_path: Path) -> None:
    doc = Document(str(exported / "cong_van.docx"))
    for paragraph in list(doc.tables[-1].cell(0, 0).paragraphs):
        paragraph._p.getparent().remove(paragraph._p)  # no nơi nhận at all
    paragraphs = list(doc.paragraphs)  # nor in the joint-signature branch
    start = next(i for i, p in enumerate(paragraphs) if p.text == "Nơi nhận:")
    for paragraph in paragraphs[start:start + 4]:  # label, for, line, endfor
        paragraph._p.getparent().remove(paragraph._p)
    doc.tables[-1].cell(0, 0).add_paragraph("Nơi nhận: như trên")
    path = tmp_path / "khong-noi-nhan.docx"
    doc.save(str(path))
    findings = check_template(path, "cong_van")
    assert _codes(findings) == ["unused"]
    assert "«distribution»" in findings[0].message and findings[0].severity == "warning"
    # a kế hoạch template checked for công văn: declared for another type, and it lacks
    # the «V/v» subject line; without the declaration only the warning remains
    other = check_template(exported / "van_ban.docx", "cong_van")
    assert [(f.code, f.severity) for f in other] == [("wrong-type", "error"),
                                                     ("unused", "warning")]
    undeclared = _undeclared(exported / "van_ban.docx", tmp_path / "kh.docx")
    other = check_template(undeclared, "cong_van")
    assert [f.message.split(":")[0] for f in other] == ["mẫu không dùng «subject_line»"]


# --------------------------------------------------------------------------- sandbox


@pytest.mark.parametrize("tag", [
    "{{ ''.__class__.__mro__ }}",
    "{{ issuer.__class__ }}",
    "{{ issuer | attr('__class__') }}",
    "{{ issuer['__init__'] }}",
    "{{ '{0.__class__}'.format(issuer) }}",
])
def test_python_internals_refused_by_render_and_check(exported: Path, tmp_path: Path,
                                                      example_doc, tag: str) -> None:  # type: ignore[no-untyped-def]
    path = _edit(exported / "cong_van.docx", tmp_path / "evil.docx", top=[tag])
    with pytest.raises(TemplateError, match="an toàn"):
        render_docx(example_doc, template=path)
    finding = _one(check_template(path), "unsafe")
    assert finding.severity == "error" and finding.where == "thân văn bản, đoạn 1"


def test_internals_in_file_properties_refused(exported: Path, tmp_path: Path,
                                              example_doc) -> None:  # type: ignore[no-untyped-def]
    path = _edit(exported / "cong_van.docx", tmp_path / "props.docx",
                 title="{{ ''.__class__.__mro__ }}")
    try:  # docxtpl renders the properties: refused; a path that skips them must not run it
        data = render_docx(example_doc, template=path)
    except TemplateError as exc:
        assert "an toàn" in str(exc)
    else:
        assert "<class" not in (Document(io.BytesIO(data)).core_properties.title or "")
    finding = _one(check_template(path), "unsafe")
    assert finding.part.startswith("thuộc tính tệp") and finding.place == "Title"


def test_not_a_docx(tmp_path: Path) -> None:
    bogus = tmp_path / "x.docx"
    bogus.write_text("not a zip", encoding="utf-8")
    assert _codes(check_template(bogus)) == ["file"]
    with pytest.raises(TemplateError):
        check_template(tmp_path / "missing.docx")
    with pytest.raises(TemplateError):
        check_template(bogus, "cong_vann")


# --------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    app.add_typer(template_app, name="template")
    return app


def test_cli_exit_codes(cli: typer.Typer, exported: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["template", "check", str(exported / "cong_van.docx"),
                             "--type", "cong_van"])
    assert ok.exit_code == 0, ok.output
    assert "không có lỗi" in ok.output

    undeclared = _undeclared(exported / "van_ban.docx", tmp_path / "kh.docx")
    warned = runner.invoke(cli, ["template", "check", str(undeclared), "--type", "cong_van"])
    assert warned.exit_code == 0 and "cảnh báo" in warned.output

    bad = _edit(exported / "cong_van.docx", tmp_path / "bad.docx", top=["{{ subjct }}"])
    failed = runner.invoke(cli, ["template", "check", str(bad)])
    assert failed.exit_code == 1
    assert "thân văn bản, đoạn 1" in failed.output and "subject" in failed.output

    assert runner.invoke(cli, ["template", "check", str(tmp_path / "none.docx")]).exit_code == 2
    assert runner.invoke(cli, ["template", "check", str(bad), "--type", "x"]).exit_code == 2

    target = tmp_path / "mau"
    first = runner.invoke(cli, ["template", "export", str(target)])
    assert first.exit_code == 0 and (target / "cong_van.docx").is_file()
    again = runner.invoke(cli, ["template", "export", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(cli, ["template", "export", str(target), "--force"]).exit_code == 0
    for result in (ok, warned, failed, again):
        assert "Traceback" not in result.output


# --------------------------------------------------------------------------- context doc


def test_context_doc_is_current() -> None:
    text = context_markdown()
    assert CONTEXT_DOC.read_text(encoding="utf-8") == text, (
        "docs/template-context.md is stale: run python -m vn_union_docs.authoring")
    for key in CONTEXT_FIELDS:
        assert f"| `{key}` |" in text
    for name in vi.FILTERS:
        assert f"| `{name}` |" in text
    styles = re.findall(r"STYLE_\w+", Path(body_module.__file__).read_text(encoding="utf-8"))
    assert styles
    for style_id in ("VBBody", "VBHeading1", "VBTable", "VBTableText"):
        assert f"| `{style_id}` |" in text


def test_template_of_another_type_is_refused(tmp_path: Path) -> None:
    from vn_union_docs import load_document, render_docx
    from vn_union_docs.authoring import check_template
    from vn_union_docs.errors import TemplateError
    from vn_union_docs.rendering.render import default_template

    root = Path(__file__).resolve().parents[2]
    doc = load_document(root / "examples" / "58-cdyt-cong-van.yaml")
    with pytest.raises(TemplateError, match=r"dành cho .*kế hoạch"):
        render_docx(doc, template=default_template("ke_hoach"))  # van_ban.docx
    findings = check_template(default_template("cong_van"), "ke_hoach")
    assert any(f.code == "wrong-type" and f.severity == "error" for f in findings)
    assert not any(f.code == "wrong-type" for f in check_template(default_template("cong_van"),
                                                                   "cong_van"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="{}%#ab \n", max_size=60))
def test_tag_spans_are_tag_res_matches(text: str) -> None:
    from vn_union_docs.authoring.parts import TAG_RE, tag_spans

    assert tag_spans(text) == [m.span() for m in TAG_RE.finditer(text)]


def test_tag_spans_of_a_paragraph_of_unclosed_openers_is_quick() -> None:
    # TAG_RE scans to the end from every unclosed «{{»: minutes for this paragraph.
    import time

    from vn_union_docs.authoring.parts import tag_spans

    text = "{{ a }} " + "{{ {% {#" * 30_000 + " {% b %}"
    start = time.perf_counter()
    assert tag_spans(text) == [(0, 7), (11, len(text))]
    assert time.perf_counter() - start < 5
