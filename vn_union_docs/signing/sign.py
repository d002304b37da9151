"""Signing a PDF the way NĐ 30/2020 prescribes (pyHanko, PAdES, incremental updates).

* ``signer`` (Điều 5; Phụ lục I, II.7.d): the leader's blue signature image centred between
  the title and the name; the signature locks every field but the number, the date and the
  organisation's signature, so the văn thư's later steps keep it valid.
* ``organisation`` (II.8.a; Điều 15.3): fills a blank number and date, then the red seal at
  its real size over about a third of the signer's image, on its left.
* ``attachment`` (II.8.b, III.1.d) and ``copy`` (Phần II, I.3): no image; the số và ký hiệu
  (or the copy form and copying organisation) and the signing time in ISO 8601 with the
  Vietnam offset, 10 pt Liberation Serif, top right of page 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.stamp import BaseStampStyle, StaticStampStyle, TextStampStyle

from vn_union_docs import vi
from vn_union_docs.files import write_atomic
from vn_union_docs.signing.errors import SigningError
from vn_union_docs.signing.fields import (
    DATE_FIELDS,
    NUMBER_FIELD,
    add_text_field,
    fill_text_field,
    font_factory,
    read_text_fields,
    text_width,
)
from vn_union_docs.signing.images import CachedPdfImage, StampImage, load_image
from vn_union_docs.signing.keys import SigningKey
from vn_union_docs.signing.pdfobjects import field_widget, open_for_update, page_sizes, read_pdf
from vn_union_docs.signing.positions import (
    MM,
    Box,
    Positions,
    analyse,
    seal_box,
    signer_image_box,
    stamp_box,
)
from vn_union_docs.signing.roles import ROLE_NAMES, Role, field_name, reason

__all__ = ["COPY_FORMS", "NumberProvider", "NumberRequest", "SignResult", "mm_box",
           "sign_pdf", "signer_lock"]

COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")
_STAMP_PT = 10
# Room for the CMS signature (hex doubles it): a 4096-bit key with a four-certificate chain
# fits in 16 KB; a timestamp token adds its own chain. Fixed, so pyHanko skips a dry run.
_RESERVED, _RESERVED_TSA = 16384, 32768


@dataclass(frozen=True)
class NumberRequest:
    """What a number provider (the register, issue 17) is asked for: the next number of a
    document with this ký hiệu, issued on this day (NĐ 30/2020, Điều 15.3)."""

    symbol: str | None
    issued_on: dt.date
    source: str


NumberProvider = Callable[[NumberRequest], "str | int"]


@dataclass
class SignResult:
    """A signed PDF: its bytes, where it was written, the field signed and its box."""

    data: bytes
    path: Path | None
    role: Role
    field: str
    signed_at: dt.datetime
    box: Box
    number: str | None = None
    warnings: list[str] = dc_field(default_factory=list)


def _timestamper(tsa_url: str | None, timestamper: TimeStamper | None) -> TimeStamper | None:
    if timestamper is not None or not tsa_url:
        return timestamper
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(tsa_url, timeout=15)


def _image_style(image: StampImage) -> StaticStampStyle:
    return StaticStampStyle(
        background=CachedPdfImage(image),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
    )


def _text_style(text: str) -> TextStampStyle:
    rule = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
        margins=layout.Margins.uniform(0), inner_content_scaling=layout.InnerScaling.NO_SCALING)
    return TextStampStyle(
        stamp_text=text.replace("%", "%%"),
        text_box_style=TextBoxStyle(font=font_factory(_STAMP_PT), font_size=_STAMP_PT,
                                    border_width=0, box_layout_rule=rule, leading=11),
        inner_content_layout=rule, border_width=0, background=None)


def _signer_box(reader: PdfFileReader, positions: Callable[[], Positions], name: str,
                at: Box | None, image: StampImage) -> Box:
    """The signer's image box: a prepared field, ``at``, or found from the text."""
    widget = field_widget(reader, field_name(Role.signer))
    if widget is not None and widget[0] is not None:
        return widget[0]
    if at is not None:
        return at
    found = positions()
    if found.signature is None:
        raise SigningError(
            f"{name}: không tìm thấy khối chữ ký (chức vụ và họ tên người ký bên cạnh «Nơi "
            "nhận:») để đặt chữ ký số (NĐ 30/2020, Phụ lục I, II.7.d). Tệp không do "
            "vn-union-docs tạo? Hãy chỉ vị trí ảnh chữ ký: --at TRANG,X,Y,RỘNG,CAO (mm, tính "
            "từ góc trên bên trái trang).")
    return signer_image_box(found.signature, image.size)


def _fill_number_and_date(writer: IncrementalPdfFileWriter, reader: PdfFileReader,
                          found: Callable[[], Positions], name: str, number: str | int | None,
                          issued_on: dt.date, provider: NumberProvider | None) -> str | None:
    """Điều 15.3: the văn thư gives the number and date of a document signed blank."""
    values = read_text_fields(reader)
    pending_number = values.get(NUMBER_FIELD) == ""
    pending_date = any(values.get(f) == "" for f in DATE_FIELDS)
    if not pending_number and not pending_date:
        if number is not None:
            raise SigningError(f"{name}: văn bản đã có số (hoặc không có ô số để điền); bỏ "
                               "--number.")
        return None
    positions = found()
    if pending_date and positions.year is not None and positions.year != issued_on.year:
        raise SigningError(
            f"{name}: văn bản in sẵn năm {positions.year} nhưng ngày ban hành là "
            f"{issued_on:%d/%m/%Y}; hãy tạo lại PDF với năm {issued_on.year} để người có "
            "thẩm quyền ký lại (NĐ 30/2020, Điều 15.3).")
    text = None
    if pending_number:
        if number is None and provider is not None:
            number = provider(NumberRequest(positions.symbol, issued_on, name))
        if number is None:
            raise SigningError(
                f"{name}: văn bản chưa có số; văn thư cấp số khi ký số của cơ quan (NĐ 30/2020,"
                " Điều 15.3): thêm --number SỐ (hoặc lấy số từ sổ đăng ký).")
        text = str(number).strip()
        if not text.isdigit() or len(text) > 6:
            raise SigningError(f"{name}: số văn bản «{text}» phải là số nguyên dương.")
        text = f"{int(text):02d}"  # Phụ lục I, II.3: numbers below 10 get a leading zero
        fill_text_field(writer, NUMBER_FIELD, text)
    if pending_date:
        day = f"{issued_on.day:02d}"
        month = f"{issued_on.month:02d}" if issued_on.month < 3 else str(issued_on.month)
        if values.get(DATE_FIELDS[0]) == "":
            fill_text_field(writer, DATE_FIELDS[0], day)
        if values.get(DATE_FIELDS[1]) == "":
            fill_text_field(writer, DATE_FIELDS[1], month)
    return text


def _add_blank_fields(writer: IncrementalPdfFileWriter, reader: PdfFileReader,
                      found: Callable[[], Positions]) -> None:
    """Text fields over a blank number and date (the Điều 15.3 workflow)."""
    existing = read_text_fields(reader)
    positions = found()
    for name, gap in ((NUMBER_FIELD, positions.number), (DATE_FIELDS[0], positions.day),
                      (DATE_FIELDS[1], positions.month)):
        if gap is not None and name not in existing:
            add_text_field(writer, name, gap.box, gap.font_size, right=name == NUMBER_FIELD,
                           italic=name in DATE_FIELDS)


def sign_pdf(
    source: Path | str | bytes,
    out: Path | str | None = None,
    *,
    role: Role | str,
    key: SigningKey,
    image: Path | str | None = None,
    seal_mm: float | None = None,
    reference: str | None = None,
    number: str | int | None = None,
    issued_on: dt.date | None = None,
    number_provider: NumberProvider | None = None,
    copy_form: str = "SAO Y",
    copier: str | None = None,
    at: Box | None = None,
    signer_title: str | None = None,
    signer_name: str | None = None,
    location: str | None = None,
    tsa_url: str | None = None,
    timestamper: TimeStamper | None = None,
) -> SignResult:
    """Sign ``source`` (a path or PDF bytes) in ``role`` with ``key``; write the result to
    ``out`` atomically when given. Nothing is written when anything is wrong
    (:class:`SigningError`, Vietnamese message).

    ``image``: the signer's signature PNG (role ``signer``) or the seal PNG (``organisation``,
    with ``seal_mm``, the seal's real diameter). ``number``/``issued_on`` fill a number and
    date left blank (Điều 15.3; the date defaults to today in Vietnam); ``number_provider``
    is asked for the number when none is given (wire the register here). ``reference``: the
    số và ký hiệu an attachment's stamp shows when the PDF does not print it. ``at``: the
    signer's image box for a PDF the library did not make. ``tsa_url``/``timestamper``: an
    RFC 3161 timestamp authority.
    """
    role = Role(role)
    data, name = read_pdf(source)
    writer = open_for_update(data, name)
    reader = writer.prev
    field = field_name(role)
    signed = {s.field_name: s for s in reader.embedded_signatures}
    if field in signed:
        raise SigningError(
            f"{name}: văn bản đã có chữ ký số vai trò «{ROLE_NAMES[role]}» ({role.value}); "
            "mỗi vai trò chỉ ký một lần.")
    now = dt.datetime.now(vi.VIETNAM_TIME).replace(microsecond=0)  # dated in Vietnam
    warnings: list[str] = []
    cache: dict[str, Positions] = {}

    def block() -> Positions:  # the text is read once, only the pages needed
        if "block" not in cache:
            with_header = "header" not in cache and role is Role.signer
            cache["block"] = analyse(data, title=signer_title, name=signer_name,
                                     header=with_header)
            if with_header:
                cache["header"] = cache["block"]
        return cache["block"]

    def header() -> Positions:
        if "header" not in cache:
            cache["header"] = analyse(data, signature=False)
        return cache["header"]

    style: BaseStampStyle
    filled_number = None
    if role in (Role.signer, Role.organisation):
        if image is None:
            raise SigningError(
                f"{name}: cần ảnh {'chữ ký' if role is Role.signer else 'dấu'} (--image "
                "TỆP.png) cho vai trò " + role.value + ".")
        what = "ảnh chữ ký" if role is Role.signer else "ảnh dấu"
        picture = load_image(image, what=what)
        want = "blue" if role is Role.signer else "red"
        if picture.colour != want:
            colour = "màu xanh" if want == "blue" else "màu đỏ"
            warnings.append(f"{picture.path}: {what} nên {colour} (NĐ 30/2020, Phụ lục I, "
                            f"{'II.7.d' if role is Role.signer else 'II.8.a'}).")
        style = _image_style(picture)
        if role is Role.signer:
            box = _signer_box(reader, block, name, at, picture)
            _add_blank_fields(writer, reader, header)
        else:
            if not signed:
                raise SigningError(
                    f"{name}: chưa có chữ ký số của người có thẩm quyền; cơ quan ký sau người "
                    "có thẩm quyền (NĐ 30/2020, Phụ lục I, II.8.a).")
            if seal_mm is None or not 10 <= seal_mm <= 80:
                raise SigningError(
                    f"{name}: cần kích thước thật của dấu: --seal-mm MM (đường kính, 10–80 mm; "
                    "dấu tròn của công đoàn thường 32–40 mm) (NĐ 30/2020, Phụ lục I, II.8.a).")
            sig_box = _signer_box(reader, block, name, at, picture)
            box = seal_box(sig_box, seal_mm, picture.size)
            prepared = field_widget(reader, field)
            if prepared is not None and prepared[0] is not None and \
                    abs(max(prepared[0].width, prepared[0].height) - seal_mm * MM) > MM:
                size = max(prepared[0].width, prepared[0].height) / MM
                warnings.append(f"{name}: ô ký đã chuẩn bị cho dấu {size:.0f} mm, dấu thật "
                                f"{seal_mm:g} mm: dấu được thu/phóng vào ô (NĐ 30/2020, Phụ "
                                "lục I, II.8.a: kích thước thật).")
                box = prepared[0]
            filled_number = _fill_number_and_date(
                writer, reader, header, name, number, issued_on or now.date(), number_provider)
        text_params: dict[str, str] = {}
    else:
        if role is Role.attachment:
            ref = reference or analyse(data, signature=False, max_pages=1).reference
            if not ref:
                raise SigningError(
                    f"{name}: không thấy số và ký hiệu của văn bản chính trong tệp; thêm "
                    "--reference \"58/CĐYT\" (NĐ 30/2020, Phụ lục I, II.8.b).")
            first = ref.strip()
        else:
            form = copy_form.strip().upper()
            if form not in COPY_FORMS:
                raise SigningError(f"{name}: hình thức sao «{copy_form}» không có; chọn một "
                                   "trong: SAO Y, SAO LỤC, TRÍCH SAO (NĐ 30/2020, Điều 25).")
            first = f"{form}\n{(copier or key.organisation).strip()}"
        text = f"{first}\n{now.isoformat()}"
        if len(text) > 400:
            raise SigningError(f"{name}: nội dung dấu ký số quá dài ({len(text)} ký tự).")
        width = text_width(text, _STAMP_PT) + 1
        height = 11 * text.count("\n") + _STAMP_PT + 3
        box = stamp_box(page_sizes(reader)[0], width, height)
        style = _text_style(text)
        text_params = {}
    meta = signers.PdfSignatureMetadata(
        field_name=field, reason=reason(role), location=location, md_algorithm="sha256",
        subfilter=sig_fields.SigSeedSubFilter.PADES)
    existing = field_widget(reader, field)
    spec = None if existing is not None else sig_fields.SigFieldSpec(
        sig_field_name=field, on_page=box.page, box=box.pdf_rect(),
        field_mdp_spec=signer_lock() if role is Role.signer else None)
    pdf_signer = signers.PdfSigner(meta, signer=key.signer, stamp_style=style,
                                   timestamper=_timestamper(tsa_url, timestamper),
                                   new_field_spec=spec)
    output = BytesIO()
    try:
        pdf_signer.sign_pdf(writer, appearance_text_params=text_params, output=output,
                            bytes_reserved=_RESERVED_TSA if tsa_url or timestamper else _RESERVED)
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(_sign_failure(name, exc, tsa_url)) from exc
    result = output.getvalue()
    path = write_atomic(out, result) if out is not None else None
    return SignResult(result, path, role, field, now, box, filled_number, warnings)


def signer_lock() -> sig_fields.FieldMDPSpec:
    """The leader's signature locks every form field except those the văn thư still fills
    (number, day, month), the organisation's signature (NĐ 30/2020, Điều 15.3) and a later
    electronic copy's signature (Phần II, I.3). An approval signature with a field lock
    rather than a certification: a certified document may not gain the organisation's
    visible signature field afterwards."""
    return sig_fields.FieldMDPSpec(
        sig_fields.FieldMDPAction.EXCLUDE,
        fields=[NUMBER_FIELD, *DATE_FIELDS, field_name(Role.organisation),
                field_name(Role.copy)])


def _sign_failure(name: str, exc: Exception, tsa_url: str | None) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if "Timestamp" in text or "TSA" in text or "tsp" in text.lower():
        return (f"{name}: không lấy được dấu thời gian từ {tsa_url or 'máy chủ TSA'} ({text}); "
                "kiểm tra địa chỉ --tsa và kết nối mạng.")
    if "PKCS11" in text or "pkcs11" in type(exc).__module__:
        return f"{name}: token từ chối ký ({text}); kiểm tra token còn cắm và PIN."
    return f"{name}: không ký được ({text})."


def mm_box(page: int, x: float, y: float, width: float, height: float,
           page_height: float = 297 * MM) -> Box:
    """A box in millimetres from the page's top left corner (for ``at``)."""
    return Box.from_mm(page, x, y, width, height, page_height)
