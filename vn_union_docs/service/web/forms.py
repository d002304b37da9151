"""What the clerks' page sends and gets back: the form envelope, the labels, the printed lines.

The page builds its form from the spec's JSON Schema (so new document types and keys appear on
their own); this module only adds what a schema cannot say — Vietnamese labels and help for the
keys a clerk sees, how an enum value reads — and turns what the form sends back into a spec.

A form sends ``{"spec": {...}, "yaml": {"data": "progress: {achieved: 493}"}}``: values the
form has no widget for (free-form mappings such as the ``data:`` section, lists of choices) are
typed as YAML text and parsed here, at their key path.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from vn_union_docs import Problem, SpecError, check, load_document, vi
from vn_union_docs.documents.doc_types import DOC_TYPE_NAMES, DOCUMENT_ADAPTER, MODELS
from vn_union_docs.documents.models import (
    BaseDocument,
)
from vn_union_docs.documents.spec_file import read_spec_text

#: Largest spec (JSON body) the page's endpoints accept, in bytes (issue 20: 1 MB).
MAX_SPEC_BYTES = 1_000_000

#: Bounds on what a YAML text may expand to: aliases (``*a``) can make a 1 kB text a
#: million values ("billion laughs"), and deep nesting exhausts the interpreter's stack.
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 64

#: The key naming a template: only a name from the service's list (``GET /api/templates``).
TEMPLATE_KEY = "template"

# Vietnamese label, help text and flags for each key path ("[]" stands for any list item).
# Keys not listed here are shown with their schema title and description: a new key appears
# on the form as soon as its model has it, and gets a Vietnamese label when one is added here.
LABELS: dict[str, dict[str, Any]] = {
    "issuer": {"label": "Cơ quan ban hành"},
    "issuer.parent": {"label": "Cơ quan chủ quản (nếu có)",
                      "help": "In hoa ở dòng trên, ví dụ LĐLĐ tỉnh Thái Bình."},
    "issuer.name": {"label": "Tên cơ quan ban hành", "help": "In hoa, đậm."},
    "issuer.code": {"label": "Chữ viết tắt trong ký hiệu", "help": "Ví dụ CĐYT, LĐLĐ."},
    "issuer.organ_id": {"label": "Mã định danh cơ quan", "advanced": True,
                        "help": "Mã trong danh mục mã định danh quốc gia, ví dụ 000.00.00.G22; "
                                "không in, dùng khi gửi văn bản điện tử (edXML)."},
    "number": {"label": "Số văn bản", "printed": "number_line",
               "help": "Để trống khi là bản nháp; số dưới 10 in 05."},
    "symbol": {"label": "Ký hiệu (ghi đè)", "advanced": True,
               "help": "Chỉ điền khi cần ký hiệu khác mặc định, ví dụ TLĐ-VP."},
    "place": {"label": "Địa danh", "help": "Ví dụ Thái Bình, Hà Nội."},
    "date": {"label": "Ngày ban hành", "printed": "place_date",
             "help": "Ví dụ 23/02/2023; để trống khi là bản nháp.",
             "placeholder": "ngày/tháng/năm"},
    "draft_year": {"label": "Năm của bản nháp", "advanced": True},
    "subject": {"label": "Trích yếu", "widget": "multiline",
                "help": "Công văn: «V/v» được thêm tự động."},
    "urgency": {"label": "Độ khẩn", "advanced": True},
    "secrecy": {"label": "Độ mật", "advanced": True},
    "due_date": {"label": "Hạn xử lý", "advanced": True, "placeholder": "ngày/tháng/năm",
                 "help": "Hạn đề nghị nơi nhận xử lý; không in, gửi kèm văn bản điện tử."},
    "steering_type": {"label": "Loại văn bản chỉ đạo (mã)", "advanced": True,
                      "help": "Mã SteeringType theo QCVN 102:2016; không in."},
    "type_name": {"label": "Tên loại in trên văn bản (ghi đè)", "advanced": True,
                  "help": "Ví dụ Chương trình phối hợp (in hoa); bộ kiểm tra báo khi trái "
                          "với ký hiệu."},
    "unnumbered": {"label": "Văn bản không có số", "advanced": True,
                   "help": "Không in dòng «Số:» (khác bản nháp); NĐ 30/2020 yêu cầu văn bản "
                           "có số nên bộ kiểm tra sẽ cảnh báo."},
    "outline": {"label": "Cấp của đề mục #, ##, ###", "advanced": True, "item": "cấp",
                "help": "Theo thứ tự: phan, chuong, muc, tieu_muc, dieu, khoan, diem "
                        "(NĐ 30/2020, Phụ lục I, Mục V)."},
    "recipients": {"label": "Kính gửi", "item": "nơi nhận",
                   "help": "Mỗi dòng một nơi; không gõ dấu gạch đầu dòng hay dấu chấm phẩy."},
    "body": {"label": "Nội dung", "widget": "markdown"},
    "signature": {"label": "Chữ ký"},
    "signature.capacity": {"label": "Thẩm quyền ký", "item": "dòng",
                           "help": "Mỗi dòng bắt đầu TM. / KT. / Q. / TL. / TUQ."},
    "signature.title": {"label": "Chức vụ", "help": "Ví dụ Chủ tịch, Phó Chủ tịch."},
    "signature.name": {"label": "Họ và tên người ký",
                       "help": "Không ghi học hàm, học vị (NĐ 30/2020, Phụ lục I)."},
    "distribution": {"label": "Nơi nhận", "item": "nơi nhận",
                     "help": "Không gõ dấu gạch đầu dòng hay dấu chấm phẩy; dòng Lưu ở dưới."},
    "archive": {"label": "Lưu", "help": "Ví dụ VT, VP CĐN (in «- Lưu: VT, VP CĐN.»)."},
    "template": {"label": "Mẫu trình bày", "widget": "template", "advanced": True,
                 "help": "Mẫu .docx của cơ quan trên máy chủ (vn-union-docs serve --templates)."},
    "data": {"label": "Số liệu cho nội dung (YAML)", "advanced": True,
             "help": "Dùng trong nội dung qua {{ … }}, "
                     "ví dụ progress: {achieved: 493, target: 779}."},
    "grounds": {"label": "Căn cứ ban hành", "item": "căn cứ"},
    # Keys of one form (documents/forms.py).
    "authority": {"label": "Thẩm quyền ban hành",
                  "help": "Ví dụ Ban Thường vụ Công đoàn ngành Y tế."},
    "proposal": {"label": "Theo đề nghị của",
                 "help": "Đơn vị đề nghị, in ở dòng «Theo đề nghị của …»."},
    "invitee": {"label": "Người hoặc cơ quan được mời"},
    "event": {"label": "Cuộc họp, hội nghị"},
    "chair": {"label": "Người chủ trì"},
    "time": {"label": "Thời gian"},
    "venue": {"label": "Địa điểm"},
    "meeting": {"label": "Cuộc họp"},
    "person": {"label": "Người được nêu trong giấy"},
    "sent_to": {"label": "Nơi được giới thiệu đến"},
    "valid_until": {"label": "Có giá trị đến ngày", "placeholder": "ngày/tháng/năm"},
    "request_date": {"label": "Ngày làm đơn", "placeholder": "ngày/tháng/năm"},
    "leave": {"label": "Thời gian nghỉ phép"},
    "confirmation": {"label": "Xác nhận nơi nghỉ phép"},
    "sender": {"label": "Cơ quan gửi công điện"},
    "appendices": {"label": "Phụ lục", "item": "phụ lục"},
}

ENUM_LABELS: dict[str, str] = {
    "khan": "Khẩn", "thuong_khan": "Thượng khẩn", "hoa_toc": "Hỏa tốc",
    "mat": "Mật", "toi_mat": "Tối mật", "tuyet_mat": "Tuyệt mật",
}


class FormSpec(BaseModel):
    """A spec as the page sends it: the spec, and free-form mappings still as YAML text."""

    spec: dict[str, Any] = Field(description="The spec, as the form holds it.")
    yaml: dict[str, str] = Field(
        default_factory=dict, description="Key path → YAML text of a free-form mapping.")


class YamlText(BaseModel):
    """A spec file's text (to load into the form)."""

    text: str = Field(max_length=MAX_SPEC_BYTES)
    freeform: list[str] = Field(default_factory=list,
                                description="Key paths the form edits as YAML text.")


def document_types() -> list[dict[str, str]]:
    """Every document type the library knows, as ``{"id": "ke_hoach", "name": "Kế hoạch"}``."""
    types = []
    # Công văn first (the everyday type, the page's default), then NĐ 30/2020, Điều 7 order.
    for type_id, model in sorted(MODELS.items(), key=lambda item: item[0] != "cong_van"):
        name = DOC_TYPE_NAMES.get(type_id) or type_id.replace("_", " ")
        types.append({"id": type_id, "name": name[:1].upper() + name[1:],
                      "abbreviation": model.type_abbreviation})
    return types


def schema() -> dict[str, Any]:
    """The JSON Schema of a spec (the same as ``GET /api/schema``)."""
    return DOCUMENT_ADAPTER.json_schema()


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.allow_duplicate_keys = False
    return y


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path_keys(path: str) -> list[str | int]:
    return [int(idx) if idx else key for key, idx in _PATH_PART.findall(path)]


def _get_path(target: Any, keys: list[str | int]) -> Any:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(target, list) or key >= len(target):
                return None
        elif not isinstance(target, Mapping):
            return None
        target = target[key] if isinstance(key, int) else target.get(key)
    return target


def _set_path(target: Any, keys: list[str | int], value: Any) -> bool:
    for key, following in itertools.pairwise(keys):
        found = _get_path(target, [key])
        if found is None and isinstance(key, str) and isinstance(target, dict):
            found = target[key] = [] if isinstance(following, int) else {}
        if found is None:
            return False
        target = found
    last = keys[-1]
    if isinstance(last, int) and isinstance(target, list) and last < len(target):
        target[last] = value
        return True
    if isinstance(last, str) and isinstance(target, dict):
        target[last] = value
        return True
    return False


def _read_yaml(text: str, path: str) -> Any:
    """YAML text → plain values, bounded (``MAX_YAML_NODES``, ``MAX_YAML_DEPTH``).

    Raises ``SpecError`` with a problem at ``path`` (``dòng N`` when the parser knows it).
    """
    depth = deepest = 0
    for char in text:  # flow nesting ([[[[…) makes the parser crawl before it gives up
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    try:
        if deepest > MAX_YAML_DEPTH:  # brackets inside quotes count too: rare, and harmless
            raise RecursionError
        value = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}: " if mark is not None else ""
        why = getattr(exc, "problem", None) or exc
        raise SpecError(problems=[Problem(path, f"{where}YAML không đọc được ({why})")]) from None
    except RecursionError:
        value = None
        nodes = MAX_YAML_NODES + 1
    else:
        nodes = 0
    stack = [(value, 0)]
    while stack and nodes <= MAX_YAML_NODES:
        item, depth = stack.pop()
        nodes += 1
        if depth > MAX_YAML_DEPTH:
            nodes = MAX_YAML_NODES + 1
        elif isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    if nodes > MAX_YAML_NODES:
        raise SpecError(problems=[Problem(path, (
            f"YAML quá lớn: quá {MAX_YAML_NODES:,} giá trị hoặc lồng quá {MAX_YAML_DEPTH} tầng "
            "(kể cả giá trị nhân lên qua tham chiếu &/*)").replace(",", "."))])
    return value


def spec_from_form(form: FormSpec) -> tuple[dict[str, Any], list[Problem]]:
    """The spec the form describes, and the problems found in putting it together."""
    spec = dict(form.spec)
    problems: list[Problem] = []
    for path, text in sorted(form.yaml.items()):
        keys = _path_keys(path)
        if not keys or not text.strip():
            continue
        try:
            value = _read_yaml(text, path)
        except SpecError as exc:
            problems += exc.problems
            continue
        _set_path(spec, keys, value)  # the model says if it is not the kind of value it takes
    return spec, problems


def validate(spec: dict[str, Any]) -> tuple[BaseDocument | None, list[Problem]]:
    """The model of ``spec``, or ``None`` and every problem (key path, Vietnamese message)."""
    try:
        return load_document(spec), []
    except SpecError as exc:
        return None, list(exc.problems)


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
                return vi.parse_date(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def printed_lines(spec: Mapping[str, Any], doc: BaseDocument | None) -> dict[str, str]:
    """The number line and the place-date line as they will print (ND30, Phụ lục I, II.3–4).

    From the model when the spec is valid; otherwise from the parts that are, so that the clerk
    sees ``Hà Nội, ngày 05 tháng 3 năm 2026`` while the rest of the form is still empty.
    """
    from vn_union_docs.rendering.context import number_line, place_date_line

    if doc is not None:
        return {"number_line": number_line(doc), "place_date": place_date_line(doc)}
    lines: dict[str, str] = {}
    model = MODELS.get(str(spec.get("type")))
    issuer = spec.get("issuer") if isinstance(spec.get("issuer"), Mapping) else {}
    code = str((issuer or {}).get("code") or "").strip().upper()
    symbol = str(spec.get("symbol") or "").strip()
    if model is not None and (code or symbol):
        if not symbol:
            symbol = f"{model.type_abbreviation}-{code}" if model.type_abbreviation else code
        number = spec.get("number")
        if isinstance(number, int) and not isinstance(number, bool) and number > 0:
            shown = f"{number:02d}"
        elif isinstance(number, str) and number.strip().isdigit():
            shown = f"{int(number):02d}"
        else:
            shown = " " * 6
        lines["number_line"] = f"Số: {shown}/{symbol}"
    place = spec.get("place")
    if isinstance(place, str) and place.strip():
        date = _parse_date(spec.get("date"))
        try:
            if date is not None:
                lines["place_date"] = vi.place_date(place.strip(), date)
            elif not spec.get("date"):
                year = spec.get("draft_year")
                lines["place_date"] = vi.draft_place_date(
                    place.strip(), year if isinstance(year, int) else vi.today().year)
        except (TypeError, ValueError):
            pass
    return lines


def resolve_template(spec: dict[str, Any], folders: Sequence[Path]
                     ) -> tuple[Path | None, list[Problem]]:
    """Take ``template`` out of ``spec`` and find it among the service's templates by name
    (never a path: ``service.uploads.safe_template_name``)."""
    from vn_union_docs.service.uploads import UploadRefused, safe_template_name

    try:
        return safe_template_name(spec.pop(TEMPLATE_KEY, None), folders), []
    except UploadRefused as exc:
        return None, [Problem(exc.problem.path or TEMPLATE_KEY, exc.problem.message)]


def inspect(form: FormSpec, folders: Sequence[Path] = ()
            ) -> tuple[dict[str, Any], BaseDocument | None, Path | None]:
    """Everything the form shows without rendering (problems, checker findings, printed lines),
    the model when the spec is valid, and the template it names.

    ``problems`` are why the spec cannot be rendered (each with its key path, and ``missing``
    when the key is simply not filled in yet); ``findings`` are the checker's (rule, severity,
    message, place = key path, legal source).
    """
    spec, problems = spec_from_form(form)
    template, template_problems = resolve_template(spec, folders)
    problems += template_problems
    doc, invalid = validate(spec) if not problems else (None, [])
    problems += invalid
    if doc is not None and doc.number == "auto":  # numbered on download, previewed blank
        doc = doc.model_copy(update={"number": None})
    blocked = [p.path for p in problems if p.path]

    def said(place: str) -> bool:  # a problem at this key (or above it) says it already
        return any(place == path or place.startswith((path + ".", path + "["))
                   for path in blocked)

    findings = [f.to_dict() for f in check(spec)
                if f.rule != "spec-invalid" and not (f.severity == "error" and said(f.place))]
    return {
        "valid": doc is not None,
        "problems": [{"path": p.path, "message": p.message,
                      "missing": bool(p.path) and _get_path(spec, _path_keys(p.path)) is None}
                     for p in problems],
        "findings": findings,
        "lines": printed_lines(spec, doc),
    }, doc, template


def _literal_blocks(value: Any) -> Any:
    """Multi-line strings as YAML block scalars (``body: |``), as a clerk would write them."""
    if isinstance(value, dict):
        return {k: _literal_blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value if value.endswith("\n") else value + "\n")
    return value


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def dump_yaml(spec: Mapping[str, Any]) -> str:
    """The spec as a YAML file the command line reads back (``vn-union-docs render``)."""
    y = YAML(typ="rt", pure=True)
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    y.allow_unicode = True
    data = _drop_empty(dict(spec))
    date = _parse_date(data.get("date"))
    if date is not None:
        data["date"] = date  # written 2023-02-23, as the command line's examples are
    out = io.StringIO()
    y.dump(_literal_blocks(data), out)
    return out.getvalue()


def load_yaml(request: YamlText) -> dict[str, Any]:
    """A spec file's text → ``{"spec": ..., "yaml": {path: text}}`` for the form.

    Raises ``SpecError`` when the text is not a YAML/JSON mapping. Values at the ``freeform``
    paths come back as YAML text (the form edits them so).
    """
    # The command line's reader (JSON is YAML too): duplicate keys, YAML 1.2, dates kept as
    # typed (checked with their key with the form), control characters and sizes by key.
    data = _json_ready(read_spec_text(request.text.removeprefix("\ufeff")))
    texts: dict[str, str] = {}
    for path in request.freeform:
        value = _get_path(data, _path_keys(path))
        if isinstance(value, (dict, list)):
            out = io.StringIO()
            y = YAML(typ="safe", pure=True)
            y.default_flow_style = False
            y.allow_unicode = True
            y.dump(value, out)
            texts[path] = out.getvalue()
    return {"spec": data, "yaml": texts}


def _json_ready(value: Any) -> Any:
    """Dates read from YAML as ISO text, so the form and JSON carry them unchanged."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value
