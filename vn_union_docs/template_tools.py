"""Template authoring: export the default templates, check a template, document the context.

- ``export_templates(directory)`` copies the three default templates and a short Vietnamese
  guide (``HUONG-DAN-MAU.md``) to a folder for editing in Word or LibreOffice.
- ``check_template(path, doc_type=None)`` reports every problem of a .docx template, each
  with a place a person finds in Word (part, paragraph or table cell, the text around it):
  Jinja syntax errors, unbalanced blocks, unknown variables and filters (with a suggestion),
  tags Word split in a way docxtpl cannot read, ``{%p`` tags sharing their paragraph, curly
  quotes inside tags, anything reaching for Python internals, context parts never used,
  missing body styles; when nothing is wrong statically, a trial render with sample data.
- ``context_markdown()`` / ``write_context_doc()`` generate ``docs/template-context.md`` from
  ``CONTEXT_FIELDS``, the filter dicts and the body's style ids, so the page cannot drift.

Run ``python -m vn_union_docs.template_tools`` to regenerate ``docs/template-context.md``.
"""

from __future__ import annotations

import copy
import difflib
import html
import inspect
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jinja2 import TemplateAssertionError, TemplateSyntaxError, meta, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from vn_union_docs import body as body_module
from vn_union_docs import vi
from vn_union_docs.context import CONTEXT_FIELDS
from vn_union_docs.errors import TemplateError
from vn_union_docs.jinja import template_environment
from vn_union_docs.ooxml import R_NS, W_NS, w
from vn_union_docs.render import default_template

__all__ = [
    "DOC_TYPES",
    "GUIDE_NAME",
    "TemplateFinding",
    "check_template",
    "context_markdown",
    "export_templates",
    "format_finding",
    "template_check_report",
    "write_context_doc",
]

Severity = Literal["error", "warning"]

DOC_TYPES: tuple[str, ...] = ("cong_van", "ke_hoach", "thong_bao")
DOC_TYPE_NAMES = {"cong_van": "công văn", "ke_hoach": "kế hoạch", "thong_bao": "thông báo"}
GUIDE_NAME = "HUONG-DAN-MAU.md"
CONTEXT_DOC = Path(__file__).resolve().parent.parent / "docs" / "template-context.md"

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


_w = w


W_P, W_T, W_TBL, W_TR, W_TC = _w("p"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
W_TXBX = _w("txbxContent")
_WRAPPERS = {_w("sdt"), _w("sdtContent"), _w("customXml"), _w("smartTag")}
_TRACKED = [_w("ins"), _w("del"), _w("moveFrom"), _w("moveTo")]

# Tags as the author sees them in the paragraph text.
TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_OPEN_RE = re.compile(r"\{[{%#]")
_CLOSE_RE = re.compile(r"[}%#]\}")
_LEVEL_RE = re.compile(r"^\{([{%#])(tr|tc|p|r) ")
_KEYWORD_RE = re.compile(r"^\{%[-+]?\s*([A-Za-z_]\w*)")
CURLY_QUOTES = "“”‘’"

_OPENERS = {
    "if": "endif", "for": "endfor", "with": "endwith", "macro": "endmacro", "call": "endcall",
    "filter": "endfilter", "autoescape": "endautoescape", "block": "endblock", "raw": "endraw",
    "set": "endset",
}
_ENDS = {end: opener for opener, end in _OPENERS.items()}
_FORBIDDEN_TAGS = {"include", "import", "from", "extends"}
_JINJA_SPECIAL_NAMES = {"loop", "caller", "varargs", "kwargs", "self", "true", "false", "none"}
# Attributes the sandbox refuses besides ``_``-prefixed ones (frames, code, globals).
_UNSAFE_ATTRS = {
    "mro", "func_globals", "func_code", "func_closure", "gi_frame", "gi_code", "cr_frame",
    "cr_code", "ag_frame", "ag_code", "f_globals", "f_locals", "f_builtins", "f_code",
    "tb_frame", "co_code",
}
_DUNDER_RE = re.compile(r"__\w+__")

# Context parts a template should use; the warning says what would go missing.
_EXPECTED_COMMON: dict[str, str] = {
    "parent": "tên cơ quan chủ quản sẽ không được in",
    "issuer": "tên cơ quan ban hành sẽ không được in",
    "number_line": "số, ký hiệu văn bản sẽ không được in",
    "place_date": "địa danh, ngày tháng năm sẽ không được in",
    "urgency": "độ khẩn (KHẨN, HỎA TỐC…) sẽ không được in",
    "secrecy": "độ mật (MẬT…) sẽ không được in",
    "body": "nội dung văn bản sẽ không được in",
    "signature_capacity": "dòng thẩm quyền ký (TM., KT.…) sẽ không được in",
    "signature_title": "chức vụ người ký sẽ không được in",
    "signature_name": "họ tên người ký sẽ không được in",
    "distribution": "phần «Nơi nhận» sẽ không được in — mẫu thiếu nơi nhận gần như chắc là sai",
}
_EXPECTED_BY_TYPE: dict[str, dict[str, str]] = {
    "cong_van": {
        "subject_line": "dòng trích yếu «V/v …» của công văn sẽ không được in",
        "recipient_line": "«Kính gửi:» khi chỉ có một nơi nhận sẽ không được in",
        "recipients": "«Kính gửi:» khi có nhiều nơi nhận sẽ không được in",
    },
    "ke_hoach": {"subject": "trích yếu (tên kế hoạch) sẽ không được in"},
    "thong_bao": {"subject": "trích yếu (tên thông báo) sẽ không được in"},
}

_STYLE_USES: dict[str, str] = {
    "VBBody": "đoạn nội dung: canh đều, thụt dòng đầu 1,27 cm, cách sau 6 pt",
    "VBHeading1": "đề mục «I. MỤC ĐÍCH, YÊU CẦU»: chữ đậm",
    "VBHeading2": "đề mục «1. Mục đích»: chữ đậm",
    "VBHeading3": "đề mục «a) …»: chữ thường hoặc nghiêng",
    "VBDash": "đoạn gạch đầu dòng «- …»",
    "VBPlus": "đoạn cấp hai «+ …»",
    "VBNumbered": "đoạn đánh số «1. …» từ danh sách có thứ tự",
    "VBTableText": "chữ trong bảng của phần nội dung",
    "VBTable": "bảng của phần nội dung: viền đơn",
}

_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class TemplateFinding:
    """One problem of a template.

    ``part`` is where in the file (``thân văn bản``, ``đầu trang 1 (Header, mục 1)``…),
    ``place`` the paragraph or table cell (``bảng 1, hàng 2, ô 1, đoạn 3``), ``excerpt`` the
    text around the tag; ``code`` a stable short name (``unknown-variable``, ``syntax``…).
    """

    severity: Severity
    code: str
    message: str
    part: str = ""
    place: str = ""
    excerpt: str = ""
    order: int = field(default=1 << 30, compare=False, repr=False)

    @property
    def where(self) -> str:
        """Part and place joined: ``thân văn bản, bảng 1, hàng 2, ô 1, đoạn 3``."""
        return ", ".join(x for x in (self.part, self.place) if x)

    def __str__(self) -> str:
        return format_finding(self)


def format_finding(finding: TemplateFinding) -> str:
    """One finding as text: severity, place, message and (indented) the text around it."""
    label = "lỗi" if finding.severity == "error" else "cảnh báo"
    mark = "✗" if finding.severity == "error" else "!"
    head = f"{mark} {label}"
    where = finding.where
    line = f"{head} — {where}: {finding.message}" if where else f"{head}: {finding.message}"
    if finding.excerpt:
        line += f"\n    văn bản quanh đó: «{finding.excerpt}»"
    return line


def template_check_report(findings: list[TemplateFinding], path: str | Path | None = None,
                          doc_type: str | None = None) -> str:
    """The whole report of ``check_template`` as printable text (Vietnamese)."""
    lines = []
    if path is not None:
        kind = f" (cho {DOC_TYPE_NAMES.get(doc_type, doc_type)})" if doc_type else ""
        lines.append(f"Kiểm tra mẫu «{path}»{kind}")
    lines.extend(format_finding(f) for f in findings)
    lines.append(summary_line(findings))
    return "\n".join(lines)


def summary_line(findings: list[TemplateFinding]) -> str:
    """``Không có lỗi, 1 cảnh báo.`` / ``2 lỗi, 0 cảnh báo.``"""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "Mẫu dùng được: không có lỗi, không có cảnh báo."
    if not errors:
        return f"Mẫu dùng được: không có lỗi, {warnings} cảnh báo."
    return f"Mẫu chưa dùng được: {errors} lỗi, {warnings} cảnh báo."


# --------------------------------------------------------------------------- reading parts


@dataclass
class _Para:
    """A paragraph (or a core property) with where it is and what it shows."""

    part: str
    place: str
    text: str
    element: Any = None  # the w:p element; None for a core property
    container: Any = None  # body, w:tc, w:txbxContent, header root…
    row: Any = None  # enclosing w:tr, if any
    cell: Any = None  # enclosing w:tc, if any


@dataclass
class _Tag:
    raw: str  # as typed (paragraph text)
    para: _Para
    start: int  # offset in para.text
    kind: str = ""  # "{{", "{%", "{#"
    level: str = ""  # docxtpl prefix: "", "p", "r", "tr", "tc"
    source: str = ""  # Jinja source: quotes straightened, docxtpl prefix removed
    keyword: str = ""  # first word of a statement
    ast: Any = None
    broken: bool = False
    middles: list[_Tag] = field(default_factory=list)


@dataclass
class _Part:
    label: str
    root: Any = None  # lxml element (body / hdr / ftr / footnotes); None for core properties
    paras: list[_Para] = field(default_factory=list)


def _text_of(p: Any) -> str:
    """The text a paragraph shows (its own w:t, not those of text boxes inside it)."""
    out = []
    for t in p.iter(W_T):
        if _nearest_paragraph(t) is p:
            out.append(t.text or "")
    return "".join(out)


def _nearest_paragraph(el: Any) -> Any:
    for anc in el.iterancestors():
        if anc.tag == W_P:
            return anc
    return None


def _children(el: Any) -> Iterator[Any]:
    """Children, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag in _WRAPPERS:
            yield from _children(child)
        else:
            yield child


def _walk(container: Any, prefix: list[str], part: str, out: list[_Para],
          row: Any = None, cell: Any = None) -> None:
    p_index = t_index = 0
    for child in _children(container):
        if child.tag == W_P:
            p_index += 1
            place = [*prefix, f"đoạn {p_index}"]
            out.append(_Para(part, ", ".join(place), _text_of(child), child, container, row,
                             cell))
            boxes = [b for b in child.iter(W_TXBX) if _nearest_paragraph(b) is child
                     and not any(a.tag == MC_FALLBACK for a in b.iterancestors())]
            for k, box in enumerate(boxes, 1):
                _walk(box, [*place, f"hộp văn bản {k}"], part, out, row, cell)
        elif child.tag == W_TBL:
            t_index += 1
            rows = [r for r in _children(child) if r.tag == W_TR]
            for r_index, tr in enumerate(rows, 1):
                cells = [c for c in _children(tr) if c.tag == W_TC]
                for c_index, tc in enumerate(cells, 1):
                    where = [*prefix, f"bảng {t_index}", f"hàng {r_index}", f"ô {c_index}"]
                    _walk(tc, where, part, out, tr, tc)


def _header_labels(body: Any, rels: dict[str, str]) -> dict[str, str]:
    """Partname → ``Header, mục 1`` / ``First Page Header, mục 1`` from the sections."""
    kinds = {"default": "", "first": "First Page ", "even": "Even Page "}
    labels: dict[str, list[str]] = {}
    for s_index, sect in enumerate(body.iter(_w("sectPr")), 1):
        for ref in sect:
            if ref.tag not in (_w("headerReference"), _w("footerReference")):
                continue
            what = "Header" if ref.tag == _w("headerReference") else "Footer"
            target = rels.get(ref.get(f"{{{R_NS}}}id", ""))
            if target:
                kind = kinds.get(ref.get(_w("type"), "default"), "")
                labels.setdefault(target, []).append(f"{kind}{what}, mục {s_index}")
    return {k: "; ".join(v) for k, v in labels.items()}


def _read_parts(path: Path) -> list[_Part]:
    """Every part docxtpl renders, in its order: body, headers, footers, footnotes, properties."""
    from docx import Document

    document = Document(str(path))
    body = document.element.body
    main = document.part
    parts = [_Part("thân văn bản", body)]
    _walk(body, [], parts[0].label, parts[0].paras)

    rel_targets = {rid: str(rel.target_part.partname) for rid, rel in main.rels.items()
                   if not rel.is_external and rel.reltype in (RT_HEADER, RT_FOOTER)}
    labels = _header_labels(body, rel_targets)
    for reltype, word in ((RT_HEADER, "đầu trang"), (RT_FOOTER, "chân trang")):
        found = []
        for rel in main.rels.values():
            if rel.is_external or rel.reltype != reltype or not rel.target_part.blob:
                continue
            name = str(rel.target_part.partname)
            number = re.search(r"(\d+)\.xml$", name)
            found.append((int(number.group(1)) if number else 0, name, rel.target_part.blob))
        for number, name, blob in sorted(found):
            extra = labels.get(name)
            label = f"{word} {number}" + (f" ({extra})" if extra else "")
            root = etree.fromstring(blob)
            part = _Part(label, root)
            _walk(root, [], label, part.paras)
            parts.append(part)
    for package_part in main.package.parts:
        if package_part.content_type == CT_FOOTNOTES:
            root = etree.fromstring(package_part.blob)
            part = _Part("chú thích cuối trang (footnotes)", root)
            _walk(root, [], part.label, part.paras)
            parts.append(part)
    props = document.core_properties
    for name in _CORE_PROPERTIES:
        value = getattr(props, name) or ""
        if _OPEN_RE.search(value):
            label = "thuộc tính tệp (File › Info › Properties)"
            parts.append(_Part(label, None, [_Para(label, name.capitalize(), value)]))
    return parts


# --------------------------------------------------------------------------- docxtpl mimicry


def _docxtpl_join(xml: str) -> str:
    """docxtpl's first two steps: join ``{<xml>{`` and strip XML inside tags."""
    xml = re.sub(r"(?<={)(<[^>]*>)+(?=[\{%\#])|(?<=[%\}\#])(<[^>]*>)+(?=\})", "", xml,
                 flags=re.DOTALL)

    def striptags(m: re.Match[str]) -> str:
        return re.sub("</w:t>.*?(<w:t>|<w:t [^>]*>)", "", m.group(0), flags=re.DOTALL)

    return re.sub(r"{%(?:(?!%}).)*|{#(?:(?!#}).)*|{{(?:(?!}}).)*", striptags, xml,
                  flags=re.DOTALL)


def _patch_xml(xml: str) -> str:
    """docxtpl's own ``patch_xml`` (the exact text Jinja will parse)."""
    from docxtpl import DocxTemplate

    return DocxTemplate.patch_xml(DocxTemplate.__new__(DocxTemplate), xml)


def _own_xml(p: Any) -> str:
    """The paragraph's XML without the text boxes inside it."""
    clone = copy.deepcopy(p)
    for box in list(clone.iter(W_TXBX)):
        box.getparent().remove(box)
    return etree.tostring(clone, encoding="unicode")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- the checker


def _excerpt(text: str, start: int = 0, length: int = 0, width: int = 90) -> str:
    """The paragraph text, shortened around ``text[start:start+length]``."""
    text = text.replace("\t", " ")
    if len(text) <= width:
        return text.strip()
    centre = start + length // 2
    lo = max(0, min(centre - width // 2, len(text) - width))
    hi = lo + width
    return ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


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
        tags = [_Tag(m.group(0), para, m.start()) for m in TAG_RE.finditer(para.text)]
        rest = TAG_RE.sub(lambda m: " " * len(m.group(0)), para.text)
        opener = _OPEN_RE.search(rest)
        spanned, self.spanning = self.spanning, False
        if opener:
            start = opener.start()
            shown = _excerpt(para.text[start:], width=40)
            closer = {"{{": "}}", "{%": "%}", "{#": "#}"}[opener.group(0)]
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
        for m in TAG_RE.finditer(joined):
            inner = m.group(0)
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
        if self.doc_type:
            expected.update(_EXPECTED_BY_TYPE[self.doc_type])
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
        for style_id, kind in body_styles():
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
    findings = _Checker(path, doc_type).run()
    declared = _declared_type(path)
    if doc_type is not None and declared is not None and declared != doc_type:
        findings.append(TemplateFinding(
            "error", "wrong-type",
            f"mẫu khai báo là mẫu {declared} (thuộc tính Category của tệp), không phải {doc_type}; "
            "render_docx sẽ từ chối dùng nó cho văn bản loại khác",
            "thuộc tính tệp", "Category"))
    return sorted(findings, key=lambda f: (f.severity != "error", f.order))


def _declared_type(path: Path) -> str | None:
    from vn_union_docs.compiled import declared_type

    try:
        return declared_type(Path(path))
    except (OSError, zipfile.BadZipFile):
        return None


def _sample_contexts(doc_type: str | None) -> list[tuple[str, dict[str, Any]]]:
    """Two sample contexts: every optional part filled, and a bare draft."""
    from vn_union_docs.context import build_context
    from vn_union_docs.spec import load_document

    kind = doc_type or "cong_van"
    full = {
        "type": kind, "number": 5, "place": "Thái Bình", "date": "2024-02-23",
        "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế",
                   "code": "CĐYT"},
        "subject": "triển khai Chương trình «01 triệu sáng kiến» & <mẫu>",
        "urgency": "khan", "secrecy": "mat", "recipients": ["Các CĐCS", "Ban Nữ công"],
        "body": "# Mục đích\n\n## Một\n\nNội dung.\n\n- ý\n  - ý con\n\n1. số\n\n"
                "| A | B |\n|---|---|\n| 1 | 2 |\n",
        "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn A"},
        "distribution": ["Như trên"],
    }
    bare = {
        "type": kind, "place": "Hà Nội", "draft_year": 2024,
        "issuer": {"name": "Công đoàn X", "code": "CĐX"}, "subject": "mẫu",
        "recipients": ["Các CĐCS"], "body": "Nội dung.", "signature": {"name": "B"},
    }
    return [("đủ các phần", build_context(load_document(full))),
            ("bản nháp tối thiểu", build_context(load_document(bare)))]


# --------------------------------------------------------------------------- export

GUIDE_TEXT = """\
# Hướng dẫn sửa mẫu văn bản (template)

Thư mục này có ba mẫu mặc định của vn-union-docs: `cong_van.docx`, `ke_hoach.docx`,
`thong_bao.docx`. Mở bằng Word hoặc LibreOffice, sửa, lưu lại (giữ định dạng .docx).

## Phải giữ
- Các thẻ trong ngoặc nhọn: `{{ issuer }}`, `{{ number_line }}`, `{{ place_date }}`…
  Danh sách đầy đủ các biến: docs/template-context.md.
- `{{p body }}` (nội dung văn bản) đứng **một mình** trong một đoạn.
- Các đoạn chỉ có một thẻ `{%p … %}` (ví dụ `{%p if parent %}`, `{%p for line in distribution %}`,
  `{%p endif %}`): giữ nguyên, mỗi thẻ một đoạn riêng, không gõ thêm chữ vào đoạn đó.
- Các kiểu (style) `VB Body`, `VB Heading 1`… mà phần nội dung dùng: được đổi định dạng,
  không được xóa hay đổi tên.

## Được đổi
- Phông chữ, cỡ chữ, giãn dòng, khoảng cách, lề trang, độ rộng cột của bảng.
- Định dạng của các kiểu (Home › Styles › Modify): ví dụ «VB Body» cỡ 13 pt.
- Thêm dòng cố định: dòng logo, khẩu hiệu, một dòng dưới chữ ký…
- Thêm thẻ: ví dụ một đoạn `Về việc: {{ subject }}`.

## Mẹo
- Gõ cả thẻ một lần; muốn định dạng (đậm, nghiêng) thì bôi đen **cả thẻ**.
- Tắt AutoCorrect «thay nháy thẳng bằng nháy cong» khi gõ thẻ có chuỗi.
- Không để Track Changes trong mẫu: Review › Accept All Changes trước khi lưu.

## Kiểm tra
    vn-union-docs template check cong_van.docx --type cong_van
    vn-union-docs render van-ban.yaml --out out --template cong_van.docx
hoặc ghi `template: cong_van.docx` trong tệp dữ liệu (đường dẫn tính từ tệp dữ liệu).
"""


def export_templates(directory: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the three default templates and ``HUONG-DAN-MAU.md`` to ``directory``.

    Returns the written paths (templates first). Refuses, with ``TemplateError``, to
    overwrite an existing file unless ``overwrite`` is true (it may be someone's edited
    template).
    """
    directory = Path(directory)
    targets = [directory / f"{kind}.docx" for kind in DOC_TYPES] + [directory / GUIDE_NAME]
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        names = ", ".join(p.name for p in existing)
        raise TemplateError(f"thư mục «{directory}» đã có {names}; dùng --force để ghi đè")
    directory.mkdir(parents=True, exist_ok=True)
    for kind, target in zip(DOC_TYPES, targets, strict=False):
        source = default_template(kind)
        if not source.is_file():
            raise TemplateError(f"không tìm thấy mẫu mặc định «{source}»")
        shutil.copyfile(source, target)
    targets[-1].write_text(GUIDE_TEXT, encoding="utf-8")
    return targets


# --------------------------------------------------------------------------- context doc


def body_styles() -> list[tuple[str, str]]:
    """``(style id, "paragraph" | "table")`` for every ``STYLE_*`` constant of ``body``."""
    out: list[tuple[str, str]] = []
    for name, value in vars(body_module).items():
        if not name.startswith("STYLE_"):
            continue
        kind = "table" if name == "STYLE_TABLE" else "paragraph"
        for style_id in (value,) if isinstance(value, str) else value:
            out.append((style_id, kind))
    return out


def _style_names() -> dict[str, str]:
    """Style id → name as Word shows it, read from the default công văn template."""
    try:
        with zipfile.ZipFile(default_template("cong_van")) as archive:
            root = etree.fromstring(archive.read("word/styles.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}
    names = {}
    for style in root.iter(_w("style")):
        name = style.find(_w("name"))
        if name is not None:
            names[style.get(_w("styleId"))] = name.get(_w("val"))
    return names


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _first_line(func: Any) -> str:
    doc = inspect.getdoc(func) or ""
    return doc.splitlines()[0].strip() if doc else ""


def context_markdown() -> str:
    """The text of ``docs/template-context.md``, generated from the code."""
    import importlib

    campaign = importlib.import_module("vn_union_docs.campaign")
    lines = [
        "# Ngữ cảnh của mẫu văn bản (template context)",
        "",
        "<!-- Tệp tạo tự động từ mã nguồn: đừng sửa tay. Tạo lại bằng",
        "     python -m vn_union_docs.template_tools",
        "     (tests/test_template_tools.py báo lỗi khi tệp này cũ). -->",
        "",
        "Mọi mẫu .docx nhận cùng một bộ biến (context) dưới đây, đã định dạng sẵn: mẫu chỉ đặt",
        "chúng vào chỗ, không tính toán gì. Dùng biến không có ở đây là lỗi "
        "(`vn-union-docs template check` chỉ ra vị trí).",
        "Hướng dẫn sửa mẫu: [template-guide.md](template-guide.md).",
        "",
        "## Biến (variables)",
        "",
        "| biến | kiểu | ý nghĩa |",
        "|---|---|---|",
    ]
    for key, (kind, meaning) in CONTEXT_FIELDS.items():
        lines.append(f"| `{key}` | {_cell(kind)} | {_cell(meaning)} |")
    lines += [
        "",
        "Biến kiểu `list[str]` dùng trong vòng lặp, mỗi phần tử một đoạn:",
        "`{%p for line in distribution %}` / `{{ line }}` / `{%p endfor %}`. Tên biến vòng lặp",
        "(`line`, `r`…) do mẫu tự đặt. `body` chỉ dùng dạng `{{p body }}`, một mình trong đoạn.",
        "",
        "## Bộ lọc (filters)",
        "",
        "Dùng như `{{ x | ten_bo_loc }}`; ngoài ra có các bộ lọc sẵn của Jinja (`upper`, `lower`,",
        "`default`, `join`…).",
        "",
        "| bộ lọc | hàm | mô tả |",
        "|---|---|---|",
    ]
    for filters in (vi.FILTERS, getattr(campaign, "FILTERS", {})):
        for name, func in filters.items():
            where = f"{func.__module__.rsplit('.', 1)[-1]}.{func.__name__}"
            lines.append(f"| `{name}` | `{where}` | {_cell(_first_line(func))} |")
    names = _style_names()
    lines += [
        "",
        "## Kiểu (styles) mà phần nội dung dùng",
        "",
        "`{{p body }}` tạo các đoạn và bảng mang các kiểu dưới đây: mẫu phải có chúng. Đổi định",
        "dạng kiểu trong Word (Home › Styles › Modify) là đổi cả phần nội dung; đừng xóa hay",
        "đổi tên kiểu.",
        "",
        "| style id | tên trong Word | loại | dùng cho |",
        "|---|---|---|---|",
    ]
    for style_id, kind in body_styles():
        word = names.get(style_id, style_id)
        what = "bảng (table)" if kind == "table" else "đoạn (paragraph)"
        lines.append(f"| `{style_id}` | {word} | {what} | {_cell(_STYLE_USES.get(style_id, ''))} |")
    lines.append("")
    return "\n".join(lines)


def write_context_doc(path: str | Path | None = None) -> Path:
    """Write ``context_markdown()`` to ``path`` (default ``docs/template-context.md``)."""
    target = Path(path) if path is not None else CONTEXT_DOC
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(context_markdown(), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_context_doc())
