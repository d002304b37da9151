"""The keys of the ND30 forms that differ from the plain frame (NĐ 30/2020, Phụ lục III).

Each ``…Form`` class adds to ``BaseDocument`` what its form prints: the authority and the
căn cứ of a quyết định or nghị quyết (Mẫu 1.1-1.3), who sends a công điện (Mẫu 1.6), the
event of a giấy mời (Mẫu 1.7), the person of a giấy giới thiệu (Mẫu 1.8) or giấy nghỉ phép
(Mẫu 1.10), the meeting of a biên bản (Mẫu 1.9). ``documents.doc_types`` makes one model per
type from them. The models hold data only; ``rendering.context`` formats it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from vn_union_docs.documents.models import (
    BaseDocument,
    Line,
    Signature,
    Text,
    _as_lines,
    _Model,
    date_value,
)


def to_date(value: Any) -> Any:
    """A date field's value before validation (see ``models.date_value``)."""
    return date_value(value)


_DATETIME = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}):(\d{2})(?::\d{2})?")
_DMY_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:hg](\d{2})")


def to_moment(value: Any) -> Any:
    """``2024-03-15 08:00`` or ``15/3/2024 08:00`` → a datetime; other text stays text
    (printed as written, e.g. «14 giờ 00, thứ Sáu, ngày 15 tháng 3 năm 2024»)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, dt.date):
        raise ValueError("thiếu giờ: viết dạng 2024-03-15 08:00")
    if isinstance(value, str):
        text = value.strip()
        try:
            if m := _DATETIME.fullmatch(text):
                day = dt.date.fromisoformat(
                    "-".join(f"{int(p):02d}" for p in m.group(1).split("-")))
                return dt.datetime.combine(day, dt.time(int(m.group(2)), int(m.group(3))))
            if m := _DMY_TIME.fullmatch(text):
                return dt.datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)),
                                   int(m.group(4)), int(m.group(5)))
        except ValueError:
            raise ValueError(f"thời gian «{value}» không có thật; viết dạng 2024-03-15 08:00"
                             ) from None
    return value


DateValue = Annotated[dt.date, BeforeValidator(to_date)]
Moment = Annotated[dt.datetime | Line, BeforeValidator(to_moment)]
"""A date and time (``2024-03-15 08:00``) or, when it is not one, text printed as written."""


def _strip_end(value: str) -> str:
    return re.sub(r"[\s;.,]+$", "", value)


class QuyetDinhForm(BaseDocument):
    """Quyết định, nghị quyết (Mẫu 1.1-1.3): thẩm quyền, căn cứ, đề nghị, then the articles."""

    authority: Line = Field(description=(
        "Thẩm quyền ban hành, printed upper case and bold under the trích yếu: the head's "
        "title (CHỦ TỊCH CÔNG ĐOÀN NGÀNH Y TẾ) or the collective body (BAN THƯỜNG VỤ …)."))
    grounds: list[Line] = Field(default_factory=list, description=(
        "Căn cứ, one per item, each written with its own «Căn cứ …» (or «Xét …») and no final "
        "punctuation: the library ends every line with «;» and the last line of the block "
        "with «.». Printed italic, one per line. The checker reports a quyết định without."))
    proposal: Line | None = Field(None, description=(
        "The proposer only (Ban Tổ chức): the library writes «Theo đề nghị của Ban Tổ chức.» "
        "as the last line of the grounds block."))

    @field_validator("grounds")
    @classmethod
    def _grounds(cls, items: list[str]) -> list[str]:
        return [_strip_end(item) for item in items]

    @field_validator("proposal")
    @classmethod
    def _proposal(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = re.sub(r"^(?:theo\s+)?đề\s+nghị\s+của\s+", "", _strip_end(value), flags=re.I)
        if not value:
            raise ValueError("ghi tên người/đơn vị đề nghị, ví dụ «Ban Tổ chức»")
        return value


class CongDienForm(BaseDocument):
    """Công điện (Mẫu 1.6): «<sender> điện:» and the recipients under the title."""

    sender: Line | None = Field(None, description=(
        "Who sends the điện, printed upper case before «điện:» (the body or the head's "
        "title: BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH); default: the issuer's name."))


class Person(_Model):
    """A person named in a giấy giới thiệu or giấy nghỉ phép."""

    salutation: Literal["Ông", "Bà"] | None = Field(
        None, description="Ông or Bà; default «Ông (bà)» as the form prints it.")
    name: Line = Field(description="Full name, without degrees.")
    title: Line | None = Field(None, description="Chức vụ.")
    unit: Line | None = Field(None, description="Đơn vị công tác (printed after the title).")


class GiayMoiForm(BaseDocument):
    """Giấy mời (Mẫu 1.7): whom, to what, who chairs, when, where; notes in the body."""

    body: Text = Field("", description=(
        "Các vấn đề cần lưu ý (what to bring, how to confirm), restricted Markdown; optional."))
    invitee: Line = Field(description=(
        "Whom it invites, after «… trân trọng kính mời:»: a body, or name, title and unit "
        "(Ông Nguyễn Văn An, Chủ tịch Công đoàn cơ sở Bệnh viện Đa khoa tỉnh)."))
    event: Line = Field(description="The event, after «Tới dự»: Hội nghị tổng kết ….")
    chair: Line | None = Field(None, description="«Chủ trì:» line (name and title).")
    time: Moment = Field(description=(
        "«Thời gian:» 2024-03-15 08:00 (printed «08 giờ 00, thứ Sáu, ngày 15 tháng 3 năm "
        "2024»), or text printed as written."))
    venue: Line = Field(description="«Địa điểm:» line.")


class GiayGioiThieuForm(BaseDocument):
    """Giấy giới thiệu (Mẫu 1.8): the person, where sent, about what, valid until."""

    subject: Text = Field("", description="«Về việc:» line (the form prints no trích yếu).")
    body: Text = Field("", description="Further paragraphs (optional).")
    person: Person = Field(description="The person introduced: «Ông (bà) …», «Chức vụ: …».")
    sent_to: Line = Field(description="«Được cử đến:» the body the person is sent to.")
    valid_until: DateValue = Field(description="«Giấy này có giá trị đến hết ngày …».")


class Leave(_Model):
    """The leave of a giấy nghỉ phép."""

    start: DateValue = Field(description="First day of leave.")
    end: DateValue = Field(description="Last day of leave.")
    days: int | None = Field(None, ge=1, le=366, description=(
        "Number of days printed; default: calendar days from start to end."))
    place: Line = Field(description="Nơi nghỉ phép.")
    counted_as: Line = Field(description=(
        "What the days count as: «nghỉ hằng năm có hưởng lương năm 2024» (Bộ luật Lao động)."))


class GiayNghiPhepForm(BaseDocument):
    """Giấy nghỉ phép (Mẫu 1.10): the request, the person, the leave."""

    subject: Text = Field("", description="Not printed (the form has no trích yếu).")
    body: Text = Field("", description="Further paragraphs (optional).")
    request_date: DateValue | None = Field(None, description="Date of the đơn đề nghị.")
    person: Person = Field(description="Who is granted leave.")
    leave: Leave
    confirmation: bool = Field(False, description=(
        "Print the block «Xác nhận của cơ quan (tổ chức) hoặc chính quyền địa phương nơi "
        "nghỉ phép» at the bottom left."))


class Role(_Model):
    """The chair or the secretary of a meeting."""

    name: Line = Field(description="Full name (printed under the signature).")
    title: Line | None = Field(None, description="Chức vụ, printed after the name.")


class Meeting(_Model):
    """What a biên bản records about the meeting (Mẫu 1.9)."""

    kind: Line = Field("Cuộc họp", description=(
        "Cuộc họp, Hội nghị, Hội thảo …: starts the closing line «… kết thúc vào …»."))
    start: Moment = Field(description="«Thời gian bắt đầu:» 2024-03-15 08:00 or text.")
    end: Moment | None = Field(None, description=(
        "When it ended: «… kết thúc vào 11 giờ 30, ngày 15 tháng 3 năm 2024./.»; "
        "left blank when missing."))
    place: Line = Field(description="«Địa điểm:».")
    attendees: Annotated[list[Line], BeforeValidator(_as_lines)] = Field(description=(
        "«Thành phần tham dự:» one item per line (or one text)."))
    absent: Annotated[list[Line], BeforeValidator(_as_lines)] = Field(
        default_factory=list, description="«Vắng mặt:» (optional).")
    chair: Role = Field(description="«Chủ trì (chủ tọa):»; signs on the right.")
    secretary: Role | None = Field(None, description=(
        "«Thư ký (người ghi biên bản):»; signs on the left. The checker reports a biên bản "
        "without one."))
    chair_label: Line = Field("Chủ tọa", description=(
        "Heading of the chair's signature: Chủ tọa (default) or Chủ trì; printed upper case."))


class BienBanForm(BaseDocument):
    """Biên bản (Mẫu 1.9): time, place, attendees, chair and secretary, the record, the
    closing line; THƯ KÝ and CHỦ TỌA sign side by side; no place-date line."""

    place: Text = Field("", description="Not printed in the header (Mẫu 1.9 has none).")
    meeting: Meeting
    signature: Signature | None = Field(None, description=(  # type: ignore[assignment]
        "Not needed: the chair signs on the right (CHỦ TỌA) and the secretary on the left "
        "(THƯ KÝ), from meeting. Given, it replaces the chair's block."))

    @property
    def signer(self) -> Signature:
        """The signature given, else the chair's block: «CHỦ TỌA» (``chair_label``) over the
        chair's name, as Mẫu 1.9 prints it on the right."""
        if self.signature is not None:
            return self.signature
        return Signature.model_construct(capacity=[], title=self.meeting.chair_label,
                                         name=self.meeting.chair.name)
