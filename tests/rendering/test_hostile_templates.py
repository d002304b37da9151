"""Issue 14, items 1, 2 and 4 for templates: no link outside the package survives (render,
template check, PDF), archives are bounded before they are inflated, and template Jinja is
bounded and answers with messages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from vn_union_docs import limits, load_document, render_docx
from vn_union_docs.authoring import check_template
from vn_union_docs.errors import TemplateError, VnUnionDocsError
from vn_union_docs.limits import LimitError
from vn_union_docs.rendering.pdf import _seed_profile, convert_to_pdf, find_soffice
from vn_union_docs.rendering.templates import default_template

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "58-cdyt-cong-van.yaml"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"this test needs {tool}: apt-get install libreoffice-writer-nogui poppler-utils")


def rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a zip, replacing (bytes) or removing (None) entries and adding new ones."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            if name in change:
                continue
            new.writestr(name, old.read(name))
        for name, data in change.items():
            if data is not None:
                new.writestr(name, data)
    return target


def with_external_links(source: Path, target: Path, *targets: str) -> Path:
    """``source`` with an image relationship per target, ``TargetMode="External"``."""
    with zipfile.ZipFile(source) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
    added = "".join(f'<Relationship Id="rIdX{i}" Type="{IMAGE_REL}" Target="{t}" '
                    'TargetMode="External"/>' for i, t in enumerate(targets))
    rels = rels.replace("</Relationships>", added + "</Relationships>")
    return rewrite(source, target, {"word/_rels/document.xml.rels": rels.encode()})


def with_paragraph(tmp_path: Path, text: str) -> Path:
    document = docx.Document(str(default_template("cong_van")))
    document.add_paragraph(text)
    path = tmp_path / "tpl.docx"
    document.save(str(path))
    return path


# --- item 1: nothing outside the package ----------------------------------------------------

def test_external_relationships_refused_by_template_check_and_render(tmp_path: Path) -> None:
    template = with_external_links(default_template("cong_van"), tmp_path / "ext.docx",
                                   "file:///etc/passwd", "http://127.0.0.1:9/x.png")
    findings = [f for f in check_template(template) if f.code == "external-link"]
    assert len(findings) == 2 and all(f.severity == "error" for f in findings)
    assert "file:///etc/passwd" in findings[0].message + findings[1].message
    with pytest.raises(TemplateError) as info:
        render_docx(load_document(SPEC), template=template)
    assert "file:///etc/passwd" in str(info.value) and "http://127.0.0.1:9/x.png" in str(info.value)


def test_include_picture_field_is_an_external_link(tmp_path: Path) -> None:
    template = with_paragraph(tmp_path, "x")
    with zipfile.ZipFile(template) as archive:
        xml = archive.read("word/document.xml").decode()
    field = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> '
             'INCLUDEPICTURE "http://127.0.0.1:9/a.png" \\d </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    xml = xml.replace("<w:sectPr", field + "<w:sectPr", 1)
    bad = rewrite(template, tmp_path / "field.docx", {"word/document.xml": xml.encode()})
    assert any(f.code == "external-link" and "INCLUDEPICTURE" in f.message
               for f in check_template(bad))


def test_pdf_converter_refuses_a_document_with_links(tmp_path: Path) -> None:
    rendered = tmp_path / "doc.docx"
    render_docx(load_document(SPEC), rendered)
    linked = with_external_links(rendered, tmp_path / "linked.docx", "file:///etc/passwd")
    with pytest.raises(TemplateError, match="file:///etc/passwd"):
        convert_to_pdf([linked], tmp_path / "pdf", soffice=shutil.which("true") or "/bin/true")
    assert not (tmp_path / "pdf" / "linked.pdf").exists()


def _linked_image_docx(tmp_path: Path, image: Path) -> Path:
    """A .docx whose picture is a link (``r:link``) to ``image`` instead of embedded."""
    document = docx.Document()
    document.add_paragraph("ảnh:")
    document.add_picture(str(image))
    embedded = tmp_path / "embedded.docx"
    document.save(str(embedded))
    with zipfile.ZipFile(embedded) as archive:
        xml = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    rid = re.search(r'r:embed="(rId\d+)"', xml)
    assert rid
    xml = xml.replace(f'r:embed="{rid.group(1)}"', f'r:link="{rid.group(1)}"')
    rels = re.sub(rf'(<Relationship Id="{rid.group(1)}"[^>]*?)Target="[^"]*"',
                  rf'\1Target="{image.as_uri()}" TargetMode="External"', rels)
    change: dict[str, bytes | None] = {"word/document.xml": xml.encode(),
                                       "word/_rels/document.xml.rels": rels.encode()}
    change.update(dict.fromkeys(media))
    return rewrite(embedded, tmp_path / "linked.docx", change)


def _images_in_pdf(docx_path: Path, profile: Path, out: Path) -> int:
    soffice = find_soffice()
    assert soffice
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    listing = subprocess.run(["pdfimages", "-list", str(out / (docx_path.stem + ".pdf"))],
                             check=True, capture_output=True, text=True).stdout
    return len(listing.strip().splitlines()) - 2


def test_libreoffice_profile_follows_no_link(tmp_path: Path) -> None:
    """The converter's profile blocks linked content: a plain profile embeds the local file a
    link names (the issue's finding), the converter's does not."""
    need("soffice")
    need("pdfimages")
    image = tmp_path / "secret.png"
    document = docx.Document()
    document.save(str(tmp_path / "blank.docx"))
    subprocess.run(["convert", "-size", "60x30", "xc:red", str(image)], check=True) \
        if shutil.which("convert") else pytest.skip("needs imagemagick (convert)")
    linked = _linked_image_docx(tmp_path, image)
    assert _images_in_pdf(linked, tmp_path / "plain-profile", tmp_path / "plain") == 1
    seeded = tmp_path / "seeded-profile"
    _seed_profile(seeded)
    assert _images_in_pdf(linked, seeded, tmp_path / "seeded") == 0


# --- item 2: archives bounded before inflating ---------------------------------------------

def test_template_with_an_image_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = rewrite(default_template("cong_van"), tmp_path / "bomb.docx",
                   {"word/media/image99.png": bytes(8_000_000)})
    with pytest.raises(LimitError) as info:
        render_docx(load_document(SPEC), template=bomb)
    assert info.value.limit == "archive_ratio"
    assert info.value.problems[0].path == "word/media/image99.png"
    findings = check_template(bomb)
    assert [f.code for f in findings] == ["limit"]
    assert "word/media/image99.png" in findings[0].part


def test_archive_entry_count_and_sizes(tmp_path: Path) -> None:
    template = default_template("cong_van")
    with limits.using(archive_entries=5), pytest.raises(LimitError) as info:
        render_docx(load_document(SPEC), template=rewrite(template, tmp_path / "a.docx", {}))
    assert info.value.limit == "archive_entries"
    with limits.using(archive_total_bytes=10_000), pytest.raises(LimitError) as info:
        render_docx(load_document(SPEC), template=rewrite(template, tmp_path / "b.docx", {}))
    assert info.value.limit == "archive_total_bytes"


# --- items 2 and 4: template Jinja ------------------------------------------------------------

@pytest.mark.parametrize(("tag", "limit"), [
    ("{{ range(10**9)|list|length }}", "jinja_range"),
    ("{{ 'a' * 10**9 }}", "jinja_output_chars"),
    ("{{ lipsum(10**6) }}", "jinja_range"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{{ j }}{% endfor %}{% endfor %}",
     "jinja_output_chars"),
])
def test_template_jinja_limits(tmp_path: Path, tag: str, limit: str) -> None:
    template = with_paragraph(tmp_path, tag)
    with limits.using(jinja_output_chars=300_000), pytest.raises(LimitError) as info:
        render_docx(load_document(SPEC), template=template)
    assert info.value.limit == limit and "tpl.docx" in str(info.value)


@pytest.mark.parametrize("tag", ["{% include 'x.xml' %}", "{% import 'x' as y %}",
                                 "{{ '{0}'.format_map({}) }}",
                                 "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"])
def test_template_errors_are_messages(tmp_path: Path, tag: str) -> None:
    template = with_paragraph(tmp_path, tag)
    with pytest.raises(VnUnionDocsError) as info:
        render_docx(load_document(SPEC), template=template)
    assert "tpl.docx" in str(info.value)
    if "include" in tag or "import" in tag:
        assert "không được dùng" in str(info.value)
        assert any(f.severity == "error" for f in check_template(template))


def test_libreoffice_profile_fetches_no_url(tmp_path: Path) -> None:
    """A linked image on a (loopback) web server: a plain profile fetches it, the converter's
    profile sends no request."""
    need("soffice")
    import http.server
    import threading

    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        image = tmp_path / "local.png"
        if shutil.which("convert") is None:
            pytest.skip("needs imagemagick (convert)")
        subprocess.run(["convert", "-size", "20x20", "xc:blue", str(image)], check=True)
        linked = _linked_image_docx(tmp_path, image)
        url = f"http://127.0.0.1:{server.server_port}/tracker.png"
        with zipfile.ZipFile(linked) as archive:
            rels = archive.read("word/_rels/document.xml.rels").decode()
        remote = rewrite(linked, tmp_path / "remote.docx", {
            "word/_rels/document.xml.rels": rels.replace(image.as_uri(), url).encode()})
        seeded = tmp_path / "seeded-profile"
        _seed_profile(seeded)
        _images_in_pdf(remote, seeded, tmp_path / "seeded")
        assert requests == []
        _images_in_pdf(remote, tmp_path / "plain-profile", tmp_path / "plain")
        assert requests, "a plain profile should have fetched the URL (the test's control)"
    finally:
        server.shutdown()
        server.server_close()
