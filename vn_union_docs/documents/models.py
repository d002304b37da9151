"""The documents as data: the shared keys of every ND30 document type.

The models know nothing of docx. They hold what a clerk writes in a spec file, check it and
normalise it (NFC text, upper-case signature lines, no stray punctuation in lists); the
formatting rules that turn it into printed lines live in ``context`` and ``vi``.

>>> from vn_union_docs.documents.doc_types import CongVan
>>> doc = CongVan(issuer={"name": "Công đoàn ngành Y tế", "code": "CĐYT"}, number=58,
...     place="Thái Bình", date="2023-02-23", subject="tiếp tục triển khai …",
...     recipients=["Các Công đoàn cơ sở trực thuộc"], body="Nội dung.",
...     signature={"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn Truyền"},
...     distribution=["Như trên"])
>>> doc.symbol_text
'CĐYT'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from vn_union_docs import vi
from vn_union_docs.documents.body import body_blocks, check_outline, remember_blocks
from vn_union_docs.documents.prefixes import (
    DISTRIBUTION_PREFIX,
    RECIPIENT_PREFIX,
    strip_item_prefix,
    strip_subject_prefix,
)
from vn_union_docs.documents.reading import printable_or_breaks
from vn_union_docs.errors import InvalidValueError
from vn_union_docs.memo import short_text_cache
from vn_union_docs.vi import legacy

DocumentType = str
"""A ``type:`` value; ``documents.doc_types.DOC_TYPES`` lists them (NĐ 30/2020, Điều 7)."""

URGENCY_MARKS: dict[str, str] = {"khan": "KHẨN", "thuong_khan": "THƯỢNG KHẨN", "hoa_toc": "HỎA TỐC"}
SECRECY_MARKS: dict[str, str] = {"mat": "MẬT", "toi_mat": "TỐI MẬT", "tuyet_mat": "TUYỆT MẬT"}
CAPACITY_PREFIXES: tuple[str, ...] = ("TM.", "KT.", "Q.", "TL.", "TUQ.")

# Control characters other than tab and newline (C0, DEL, C1) and the Unicode line separators.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

def clean_text(value: Any) -> Any:
    """Normalise a text value to NFC and reject what would be lost or corrupted in a .docx.

    Raises ``ValueError`` (reported by pydantic with the key that holds the text) for control
    characters other than tab and newline, and for text in the legacy TCVN3/VNI encodings.
    """
    if not isinstance(value, str):
        return value
    return _clean(value)


@short_text_cache(maxsize=2_048, max_chars=256)  # a batch's fields repeat on every row
def _clean(value: str) -> str:
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    # isprintable() is False for every control character (and for \n, \t): search only then
    # (a scan at C speed is much faster than the regular expression).
    bad = None if printable_or_breaks(text) else _CONTROL.search(text)
    if bad:
        raise InvalidValueError(
            f"có ký tự điều khiển U+{ord(bad.group()):04X} (vị trí {bad.start() + 1}) không in "
            "được; hãy xóa nó (thường do sao chép từ Word/Excel)"
        )
    # Ð (U+00D0, Icelandic eth) pasted for Đ prints as Đ; `check` says so (rule eth-for-d).
    text = legacy.fix_eth(text)
    encoding = legacy.detect(text)
    if encoding == "TCVN3":
        raise InvalidValueError(
            f"văn bản có vẻ được gõ bằng bảng mã cũ TCVN3 (.VnTime) (ví dụ «{text[:30]}»), không "
            "phải Unicode; chuyển tệp bằng «vn-union-docs unicode TỆP --out TỆP_MỚI» (hoặc Unikey: "
            "Công cụ chuyển mã) rồi dùng tệp mới"
        )
    if encoding == "VNI":
        raise InvalidValueError(
            f"văn bản có vẻ được gõ bằng bảng mã cũ VNI (ví dụ «{text[:30]}»), không phải Unicode; "
            "hãy chuyển mã sang Unicode (Unikey: Công cụ chuyển mã, nguồn VNI Windows) rồi dán lại"
        )
    return text


def _not_blank(value: str) -> str:
    if not value.strip():
        raise InvalidValueError("không được để trống")
    return value.strip()


Text = Annotated[str, BeforeValidator(clean_text)]
"""Any text: NFC, no control characters, no legacy encoding."""

Line = Annotated[str, BeforeValidator(clean_text), AfterValidator(_not_blank)]
"""A non-empty text stripped of surrounding white space."""


@lru_cache(maxsize=1_024)
def _strip_list_punctuation(item: str) -> str:
    """``- Như trên;`` → ``Như trên``: the library adds dashes and punctuation itself."""
    item = re.sub(r"^\s*[-–+•]\s*", "", item).strip()
    return re.sub(r"\s*[;,.]\s*$", "", item).strip()


def _as_lines(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in value.split("\n") if part.strip()]
    return value


def date_value(value: Any) -> Any:
    """A date field's value before validation: a ``datetime`` loses its time, an empty text is
    ``None``, any other text is read by ``vi.parse_date`` (the one date reader: ISO,
    dd/mm/yyyy, ``ngày … tháng … năm …``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        return vi.parse_date(text) if text else None
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=False)


class Issuer(_Model):
    """The issuing body (cơ quan ban hành) and its parent (cơ quan chủ quản trực tiếp)."""

    parent: Line | None = Field(None, description="Cơ quan chủ quản, printed upper case.")
    name: Line = Field(description="Issuing body, printed upper case and bold.")
    code: Line = Field(description="The issuer's part of the ký hiệu, e.g. CĐYT or LĐLĐ.")
    organ_id: Line | None = Field(
        None, description="Mã định danh in the national list (e.g. 000.00.00.G22); edXML.")

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if re.search(r"\s|/", value):
            raise InvalidValueError(f"ký hiệu «{value}» không được có dấu cách hoặc dấu /")
        return value.upper()


class Signature(_Model):
    """The signature block: authority lines (TM./KT./…), title and the signer's name."""

    capacity: Annotated[list[Line], BeforeValidator(_as_lines)] = Field(
        default_factory=list,
        description="Authority lines, each starting TM. / KT. / Q. / TL. / TUQ.",
    )
    title: Line | None = Field(None, description="Chức vụ, e.g. Chủ tịch; printed upper case.")
    name: Line = Field(description="Signer's name, without degrees or titles.")

    @field_validator("capacity")
    @classmethod
    def _capacity_prefix(cls, lines: list[str]) -> list[str]:
        checked = []
        for line in lines:
            upper = re.sub(r"\s+", " ", line.upper())
            if not upper.startswith(tuple(p + " " for p in CAPACITY_PREFIXES)):
                raise InvalidValueError(
                    f"dòng «{line}» phải bắt đầu bằng TM. / KT. / Q. / TL. / TUQ. và một dấu cách "
                    "(ví dụ «TM. BAN THƯỜNG VỤ»; không viết «T/M»)"
                )
            checked.append(upper)
        return checked

    @field_validator("name")
    @classmethod
    def _no_degree(cls, value: str) -> str:
        if re.match(r"^(TS|ThS|PGS|GS|BS|CN|KS)\.?\s", value):
            raise InvalidValueError(
                f"«{value}»: NĐ 30/2020 không ghi học hàm, học vị trước họ tên người ký"
            )
        return value


class Appendix(_Model):
    """A phụ lục (NĐ 30/2020, Phụ lục I, III.1; Phụ lục III, Mẫu 2.1): on new pages after the
    Nơi nhận, headed «Phụ lục» (or «Phụ lục I», «Phụ lục II» … when there are several)."""

    title: Line | None = Field(None, description="Tiêu đề, printed centred in upper case.")
    body: Line = Field(description=(
        "Restricted Markdown like the document's body (tables, data: placeholders)."))
    landscape: bool = Field(False, description=(
        "A landscape section of its own (wide tables; NĐ 30/2020, Phụ lục I, I.2)."))

    @field_validator("body")
    @classmethod
    def _parses(cls, value: str) -> str:
        body_blocks(value)
        return value


def _one_or_list(kind: str) -> Any:
    """JSON Schema of a key that takes one mapping or a list of them (issuer, signature)."""

    def extra(schema: dict[str, Any]) -> None:
        ref = schema.pop("$ref", None)
        if ref is None and schema.get("allOf"):
            ref = schema.pop("allOf")[0]["$ref"]
        if ref:
            schema["anyOf"] = [{"$ref": ref},
                               {"type": "array", "items": {"$ref": ref}, "minItems": 1,
                                "description": f"A joint document: one {kind} each, the "
                                               "lead (cơ quan chủ trì) first."}]

    return extra


_JOINT_KEYS = {"issuer": "joint_issuers", "signature": "joint_signatures"}


class RecipientOrgan(_Model):
    """A recipient (Kính gửi or nơi nhận) written with its organisation code: printed by its
    name like any other; the code (mã định danh) addresses an edXML envelope (one ``To``)."""

    name: Line = Field(description="The recipient as printed.")
    organ_id: Line | None = Field(None, description="Mã định danh in the national list.")


_RECIPIENT_OBJECT = {
    "type": "object", "additionalProperties": False, "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1},
                   "organ_id": {"type": "string", "minLength": 1}}}


def _string_or_organ(schema: dict[str, Any]) -> None:
    """JSON Schema of recipients/distribution. An item may also be ``{name, organ_id}``; the
    schema says so in ``x-item-with-code`` and an example, while ``items`` stays a string
    so the web form keeps its one-line-per-recipient list (form.js reads ``items.type``)."""
    schema["x-item-with-code"] = _RECIPIENT_OBJECT
    schema["examples"] = [["Các Công đoàn cơ sở trực thuộc",
                           {"name": "LĐLĐ tỉnh Thái Bình", "organ_id": "000.12.00.H01"}]]


def _recipient_list(what: str) -> Any:
    return Field(default_factory=list, json_schema_extra=_string_or_organ, description=(
        f"{what}. An item may be {{name, organ_id}}: printed by its name, its mã định danh "
        "(e.g. 000.00.00.G22) addresses one edXML To."))


def is_recipient_organ(item: object) -> bool:
    """Whether a recipients/distribution item is the ``{name, organ_id}`` form."""
    return isinstance(item, dict) and "name" in item and set(item) <= {"name", "organ_id"}


def _pull_organs(data: dict[str, Any]) -> dict[str, Any]:
    """``{name, organ_id}`` items of recipients/distribution → their name (what every
    other part of the library reads), the codes kept in ``recipient_organs``."""
    organs: list[dict[str, Any]] = []
    changed = {}
    for key in ("recipients", "distribution"):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        names = []
        for item in items:
            if is_recipient_organ(item):
                names.append(item["name"])
                if item.get("organ_id") is not None:
                    organs.append({"name": item["name"], "organ_id": item["organ_id"]})
            else:
                names.append(item)
        changed[key] = names
    return {**data, **changed, "recipient_organs": organs} if organs or changed else data


class BaseDocument(_Model):
    """What every document type has (the shared keys). The model of each type is made from
    ``documents/doc_types.yaml`` by ``documents.doc_types`` (``CongVan``, ``QuyetDinh`` …)."""

    type: DocumentType
    issuer: Issuer = Field(json_schema_extra=_one_or_list("issuer"), description=(
        "The issuing body; a list of them for a joint document (văn bản liên tịch), the "
        "lead first: every issuer is printed in the header, the ký hiệu joins their codes "
        "(05/TBLT-ĐHXD-CĐT) and the type name gets LIÊN TỊCH."))
    number: Annotated[int, Field(ge=1, le=99_999)] | Literal["auto"] | None = Field(
        None, description="Số; None for a draft; auto: allocated by the register.")
    symbol: Line | None = Field(None, description="Full override of the ký hiệu, e.g. TLĐ-VP.")
    place: Line = Field(description="Địa danh, e.g. Thái Bình.")
    date: dt.date | None = Field(None, description="Ngày ban hành; None for a draft.")
    draft_year: int | None = Field(None, ge=1900, le=2200, description="Year of a draft.")
    subject: Line = Field(description="Trích yếu, printed as written.")
    urgency: Literal["khan", "thuong_khan", "hoa_toc"] | None = None
    secrecy: Literal["mat", "toi_mat", "tuyet_mat"] | None = None
    due_date: dt.date | None = Field(None, description=(
        "Hạn xử lý asked of the recipients; sent as the edXML DueDate (not printed)."))
    steering_type: Annotated[int, Field(ge=0, le=9)] | None = Field(None, description=(
        "The edXML SteeringType code (QCVN 102:2016) of a văn bản chỉ đạo, điều hành; "
        "given as the standard numbers it (not printed)."))
    recipients: list[Line] = _recipient_list("Kính gửi")
    body: Line = Field(description="Restricted Markdown.")
    signature: Signature = Field(json_schema_extra=_one_or_list("signature block"), description=(
        "The signature block; a list for a joint document, in the order of the issuers: the "
        "lead's on the right, the others on the left, two per row."))
    distribution: list[Line] = _recipient_list("Nơi nhận")
    archive: Line = Field("VT", description='The "- Lưu: …" line, e.g. "VT, VP CĐN".')
    template: str | None = Field(None, description="Path of a custom .docx template.")
    data: dict[str, Any] | None = Field(None, description="Figures the body's Jinja uses.")
    type_name: Line | None = Field(None, description=(
        "Overrides the printed type name (printed upper case): «Chương trình phối hợp» → "
        "CHƯƠNG TRÌNH PHỐI HỢP. The checker warns when it contradicts the ký hiệu."))
    unnumbered: bool = Field(False, description=(
        "Issued without a number: no «Số:» line at all (not a draft, which keeps "
        "«Số:      /…»). The checker warns: NĐ 30/2020 asks for a number."))
    outline: list[str] | None = Field(None, description=(
        "The ND30 level of each body heading from the top, # first: phan, chuong, muc, "
        "tieu_muc, dieu, khoan, diem (NĐ 30/2020, Phụ lục I, Mục V). Default [muc, khoan, "
        "diem] (quyết định, nghị quyết: [dieu, khoan, diem])."))
    appendices: list[Appendix] = Field(default_factory=list, description=(
        "Phụ lục, each on new pages after the Nơi nhận with its own page numbers."))
    joint_issuers: SkipJsonSchema[list[Issuer]] = Field(default_factory=list, exclude=True)
    joint_signatures: SkipJsonSchema[list[Signature]] = Field(default_factory=list,
                                                              exclude=True)
    recipient_organs: SkipJsonSchema[list[RecipientOrgan]] = Field(
        default_factory=list, exclude=True)
    """The recipients written with an organisation code, in order (recipients first)."""

    type_abbreviation: ClassVar[str] = ""
    """The ký hiệu's type part (Phụ lục III, Mục I): KH, QĐ …; empty for công văn, thư công."""
    printed_name: ClassVar[str] = ""
    """The printed type name in upper case (KẾ HOẠCH); empty for công văn."""
    type_label: ClassVar[str] = "văn bản"
    """The type's name in running text (messages: «mẫu dành cho công văn»)."""
    form: ClassVar[str] = "van_ban"
    """The form (Phụ lục III, Mẫu 1.x) and so the default template: ``templates/<form>.docx``."""
    default_outline: ClassVar[tuple[str, ...]] = ("muc", "khoan", "diem")
    """How ``#``, ``##``, ``###`` are numbered unless the spec says otherwise."""
    recipients_required: ClassVar[bool] = False
    decision_line: ClassVar[str] = ""
    """Quyết định, nghị quyết: «QUYẾT ĐỊNH:» / «QUYẾT NGHỊ:» before the articles."""
    prints_subject_prefix: ClassVar[bool] = False  # "V/v " before the trích yếu

    @model_validator(mode="before")
    @classmethod
    def _joint(cls, data: Any) -> Any:
        """``issuer:`` / ``signature:`` as a list: the first is the lead's, the others are
        kept as ``joint_issuers`` / ``joint_signatures`` (not keys of a spec)."""
        if not isinstance(data, dict):
            return data
        if "recipient_organs" in data:
            raise PydanticCustomError(
                "joint_key", "khóa «recipient_organs» không có trong mẫu văn bản; viết nơi nhận "
                "có mã là «name: …» với «organ_id: …» trong recipients hoặc distribution", {})
        data = _pull_organs(data)
        for key, hidden in _JOINT_KEYS.items():
            if hidden in data:
                raise PydanticCustomError(
                    "joint_key", "khóa «{hidden}» không có trong mẫu văn bản; viết {key} là "
                    "một danh sách", {"hidden": hidden, "key": key})
            value = data.get(key)
            if isinstance(value, list):
                if not value:
                    raise PydanticCustomError(
                        f"{key}_empty", "danh sách {key} trống; ghi ít nhất một "
                        "(văn bản liên tịch: cơ quan chủ trì trước)", {"key": key})
                data = {**data, key: value[0], hidden: value[1:]}
        return data

    @field_validator("outline")
    @classmethod
    def _outline(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else list(check_outline(value))

    @model_validator(mode="after")
    def _body_parses(self, info: ValidationInfo) -> BaseDocument:
        """A body the restricted Markdown cannot print is refused here, with its key, not at
        render time; its headings are numbered by the document's outline (a quyết định's
        ``#`` is an article). A batch passes its own parser (once per skeleton) in the
        context."""
        parse = (info.context or {}).get("parse_body")
        outline = self.outline_levels
        try:
            if parse is None:
                body_blocks(self.body, outline)
            else:
                remember_blocks(self.body, parse(self.body, outline), outline)
        except ValueError as exc:
            raise PydanticCustomError("body_invalid", "{message}", {"message": str(exc)}) from None
        return self

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise InvalidValueError("số văn bản phải là số nguyên")
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if text.casefold() == "auto":  # the register allocates it (vn_union_docs.register)
                return "auto"
            if not text.isdigit():
                raise InvalidValueError(
                    f"số văn bản «{value}» phải là số nguyên, ví dụ 58, hoặc auto (cấp từ sổ)")
            return int(text)
        return value

    @field_validator("date", "due_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("date", "due_date")
    @classmethod
    def _plausible_year(cls, value: dt.date | None) -> dt.date | None:
        # A year such as 3030 (typed for 2023) is a slip, as draft_year's bounds say.
        if value is not None and not 1900 <= value.year <= 2200:
            raise InvalidValueError(
                f"năm {value.year} không hợp lý (ngoài 1900–2200): có lẽ gõ nhầm năm; "
                "kiểm tra lại ngày tháng")
        return value

    @field_validator("recipients", "distribution")
    @classmethod
    def _list_items(cls, items: list[str], info: ValidationInfo) -> list[str]:
        # "Kính gửi:" / "Nơi nhận:" typed again is dropped (the library prints it; issue 13.4).
        prefix = RECIPIENT_PREFIX if info.field_name == "recipients" else DISTRIBUTION_PREFIX
        typed = [strip_item_prefix(item, prefix) for item in items]
        typed = [item for item, raw in zip(typed, items, strict=True)
                 if item.strip() or not prefix.match(raw)]
        cleaned = [_strip_list_punctuation(item) for item in typed]
        for index, item in enumerate(cleaned):
            if not item:
                raise InvalidValueError(f"mục thứ {index + 1} để trống")
        return cleaned

    @field_validator("archive")
    @classmethod
    def _archive(cls, value: str) -> str:
        value = re.sub(r"^\s*-?\s*Lưu\s*:?\s*", "", value).strip().rstrip(".;").strip()
        if not value:
            raise InvalidValueError("dòng Lưu không được để trống (mặc định: VT)")
        return value

    @model_validator(mode="after")
    def _subject_prefix(self) -> BaseDocument:
        # A công văn prints "V/v " before the trích yếu: a typed "V/v" is dropped (issue 13.4).
        if self.prints_subject_prefix:
            self.subject = strip_subject_prefix(self.subject)
        return self

    @model_validator(mode="after")
    def _archive_from_distribution(self) -> BaseDocument:
        # A "Lưu: VT, VP" item typed into nơi nhận is the archive line, not a recipient.
        keep = []
        for item in self.distribution:
            match = re.match(r"^Lưu\s*:?\s*(.+)$", item)
            if match:
                archive = match.group(1).strip().rstrip(".;")
                if "archive" in self.model_fields_set and archive != self.archive:
                    raise PydanticCustomError(
                        "archive_conflict",
                        "nơi nhận có dòng «Lưu: {found}» khác với archive «{archive}»; chỉ giữ "
                        "một trong hai", {"found": archive, "archive": self.archive})
                self.archive = archive
            else:
                keep.append(item)
        self.distribution = keep
        if self.unnumbered and self.number is not None:
            raise PydanticCustomError(
                "unnumbered_number", "văn bản không số (unnumbered: true) không có number "
                "({number}); bỏ một trong hai", {"number": self.number})
        if self.joint_signatures and len(self.joint_signatures) > len(self.joint_issuers):
            raise PydanticCustomError(
                "signature_count", "có {signatures} khối chữ ký nhưng chỉ {issuers} cơ quan "
                "ban hành; mỗi cơ quan ký một khối",
                {"signatures": len(self.joint_signatures) + 1,
                 "issuers": len(self.joint_issuers) + 1})
        if self.number == "auto" and self.date is None:
            raise PydanticCustomError(
                "auto_needs_date",
                "number: auto cần ngày ban hành (date): số được cấp theo năm của ngày văn bản "
                "(NĐ 30/2020, Điều 15); bản nháp không có số")
        if self.recipients_required and not self.recipients:
            raise PydanticCustomError(
                "recipients_required",
                "{label} cần ít nhất một nơi nhận ở «recipients» (Kính gửi)",
                {"label": self.type_label})
        return self

    @property
    def issuers(self) -> list[Issuer]:
        """Every issuer, the lead first (one unless a joint document)."""
        return [self.issuer, *self.joint_issuers]

    @property
    def signatures(self) -> list[Signature]:
        """Every signature block, the lead's first (empty for a biên bản without one)."""
        if self.signature is None:
            return []
        return [self.signature, *self.joint_signatures]

    @property
    def joint(self) -> bool:
        """A joint document (văn bản liên tịch): more than one issuer."""
        return bool(self.joint_issuers)

    @property
    def symbol_text(self) -> str:
        """The ký hiệu after the slash: ``CĐYT``, ``KH-CĐYT``, ``TBLT-ĐHXD-CĐT`` (joint), or the
        ``symbol`` override. Joint documents take LT after the type abbreviation; a công văn
        has none (practice of TT 01/2011/TT-BNV, kept by union documents)."""
        if self.symbol:
            return self.symbol
        codes = "-".join(issuer.code for issuer in self.issuers)
        if self.type_abbreviation:
            return f"{self.type_abbreviation}{'LT' if self.joint else ''}-{codes}"
        return codes

    @property
    def signer(self) -> Signature:
        """Who signs for the issuer, as the signature block prints it (the lead's block of a
        joint document); the register, the exchange envelope and the template read it."""
        return self.signature

    @property
    def outline_levels(self) -> tuple[str, ...]:
        """The ND30 level of each body heading, ``#`` first (``body.OUTLINE_LEVELS``)."""
        return tuple(self.outline) if self.outline else self.default_outline

    @property
    def year(self) -> int:
        """Year of the document: its date, else ``draft_year``, else this year."""
        if self.date:
            return self.date.year
        return self.draft_year or vi.today().year


MODEL_ERROR_PATHS: dict[str, str] = {
    "body_invalid": "body",
    "issuer_empty": "issuer",
    "signature_empty": "signature",
    "joint_key": "issuer",
    "unnumbered_number": "unnumbered",
    "signature_count": "signature",
    "recipients_required": "recipients",
    "archive_conflict": "archive",
    "auto_needs_date": "number",
}
"""Key paths of the errors the model-level validator raises (pydantic gives them none)."""
