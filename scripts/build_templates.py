"""Build the default docxtpl templates, one per ND30 form: ``templates/<form>.docx``.

One template per form of NĐ 30/2020, Phụ lục III (not per type): ``cong_van`` (Mẫu 1.5),
``van_ban`` (Mẫu 1.4: kế hoạch, thông báo, báo cáo, tờ trình … and hợp đồng, bản ghi nhớ,
bản thỏa thuận, thư công), ``quyet_dinh`` (Mẫu 1.1-1.3: quyết định, nghị quyết),
``cong_dien`` (1.6), ``giay_moi`` (1.7), ``giay_gioi_thieu`` (1.8), ``bien_ban`` (1.9),
``giay_nghi_phep`` (1.10). Each declares the types it serves in its Category core property,
comma-separated (``quyet_dinh,nghi_quyet``), from ``vn_union_docs/documents/doc_types.yaml``.

The templates are ordinary Word documents (python-docx builds them) holding docxtpl tags for
the template context documented in ``docs/architecture.md``. Every paragraph has a named style
(``VB…``) so a person can restyle a template in Word or LibreOffice by editing styles.

The build is reproducible: the same code gives the same bytes (fixed core properties, no
thumbnail, no time stamps, zip written by :func:`vn_union_docs.rendering.docxzip.normalize_zip`).

Usage::

    python scripts/build_templates.py            # write the templates
    python scripts/build_templates.py --check    # exit 1 if the committed files are stale
    python scripts/build_templates.py --out DIR  # write them somewhere else
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # running as a script from a checkout
    sys.path.insert(0, str(REPO))

from vn_union_docs.documents.doc_types import FORMS  # noqa: E402
from vn_union_docs.rendering.docxzip import normalize_zip  # noqa: E402

TEMPLATES_DIR = REPO / "templates"
DOC_TYPES = tuple(FORMS)
"""The forms (one template each); the name is kept from when there was one per type."""
FONT = "Times New Roman"
LANG = "vi-VN"

# --- Page set-up (ND30 Phụ lục I; template settings) -------------------------------------
PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_TOP = Mm(20)
MARGIN_BOTTOM = Mm(20)
MARGIN_LEFT = Mm(30)
MARGIN_RIGHT = Mm(15)
HEADER_DISTANCE = Mm(10)
FOOTER_DISTANCE = Mm(10)
TEXT_WIDTH = Mm(165)  # 210 - 30 - 15

# --- Header block (two borderless columns) ------------------------------------------------
HEADER_LEFT = Mm(70)
HEADER_RIGHT = Mm(95)
# Rule under the issuing body: ~1/3 of the left column, centred.
ISSUER_RULE = Mm(24)
# Rule under the Tiêu ngữ: as long as "Độc lập - Tự do - Hạnh phúc" at 13 pt bold.
MOTTO_RULE = Mm(56)
# Rule under the trích yếu of a named type: ~1/3 of the text line, centred.
SUBJECT_RULE = Mm(50)
# Urgency / secrecy stamp boxes, centred in the left column (ND30: urgency 20-40 × 8 mm;
# "THƯỢNG KHẨN" at 13 pt bold is 36 mm wide). Different widths also keep the two boxes apart
# (Word and LibreOffice merge the borders of neighbouring paragraphs with equal settings).
# The urgency stamp's frame (NĐ 30/2020, Phụ lục I, III.2.b): 30 × 8 mm HỎA TỐC,
# 40 × 8 mm THƯỢNG KHẨN, 20 × 8 mm KHẨN, in bright red; one style per level.
URGENCY_WIDTHS = {"HoaToc": Mm(30), "ThuongKhan": Mm(40), "Khan": Mm(20)}
URGENCY_LEVELS = {"HoaToc": "hoa_toc", "ThuongKhan": "thuong_khan", "Khan": "khan"}
STAMP_RED = "FF0000"
SECRECY_WIDTH = Mm(34)
# Space between the text line above and a rule (clears the descenders).
RULE_GAP = 3

# --- Kính gửi with several recipients -----------------------------------------------------
RECIPIENT_LABEL_INDENT = Cm(3)
# Plus the width of "Kính gửi" at 14 pt (17.6 mm), so that the dashes stand under the colon.
RECIPIENT_ITEM_INDENT = Cm(3) + Mm(17.6)

# --- Signature block ----------------------------------------------------------------------
SIGNATURE_LEFT = Mm(75)
SIGNATURE_RIGHT = Mm(90)
SIGNATURE_SPACE_BEFORE = Pt(12)
SIGNATURE_ROOM = 4  # empty paragraphs for the signature and the seal

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TITLES = {
    "cong_van": "Công văn, Mẫu 1.5 (mẫu vn-union-docs)",
    "van_ban": "Văn bản có tên loại, Mẫu 1.4 (mẫu vn-union-docs)",
    "quyet_dinh": "Quyết định, nghị quyết, Mẫu 1.1-1.3 (mẫu vn-union-docs)",
    "cong_dien": "Công điện, Mẫu 1.6 (mẫu vn-union-docs)",
    "giay_moi": "Giấy mời, Mẫu 1.7 (mẫu vn-union-docs)",
    "giay_gioi_thieu": "Giấy giới thiệu, Mẫu 1.8 (mẫu vn-union-docs)",
    "bien_ban": "Biên bản, Mẫu 1.9 (mẫu vn-union-docs)",
    "giay_nghi_phep": "Giấy nghỉ phép, Mẫu 1.10 (mẫu vn-union-docs)",
}

# The context keys each template uses (docs/architecture.md); the tests check them.
COMMON_KEYS = frozenset(
    {
        "issuers",
        "signature_table",
        "appendix_xml",
        "number_line",
        "place_date",
        "urgency",
        "secrecy",
        "recipient_line",
        "recipients",
        "body",
        "distribution",
        "signature_capacity",
        "signature_title",
        "signature_name",
    }
)
_NO_KINH_GUI = COMMON_KEYS - {"recipient_line", "recipients"}
TEMPLATE_KEYS: dict[str, frozenset[str]] = {
    "cong_van": COMMON_KEYS | {"subject_line"},
    "van_ban": COMMON_KEYS | {"subject", "type_name"},
    "quyet_dinh": _NO_KINH_GUI | {"subject", "type_name", "authority", "grounds",
                                  "decision_line"},
    "cong_dien": _NO_KINH_GUI | {"subject", "type_name", "sender_line", "recipient_list"},
    "giay_moi": _NO_KINH_GUI | {"subject", "type_name", "invitation_line", "event_line",
                                "chair_line", "time_line", "venue_line"},
    "giay_gioi_thieu": _NO_KINH_GUI | {"type_name", "introduction_line", "person_line",
                                       "person_title_line", "sent_to_line", "purpose_line",
                                       "request_line", "valid_line"},
    "bien_ban": (_NO_KINH_GUI - {"place_date", "signature_table"}) | {
        "subject", "type_name", "time_line", "venue_line", "attendees_line", "attendees",
        "absent_line", "chair_line", "secretary_line", "closing_line", "secretary_label",
        "secretary_name"},
    "giay_nghi_phep": _NO_KINH_GUI | {"type_name", "request_line", "person_line",
                                      "person_title_line", "leave_line", "counted_line",
                                      "confirmation"},
}

# Styles the body XML references (docs/architecture.md): kept even where the template itself
# does not use them.
BODY_STYLE_IDS = (
    "VBBody",
    "VBHeading1",
    "VBHeading2",
    "VBHeading3",
    "VBDash",
    "VBPlus",
    "VBNumbered",
    "VBTableText",
    "VBTable",
    "VBPart",
    "VBPartTitle",
    "VBArticle",
)

CORE_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>vn-union-docs</dc:creator>"
    "<cp:category>{doc_type}</cp:category>"
    "<dc:description>docxtpl template; rebuild with scripts/build_templates.py</dc:description>"
    "<dc:language>vi-VN</dc:language><cp:lastModifiedBy>vn-union-docs</cp:lastModifiedBy>"
    "<cp:revision>1</cp:revision></cp:coreProperties>"
)
APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    'docPropsVTypes"><Application>vn-union-docs</Application><DocSecurity>0</DocSecurity>'
    "</Properties>"
)
FONT_TABLE_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    f"<w:fonts {nsdecls('w')}>"
    f'<w:font w:name="{FONT}"><w:panose1 w:val="02020603050405020304"/>'
    '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    "</w:fonts>"
)
SETTINGS_XML = (
    f"<w:settings {nsdecls('w')}>"
    '<w:zoom w:percent="100"/>'
    '<w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    "<w:compat>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
    ' w:val="15"/>'
    '<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification"'
    ' w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    '<w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word"'
    ' w:val="1"/>'
    '<w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word"'
    ' w:val="1"/>'
    "</w:compat>"
    f'<w:themeFontLang w:val="{LANG}"/>'
    "</w:settings>"
)
# Package parts python-docx's default template carries that the templates do not need.
DROPPED_DOCUMENT_RELS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.WEB_SETTINGS,
    RT.NUMBERING,
    RT.THEME,
    RT.CUSTOM_XML,
)
DROPPED_PACKAGE_RELS = (RT.THUMBNAIL,)


@dataclass(frozen=True)
class ParaStyle:
    """A paragraph style definition (``None`` means: inherit)."""

    style_id: str
    name: str
    base: str = "Normal"
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    align: WD_ALIGN_PARAGRAPH | None = None
    first_line: Length | None = None
    left: Length | None = None
    right: Length | None = None
    before: float | None = None
    after: float | None = None
    line: float | None = None
    keep_next: bool | None = None
    contextual: bool = False
    border: str | None = None  # "top" (a rule) or "box" (a stamp frame)
    color: str | None = None  # text and border colour (RRGGBB); None: black
    next_style: str | None = None


def _center_indent(column: Length, width: Length) -> Length:
    """Left/right indent that centres a ``width`` wide paragraph in ``column``."""
    return Length((column - width) // 2)


CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT = WD_ALIGN_PARAGRAPH.LEFT
BODY_INDENT = Cm(1.27)
BODY_LINE = 1.15  # ND30: single to 1.5 lines; the exact value is a template setting

PARAGRAPH_STYLES: tuple[ParaStyle, ...] = (
    # Body (the contract with vn_union_docs.documents.body).
    ParaStyle("VBBody", "VB Body", align=JUSTIFY, first_line=BODY_INDENT, before=0, after=6,
              line=BODY_LINE),
    ParaStyle("VBHeading1", "VB Heading 1", base="VBBody", bold=True, before=6, after=6,
              keep_next=True, next_style="VBBody"),
    ParaStyle("VBHeading2", "VB Heading 2", base="VBBody", bold=True, keep_next=True,
              next_style="VBBody"),
    ParaStyle("VBHeading3", "VB Heading 3", base="VBBody", keep_next=True, next_style="VBBody"),
    ParaStyle("VBDash", "VB Dash", base="VBBody"),
    ParaStyle("VBPlus", "VB Plus", base="VBBody"),
    ParaStyle("VBNumbered", "VB Numbered", base="VBBody"),
    ParaStyle("VBTableText", "VB Table Text", size=13, align=LEFT, first_line=Pt(0), before=0,
              after=0),
    # Phần, chương (and mục, tiểu mục under chương): label and title centred bold; Điều.
    ParaStyle("VBPart", "VB Part", base="VBBody", bold=True, align=CENTER, first_line=Pt(0),
              before=12, after=0, keep_next=True, next_style="VBPartTitle"),
    ParaStyle("VBPartTitle", "VB Part Title", base="VBPart", before=0, after=6,
              next_style="VBBody"),
    ParaStyle("VBArticle", "VB Article", base="VBBody", bold=True, keep_next=True,
              next_style="VBBody"),
    # Quyết định, nghị quyết: thẩm quyền, căn cứ, QUYẾT ĐỊNH:
    ParaStyle("VBAuthority", "VB Authority", bold=True, align=CENTER, before=6, after=6,
              keep_next=True),
    ParaStyle("VBGround", "VB Ground", base="VBBody", italic=True, after=0, keep_next=True),
    ParaStyle("VBDecision", "VB Decision", bold=True, align=CENTER, before=6, after=6,
              keep_next=True),
    # The fixed lines of công điện, giấy mời, giấy giới thiệu, biên bản, giấy nghỉ phép.
    ParaStyle("VBFormLine", "VB Form Line", base="VBBody", after=3),
    ParaStyle("VBSender", "VB Sender", bold=True, align=CENTER, before=6, keep_next=True),
    ParaStyle("VBSenderItem", "VB Sender Item", align=LEFT, left=Cm(4), after=0,
              keep_next=True),
    ParaStyle("VBConfirm", "VB Confirm", size=13, bold=True, align=CENTER),
    # Phụ lục (Mẫu 2.1): «Phụ lục I», its title, the italic «(Kèm theo …)» line.
    ParaStyle("VBAppendixHeading", "VB Appendix Heading", bold=True, align=CENTER,
              keep_next=True),
    ParaStyle("VBAppendixTitle", "VB Appendix Title", bold=True, align=CENTER, keep_next=True),
    ParaStyle("VBAppendixGuide", "VB Appendix Guide", italic=True, align=CENTER,
              keep_next=True),
    # Header block, left column.
    ParaStyle("VBParent", "VB Parent", size=12, align=CENTER),
    ParaStyle("VBIssuer", "VB Issuer", size=12, bold=True, align=CENTER),
    ParaStyle("VBRule", "VB Rule", size=1, align=CENTER, before=RULE_GAP, after=0, border="top",
              left=_center_indent(HEADER_LEFT, ISSUER_RULE),
              right=_center_indent(HEADER_LEFT, ISSUER_RULE)),
    ParaStyle("VBNumber", "VB Number", size=13, align=CENTER, before=6),
    ParaStyle("VBSubjectCV", "VB Subject CV", size=12, align=CENTER, before=6),
    ParaStyle("VBUrgency", "VB Urgency", size=13, bold=True, align=CENTER, before=6,
              border="box", left=_center_indent(HEADER_LEFT, URGENCY_WIDTHS["ThuongKhan"]),
              right=_center_indent(HEADER_LEFT, URGENCY_WIDTHS["ThuongKhan"])),
    *(ParaStyle(f"VBUrgency{level}", f"VB Urgency {level}", base="VBUrgency", border="box",
                color=STAMP_RED, left=_center_indent(HEADER_LEFT, width),
                right=_center_indent(HEADER_LEFT, width))
      for level, width in URGENCY_WIDTHS.items()),
    ParaStyle("VBSecrecy", "VB Secrecy", base="VBUrgency",
              left=_center_indent(HEADER_LEFT, SECRECY_WIDTH),
              right=_center_indent(HEADER_LEFT, SECRECY_WIDTH)),
    # Header block, right column.
    ParaStyle("VBNationalTitle", "VB National Title", size=12, bold=True, align=CENTER),
    ParaStyle("VBMotto", "VB Motto", size=13, bold=True, align=CENTER),
    ParaStyle("VBMottoRule", "VB Motto Rule", base="VBRule",
              left=_center_indent(HEADER_RIGHT, MOTTO_RULE),
              right=_center_indent(HEADER_RIGHT, MOTTO_RULE)),
    ParaStyle("VBPlaceDate", "VB Place Date", size=13, italic=True, align=CENTER, before=6),
    # Type name and trích yếu of a named type.
    ParaStyle("VBTypeName", "VB Type Name", bold=True, align=CENTER, before=12,
              keep_next=True),
    ParaStyle("VBSubject", "VB Subject", bold=True, align=CENTER, keep_next=True),
    ParaStyle("VBSubjectRule", "VB Subject Rule", base="VBRule", after=12,
              left=_center_indent(TEXT_WIDTH, SUBJECT_RULE),
              right=_center_indent(TEXT_WIDTH, SUBJECT_RULE)),
    # Kính gửi.
    ParaStyle("VBRecipient", "VB Recipient", align=CENTER, before=12, after=12),
    ParaStyle("VBRecipientLabel", "VB Recipient Label", align=LEFT,
              left=RECIPIENT_LABEL_INDENT, before=12, keep_next=True),
    ParaStyle("VBRecipientItem", "VB Recipient Item", align=LEFT, left=RECIPIENT_ITEM_INDENT,
              after=12, contextual=True),
    # Nơi nhận and signature.
    ParaStyle("VBDistributionLabel", "VB Distribution Label", size=12, bold=True, italic=True,
              align=LEFT, keep_next=True),
    ParaStyle("VBDistribution", "VB Distribution", size=11, align=LEFT, first_line=Pt(0)),
    ParaStyle("VBSignature", "VB Signature", bold=True, align=CENTER, keep_next=True),
    ParaStyle("VBSignatureName", "VB Signature Name", bold=True, align=CENTER),
    # Page header.
    ParaStyle("VBPageNumber", "VB Page Number", size=14, align=CENTER),
    # The (required) paragraph after the signature table: tiny, so it never makes a page.
    ParaStyle("VBEnd", "VB End", size=1, align=LEFT),
)


# --- Low-level XML helpers ----------------------------------------------------------------


def _el(tag: str, **attrs: str) -> etree._Element:
    """An OOXML element ``w:tag`` with ``w:`` attributes."""
    element = parse_xml(f"<w:{tag} {nsdecls('w')}/>")
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _twips(length: Length) -> str:
    return str(round(length.twips))


def _rpr_fonts(rpr: etree._Element) -> None:
    """Put Times New Roman, black, 14 pt and Vietnamese into a run-properties element."""
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(_el("rFonts", ascii=FONT, hAnsi=FONT, cs=FONT, eastAsia=FONT))
    rpr.append(_el("color", val="000000"))
    rpr.append(_el("sz", val="28"))
    rpr.append(_el("szCs", val="28"))
    rpr.append(_el("lang", val=LANG, eastAsia="en-US", bidi="ar-SA"))


def _border(side: str, size: int = 6, space: int = 0, color: str = "000000"
            ) -> etree._Element:
    return _el(side, val="single", sz=str(size), space=str(space), color=color)


def _insert_pbdr(ppr: etree._Element, kind: str, color: str = "000000") -> None:
    """Add a paragraph border (a rule on top, or a full box) in schema order."""
    pbdr = _el("pBdr")
    if kind == "top":
        pbdr.append(_border("top", size=6, space=0, color=color))
    else:
        for side in ("top", "left", "bottom", "right"):
            pbdr.append(_border(side, size=8, space=1, color=color))
    # CT_PPrBase order: ... keepNext keepLines pageBreakBefore framePr widowControl numPr
    # suppressLineNumbers pBdr shd tabs ... spacing ind contextualSpacing ... jc ...
    after = {qn(f"w:{t}") for t in ("keepNext", "keepLines", "pageBreakBefore", "framePr",
                                     "widowControl", "numPr", "suppressLineNumbers", "pStyle")}
    index = 0
    for i, child in enumerate(ppr):
        if child.tag in after:
            index = i + 1
    ppr.insert(index, pbdr)


# pPr children that come after w:contextualSpacing in CT_PPrBase.
_PPR_AFTER_CONTEXTUAL = ("mirrorIndents", "suppressOverlap", "jc", "textDirection",
                         "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
                         "cnfStyle", "rPr", "sectPr", "pPrChange")


def _insert_before(parent: etree._Element, element: etree._Element,
                   successors: Iterable[str]) -> None:
    """Insert ``element`` before the first child named in ``successors`` (schema order)."""
    tags = {qn(f"w:{name}") for name in successors}
    for child in parent:
        if child.tag in tags:
            child.addprevious(element)
            return
    parent.append(element)


# --- Styles --------------------------------------------------------------------------------


def _set_doc_defaults(doc: DocxDocument) -> None:
    """Times New Roman 14 pt black Vietnamese, single spacing, no space after."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _rpr_fonts(rpr)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    # Widow/orphan control (ECMA-376 17.3.1.44): no single line of a paragraph alone at the
    # top or bottom of a page, in Word and LibreOffice alike (issue 13.3).
    ppr.append(_el("widowControl"))
    ppr.append(_el("spacing", after="0", line="240", lineRule="auto"))
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal_rpr = normal.element.get_or_add_rPr()
    _rpr_fonts(normal_rpr)


def _add_paragraph_style(doc: DocxDocument, spec: ParaStyle) -> None:
    style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    if style.style_id != spec.style_id:  # python-docx derives the id from the name
        style.element.set(qn("w:styleId"), spec.style_id)
    style.base_style = doc.styles.get_by_id(spec.base, WD_STYLE_TYPE.PARAGRAPH)
    style.quick_style = True
    font = style.font
    if spec.size is not None:
        font.size = Pt(spec.size)
    if spec.bold is not None:
        font.bold = spec.bold
    if spec.italic is not None:
        font.italic = spec.italic
    fmt = style.paragraph_format
    if spec.align is not None:
        fmt.alignment = spec.align
    if spec.first_line is not None:
        fmt.first_line_indent = spec.first_line
    if spec.left is not None:
        fmt.left_indent = spec.left
    if spec.right is not None:
        fmt.right_indent = spec.right
    if spec.before is not None:
        fmt.space_before = Pt(spec.before)
    if spec.after is not None:
        fmt.space_after = Pt(spec.after)
    if spec.line is not None:
        fmt.line_spacing = spec.line
    if spec.keep_next is not None:
        fmt.keep_with_next = spec.keep_next
    ppr = style.element.get_or_add_pPr()
    if len(ppr) == 0 and not (spec.contextual or spec.border):
        style.element.remove(ppr)
    if spec.contextual:
        _insert_before(ppr, _el("contextualSpacing"), _PPR_AFTER_CONTEXTUAL)
    if spec.border:
        _insert_pbdr(ppr, spec.border, spec.color or "000000")
    if spec.color:
        font.color.rgb = RGBColor.from_string(spec.color)
    if spec.next_style:
        style.next_paragraph_style = doc.styles.get_by_id(spec.next_style,
                                                          WD_STYLE_TYPE.PARAGRAPH)


def _add_table_style(doc: DocxDocument) -> None:
    """``VBTable``: single ½ pt borders all round and inside, 0.1 cm cell margins."""
    style = doc.styles.add_style("VB Table", WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles.get_by_id("TableNormal", WD_STYLE_TYPE.TABLE)
    style.quick_style = True
    margin = _twips(Cm(0.1))
    tblpr = parse_xml(
        f"<w:tblPr {nsdecls('w')}><w:tblBorders>"
        + "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders><w:tblCellMar>"
        f'<w:top w:w="{margin}" w:type="dxa"/><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:bottom w:w="{margin}" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>"
    )
    style.element.append(tblpr)


def _define_styles(doc: DocxDocument) -> None:
    _set_doc_defaults(doc)
    for spec in PARAGRAPH_STYLES:
        _add_paragraph_style(doc, spec)
    _add_table_style(doc)


def _referenced_style_ids(doc: DocxDocument) -> set[str]:
    """Style ids referenced from the document and its headers."""
    parts = [doc.part] + [
        rel.target_part for rel in doc.part.rels.values()
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    found: set[str] = set()
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            for element in part.element.iter(qn(tag)):
                found.add(element.get(qn("w:val")))
    return found


def _prune_styles(doc: DocxDocument) -> None:
    """Drop the styles (and latent styles) of python-docx's default template we do not use."""
    root = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    keep = {sid for sid, s in by_id.items() if s.get(qn("w:default")) == "1"}
    keep |= {sid for sid in by_id if sid.startswith("VB")}
    keep |= _referenced_style_ids(doc)
    pending = list(keep)
    while pending:  # follow basedOn / next / link
        element = by_id.get(pending.pop())
        if element is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = element.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for sid, element in by_id.items():
        if sid not in keep:
            root.remove(element)
    latent = root.find(qn("w:latentStyles"))
    if latent is not None:
        root.remove(latent)
    for element in root.iter(qn("w:rsid")):
        element.getparent().remove(element)


# --- Page set-up, header ------------------------------------------------------------------


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.header_distance = HEADER_DISTANCE
    section.footer_distance = FOOTER_DISTANCE
    section.gutter = Mm(0)
    sect_pr = section._sectPr
    for attr in list(sect_pr.attrib):
        sect_pr.attrib.pop(attr)  # rsid attributes of the default template


def _page_number_header(doc: DocxDocument) -> None:
    """PAGE field centred in the default header; an empty first-page header (no number)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.style = doc.styles.get_by_id("VBPageNumber", WD_STYLE_TYPE.PARAGRAPH)
    p = paragraph._p
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
    p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>2</w:t></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].style = doc.styles.get_by_id("VBPageNumber", WD_STYLE_TYPE.PARAGRAPH)


# --- Body of the template -----------------------------------------------------------------

Line = tuple[str, str]  # (style id, text)


def _style(doc: DocxDocument, style_id: str) -> BaseStyle:
    return doc.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)


def _write_paragraph(paragraph: Paragraph, doc: DocxDocument, style_id: str, text: str) -> None:
    """Style a paragraph and put ``text`` in a single run (docxtpl tags stay unsplit)."""
    paragraph.style = _style(doc, style_id)
    if text:
        paragraph.add_run(text)


def _fill(cell: _Cell, doc: DocxDocument, lines: Iterable[Line]) -> None:
    """Fill a table cell with paragraphs, reusing the empty paragraph python-docx puts there."""
    first = True
    for style_id, text in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        _write_paragraph(paragraph, doc, style_id, text)


def _add(doc: DocxDocument, style_id: str, text: str = "") -> Paragraph:
    paragraph = doc.add_paragraph()
    _write_paragraph(paragraph, doc, style_id, text)
    return paragraph


def _layout_table(table: Table, widths: list[Length], top_margin: Length | None = None) -> None:
    """Borderless, fixed layout, exact column widths, no left/right cell margins."""
    tbl = table._tbl
    tblpr = tbl.tblPr
    for child in list(tblpr):
        tblpr.remove(child)
    tblpr.append(_el("tblW", w=str(sum(int(_twips(w)) for w in widths)), type="dxa"))
    tblpr.append(_el("tblInd", w="0", type="dxa"))
    borders = _el("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(side, val="nil"))
    tblpr.append(borders)
    tblpr.append(_el("tblLayout", type="fixed"))
    margins = _el("tblCellMar")
    margins.append(_el("top", w=_twips(top_margin or Length(0)), type="dxa"))
    margins.append(_el("left", w="0", type="dxa"))
    margins.append(_el("bottom", w="0", type="dxa"))
    margins.append(_el("right", w="0", type="dxa"))
    tblpr.append(margins)
    tblpr.append(_el("tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0",
                     lastColumn="0", noHBand="1", noVBand="1"))
    for grid_col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), _twips(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _stamp_lines() -> list[Line]:
    urgency: list[Line] = []
    for level, value in URGENCY_LEVELS.items():
        keyword = "if" if not urgency else "elif"
        urgency += [("VBUrgency", f"{{%p {keyword} urgency_level == '{value}' %}}"),
                    (f"VBUrgency{level}", "{{ urgency }}")]
    return [
        *urgency,
        ("VBUrgency", "{%p endif %}"),
        ("VBSecrecy", "{%p if secrecy %}"),
        ("VBSecrecy", "{{ secrecy }}"),
        ("VBSecrecy", "{%p endif %}"),
    ]


def _header_block(doc: DocxDocument, form: str) -> None:
    rows = 3 if form == "cong_van" else 2
    table = doc.add_table(rows=rows, cols=2)
    _layout_table(table, [HEADER_LEFT, HEADER_RIGHT])
    # Every issuer (a joint document has several, the lead first), the rule under the last.
    _fill(table.cell(0, 0), doc, [
        ("VBParent", "{%p for i in issuers %}"),
        ("VBParent", "{%p if i.parent %}"),
        ("VBParent", "{{ i.parent }}"),
        ("VBParent", "{%p endif %}"),
        ("VBIssuer", "{{ i.name }}"),
        ("VBIssuer", "{%p endfor %}"),
        ("VBRule", ""),
    ])
    _fill(table.cell(0, 1), doc, [
        ("VBNationalTitle", NATIONAL_TITLE),
        ("VBMotto", MOTTO),
        ("VBMottoRule", ""),
    ])
    number: list[Line] = [("VBNumber", "{{ number_line }}")]
    if form == "cong_van":
        _fill(table.cell(1, 0), doc, number)
        _fill(table.cell(2, 0), doc, [("VBSubjectCV", "{{ subject_line }}"), *_stamp_lines()])
        _fill(table.cell(2, 1), doc, [("VBSubjectCV", "")])
    else:
        _fill(table.cell(1, 0), doc, [*number, *_stamp_lines()])
    # Mẫu 1.9 (biên bản) has no place-date line.
    _fill(table.cell(1, 1), doc, [("VBPlaceDate", "" if form == "bien_ban"
                                   else "{{ place_date }}")])
    for row in table.rows:  # keep the header block together
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(_el("cantSplit"))


def _title_block(doc: DocxDocument, form: str) -> None:
    _add(doc, "VBTypeName", "{{ type_name }}")
    if form not in ("giay_gioi_thieu", "giay_nghi_phep"):  # Mẫu 1.8, 1.10: no trích yếu
        _add(doc, "VBSubject", "{{ subject }}")
    _add(doc, "VBSubjectRule")


def _recipients_block(doc: DocxDocument) -> None:
    for style_id, text in [
        ("VBRecipient", "{%p if recipient_line %}"),
        ("VBRecipient", "Kính gửi: {{ recipient_line }}"),
        ("VBRecipient", "{%p endif %}"),
        ("VBRecipientLabel", "{%p if recipients %}"),
        ("VBRecipientLabel", "Kính gửi:"),
        ("VBRecipientItem", "{%p for r in recipients %}"),
        ("VBRecipientItem", "{{ r }}"),
        ("VBRecipientItem", "{%p endfor %}"),
        ("VBRecipientItem", "{%p endif %}"),
    ]:
        _add(doc, style_id, text)


def _optional(style_id: str, key: str, text: str | None = None) -> list[Line]:
    return [(style_id, f"{{%p if {key} %}}"), (style_id, text or f"{{{{ {key} }}}}"),
            (style_id, "{%p endif %}")]


def _list(style_id: str, key: str) -> list[Line]:
    return [(style_id, f"{{%p for line in {key} %}}"), (style_id, "{{ line }}"),
            (style_id, "{%p endfor %}")]


# The lines each form prints between the title and the body (Phụ lục III, Mẫu 1.1-1.10).
FORM_LINES: dict[str, list[Line]] = {
    "quyet_dinh": [
        ("VBAuthority", "{{ authority }}"),
        *_list("VBGround", "grounds"),
        ("VBDecision", "{{ decision_line }}"),
    ],
    "cong_dien": [
        ("VBSender", "{{ sender_line }}"),
        *_list("VBSenderItem", "recipient_list"),
        ("VBFormLine", ""),
    ],
    "giay_moi": [
        ("VBFormLine", "{{ invitation_line }}"),
        ("VBFormLine", "{{ event_line }}"),
        *_optional("VBFormLine", "chair_line"),
        ("VBFormLine", "{{ time_line }}"),
        ("VBFormLine", "{{ venue_line }}"),
    ],
    "giay_gioi_thieu": [
        ("VBFormLine", "{{ introduction_line }}"),
        ("VBFormLine", "{{ person_line }}"),
        *_optional("VBFormLine", "person_title_line"),
        ("VBFormLine", "{{ sent_to_line }}"),
        *_optional("VBFormLine", "purpose_line"),
        ("VBFormLine", "{{ request_line }}"),
        ("VBFormLine", "{{ valid_line }}"),
    ],
    "giay_nghi_phep": [
        ("VBFormLine", "{{ request_line }}"),
        ("VBFormLine", "{{ person_line }}"),
        *_optional("VBFormLine", "person_title_line"),
        ("VBFormLine", "{{ leave_line }}"),
        ("VBFormLine", "{{ counted_line }}"),
    ],
    "bien_ban": [
        ("VBFormLine", "{{ time_line }}"),
        ("VBFormLine", "{{ venue_line }}"),
        ("VBFormLine", "{{ attendees_line }}"),
        *_list("VBDash", "attendees"),
        *_optional("VBFormLine", "absent_line"),
        ("VBFormLine", "{{ chair_line }}"),
        *_optional("VBFormLine", "secretary_line"),
        ("VBFormLine", "Nội dung:"),
    ],
}


def _signature_lines(prefix: str = "signature_") -> list[Line]:
    """A signature block's lines: from the flat keys, or (``prefix="b."``) from a block."""
    capacity, title, name = f"{prefix}capacity", f"{prefix}title", f"{prefix}name"
    return [
        ("VBSignature", f"{{%p for line in {capacity} %}}"),
        ("VBSignature", "{{ line }}"),
        ("VBSignature", "{%p endfor %}"),
        ("VBSignature", f"{{%p if {title} %}}"),
        ("VBSignature", f"{{{{ {title} }}}}"),
        ("VBSignature", "{%p endif %}"),
        *[("VBSignature", "")] * SIGNATURE_ROOM,
        ("VBSignatureName", f"{{{{ {name} }}}}"),
    ]


def _distribution_lines() -> list[Line]:
    return [
        ("VBDistributionLabel", "Nơi nhận:"),
        ("VBDistribution", "{%p for line in distribution %}"),
        ("VBDistribution", "{{ line }}"),
        ("VBDistribution", "{%p endfor %}"),
    ]


def _joint_signatures(doc: DocxDocument) -> None:
    """A joint document: the blocks side by side (built by rendering/joint.py, in the
    VBSignature styles), then Nơi nhận below them on the left."""
    _add(doc, "VBSignature", "{{p signature_table }}")
    _add(doc, "VBDistribution", "")
    for style_id, text in _distribution_lines():
        _add(doc, style_id, text)


def _signature_block(doc: DocxDocument) -> None:
    _add(doc, "VBEnd", "{%p if signature_rows %}")
    _joint_signatures(doc)
    _add(doc, "VBEnd", "{%p else %}")
    _single_signature(doc)
    _add(doc, "VBEnd", "{%p endif %}")


def _single_signature(doc: DocxDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    _layout_table(table, [SIGNATURE_LEFT, SIGNATURE_RIGHT], top_margin=SIGNATURE_SPACE_BEFORE)
    _fill(table.cell(0, 0), doc, _distribution_lines())
    _fill(table.cell(0, 1), doc, _signature_lines())
    table.rows[0]._tr.get_or_add_trPr().append(_el("cantSplit"))


def _minutes_signatures(doc: DocxDocument) -> None:
    """Mẫu 1.9: THƯ KÝ on the left, CHỦ TỌA on the right, no TM.; Nơi nhận below, left."""
    table = doc.add_table(rows=2, cols=2)
    _layout_table(table, [SIGNATURE_LEFT, SIGNATURE_RIGHT], top_margin=SIGNATURE_SPACE_BEFORE)
    _fill(table.cell(0, 0), doc, [
        ("VBSignature", "{{ secretary_label }}"),
        *[("VBSignature", "")] * SIGNATURE_ROOM,
        ("VBSignatureName", "{{ secretary_name }}"),
    ])
    _fill(table.cell(0, 1), doc, _signature_lines())
    _fill(table.cell(1, 0), doc, _distribution_lines())
    _fill(table.cell(1, 1), doc, [("VBDistribution", "")])
    table.rows[0]._tr.get_or_add_trPr().append(_el("cantSplit"))


def _confirmation_block(doc: DocxDocument) -> None:
    """Mẫu 1.10: the optional confirmation of the place of leave, bottom left."""
    table = doc.add_table(rows=1, cols=2)
    _layout_table(table, [SIGNATURE_LEFT, SIGNATURE_RIGHT], top_margin=SIGNATURE_SPACE_BEFORE)
    _fill(table.cell(0, 0), doc, [
        ("VBConfirm", "{%p if confirmation %}"),
        ("VBConfirm", "Xác nhận của cơ quan (tổ chức) hoặc chính quyền địa phương nơi nghỉ phép"),
        *[("VBConfirm", "")] * SIGNATURE_ROOM,
        ("VBConfirm", "{%p endif %}"),
    ])
    _fill(table.cell(0, 1), doc, [("VBDistribution", "")])


def _template_body(doc: DocxDocument, form: str) -> None:
    _header_block(doc, form)
    if form != "cong_van":
        _title_block(doc, form)
    if form in ("cong_van", "van_ban"):
        _recipients_block(doc)
    for style_id, text in FORM_LINES.get(form, []):
        _add(doc, style_id, text)
    _add(doc, "VBBody", "{{p body }}")
    if form == "bien_ban":
        _add(doc, "VBFormLine", "{{ closing_line }}")
        _minutes_signatures(doc)
    else:
        _signature_block(doc)
    if form == "giay_nghi_phep":
        _confirmation_block(doc)
    # Word needs a paragraph after a table at the end of the body; keep it tiny.
    _add(doc, "VBEnd")
    # Phụ lục: each a section of its own after the Nơi nhận (rendering/appendix.py).
    _add(doc, "VBBody", "{{p appendix_xml }}")


# --- Package clean-up ---------------------------------------------------------------------


def _clean_package(doc: DocxDocument, doc_type: str) -> None:
    """Drop unused parts, fix metadata and settings so the package is lean and stable."""
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype in DROPPED_DOCUMENT_RELS:
            doc.part.rels.pop(r_id)
        elif rel.reltype == RT.FONT_TABLE:
            rel.target_part._blob = FONT_TABLE_XML.encode()
        elif rel.reltype == RT.SETTINGS:
            rel.target_part._element = parse_xml(SETTINGS_XML)
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype in DROPPED_PACKAGE_RELS:
            package.rels.pop(r_id)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = APP_XML.encode()
    core_part = doc.part.package._core_properties_part
    # The category lists the document types the template serves, comma-separated;
    # render_docx refuses to render another type with it (a công văn in the van_ban template).
    core_part._element = parse_xml(
        CORE_XML.format(title=TITLES[doc_type], doc_type=",".join(FORMS[doc_type])).encode())


def build_template(doc_type: str) -> bytes:
    """Build one template and return its bytes (deterministic)."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {DOC_TYPES}")
    doc = Document()
    _define_styles(doc)
    _page_setup(doc)
    _page_number_header(doc)
    _template_body(doc, doc_type)
    _prune_styles(doc)
    _clean_package(doc, doc_type)
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())


def build_all() -> dict[str, bytes]:
    """Build every form's template: ``{"cong_van.docx": bytes, ...}``."""
    return {f"{doc_type}.docx": build_template(doc_type) for doc_type in DOC_TYPES}


def check(directory: Path = TEMPLATES_DIR) -> list[str]:
    """Names of the templates in ``directory`` that differ from a fresh build (or are missing)."""
    stale = []
    for name, data in build_all().items():
        path = directory / name
        if not path.is_file() or path.read_bytes() != data:
            stale.append(name)
    return stale


def write_all(directory: Path = TEMPLATES_DIR) -> list[Path]:
    """Write every form's template into ``directory``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in build_all().items():
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: build the templates, or ``--check`` that the committed ones are current."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the committed templates differ from a fresh build")
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR,
                        help="directory to write to / check (default: templates/)")
    args = parser.parse_args(argv)
    if args.check:
        stale = check(args.out)
        for name in stale:
            print(f"{args.out / name}: differs from a fresh build; run scripts/build_templates.py",
                  file=sys.stderr)
        if not stale:
            print(f"templates in {args.out} are up to date")
        return 1 if stale else 0
    for path in write_all(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["DOC_TYPES", "TEMPLATE_KEYS", "build_all", "build_template", "check", "main",
           "write_all"]
