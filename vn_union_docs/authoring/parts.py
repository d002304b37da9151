"""Reading a .docx template as its author sees it: parts, paragraphs, table cells and the tags in
them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from vn_union_docs.documents.doc_types import DOC_TYPES
from vn_union_docs.rendering.ooxml import (
    CONTENT_TYPE,
    MC_NS,
    R_NS,
    RELATIONSHIP_TYPE,
    paragraph_text,
    w,
)

GUIDE_NAME = "HUONG-DAN-MAU.md"
CONTEXT_DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "template-context.md"

MC_FALLBACK = f"{{{MC_NS}}}Fallback"
RT_HEADER = RELATIONSHIP_TYPE.HEADER
RT_FOOTER = RELATIONSHIP_TYPE.FOOTER
CT_FOOTNOTES = CONTENT_TYPE.WML_FOOTNOTES


_w = w


W_P, W_T, W_TBL, W_TR, W_TC = _w("p"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
W_TXBX = _w("txbxContent")
_WRAPPERS = {_w("sdt"), _w("sdtContent"), _w("customXml"), _w("smartTag")}
_TRACKED = [_w("ins"), _w("del"), _w("moveFrom"), _w("moveTo")]

# Tags as the author sees them in the paragraph text (``tag_spans`` finds them).
TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_OPEN_RE = re.compile(r"\{[{%#]")
_CLOSERS = {"{": "}}", "%": "%}", "#": "#}"}
_CLOSE_RE = re.compile(r"[}%#]\}")
_LEVEL_RE = re.compile(r"^\{([{%#])(tr|tc|p|r) ")
_KEYWORD_RE = re.compile(r"^\{%[-+]?\s*([A-Za-z_]\w*)")


def tag_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every match of ``TAG_RE`` in ``text``, in linear time: the
    regular expression, on a paragraph of unclosed ``{{``, scans to the end from every one of
    them (time growing with the square of the paragraph). A kind whose closing mark is not
    found once is not looked for again."""
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    position = 0
    while (opener := _OPEN_RE.search(text, position)) is not None:
        start, kind = opener.start(), opener.group()[1]
        end = -1 if kind in unclosed else text.find(_CLOSERS[kind], start + 2)
        if end < 0:
            unclosed.add(kind)
            position = start + 1
            continue
        spans.append((start, end + 2))
        position = end + 2
    return spans


def _excerpt(text: str, start: int = 0, length: int = 0, width: int = 90) -> str:
    """The paragraph text, shortened around ``text[start:start+length]``."""
    text = text.replace("\t", " ")
    if len(text) <= width:
        return text.strip()
    centre = start + length // 2
    lo = max(0, min(centre - width // 2, len(text) - width))
    hi = lo + width
    return ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each ``(start, end)`` span replaced by as many spaces."""
    pieces, previous = [], 0
    for start, end in spans:
        pieces += [text[previous:start], " " * (end - start)]
        previous = end
    return "".join(pieces) + text[previous:]

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
_SUBJECT = {"subject": "trích yếu (dòng dưới tên loại) sẽ không được in",
            "type_name": "tên loại văn bản (KẾ HOẠCH, QUYẾT ĐỊNH …) sẽ không được in"}
_EXPECTED_BY_FORM: dict[str, dict[str, str]] = {
    "cong_van": {
        "subject_line": "dòng trích yếu «V/v …» của công văn sẽ không được in",
        "recipient_line": "«Kính gửi:» khi chỉ có một nơi nhận sẽ không được in",
        "recipients": "«Kính gửi:» khi có nhiều nơi nhận sẽ không được in",
    },
    "van_ban": {**_SUBJECT, "recipient_line": "«Kính gửi:» của tờ trình sẽ không được in"},
    "quyet_dinh": {**_SUBJECT, "authority": "thẩm quyền ban hành sẽ không được in",
                   "grounds": "các căn cứ sẽ không được in",
                   "decision_line": "dòng «QUYẾT ĐỊNH:» / «QUYẾT NGHỊ:» sẽ không được in"},
    "cong_dien": {**_SUBJECT, "sender_line": "dòng «… điện:» sẽ không được in",
                  "recipient_list": "nơi nhận điện sẽ không được in"},
    "giay_moi": {**_SUBJECT, "invitation_line": "người được mời sẽ không được in",
                 "time_line": "thời gian sẽ không được in",
                 "venue_line": "địa điểm sẽ không được in"},
    "giay_gioi_thieu": {"type_name": _SUBJECT["type_name"],
                        "person_line": "người được giới thiệu sẽ không được in",
                        "sent_to_line": "nơi được cử đến sẽ không được in"},
    "bien_ban": {**_SUBJECT, "secretary_line": "thư ký sẽ không được in",
                 "closing_line": "dòng «… kết thúc vào …» sẽ không được in"},
    "giay_nghi_phep": {"type_name": _SUBJECT["type_name"],
                       "leave_line": "thời gian nghỉ phép sẽ không được in"},
}
"""Context parts each form's template should use (``template check --type``)."""
_EXPECTED_BY_TYPE: dict[str, dict[str, str]] = {
    "ke_hoach": {"subject": "trích yếu (tên kế hoạch) sẽ không được in"},
    "thong_bao": {"subject": "trích yếu (tên thông báo) sẽ không được in"},
}
"""Templates written for one type before the forms (Category ``ke_hoach``) print the type
name as fixed text and need not use ``type_name``."""


def expected_for(doc_type: str, declared: tuple[str, ...] | None,
                 common: dict[str, str]) -> dict[str, str]:
    """The context parts a template for ``doc_type`` should use: ``common`` and its form's
    (a biên bản prints no place-date line, Mẫu 1.9)."""
    form = DOC_TYPES[doc_type].form
    out = {k: v for k, v in common.items() if not (form == "bien_ban" and k == "place_date")}
    if declared == (doc_type,) and doc_type in _EXPECTED_BY_TYPE:
        return {**out, **_EXPECTED_BY_TYPE[doc_type]}
    return {**out, **_EXPECTED_BY_FORM[form]}


FORM_SAMPLES: dict[str, dict[str, Any]] = {
    "quyet_dinh": {"authority": "Ban Thường vụ Công đoàn ngành Y tế",
                   "grounds": ["Căn cứ Điều lệ Công đoàn Việt Nam"], "proposal": "Ban Tổ chức"},
    "cong_dien": {"sender": "Ban Thường vụ"},
    "giay_moi": {"invitee": "Ông A", "event": "Hội nghị", "chair": "Ông B",
                 "time": "2024-03-15 08:00", "venue": "Hội trường"},
    "giay_gioi_thieu": {"person": {"name": "Nguyễn Văn A", "title": "Chuyên viên"},
                        "sent_to": "CĐCS X", "valid_until": "2024-03-30"},
    "giay_nghi_phep": {"person": {"name": "Nguyễn Văn A", "title": "Chuyên viên"},
                       "request_date": "2024-03-01", "confirmation": True,
                       "leave": {"start": "2024-03-04", "end": "2024-03-08", "place": "Hà Nội",
                                 "counted_as": "nghỉ hằng năm"}},
    "bien_ban": {"meeting": {"start": "2024-03-15 08:00", "end": "2024-03-15 11:00",
                             "place": "Phòng họp", "attendees": ["A", "B"], "absent": ["C"],
                             "chair": {"name": "A", "title": "Chủ tịch"},
                             "secretary": {"name": "B"}}},
}
"""What each form needs beyond the shared keys (trial renders of ``template check``)."""

JOINT_SAMPLE: dict[str, Any] = {
    "issuer": [{"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế", "code": "CĐYT"},
               {"name": "Sở Y tế Thái Bình", "code": "SYT"}, {"name": "Đoàn X", "code": "ĐX"}],
    "signature": [{"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn A"},
                  {"capacity": "KT. GIÁM ĐỐC", "title": "Phó Giám đốc", "name": "Lê Văn B"},
                  {"title": "Thủ trưởng", "name": "Trần C"}],
    "appendices": [{"title": "Danh sách", "body": "| A | B |\n|---|---|\n| 1 | 2 |"},
                   {"body": "Nội dung & <phụ lục>.", "landscape": True}],
}
"""The fullest sample: a joint document (three issuers, three signature blocks) with two
appendices, one landscape: every part of the context is filled."""


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
            out.append(_Para(part, ", ".join(place), paragraph_text(child), child, container, row,
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
            digits = re.search(r"(\d+)\.xml$", name)
            found.append((int(digits.group(1)) if digits else 0, name, rel.target_part.blob))
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


