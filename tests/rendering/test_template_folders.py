"""Issue 13.8: ``--template`` (and ``template:``) takes a folder and picks each document's
template by its declared type; ``template export`` exports the context document too."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import make_spec
from typer.testing import CliRunner

from vn_union_docs import load_document, render_docx
from vn_union_docs.authoring import export_templates
from vn_union_docs.authoring.context_doc import context_markdown
from vn_union_docs.cli.app import app
from vn_union_docs.errors import TemplateError
from vn_union_docs.rendering.templates import template_for

ROOT = Path(__file__).resolve().parents[2]


def category(data: bytes) -> str:
    # (read from the XML: python-docx's core_properties reads cp: elements as "" in a
    # process that has rendered, see the report of issue 13)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    match = re.search(r"<cp:category>(.*?)</cp:category>", xml)
    return match.group(1) if match else ""


def test_render_examples_with_a_template_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my-templates"
    export_templates(folder)
    result = CliRunner().invoke(app, ["render", str(ROOT / "examples"), "--out",
                                      str(tmp_path / "out"), "--template", str(folder)])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "out").glob("*.docx"))
    assert len(written) == len(list((ROOT / "examples").glob("*.yaml")))
    for path in written:
        doc = load_document(ROOT / "examples" / f"{path.stem}.yaml")
        assert category(path.read_bytes()) == doc.type


def test_the_declared_type_picks_the_template_whatever_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "mau"
    export_templates(folder)
    (folder / "cong_van.docx").rename(folder / "mau-cong-van-cua-van-phong.docx")
    doc = load_document(make_spec())
    assert template_for(doc, folder).name == "mau-cong-van-cua-van-phong.docx"
    # the spec's template: key takes a folder too (relative to the spec file)
    spec_file = tmp_path / "cv.yaml"
    spec_file.write_text(
        "\n".join(f"{k}: {v!r}" if not isinstance(v, dict | list) else f"{k}: {v}"
                  for k, v in make_spec(template="mau").items()).replace("'", '"'),
        encoding="utf-8")
    from_spec = load_document(spec_file)
    assert template_for(from_spec).name == "mau-cong-van-cua-van-phong.docx"
    assert category(render_docx(from_spec)) == "cong_van"


def test_a_folder_without_the_type_or_with_two_is_refused_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "mau"
    export_templates(folder)
    doc = load_document(make_spec())
    (folder / "cong_van.docx").unlink()
    with pytest.raises(TemplateError, match="không có mẫu cho công văn"):
        render_docx(doc, template=folder)
    shutil.copyfile(folder / "van_ban.docx", folder / "a.docx")
    shutil.copyfile(folder / "van_ban.docx", folder / "b.docx")
    plan = load_document(make_spec(type="ke_hoach", recipients=[]))
    assert template_for(plan, folder).name == "van_ban.docx"  # the one named for its form
    (folder / "van_ban.docx").unlink()
    with pytest.raises(TemplateError, match=r"nhiều mẫu cho kế hoạch \(a.docx, b.docx\)"):
        template_for(plan, folder)


def test_a_single_file_of_another_type_says_to_use_a_folder(tmp_path: Path) -> None:
    export_templates(tmp_path / "mau")
    plan = load_document(make_spec(type="ke_hoach", recipients=[]))
    with pytest.raises(TemplateError, match="thư mục mẫu"):
        render_docx(plan, template=tmp_path / "mau" / "cong_van.docx")


def test_export_writes_the_context_document_the_guide_links_to(tmp_path: Path) -> None:
    written = export_templates(tmp_path / "mau")
    names = [p.name for p in written]
    assert "template-context.md" in names
    assert (tmp_path / "mau" / "template-context.md").read_text("utf-8") == context_markdown()
    guide = (tmp_path / "mau" / "HUONG-DAN-MAU.md").read_text("utf-8")
    assert "`template-context.md` (trong thư mục này)" in guide
    assert "docs/template-context.md" not in guide
