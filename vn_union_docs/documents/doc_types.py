"""Every ND30 document type as a model, made from ``doc_types.yaml``.

``DOC_TYPES`` holds each type's fixed ``type`` value, printed name, abbreviation (NĐ 30/2020,
Phụ lục III, Mục I) and form (Mẫu 1.1-1.10); ``MODELS`` one pydantic model per type, built on
the form's class in ``documents.forms``; ``DOCUMENT_ADAPTER`` validates any spec, picking the
model from ``type`` (a discriminated union).

>>> MODELS["quyet_dinh"].type_abbreviation, MODELS["quyet_dinh"].printed_name
('QĐ', 'QUYẾT ĐỊNH')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter
from ruamel.yaml import YAML

from vn_union_docs.documents import forms
from vn_union_docs.documents.models import BaseDocument


@dataclass(frozen=True)
class DocType:
    """One row of ``doc_types.yaml``."""

    type: str
    name: str
    abbreviation: str | None
    form: str
    recipients_required: bool = False
    outline: tuple[str, ...] = ("muc", "khoan", "diem")
    decision: str | None = None

    @property
    def label(self) -> str:
        """The name in running text: «quyết định»."""
        return self.name[0].lower() + self.name[1:]

    @property
    def printed_name(self) -> str:
        """The printed type name: «QUYẾT ĐỊNH»; empty for công văn (Mẫu 1.5 prints none)."""
        return "" if self.form == "cong_van" else self.name.upper()


def _load() -> dict[str, DocType]:
    text = resources.files("vn_union_docs.documents").joinpath("doc_types.yaml").read_text(
        encoding="utf-8")
    rows = YAML(typ="safe").load(text)["types"]
    return {
        row["type"]: DocType(
            type=row["type"], name=row["name"], abbreviation=row.get("abbreviation"),
            form=row["form"], recipients_required=row.get("recipients") == "required",
            outline=tuple(row.get("outline") or ("muc", "khoan", "diem")),
            decision=row.get("decision"))
        for row in rows
    }


DOC_TYPES: dict[str, DocType] = _load()
"""Every type, in the order of NĐ 30/2020, Điều 7 (công văn last)."""

FORM_BASES: dict[str, type[BaseDocument]] = {
    "cong_van": BaseDocument,
    "van_ban": BaseDocument,
    "quyet_dinh": forms.QuyetDinhForm,
    "cong_dien": forms.CongDienForm,
    "giay_moi": forms.GiayMoiForm,
    "giay_gioi_thieu": forms.GiayGioiThieuForm,
    "bien_ban": forms.BienBanForm,
    "giay_nghi_phep": forms.GiayNghiPhepForm,
}
"""The class each form's models derive from."""

FORMS: dict[str, tuple[str, ...]] = {}
"""Each form and the types it serves (a default template per form declares them)."""
for _info in DOC_TYPES.values():
    FORMS.setdefault(_info.form, ())
    FORMS[_info.form] += (_info.type,)


def class_name(doc_type: str) -> str:
    """``giay_uy_quyen`` → ``GiayUyQuyen``."""
    return "".join(part.capitalize() for part in doc_type.split("_"))


def _make_model(info: DocType) -> type[BaseDocument]:
    base = FORM_BASES[info.form]
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": class_name(info.type),
        "__doc__": f"{info.name} (NĐ 30/2020; form {info.form}, ký hiệu "
                   f"{info.abbreviation + '-…' if info.abbreviation else 'không có tên loại'}).",
        "__annotations__": {"type": Literal[info.type]},
        "type": Field(info.type, description=f"{info.name}: always «{info.type}»."),
        "type_abbreviation": info.abbreviation or "",
        "printed_name": info.printed_name,
        "type_label": info.label,
        "form": info.form,
        "default_outline": info.outline,
        "recipients_required": info.recipients_required,
        "decision_line": info.decision or "",
        "prints_subject_prefix": info.form == "cong_van",  # "V/v " printed before the trích yếu
    }
    return type(class_name(info.type), (base,), namespace)


MODELS: dict[str, type[BaseDocument]] = {t: _make_model(info) for t, info in DOC_TYPES.items()}
"""One model per type: ``MODELS["quyet_dinh"]`` is ``QuyetDinh``."""

CongVan = MODELS["cong_van"]
"""Công văn (Mẫu 1.5): no type name; trích yếu as ``V/v …`` under the number."""
KeHoach = MODELS["ke_hoach"]
"""Kế hoạch (Mẫu 1.4): ``KẾ HOẠCH`` and the trích yếu centred; ký hiệu ``KH-…``."""
ThongBao = MODELS["thong_bao"]
"""Thông báo (Mẫu 1.4): ``THÔNG BÁO`` and the trích yếu centred; ký hiệu ``TB-…``."""
QuyetDinh = MODELS["quyet_dinh"]
NghiQuyet = MODELS["nghi_quyet"]
BaoCao = MODELS["bao_cao"]
ToTrinh = MODELS["to_trinh"]
GiayMoi = MODELS["giay_moi"]
BienBan = MODELS["bien_ban"]

_UNION: Any = reduce(lambda a, b: a | b, MODELS.values())  # type: ignore[arg-type,return-value]
Document = Annotated[_UNION, Field(discriminator="type")]
"""Any document; pydantic picks the model from ``type``."""

DOCUMENT_ADAPTER: TypeAdapter[BaseDocument] = TypeAdapter(Document)

DOC_TYPE_NAMES: dict[str, str] = {t: info.label for t, info in DOC_TYPES.items()}
"""Each type's name in running text (messages: «mẫu dành cho công văn»)."""

__all__ = ["DOCUMENT_ADAPTER", "DOC_TYPES", "DOC_TYPE_NAMES", "FORMS", "MODELS", "BaoCao",
           "BienBan", "CongVan", "DocType", "Document", "GiayMoi", "KeHoach", "NghiQuyet",
           "QuyetDinh", "ThongBao", "ToTrinh", "class_name"]
