"""``check_template``: every problem of a restyled template (Jinja syntax, unknown names, split
tags,
sandbox escapes, unused context parts, missing styles), then a trial render."""

from __future__ import annotations

import difflib
import html
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import TemplateAssertionError, TemplateSyntaxError, meta, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from vn_union_docs.authoring.context_doc import body_styles
from vn_union_docs.authoring.findings import DOC_TYPES, Severity, TemplateFinding
from vn_union_docs.authoring.package_check import package_findings
from vn_union_docs.authoring.parts import (
    _CLOSE_RE,
    _CLOSERS,
    _DUNDER_RE,
    _ENDS,
    _EXPECTED_COMMON,
    _FORBIDDEN_TAGS,
    _JINJA_SPECIAL_NAMES,
    _KEYWORD_RE,
    _LEVEL_RE,
    _OPEN_RE,
    _OPENERS,
    _STYLE_USES,
    _TRACKED,
    _UNSAFE_ATTRS,
    CURLY_QUOTES,
    FORM_SAMPLES,
    JOINT_SAMPLE,
    RT_FOOTER,
    RT_HEADER,
    W_T,
    _docxtpl_join,
    _excerpt,
    _own_xml,
    _Para,
    _Part,
    _patch_xml,
    _read_parts,
    _squash,
    _Tag,
    _w,
    blank_spans,
    expected_for,
    tag_spans,
)
from vn_union_docs.documents.doc_types import DOC_TYPES as TYPE_INFO
from vn_union_docs.documents.sandbox import template_environment
from vn_union_docs.errors import TemplateError
from vn_union_docs.rendering.context import CONTEXT_FIELDS
from vn_union_docs.rendering.ooxml import W_NS

# --------------------------------------------------------------------------- the checker


def _suggest(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; có phải «{match[0]}»?" if match else ""


class _Checker:
    def __init__(self, path: Path, doc_type: str | None) -> None:
        self.path = path
        self.doc_type = doc_type
        self.env: SandboxedEnvironment = template_environment()
        self.findings: list[TemplateFinding] = []
        self.used: set[str] = set()
        self.unknown: set[str] = set()  # unknown variables already reported
        self.spanning = False  # the previous paragraph's tag runs into the next one
        self.tags: list[_Tag] = []  # every tag of every part, in order
        self.order: dict[int, int] = {}  # id(paragraph) → position in the file

    # -- helpers
    def add(self, severity: Severity, code: str, message: str, para: _Para | None = None,
            tag: _Tag | None = None, part: str = "") -> None:
        excerpt = ""
        if para is not None:
            start, length = (tag.start, len(tag.raw)) if tag else (0, 0)
            excerpt = _excerpt(para.text, start, length)
        order = self.order.get(id(para), 1 << 30) if para is not None else 1 << 30
        finding = TemplateFinding(severity, code, message, para.part if para else part,
                                  para.place if para else "", excerpt, order)
        if finding not in self.findings:
            self.findings.append(finding)

    def errors_in(self, part: str, codes: set[str] | None = None) -> bool:
        return any(f.severity == "error" and f.part == part and (codes is None or f.code in codes)
                   for f in self.findings)

    # -- per paragraph
    def tags_of(self, para: _Para, next_para: _Para | None) -> list[_Tag]:
        spans = tag_spans(para.text)
        tags = [_Tag(para.text[start:end], para, start) for start, end in spans]
        rest = blank_spans(para.text, spans)
        opener = _OPEN_RE.search(rest)
        spanned, self.spanning = self.spanning, False
        if opener:
            start = opener.start()
            shown = _excerpt(para.text[start:], width=40)
            closer = _CLOSERS[opener.group(0)[1]]
            fake = _Tag(para.text[start:], para, start)
            head = next_para.text if next_para is not None else ""
            first_open = _OPEN_RE.search(head)
            self.spanning = _CLOSE_RE.search(head[:first_open.start() if first_open else None]) \
                is not None
            why = (f"thẻ «{shown}» trải sang đoạn sau (có Enter giữa thẻ)" if self.spanning
                   else f"thẻ «{shown}» không có dấu đóng «{closer}» trong cùng đoạn")
            self.add("error", "tag-across-paragraphs",
                     f"{why}; mỗi thẻ phải nằm trọn trong một đoạn", para, fake)
        else:
            closer_match = _CLOSE_RE.search(rest)
            if closer_match and not spanned:
                fake = _Tag(closer_match.group(0), para, closer_match.start())
                self.add("warning", "stray-close",
                         f"«{closer_match.group(0)}» không có dấu mở tương ứng (có thể thẻ bị "
                         "gõ sai, ví dụ «{ {» có dấu cách): docxtpl sẽ in nguyên văn",
                         para, fake)
        for tag in tags:
            self.prepare(tag)
        if para.element is not None and tags:
            self.check_split(para, tags)
            self.check_levels(para, tags)
        return tags

    def prepare(self, tag: _Tag) -> None:
        raw = tag.raw
        tag.kind = raw[:2]
        if tag.kind != "{#" and any(q in raw for q in CURLY_QUOTES):
            self.add("warning", "curly-quote",
                     f"thẻ «{raw}» có dấu nháy cong (“ ” ‘ ’): docxtpl đổi chúng thành nháy "
                     "thẳng, nhưng nên gõ nháy thẳng (tắt AutoCorrect › «Straight quotes with "
                     "smart quotes»)", tag.para, tag)
        source = raw
        for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
            source = source.replace(curly, straight)
        level = _LEVEL_RE.match(source)
        if level:
            tag.level = level.group(2)
            source = source[:2] + source[level.end() - 1:]
        tag.source = source
        if tag.kind == "{%":
            keyword = _KEYWORD_RE.match(source)
            tag.keyword = keyword.group(1) if keyword else ""

    def check_split(self, para: _Para, tags: list[_Tag]) -> None:
        """Compare the tags the author sees with those docxtpl finds in the XML."""
        joined = _docxtpl_join(_own_xml(para.element))
        seen: list[str] = []
        for start, end in tag_spans(joined):
            inner = joined[start:end]
            clean = html.unescape(re.sub(r"<[^>]*>", "", inner))
            if "<" in inner:
                fake = next((t for t in tags if _squash(t.raw) == _squash(clean)), None)
                self.add("error", "split-tag",
                         f"thẻ «{clean}» bị Word tách thành nhiều đoạn định dạng (run) mà "
                         "docxtpl không ghép lại được: gõ lại cả thẻ một lần, không định dạng "
                         "riêng từng phần", para, fake)
                for t in tags:
                    if t is fake:
                        t.broken = True
            seen.append(_squash(clean))
        for tag in tags:
            key = _squash(tag.raw)
            if key in seen:
                seen.remove(key)
            elif not tag.broken:
                tag.broken = True
                self.add("error", "split-tag",
                         f"thẻ «{tag.raw}» bị Word tách ra (giữa các dấu ngoặc có nội dung ẩn: "
                         "phần đã xóa có theo dõi, mã trường…): docxtpl không đọc được và sẽ "
                         "in nguyên văn; xóa rồi gõ lại cả thẻ", para, tag)

    def check_levels(self, para: _Para, tags: list[_Tag]) -> None:
        """``{%p``/``{{p`` alone in the paragraph; ``{%tr``/``{%tc`` inside a table."""
        for tag in tags:
            if tag.level == "p":
                others = para.text.replace(tag.raw, "", 1)
                if others.strip():
                    self.add("error", "p-tag-not-alone",
                             f"thẻ «{tag.raw}» phải đứng một mình trong đoạn: docxtpl thay "
                             f"cả đoạn bằng thẻ, phần «{_excerpt(others.strip(), width=40)}» "
                             "sẽ mất (hoặc thẻ khác trong đoạn bị bỏ qua)", para, tag)
            elif tag.level in ("tr", "tc"):
                holder = para.row if tag.level == "tr" else para.cell
                what = "hàng" if tag.level == "tr" else "ô"
                if holder is None:
                    self.add("error", "tr-outside-table",
                             f"thẻ «{tag.raw}» chỉ dùng được trong một {what} của bảng",
                             para, tag)
                    tag.broken = True
                    continue
                others = "".join(t.text or "" for t in holder.iter(W_T)).replace(tag.raw, "", 1)
                if others.strip():
                    self.add("error", "p-tag-not-alone",
                             f"thẻ «{tag.raw}» thay cả {what} của bảng: phần chữ khác trong "
                             f"{what} («{_excerpt(others.strip(), width=40)}») sẽ mất",
                             para, tag)

    # -- per tag
    def snippet(self, tag: _Tag) -> str | None:
        """A small template that parses alone when the tag is right (None: nothing to parse)."""
        if tag.kind == "{#":
            return None
        if tag.kind == "{{":
            return tag.source
        kw = tag.keyword
        body = tag.source[2:-2].strip().lstrip("-+").rstrip("-+").strip()
        rest = body[len(kw):].strip()
        if kw in ("colspan", "cellbg"):
            return "{{ " + rest + " }}"
        if kw in ("vm", "hm", "else", "raw") or kw in _ENDS:
            return None
        if kw == "elif":
            return "{% if true %}" + tag.source + "{% endif %}"
        if kw == "set" and "=" not in rest:
            return tag.source + "{% endset %}"
        if kw in _OPENERS and kw != "set":
            return tag.source + "{% " + _OPENERS[kw] + " %}"
        return tag.source

    def parse_tag(self, tag: _Tag) -> None:
        if tag.broken:
            return
        if tag.keyword in _FORBIDDEN_TAGS:
            tag.broken = True
            self.add("error", "forbidden-tag",
                     f"thẻ «{tag.raw}»: mẫu văn bản không được dùng «{tag.keyword}» (đọc tệp "
                     "khác)", tag.para, tag)
            return
        source = self.snippet(tag)
        if source is None:
            return
        try:
            tag.ast = self.env.parse(source)
        except TemplateSyntaxError as exc:
            tag.broken = True
            self.add("error", "syntax", f"lỗi cú pháp Jinja trong thẻ «{tag.raw}»: {exc.message}",
                     tag.para, tag)

    def check_names(self, tags: list[_Tag]) -> None:
        """Unknown variables, filters and tests; Python internals; ``body`` without ``{{p``."""
        declared: set[str] = set()
        for tag in tags:
            if tag.ast is not None:
                for name in tag.ast.find_all(nodes.Name):
                    if name.ctx in ("store", "param"):
                        declared.add(name.name)
                for macro in tag.ast.find_all(nodes.Macro):
                    declared.add(macro.name)
        known = set(CONTEXT_FIELDS) | declared | set(self.env.globals) | _JINJA_SPECIAL_NAMES
        for tag in tags:
            if tag.ast is None:
                continue
            self.check_unsafe(tag)
            for name in tag.ast.find_all(nodes.Name):
                if name.ctx != "load":
                    continue
                self.used.add(name.name)
                if name.name.startswith("_"):
                    continue  # reported as unsafe
                if name.name not in known:
                    self.unknown.add(name.name)
                    hint = _suggest(name.name, set(CONTEXT_FIELDS) | declared)
                    self.add("error", "unknown-variable",
                             f"biến «{name.name}» không có trong ngữ cảnh của mẫu{hint} "
                             "(xem docs/template-context.md)", tag.para, tag)
                if name.name == "body" and not (tag.kind == "{{" and tag.level == "p"):
                    self.add("error", "body-not-p",
                             f"«body» là các đoạn văn (XML), phải viết «{{{{p body }}}}» một "
                             f"mình trong một đoạn, không phải «{tag.raw}»", tag.para, tag)
            for flt in tag.ast.find_all(nodes.Filter):
                if flt.name not in self.env.filters:
                    hint = _suggest(flt.name, self.env.filters)
                    self.add("error", "unknown-filter",
                             f"bộ lọc (filter) «{flt.name}» không có{hint}", tag.para, tag)
            for test in tag.ast.find_all(nodes.Test):
                if test.name not in self.env.tests:
                    hint = _suggest(test.name, self.env.tests)
                    self.add("error", "unknown-test",
                             f"phép thử (test) «is {test.name}» không có{hint}", tag.para, tag)

    def check_unsafe(self, tag: _Tag) -> None:
        bad: list[str] = []
        for node in tag.ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Filter,
                                      nodes.Const)):
            if isinstance(node, nodes.Getattr) and (
                    node.attr.startswith("_") or node.attr in _UNSAFE_ATTRS):
                bad.append(node.attr)
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                    and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
                bad.append(node.arg.value)
            elif isinstance(node, nodes.Name) and node.name.startswith("_"):
                bad.append(node.name)
            elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args \
                    and isinstance(node.args[0], nodes.Const) \
                    and str(node.args[0].value).startswith("_"):
                bad.append(str(node.args[0].value))
            elif isinstance(node, nodes.Const) and isinstance(node.value, str) \
                    and _DUNDER_RE.search(node.value):
                bad.append(_DUNDER_RE.search(node.value).group(0))  # type: ignore[union-attr]
        if bad:
            names = ", ".join(dict.fromkeys(bad))
            self.add("error", "unsafe",
                     f"thẻ «{tag.raw}» truy cập nội bộ Python ({names}): bị cấm vì lý do an "
                     "toàn; mẫu chỉ được dùng các biến trong docs/template-context.md",
                     tag.para, tag)

    # -- blocks
    def check_blocks(self, tags: list[_Tag]) -> None:
        """Every block opened is closed, in order, with tags of one kind (``{%p`` or ``{%``)."""
        stack: list[_Tag] = []
        for tag in tags:
            kw = tag.keyword
            if tag.kind != "{%" or not kw:
                continue
            if kw in _OPENERS and (kw != "set" or "=" not in tag.source):
                stack.append(tag)
            elif kw in ("elif", "else"):
                allowed = ("if",) if kw == "elif" else ("if", "for")
                if not stack or stack[-1].keyword not in allowed:
                    self.add("error", "unbalanced",
                             f"«{tag.raw}» không nằm trong khối «{{% if %}}»"
                             + (" hay «{% for %}»" if kw == "else" else ""), tag.para, tag)
                else:
                    stack[-1].middles.append(tag)
            elif kw in _ENDS:
                opener_kw = _ENDS[kw]
                if not any(o.keyword == opener_kw for o in stack):
                    self.add("error", "unbalanced",
                             f"«{tag.raw}» thừa: không có «{{% {opener_kw} … %}}» mở trước nó",
                             tag.para, tag)
                    continue
                while stack[-1].keyword != opener_kw:
                    self.unclosed(stack.pop(), before=tag)
                self.check_block_levels(stack.pop(), tag)
        for opener in stack:
            self.unclosed(opener)

    def unclosed(self, opener: _Tag, before: _Tag | None = None) -> None:
        end = _OPENERS[opener.keyword]
        prefix = f"{{%{opener.level} " if opener.level else "{% "
        where = f" trước «{before.raw}» ({before.para.place})" if before else ""
        self.add("error", "unbalanced",
                 f"khối «{opener.raw}» không được đóng{where}: thiếu «{prefix}{end} %}}»",
                 opener.para, opener)

    def check_block_levels(self, opener: _Tag, closer: _Tag) -> None:
        for tag in [*opener.middles, closer]:
            if tag.level != opener.level:
                self.add("error", "mixed-levels",
                         f"«{tag.raw}» không cùng loại với «{opener.raw}» ({opener.para.place}): "
                         "cả khối phải cùng dùng «{%p …%}» (mỗi thẻ một đoạn riêng) hoặc cùng "
                         "«{% …%}» trong dòng; trộn hai loại làm hỏng tệp .docx",
                         tag.para, tag)
                return
        if opener.level == "" and opener.para is not closer.para and opener.kind == "{%":
            self.add("warning", "inline-block-across-paragraphs",
                     f"khối «{opener.raw}» … «{closer.raw}» ({closer.para.place}) trải qua nhiều "
                     "đoạn nhưng dùng thẻ trong dòng: các đoạn có thể bị nhập làm một; nên dùng "
                     "«{%p …%}», mỗi thẻ một đoạn riêng", opener.para, opener)

    # -- whole part
    def check_whole_part(self, part: _Part) -> None:
        """Parse the part as docxtpl patches it: catches what the tag checks could not see."""
        if part.root is None:
            return
        if part.root.find(".//" + _TRACKED[0]) is not None or any(
                part.root.find(".//" + t) is not None for t in _TRACKED[1:]):
            self.add("warning", "track-changes",
                     "mẫu còn thay đổi được theo dõi (Track Changes): docxtpl xử lý cả phần "
                     "đã xóa; hãy Review › Accept All Changes rồi lưu lại", part=part.label)
        patched = _patch_xml(etree.tostring(part.root, encoding="unicode"))
        patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        try:
            ast = self.env.parse(patched)
        except TemplateSyntaxError as exc:
            if self.errors_in(part.label):
                return  # already explained tag by tag
            lines = patched.splitlines()
            line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
            text = re.sub(r"<[^>]+>", "", line).strip()
            para = next((p for p in part.paras if text and text in p.text), None)
            self.add("error", "syntax",
                     f"lỗi cú pháp Jinja khi đọc cả phần: {exc.message}"
                     + (f" (gần «{_excerpt(text, width=60)}»)" if text and para is None else ""),
                     para, part=part.label)
            return
        try:
            undeclared = meta.find_undeclared_variables(ast)
        except TemplateAssertionError as exc:  # an unknown filter or test
            if not self.errors_in(part.label):
                self.add("error", "unknown-filter", f"{exc.message} (thẻ không thấy được "
                         "trong Word)", part=part.label)
            return
        known = set(CONTEXT_FIELDS) | set(self.env.globals) | _JINJA_SPECIAL_NAMES
        for name in sorted(undeclared - known - self.unknown):
            self.used.add(name)
            self.add("error", "unknown-variable",
                     f"biến «{name}» không có trong ngữ cảnh{_suggest(name, CONTEXT_FIELDS)} "
                     "(thẻ không thấy được trong Word: nằm trong phần đã xóa, mã trường "
                     "hoặc đối tượng ẩn)", part=part.label)
        self.used |= undeclared

    # -- document level
    def check_unused(self) -> None:
        expected = dict(_EXPECTED_COMMON)
        if "issuers" in self.used:  # the issuers list covers parent and issuer
            self.used |= {"parent", "issuer"}
        if self.doc_type:
            expected = expected_for(self.doc_type, _declared_types(self.path), expected)
        elif not {"subject", "subject_line"} & self.used:
            self.add("warning", "unused",
                     "mẫu không dùng «subject» hay «subject_line»: trích yếu sẽ không được in",
                     part="cả mẫu")
        for name, consequence in expected.items():
            if name not in self.used:
                self.add("warning", "unused", f"mẫu không dùng «{name}»: {consequence}",
                         part="cả mẫu")

    def check_styles(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                styles = archive.read("word/styles.xml")
        except KeyError:
            styles = b"<w:styles xmlns:w='" + W_NS.encode() + b"'/>"
        defined = {s.get(_w("styleId")): s.get(_w("type"))
                   for s in etree.fromstring(styles).iter(_w("style"))}
        # Phần/chương and Điều styles appear only with an outline (quyết định: Điều): a
        # template written before them is not warned unless it serves a quyết định.
        outline_styles = {"VBPart", "VBPartTitle", "VBArticle"}
        wants_outline = bool(self.doc_type) and TYPE_INFO[self.doc_type or ""].form == "quyet_dinh"
        for style_id, kind in body_styles():
            if style_id in outline_styles and not wants_outline and style_id not in defined:
                continue
            if defined.get(style_id) != kind:
                what = "kiểu bảng" if kind == "table" else "kiểu đoạn"
                use = _STYLE_USES.get(style_id, "")
                self.add("warning", "missing-style",
                         f"mẫu không có {what} (style) «{style_id}» mà phần nội dung dùng"
                         + (f" ({use})" if use else "") + ": Word sẽ hiện theo kiểu Normal; "
                         "đổi định dạng kiểu đó chứ đừng xóa hay đổi tên nó", part="cả mẫu")

    def trial_render(self) -> None:
        """Render sample documents through docxtpl; the output XML must be well formed."""
        from docxtpl import DocxTemplate

        for variant, context in _sample_contexts(self.doc_type):
            env = template_environment()
            template = DocxTemplate(str(self.path))
            try:
                template.render_init()
                etree.fromstring(template.build_xml(context, env).encode("utf-8"))
                for uri in (RT_HEADER, RT_FOOTER):
                    for _key, xml in template.build_headers_footers_xml(context, uri, env):
                        etree.fromstring(xml)
                template.render_properties(context, env)
            except SecurityError as exc:
                self.add("error", "unsafe", f"mẫu truy cập nội bộ Python: {exc}",
                         *self.culprit(context))
            except JinjaTemplateError as exc:
                self.add("error", "render", f"thử tạo văn bản mẫu ({variant}) thất bại: {exc}",
                         *self.culprit(context))
            except etree.XMLSyntaxError as exc:
                self.add("error", "broken-xml",
                         f"thử tạo văn bản mẫu ({variant}): kết quả không phải XML hợp lệ, "
                         f"tệp .docx sẽ hỏng ({exc})", part="thử tạo văn bản")
            except Exception as exc:  # any other failure is the template's too
                self.add("error", "render",
                         f"thử tạo văn bản mẫu ({variant}) thất bại: "
                         f"{type(exc).__name__}: {exc}", *self.culprit(context))
            else:
                continue
            return

    def culprit(self, context: dict[str, Any]) -> tuple[_Para | None, _Tag | None, str]:
        """The first ``{{ … }}`` tag that fails alone with ``context`` (for its place)."""
        known = set(context) | set(self.env.globals)
        for tag in self.tags:
            if tag.kind != "{{" or tag.ast is None:
                continue
            names = {n.name for n in tag.ast.find_all(nodes.Name)}
            if not names <= known:
                continue  # uses a loop variable: cannot render alone
            try:
                self.env.from_string(tag.source).render(context)
            except Exception:
                return tag.para, tag, ""
        return None, None, "thử tạo văn bản"

    def run(self) -> list[TemplateFinding]:
        if package_findings(self.path, self.findings):
            return self.findings
        try:
            parts = _read_parts(self.path)
        except Exception as exc:  # not a .docx, damaged zip, bad XML
            self.add("error", "file", f"không mở được tệp như một .docx: {exc}", part="tệp")
            return self.findings
        for part in parts:
            for para in part.paras:
                self.order[id(para)] = len(self.order)
        for part in parts:
            tags: list[_Tag] = []
            for i, para in enumerate(part.paras):
                following = part.paras[i + 1] if i + 1 < len(part.paras) else None
                tags.extend(self.tags_of(para, following))
            for tag in tags:
                self.parse_tag(tag)
            self.tags.extend(tags)
            self.check_names(tags)
            if part.root is None:
                continue  # each core property is its own small template
            self.check_blocks(tags)
            self.check_whole_part(part)
        self.check_unused()
        self.check_styles()
        if not any(f.severity == "error" for f in self.findings):
            self.trial_render()
        return self.findings


def check_template(path: str | Path, doc_type: str | None = None) -> list[TemplateFinding]:
    """Every problem of the .docx template at ``path`` (errors first, in document order).

    ``doc_type`` (``cong_van``, ``ke_hoach``, ``thong_bao``) adds the context parts that type
    needs to the "never used" warnings. Raises ``TemplateError`` when the file does not exist
    or ``doc_type`` is unknown; a file that is not a .docx is reported as a finding.
    """
    path = Path(path)
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise TemplateError(f"loại văn bản «{doc_type}» không có; chọn một trong "
                            f"{', '.join(DOC_TYPES)}")
    if not path.is_file():
        raise TemplateError(f"không tìm thấy mẫu văn bản (template) «{path}»")
    declared = _declared_types(path)
    # Without --type, a template is checked for the first type it declares it serves.
    findings = _Checker(path, doc_type or (declared[0] if declared else None)).run()
    if doc_type is not None and declared is not None and doc_type not in declared:
        findings.append(TemplateFinding(
            "error", "wrong-type",
            f"mẫu khai báo là mẫu {', '.join(declared)} (thuộc tính Category của tệp), không "
            f"phải {doc_type}; "
            "render_docx sẽ từ chối dùng nó cho văn bản loại khác",
            "thuộc tính tệp", "Category"))
    return sorted(findings, key=lambda f: (f.severity != "error", f.order))


def _declared_types(path: Path) -> tuple[str, ...] | None:
    from vn_union_docs.rendering.templates import declared_types

    try:
        return declared_types(Path(path))
    except (OSError, zipfile.BadZipFile):
        return None


def _sample_contexts(doc_type: str | None) -> list[tuple[str, dict[str, Any]]]:
    """Two sample contexts: every optional part filled, and a bare draft."""
    from vn_union_docs.documents.spec import load_document
    from vn_union_docs.rendering.context import build_context

    kind = doc_type or "cong_van"
    extra = FORM_SAMPLES.get(TYPE_INFO[kind].form, {})
    full = {
        "type": kind, "number": 5, "place": "Thái Bình", "date": "2024-02-23",
        "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế",
                   "code": "CĐYT"},
        "subject": "triển khai Chương trình «01 triệu sáng kiến» & <mẫu>",
        "urgency": "khan", "secrecy": "mat", "recipients": ["Các CĐCS", "Ban Nữ công"],
        "body": "# Mục đích\n\n## Một\n\nNội dung.\n\n- ý\n  - ý con\n\n1. số\n\n"
                "| A | B |\n|---|---|\n| 1 | 2 |\n",
        "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn A"},
        "distribution": ["Như trên"], **extra, **JOINT_SAMPLE,
    }
    bare = {
        "type": kind, "place": "Hà Nội", "draft_year": 2024,
        "issuer": {"name": "Công đoàn X", "code": "CĐX"}, "subject": "mẫu",
        "recipients": ["Các CĐCS"], "body": "Nội dung.", "signature": {"name": "B"}, **extra,
    }
    return [("đủ các phần", build_context(load_document(full))),
            ("bản nháp tối thiểu", build_context(load_document(bare)))]


