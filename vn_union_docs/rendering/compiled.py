"""Compiled templates: do docxtpl's per-template work once, render many documents.

docxtpl re-reads the package, re-patches its XML and re-compiles its Jinja on every render.
``CompiledTemplate`` does that once per template file and, per document, only runs what
depends on the context, with docxtpl's own code wherever it can:

* compile time: python-docx loads the package; docxtpl's ``get_xml``/``get_part_xml`` and
  ``patch_xml`` give each part's Jinja source (captured from ``render_xml_part`` itself, so
  it is exactly the string docxtpl would compile); one Jinja template per part is compiled
  with ``jinja.template_environment()``. Parts whose source is plain data (no Jinja
  syntax) are rendered once, here. python-docx saves the package once: those bytes are the
  unchanged parts, deflated once and kept.
* per document: Jinja renders the compiled templates; then exactly docxtpl's
  post-processing: ``render_xml_part``'s newline handling and ``{_{`` unescaping (as
  ``str.replace``, see ``_finish``) and its ``resolve_listing`` (skipped when the rendered XML
  holds no ``\\t \\a \\n \\f``: it is then the identity), docxtpl's ``fix_tables`` and
  ``fix_docpr_ids`` for the body (the latter skipped when there is no ``docPr``), core
  properties through docxtpl's ``render_properties``, footnotes through its
  ``render_xml_part``; the python-docx parse and serialisation ``save`` does; then a zip
  byte-identical to ``docxzip.write_zip``'s (its ``deflate_entry`` and ``assemble``), the
  unchanged entries copied pre-compressed.

What it cannot do (subdocuments, images inserted per document, packages python-docx would
change on save) falls back to docxtpl (``reference.render_with_docxtpl``), with the reason in
``fallback_reason``.
"""

from __future__ import annotations

import copy
import io
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate, InlineImage
from docxtpl.subdoc import Subdoc
from jinja2 import Template, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from vn_union_docs.archives import refuse_external_links
from vn_union_docs.documents.sandbox import template_environment
from vn_union_docs.errors import TemplateError, VnUnionDocsError
from vn_union_docs.rendering.direct import DirectBody, context_values, only_balanced_markup
from vn_union_docs.rendering.docxzip import (
    Entry,
    _order_key,
    assemble,
    deflate_entry,
    read_zip,
    write_zip,
)
from vn_union_docs.rendering.fit import template_columns
from vn_union_docs.rendering.linebreak import Column
from vn_union_docs.rendering.properties import DocumentProperties, app_xml, core_xml
from vn_union_docs.rendering.reference import render_with_docxtpl
from vn_union_docs.rendering.templates import declared_types, template_error

_LISTING_CHARS = ("\n", "\t", "\a", "\f")
# Context objects that need a live DocxTemplate while rendering.
_DOCXTPL_BOUND = (InlineImage, Subdoc)


class _Capture(Exception):
    """Raised by ``_CapturingEnv`` to hand back the source docxtpl would compile."""

    def __init__(self, source: str) -> None:
        super().__init__("captured")
        self.source = source


class _CapturingEnv:
    """A stand-in Jinja environment: ``from_string`` returns the source instead of compiling."""

    def from_string(self, source: str) -> Template:
        raise _Capture(source)


class _CompiledEnv:
    """A stand-in Jinja environment whose ``from_string`` returns templates compiled once."""

    def __init__(self, env: SandboxedEnvironment) -> None:
        self.env = env
        self.templates: dict[str, Template] = {}
        self.misses = 0

    def compile(self, source: str) -> Template:
        """Compile ``source`` (Jinja syntax errors propagate) and keep it."""
        template = self.templates.get(source)
        if template is None:
            template = self.templates[source] = self.env.from_string(source)
        return template

    def from_string(self, source: str) -> Template:
        template = self.templates.get(source)
        if template is None:  # a source not seen at compile time: compile, but count it
            self.misses += 1
            template = self.compile(source)
        return template


_RESHAPING_TAG = re.compile(r"\{%-?\s*(?:tr|tc)\b|\{%-?\s*(?:colspan|hm|vm)\b|\{\{-?\s*(?:tr|tc)\b")
_RECOVER_PARSER = etree.XMLParser(recover=True)  # the parser docxtpl's fix_tables uses


class _PartRenderer:
    """Stands in for ``self`` in docxtpl's per-part methods (which only use these names)."""

    def __init__(self) -> None:
        self.current_rendering_part: Any = None
        self.docx_ids_index = 1000  # as DocxTemplate.render_init sets it

    @staticmethod
    def resolve_listing(xml: str) -> str:
        # resolve_listing only rewrites these four characters inside <w:t>: without them it
        # returns its input unchanged.
        if any(char in xml for char in _LISTING_CHARS):
            return DocxTemplate.resolve_listing(None, xml)
        return xml


class _NeedsDocxtpl(Exception):
    """This document needs the docxtpl path; the message says why."""


def _is_plain_data(env: SandboxedEnvironment, source: str) -> bool:
    """True when ``source`` has no Jinja syntax: its output cannot depend on the context."""
    tree = env.parse(source)
    return all(
        isinstance(node, nodes.Output)
        and all(isinstance(child, nodes.TemplateData) for child in node.nodes)
        for node in tree.body
    )


def _render_part(src: str, context: dict[str, Any], env: Any) -> str:
    """docxtpl's ``render_xml_part`` for an already patched source."""
    return DocxTemplate.render_xml_part(_PartRenderer(), src, None, context, env)


def _finish(rendered: str) -> str:
    """The post-processing of docxtpl's ``render_xml_part`` on a rendered source.

    ``re.sub(r"\\n<w:p([ >])", r"<w:p\\1", xml)`` is two ``str.replace``: its matches
    start with the only ``\\n`` they hold, so they never overlap, and dropping that ``\\n``
    before ``<w:p `` cannot make or break a ``\\n<w:p>``.
    """
    return _PartRenderer.resolve_listing(_unpatch(rendered))


def _unpatch(rendered: str) -> str:
    """``_finish`` without ``resolve_listing``."""
    xml = rendered.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "_" not in xml:  # one scan instead of four
        return xml
    return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


def _capture_source(patched: str) -> str:
    """The exact string ``render_xml_part`` hands to ``from_string`` for ``patched``."""
    try:
        DocxTemplate.render_xml_part(_PartRenderer(), patched, None, {}, _CapturingEnv())
    except _Capture as captured:
        return captured.source
    raise AssertionError("docxtpl.render_xml_part did not call from_string")


@dataclass
class _XmlPart:
    """A header or footer part rendered per document."""

    name: str  # zip entry name
    template: Template  # compiled from the source render_xml_part passes to from_string
    encoding: str


@dataclass
class _Footnotes:
    """A footnotes part: docxtpl renders it once per section of the rendered document."""

    name: str
    raw: bytes  # the part's bytes as loaded (python-docx keeps them as they are)
    constant: bool  # its source has no Jinja syntax
    by_passes: dict[int, bytes] = field(default_factory=dict)  # constant results


@lru_cache(maxsize=256)  # the properties parts of a batch's rows are mostly the same
def _property_entry(name: str, payload: bytes) -> Entry:
    return deflate_entry(name, payload)


_APP_XML = "docProps/app.xml"


def _with_properties(parts: dict[str, bytes], core_name: str, properties: DocumentProperties
                     ) -> dict[str, bytes]:
    """The core and extended properties parts among ``parts`` with the document's values."""
    out = {}
    if core_name in parts:
        out[core_name] = core_xml(parts[core_name], properties)
    if _APP_XML in parts:
        out[_APP_XML] = app_xml(parts[_APP_XML], properties)
    return out




class CompiledTemplate:
    """A template file prepared once and rendered many times.

    ``render(context)`` returns the bytes ``reference.render_with_docxtpl`` returns for the same
    template and context. ``fallback_reason`` is ``None`` when the last render (or, before
    any, the template) used the fast path, else why docxtpl rendered it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        refuse_external_links(self.path)  # also the archive limits, before anything inflates
        self.doc_types = declared_types(self.path)
        self.static_fallback_reason: str | None = None
        try:
            self._compile()
        except _NeedsDocxtpl as exc:
            self.static_fallback_reason = str(exc)
        except (JinjaTemplateError, SecurityError) as exc:
            # docxtpl raises the same error at render time, in its order: let it.
            self.static_fallback_reason = f"the template does not compile ({exc})"
        self.fallback_reason: str | None = self.static_fallback_reason

    # -- compile time -------------------------------------------------------------------

    def _compile(self) -> None:
        env = template_environment()
        self._env = _CompiledEnv(env)
        tpl = DocxTemplate(str(self.path))
        tpl.render_init()
        document = tpl.docx
        package = document.part.package

        if not any(rel.reltype == RT.CORE_PROPERTIES for rel in package.rels.values()):
            # python-docx would add core properties stamped with the current time.
            raise _NeedsDocxtpl("the package has no core properties part")

        # Body: the source docxtpl compiles, and the document element without its body.
        body_xml = tpl.get_xml()
        # fix_tables changes a table only when tags reshape it ({%tr}, {%tc}, colspan, hm, vm);
        # without them its tree is the plain parse. Body tables are regular by construction.
        self._reshapes_tables = bool(_RESHAPING_TAG.search(re.sub(r"<[^>]+>", "", body_xml)))
        body_source = _capture_source(tpl.patch_xml(body_xml))
        self._body = self._env.compile(body_source)
        self._document_name = document.part.partname.lstrip("/")
        self._skeleton = copy.deepcopy(document.element)
        for child in list(self._skeleton.body):
            self._skeleton.body.remove(child)

        # Headers then footers, in docxtpl's order.
        self._xml_parts: list[_XmlPart] = []
        seen: set[str] = set()
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for rel_key, part in list(tpl.get_headers_footers(uri)):
                name = part.partname.lstrip("/")
                if name in seen:
                    raise _NeedsDocxtpl(f"{name} is referenced twice")
                seen.add(name)
                xml = tpl.get_part_xml(part)
                encoding = tpl.get_headers_footers_encoding(xml)
                patched = tpl.patch_xml(xml)
                source = _capture_source(patched)
                template = self._env.compile(source)
                if _is_plain_data(env, source):
                    blob = _render_part(patched, {}, self._env).encode(encoding)
                else:
                    self._xml_parts.append(_XmlPart(name, template, encoding))
                    blob = part.blob
                # As docxtpl does (a new part, same relationships), so save writes the same.
                tpl.map_headers_footers_xml(rel_key, blob)

        # Core properties: sources compiled once; rendered here when none has Jinja syntax.
        core_part = package.part_related_by(RT.CORE_PROPERTIES)
        self._core_name = core_part.partname.lstrip("/")
        self._core_raw = core_part.blob
        probe = _PropertiesProbe(self._core_raw)
        DocxTemplate.render_properties(probe, {}, probe)
        for source in probe.sources:
            self._env.compile(source)
        self._core_dynamic = not all(_is_plain_data(env, s) for s in probe.sources)
        if not self._core_dynamic:
            tpl.render_properties({}, self._env)

        # Footnotes: kept raw; rendered per document (docxtpl: once per section).
        self._footnotes: list[_Footnotes] = []
        for part in package.parts:
            if part.content_type == CT.WML_FOOTNOTES:
                source = _capture_source(self._patch(part.blob))
                self._env.compile(source)
                constant = _is_plain_data(env, source)
                self._footnotes.append(_Footnotes(part.partname.lstrip("/"), part.blob, constant))

        # The body part written without parsing it (``direct``), when the template allows.
        self._direct = None if self._reshapes_tables or self._footnotes else \
            DirectBody.for_template(body_source, env.parse(body_source), self._skeleton)
        self.direct_documents = 0  # documents rendered that way

        # What python-docx saves; everything not rendered per document is deflated once.
        buffer = io.BytesIO()
        tpl.docx.save(buffer)
        saved = read_zip(buffer.getvalue())
        dynamic = {self._document_name, *(p.name for p in self._xml_parts)}
        if self._core_dynamic:
            dynamic.add(self._core_name)
        dynamic.update(n.name for n in self._footnotes)
        self._names = sorted(saved, key=_order_key)
        # The document's own properties replace these two parts when render() is given them.
        self._saved_properties = {name: saved[name] for name in (self._core_name, _APP_XML)
                                  if name in saved}
        self._constant = {name: deflate_entry(name, saved[name]) for name in saved
                          if name not in dynamic}
        missing = dynamic - saved.keys()
        if missing:
            raise _NeedsDocxtpl(f"python-docx does not save {sorted(missing)}")

    @cached_property
    def columns(self) -> dict[str, Column]:
        """Where the template sets each key whose lines are fitted (``fit.template_columns``),
        read once for this version of the file."""
        return template_columns(self.path)

    # -- per document ---------------------------------------------------------------------

    def render(self, context: dict[str, Any],
               properties: DocumentProperties | None = None) -> bytes:
        """Render ``context`` to deterministic .docx bytes (docxtpl's bytes, faster);
        ``properties``: the file's Title, Author … (``properties.core_xml``) instead of the
        template's."""
        plain = only_balanced_markup(context)  # then no docxtpl objects either
        reason = self.static_fallback_reason or (
            None if plain else _context_fallback_reason(context))
        if reason is None:
            try:
                parts = self._render_parts(context, direct=plain)
            except (JinjaTemplateError, SecurityError, ArithmeticError, LookupError, TypeError,
                    ValueError, RecursionError) as exc:
                self.fallback_reason = None
                raise template_error(exc, self.path) from exc
            except _NeedsDocxtpl as exc:
                reason = str(exc)
            else:
                self.fallback_reason = None
                entries = {name: deflate_entry(name, blob) for name, blob in parts.items()}
                if properties is not None:
                    entries.update((name, _property_entry(name, blob)) for name, blob in
                                   _with_properties(
                        {**self._saved_properties, **{n: parts[n] for n in parts
                                                       if n in self._saved_properties}},
                        self._core_name, properties).items())
                return assemble([entries.get(name) or self._constant[name] for name in self._names])
        self.fallback_reason = reason
        data = render_with_docxtpl(self.path, context)
        if properties is None:
            return data
        package = read_zip(data)
        package.update(_with_properties(
            {n: package[n] for n in (self._core_name, _APP_XML) if n in package},
            self._core_name, properties))
        return write_zip(package)

    def _render_parts(self, context: dict[str, Any], direct: bool = False) -> dict[str, bytes]:
        """Every part rendered per document; ``direct``: the body part may be written without
        parsing it (the context holds only plain values and ``BalancedMarkup``)."""
        out: dict[str, bytes] = {}
        # Body: render, fix_tables (its own parse), fix_docpr_ids, map_tree, serialise.
        renderer = _PartRenderer()
        unpatched = _unpatch(self._body.render(context))
        xml = _PartRenderer.resolve_listing(unpatched)
        if direct and self._direct is not None and xml is unpatched and "docPr" not in xml and \
                (part := self._direct.part(xml)) is not None:
            out[self._document_name] = part
            self.direct_documents += 1
            self._render_other_parts(context, out, sections=None)
            return out
        if self._reshapes_tables:
            body = DocxTemplate.fix_tables(renderer, xml)
        else:
            body = etree.fromstring(xml, _RECOVER_PARSER)  # what fix_tables would return
        if "docPr" in xml:  # fix_docpr_ids changes nothing without wp:docPr elements
            DocxTemplate.fix_docpr_ids(renderer, body)
        root = copy.deepcopy(self._skeleton)
        root.replace(root.body, body)
        out[self._document_name] = serialize_part_xml(root)
        self._render_other_parts(context, out, sections=len(root.sectPr_lst))
        return out

    def _render_other_parts(self, context: dict[str, Any], out: dict[str, bytes],
                            sections: int | None) -> None:
        """Headers, footers, core properties and footnotes into ``out`` (``sections``: the
        body's section count; footnotes are rendered once per section)."""
        for part in self._xml_parts:
            rendered = _finish(part.template.render(context)).encode(part.encoding)
            out[part.name] = serialize_part_xml(parse_xml(rendered))

        if self._core_dynamic:
            properties = _PropertiesProbe(self._core_raw)
            DocxTemplate.render_properties(properties, context, self._env)
            out[self._core_name] = serialize_part_xml(properties.element)

        if self._footnotes:
            assert sections is not None  # no direct body part with footnotes
            for notes in self._footnotes:
                out[notes.name] = self._render_footnotes(notes, sections, context)

    def _render_footnotes(self, notes: _Footnotes, passes: int, context: dict[str, Any]
                          ) -> bytes:
        """docxtpl's ``render_footnotes``: the part is rendered once per section."""
        if passes == 0:
            return notes.raw
        if passes in notes.by_passes:
            return notes.by_passes[passes]
        first = _render_part(self._patch(notes.raw), context, self._env).encode("utf-8")
        if not notes.constant:
            if passes > 1:  # each later pass would compile the previous pass's output
                raise _NeedsDocxtpl("footnotes with tags in a document of several sections")
            return first
        blob = first
        for _ in range(passes - 1):
            patched = self._patch(blob)
            source = _capture_source(patched)
            if not _is_plain_data(self._env.env, source):
                raise _NeedsDocxtpl("footnotes whose rendered text has tags (several sections)")
            self._env.compile(source)
            blob = _render_part(patched, {}, self._env).encode("utf-8")
        notes.by_passes[passes] = blob
        return blob

    @staticmethod
    def _patch(blob: bytes) -> str:
        return DocxTemplate.patch_xml(None, blob.decode("utf-8"))


class _PropertiesProbe:
    """Stands in for a DocxTemplate (``.docx.core_properties``) in docxtpl's
    ``render_properties``; at compile time also for its Jinja environment, recording the
    sources it would compile."""

    def __init__(self, raw: bytes) -> None:
        self.element = parse_xml(raw)  # as CorePropertiesPart.load parses it
        self.docx = self
        self.core_properties = CoreProperties(self.element)
        self.sources: list[str] = []

    def from_string(self, source: str) -> _Echo:
        self.sources.append(source)
        return _Echo(source)


class _Echo:
    """What ``_PropertiesProbe.from_string`` returns: renders to an empty string."""

    def __init__(self, source: str) -> None:
        self.source = source

    def render(self, context: dict[str, Any]) -> str:
        return ""


def _context_fallback_reason(context: dict[str, Any]) -> str | None:
    """Why ``context`` needs docxtpl: objects that add parts to the package while rendering
    (searched through nested dicts, lists, tuples and sets)."""
    for value in context_values(context):
        if isinstance(value, _DOCXTPL_BOUND):
            return f"the context holds a docxtpl {type(value).__name__}"
    return None


@lru_cache(maxsize=32)
def _compiled(path: str, device: int, inode: int, mtime_ns: int, size: int
              ) -> CompiledTemplate:
    return CompiledTemplate(path)


def get_compiled(path: str | Path) -> CompiledTemplate:
    """The compiled template for ``path``, cached per file and modification time.

    The file is identified by device and inode (what ``resolve()`` would find, without its
    per-component system calls), a change by ``st_mtime_ns`` and size.
    """
    stat = os.stat(path)
    try:
        return _compiled(os.path.abspath(path), stat.st_dev, stat.st_ino, stat.st_mtime_ns,
                         stat.st_size)
    except VnUnionDocsError:  # a TemplateError, or a LimitError naming the entry
        raise
    except Exception as exc:  # not a .docx: a zip/package/XML error from python-docx
        raise TemplateError(
            f"mẫu «{Path(path).name}» không phải tệp .docx dùng được ({type(exc).__name__}: "
            f"{exc}); hãy lưu mẫu bằng Word/LibreOffice dưới dạng .docx"
        ) from None
