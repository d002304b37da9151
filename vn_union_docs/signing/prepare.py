"""Signature-ready PDFs: empty signature fields at the ND30 positions for offices that sign
in their national-CA tool (which signs into an existing field), plus the blank number and
date as text fields (NĐ 30/2020, Điều 15.3)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pyhanko.sign import fields as sig_fields

from vn_union_docs.files import write_atomic
from vn_union_docs.signing.errors import SigningError
from vn_union_docs.signing.fields import (
    DATE_FIELDS,
    NUMBER_FIELD,
    add_text_field,
    read_text_fields,
    text_width,
)
from vn_union_docs.signing.pdfobjects import field_widget, open_for_update, page_sizes, read_pdf
from vn_union_docs.signing.positions import Box, analyse, seal_box, signer_image_box, stamp_box
from vn_union_docs.signing.roles import Role, field_name
from vn_union_docs.signing.sign import signer_lock

__all__ = ["prepare_pdf"]

# The space a national-CA tool gets for an attachment's or copy's text (top right).
_STAMP_W, _STAMP_H = 170.0, 40.0
# Signature images are usually about 5:2; the field is that shape unless told otherwise.
_SIGNATURE_ASPECT = (500, 200)


def prepare_pdf(source: Path | str | bytes, out: Path | str | None = None, *,
                kind: str = "main", seal_mm: float = 36.0, at: Box | None = None,
                signer_title: str | None = None, signer_name: str | None = None) -> bytes:
    """Add empty signature fields where NĐ 30/2020 puts the signatures. ``kind="main"``:
    ``ND30_signer`` between title and name, ``ND30_organisation`` (the seal, ``seal_mm``)
    over its left third, and text fields over a blank number and date; ``kind="attachment"``
    or ``"copy"``: one field top right of page 1. Returns the bytes (and writes ``out``)."""
    data, name = read_pdf(source)
    writer = open_for_update(data, name)
    reader = writer.prev
    if reader.embedded_signatures:
        raise SigningError(f"{name}: PDF đã có chữ ký số; chỉ chuẩn bị ô ký cho PDF chưa ký.")
    specs: list[sig_fields.SigFieldSpec] = []
    if kind == "main":
        positions = analyse(data, title=signer_title, name=signer_name)
        if at is None and positions.signature is None:
            raise SigningError(
                f"{name}: không tìm thấy khối chữ ký (chức vụ và họ tên bên cạnh «Nơi nhận:»)."
                " Hãy chỉ vị trí: --at TRANG,X,Y,RỘNG,CAO (mm từ góc trên bên trái).")
        signer = at or signer_image_box(positions.signature, _SIGNATURE_ASPECT)  # type: ignore[arg-type]
        seal = seal_box(signer, seal_mm, (1, 1))
        specs.append(sig_fields.SigFieldSpec(field_name(Role.signer), on_page=signer.page,
                                             box=signer.pdf_rect(), field_mdp_spec=signer_lock()))
        specs.append(sig_fields.SigFieldSpec(field_name(Role.organisation), on_page=seal.page,
                                             box=seal.pdf_rect()))
        existing = read_text_fields(reader)
        for fname, gap in ((NUMBER_FIELD, positions.number), (DATE_FIELDS[0], positions.day),
                           (DATE_FIELDS[1], positions.month)):
            if gap is not None and fname not in existing:
                add_text_field(writer, fname, gap.box, gap.font_size,
                               right=fname == NUMBER_FIELD, italic=fname in DATE_FIELDS)
    elif kind in ("attachment", "copy"):
        width = max(_STAMP_W, text_width("2026-11-27T09:15:04+07:00", 10) + 2)
        box = stamp_box(page_sizes(reader)[0], width, _STAMP_H)
        specs.append(sig_fields.SigFieldSpec(field_name(Role(kind)), on_page=0, box=box.pdf_rect()))
    else:
        raise SigningError(f"Loại chuẩn bị «{kind}» không có; chọn main, attachment hoặc copy.")
    for spec in specs:
        if field_widget(reader, spec.sig_field_name) is None:
            sig_fields.append_signature_field(writer, spec)
    buffer = BytesIO()
    writer.write(buffer)
    result = buffer.getvalue()
    if out is not None:
        write_atomic(out, result)
    return result
