"""The documents as data: pydantic models of công văn, kế hoạch and thông báo.

The models know nothing of docx. They hold what a clerk writes in a spec file, check it and
normalise it (NFC text, upper-case signature lines, no stray punctuation in lists); the
formatting rules that turn it into printed lines live in ``context`` and ``vi``.

>>> from vn_union_docs.documents.models import CongVan
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
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from vn_union_docs import vi
from vn_union_docs.documents.body import body_blocks, remember_blocks
from vn_union_docs.documents.prefixes import (
    DISTRIBUTION_PREFIX,
    RECIPIENT_PREFIX,
    strip_item_prefix,
    strip_subject_prefix,
)
from vn_union_docs.errors import InvalidValueError
from vn_union_docs.vi import legacy

DocumentType = Literal["cong_van", "ke_hoach", "thong_bao"]

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
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    # isprintable() is False for every control character (and for \n, \t): search only then.
    bad = None if text.isprintable() else _CONTROL.search(text)
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


def _strip_list_punctuation(item: str) -> str:
    """``- Như trên;`` → ``Như trên``: the library adds dashes and punctuation itself."""
    item = re.sub(r"^\s*[-–+•]\s*", "", item).strip()
    return re.sub(r"\s*[;,.]\s*$", "", item).strip()


def _as_lines(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in value.split("\n") if part.strip()]
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


class BaseDocument(_Model):
    """What every document type has. Use ``CongVan``, ``KeHoach`` or ``ThongBao``."""

    type: DocumentType
    issuer: Issuer
    number: Annotated[int, Field(ge=1, le=99_999)] | Literal["auto"] | None = Field(
        None, description="Số; None for a draft; auto: allocated by the register.")
    symbol: Line | None = Field(None, description="Full override of the ký hiệu, e.g. TLĐ-VP.")
    place: Line = Field(description="Địa danh, e.g. Thái Bình.")
    date: dt.date | None = Field(None, description="Ngày ban hành; None for a draft.")
    draft_year: int | None = Field(None, ge=1900, le=2200, description="Year of a draft.")
    subject: Line = Field(description="Trích yếu, printed as written.")
    urgency: Literal["khan", "thuong_khan", "hoa_toc"] | None = None
    secrecy: Literal["mat", "toi_mat", "tuyet_mat"] | None = None
    recipients: list[Line] = Field(default_factory=list, description="Kính gửi.")
    body: Line = Field(description="Restricted Markdown.")
    signature: Signature
    distribution: list[Line] = Field(default_factory=list, description="Nơi nhận.")
    archive: Line = Field("VT", description='The "- Lưu: …" line, e.g. "VT, VP CĐN".')
    template: str | None = Field(None, description="Path of a custom .docx template.")
    data: dict[str, Any] | None = Field(None, description="Figures the body's Jinja uses.")

    type_abbreviation: ClassVar[str] = ""
    type_name: ClassVar[str] = ""
    recipients_required: ClassVar[bool] = False
    prints_subject_prefix: ClassVar[bool] = False  # "V/v " before the trích yếu

    @field_validator("body")
    @classmethod
    def _body_parses(cls, value: str, info: ValidationInfo) -> str:
        """A body the restricted Markdown cannot print is refused here, with its key, not at
        render time. A batch passes its own parser (parsing once per skeleton) in the context."""
        parse = (info.context or {}).get("parse_body")
        if parse is None:
            body_blocks(value)
        else:
            remember_blocks(value, parse(value))
        return value

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

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            return vi.parse_date(text)  # the one date reader (NĐ 30 dates, ISO, dd/mm/yyyy)
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
        if self.number == "auto" and self.date is None:
            raise PydanticCustomError(
                "auto_needs_date",
                "number: auto cần ngày ban hành (date): số được cấp theo năm của ngày văn bản "
                "(NĐ 30/2020, Điều 15); bản nháp không có số")
        if self.recipients_required and not self.recipients:
            raise PydanticCustomError(
                "recipients_required",
                "công văn cần ít nhất một nơi nhận ở «recipients» (Kính gửi)")
        return self

    @property
    def symbol_text(self) -> str:
        """The ký hiệu after the slash: ``CĐYT``, ``KH-CĐYT``, or the ``symbol`` override."""
        if self.symbol:
            return self.symbol
        if self.type_abbreviation:
            return f"{self.type_abbreviation}-{self.issuer.code}"
        return self.issuer.code

    @property
    def year(self) -> int:
        """Year of the document: its date, else ``draft_year``, else this year."""
        if self.date:
            return self.date.year
        return self.draft_year or dt.date.today().year


class CongVan(BaseDocument):
    """Công văn (dispatch): no type name; trích yếu as ``V/v …`` under the number."""

    type: Literal["cong_van"] = "cong_van"
    recipients_required: ClassVar[bool] = True
    prints_subject_prefix: ClassVar[bool] = True


class KeHoach(BaseDocument):
    """Kế hoạch (plan): ``KẾ HOẠCH`` and the trích yếu centred; ký hiệu ``KH-…``."""

    type: Literal["ke_hoach"] = "ke_hoach"
    type_abbreviation: ClassVar[str] = "KH"
    type_name: ClassVar[str] = "KẾ HOẠCH"


class ThongBao(BaseDocument):
    """Thông báo (notice): ``THÔNG BÁO`` and the trích yếu centred; ký hiệu ``TB-…``."""

    type: Literal["thong_bao"] = "thong_bao"
    type_abbreviation: ClassVar[str] = "TB"
    type_name: ClassVar[str] = "THÔNG BÁO"


Document = Annotated[CongVan | KeHoach | ThongBao, Field(discriminator="type")]
"""Any document; pydantic picks the model from ``type``."""

DOCUMENT_ADAPTER: TypeAdapter[CongVan | KeHoach | ThongBao] = TypeAdapter(Document)
MODEL_ERROR_PATHS: dict[str, str] = {
    "recipients_required": "recipients",
    "archive_conflict": "archive",
    "auto_needs_date": "number",
}
"""Key paths of the errors the model-level validator raises (pydantic gives them none)."""

MODELS: dict[str, type[BaseDocument]] = {
    "cong_van": CongVan,
    "ke_hoach": KeHoach,
    "thong_bao": ThongBao,
}

DOC_TYPE_NAMES: dict[str, str] = {
    "cong_van": "công văn", "ke_hoach": "kế hoạch", "thong_bao": "thông báo"}
"""Each document type's name in running text (messages: «mẫu dành cho công văn»)."""
