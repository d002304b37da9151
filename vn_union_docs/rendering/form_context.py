"""The context keys of the ND30 forms beyond the plain frame (NĐ 30/2020, Phụ lục III).

``form_context(doc, body_empty)`` returns every key of ``FORM_FIELDS``, formatted for the
document's form and empty (``""``, ``[]``, ``False``) for the others, so any template may use
any key. The last fixed line of a form whose body is empty carries the closing ``./.``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vn_union_docs import vi
from vn_union_docs.documents.forms import Person, Role
from vn_union_docs.documents.models import BaseDocument

FORM_FIELDS: dict[str, tuple[str, str]] = {
    "form": ("str", "Mẫu trình bày (Phụ lục III): cong_van, van_ban, quyet_dinh, cong_dien, "
                    "giay_moi, giay_gioi_thieu, bien_ban, giay_nghi_phep."),
    "authority": ("str", "Quyết định, nghị quyết: thẩm quyền ban hành, in hoa."),
    "grounds": ("list[str]", "Quyết định, nghị quyết: các dòng căn cứ (và «Theo đề nghị của …»), "
                             "dòng cuối kết thúc bằng «.», các dòng khác bằng «;»."),
    "decision_line": ("str", "Quyết định: «QUYẾT ĐỊNH:»; nghị quyết: «QUYẾT NGHỊ:»."),
    "sender_line": ("str", "Công điện: «BAN THƯỜNG VỤ … điện:»."),
    "recipient_list": ("list[str]", "Công điện: nơi nhận điện «- A;» … «- Z.» (cả khi có một)."),
    "invitation_line": ("str", "Giấy mời: «<cơ quan> trân trọng kính mời: <người được mời>»."),
    "event_line": ("str", "Giấy mời: «Tới dự …»."),
    "chair_line": ("str", "Giấy mời: «Chủ trì: …»; biên bản: «Chủ trì (chủ tọa): …»; "
                          "rỗng nếu không có."),
    "time_line": ("str", "Giấy mời: «Thời gian: 08 giờ 00, thứ Sáu, ngày 15 tháng 3 năm 2024»; "
                         "biên bản: «Thời gian bắt đầu: …»."),
    "venue_line": ("str", "Giấy mời, biên bản: «Địa điểm: …»."),
    "introduction_line": ("str", "Giấy giới thiệu: «<cơ quan> trân trọng giới thiệu:»."),
    "person_line": ("str", "Giấy giới thiệu, nghỉ phép: «Ông (bà): Nguyễn Văn A»."),
    "person_title_line": ("str", "Giấy giới thiệu, nghỉ phép: «Chức vụ: …» (và đơn vị); rỗng nếu "
                                 "không có."),
    "sent_to_line": ("str", "Giấy giới thiệu: «Được cử đến: …»."),
    "purpose_line": ("str", "Giấy giới thiệu: «Về việc: …»."),
    "request_line": ("str", "Giấy giới thiệu: «Đề nghị Quý cơ quan tạo điều kiện …»; giấy nghỉ "
                            "phép: «Xét Đơn đề nghị nghỉ phép ngày … của ông (bà) …, … cấp cho:»."),
    "valid_line": ("str", "Giấy giới thiệu: «Giấy này có giá trị đến hết ngày …»."),
    "leave_line": ("str", "Giấy nghỉ phép: «Được nghỉ phép trong thời gian … kể từ ngày … đến "
                          "hết ngày … tại …»."),
    "counted_line": ("str", "Giấy nghỉ phép: «Số ngày nghỉ phép nêu trên được tính vào thời gian "
                            "…»."),
    "confirmation": ("bool", "Giấy nghỉ phép: in khối «Xác nhận của cơ quan … nơi nghỉ phép»."),
    "attendees_line": ("str", "Biên bản: «Thành phần tham dự:» (và người tham dự khi chỉ có một)."),
    "attendees": ("list[str]", "Biên bản: người tham dự «- A;» … khi có nhiều; rỗng nếu không."),
    "absent_line": ("str", "Biên bản: «Vắng mặt: …»; rỗng nếu không có."),
    "secretary_line": ("str", "Biên bản: «Thư ký (người ghi biên bản): …»."),
    "closing_line": ("str", "Biên bản: «Cuộc họp kết thúc vào 11 giờ 30, ngày … ./.»."),
    "secretary_label": ("str", "Biên bản: «THƯ KÝ» (chữ ký bên trái)."),
    "secretary_name": ("str", "Biên bản: họ tên thư ký; rỗng nếu không có."),
}

_EMPTY: dict[str, Any] = {key: ("" if kind == "str" else [] if kind.startswith("list")
                               else False) for key, (kind, _) in FORM_FIELDS.items()}
"""Every form key empty: what a document of another form gets (lists fresh per call)."""

_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_BLANK = "…"


def moment_text(value: dt.datetime | str | None) -> str:
    """``08 giờ 00, thứ Sáu, ngày 15 tháng 3 năm 2024``; text as written; ``None`` blank."""
    if value is None:
        return f"{_BLANK} giờ {_BLANK}, ngày {_BLANK} tháng {_BLANK} năm {_BLANK}"
    if isinstance(value, dt.datetime):
        return (f"{value.hour:02d} giờ {value.minute:02d}, {_WEEKDAYS[value.weekday()]}, "
                f"{vi.format_date(value.date())}")
    return value


def _person(person: Person, colon: str = ":") -> tuple[str, str]:
    salutation = person.salutation or "Ông (bà)"
    title = ", ".join(part for part in (person.title, person.unit) if part)
    return f"{salutation}{colon} {person.name}", f"Chức vụ: {title}" if title else ""


def _role(role: Role | None) -> str:
    if role is None:
        return ""
    return f"{role.name}, {role.title}" if role.title else role.name


def _closed(text: str, close: bool) -> str:
    if not close or not text:
        return text
    return text.rstrip(" .") + "./."


def _punctuated(items: list[str]) -> list[str]:
    return [f"- {item}{'.' if i == len(items) - 1 else ';'}" for i, item in enumerate(items)]


def form_context(doc: BaseDocument, body_empty: bool) -> dict[str, Any]:
    """Every key of ``FORM_FIELDS`` for ``doc`` (empty for keys of other forms)."""
    out = {key: ([] if value == [] else value) for key, value in _EMPTY.items()}
    form = doc.form
    out["form"] = form
    values: dict[str, Any] = {}
    if form == "quyet_dinh":
        values = _quyet_dinh(doc)
    elif form == "cong_dien":
        sender = getattr(doc, "sender", None) or doc.issuer.name
        values = {"sender_line": f"{sender.upper()} điện:",
                  "recipient_list": _punctuated(list(doc.recipients))}
    elif form == "giay_moi":
        values = _giay_moi(doc, body_empty)
    elif form == "giay_gioi_thieu":
        values = _giay_gioi_thieu(doc, body_empty)
    elif form == "giay_nghi_phep":
        values = _giay_nghi_phep(doc, body_empty)
    elif form == "bien_ban":
        values = _bien_ban(doc)
    out.update(values)
    return out


def _quyet_dinh(doc: Any) -> dict[str, Any]:
    lines = list(doc.grounds)
    if doc.proposal:
        lines.append(f"Theo đề nghị của {doc.proposal}")
    grounds = [f"{line}{'.' if i == len(lines) - 1 else ';'}" for i, line in enumerate(lines)]
    return {"authority": doc.authority.upper(), "grounds": grounds,
            "decision_line": doc.decision_line}


def _giay_moi(doc: Any, body_empty: bool) -> dict[str, Any]:
    return {
        "invitation_line": f"{doc.issuer.name} trân trọng kính mời: {doc.invitee}",
        "event_line": f"Tới dự {doc.event}",
        "chair_line": f"Chủ trì: {doc.chair}" if doc.chair else "",
        "time_line": f"Thời gian: {moment_text(doc.time)}",
        "venue_line": _closed(f"Địa điểm: {doc.venue}", body_empty),
    }


def _giay_gioi_thieu(doc: Any, body_empty: bool) -> dict[str, Any]:
    person, title = _person(doc.person, colon="")  # Mẫu 1.8: «Ông (bà) …», no colon
    salutation = (doc.person.salutation or "ông (bà)").lower()
    return {
        "introduction_line": f"{doc.issuer.name} trân trọng giới thiệu:",
        "person_line": person,
        "person_title_line": title,
        "sent_to_line": f"Được cử đến: {doc.sent_to}",
        "purpose_line": f"Về việc: {doc.subject}" if doc.subject else "",
        "request_line": f"Đề nghị Quý cơ quan tạo điều kiện để {salutation} có tên ở trên "
                        "hoàn thành nhiệm vụ.",
        "valid_line": _closed(
            f"Giấy này có giá trị đến hết {vi.format_date(doc.valid_until)}", body_empty),
    }


def _giay_nghi_phep(doc: Any, body_empty: bool) -> dict[str, Any]:
    person, title = _person(doc.person)
    leave = doc.leave
    days = leave.days or (leave.end - leave.start).days + 1
    request = (f"Xét Đơn đề nghị nghỉ phép {vi.format_date(doc.request_date)} "
               if doc.request_date else "Xét Đơn đề nghị nghỉ phép ")
    salutation = (doc.person.salutation or "ông (bà)").lower()
    return {
        "request_line": f"{request}của {salutation} {doc.person.name}, {doc.issuer.name} cấp cho:",
        "person_line": person,
        "person_title_line": title,
        "leave_line": (f"Được nghỉ phép trong thời gian {days:02d} ngày, kể từ "
                       f"{vi.format_date(leave.start)} đến hết {vi.format_date(leave.end)} "
                       f"tại {leave.place}."),
        "counted_line": _closed(
            f"Số ngày nghỉ phép nêu trên được tính vào thời gian {leave.counted_as}", body_empty),
        "confirmation": bool(doc.confirmation),
    }


def _bien_ban(doc: Any) -> dict[str, Any]:
    meeting = doc.meeting
    attendees = list(meeting.attendees)
    one = len(attendees) == 1
    end = meeting.end
    if isinstance(end, dt.datetime):
        ended = f"{end.hour:02d} giờ {end.minute:02d}, {vi.format_date(end.date())}"
    elif end is None:
        ended = f"{_BLANK} giờ {_BLANK}, ngày {_BLANK} tháng {_BLANK} năm {_BLANK}"
    else:
        ended = end
    return {
        "time_line": f"Thời gian bắt đầu: {moment_text(meeting.start)}",
        "venue_line": f"Địa điểm: {meeting.place}",
        "attendees_line": f"Thành phần tham dự: {attendees[0]}" if one
        else "Thành phần tham dự:",
        "attendees": [] if one else _punctuated(attendees),
        "absent_line": f"Vắng mặt: {', '.join(meeting.absent)}" if meeting.absent else "",
        "chair_line": f"Chủ trì (chủ tọa): {_role(meeting.chair)}",
        "secretary_line": f"Thư ký (người ghi biên bản): {_role(meeting.secretary)}"
        if meeting.secretary else "",
        "closing_line": f"{meeting.kind} kết thúc vào {ended}./.",
        "secretary_label": "THƯ KÝ",
        "secretary_name": meeting.secretary.name if meeting.secretary else "",
    }
