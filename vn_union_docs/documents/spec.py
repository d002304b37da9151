"""Spec files: reading them (YAML 1.2 or JSON, ``spec_file``), filling their Jinja
placeholders, and turning them into validated document models with errors a clerk can act on.

>>> doc = load_document("examples/58-cdyt-cong-van.yaml")   # doctest: +SKIP
>>> template = SpecTemplate("examples/batch/cong_van_cdcs.yaml")   # doctest: +SKIP
>>> template.document({"ten_cdcs": "CĐCS Trường Tiểu học An Phú"}, row=2)   # doctest: +SKIP

Values put into placeholders are inserted as text: in the body they are escaped so that
``*``, ``|``, a leading ``- `` or ``{{`` print as typed and never change the Markdown, and no
value is ever evaluated as a template a second time.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Template, UndefinedError, meta
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SecurityError
from pydantic import ValidationError

from vn_union_docs import limits
from vn_union_docs.documents import sandbox
from vn_union_docs.documents.body import (
    DEFAULT_OUTLINE,
    Block,
    BodyError,
    close_body,
    fill_slots,
    parse_body,
    skeleton_slots,
    slots_are_inert,
)
from vn_union_docs.documents.bounded import JinjaLimit, describe_error
from vn_union_docs.documents.doc_types import DOC_TYPES, DOCUMENT_ADAPTER, MODELS
from vn_union_docs.documents.models import MODEL_ERROR_PATHS, BaseDocument
from vn_union_docs.documents.reading import check_rendered, check_tree
from vn_union_docs.documents.spec_file import read_spec
from vn_union_docs.errors import Problem, SpecError
from vn_union_docs.limits import LimitError
from vn_union_docs.markup import SLOT, record_values
from vn_union_docs.vi import legacy
from vn_union_docs.vi.cells import convert_text

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_PARSED_CACHE_SIZE = 64
_PLACEHOLDER = re.compile(r"\{\{|\{%")
_SINGLE_VARIABLE = re.compile(r"^\{\{\s*([A-Za-z_]\w*)\s*\}\}$")


_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "string_type": "phải là một chuỗi văn bản",
    "int_type": "phải là một số nguyên",
    "int_parsing": "phải là một số nguyên",
    "int_from_float": "phải là một số nguyên",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "list_type": "phải là một danh sách (mỗi mục một dòng bắt đầu bằng «- »)",
    "dict_type": "phải là một bảng khóa–giá trị",
    "model_type": "phải là một bảng khóa–giá trị",
    "date_type": "phải là một ngày, ví dụ 2023-02-23",
    "date_parsing": "ngày không hợp lệ; viết dạng 2023-02-23",
    "date_from_datetime_parsing": "ngày không hợp lệ; viết dạng 2023-02-23",
    "literal_error": "phải là một trong: {expected}",
}


_JOINT_LOCS = {"joint_issuers": "issuer", "joint_signatures": "signature"}


def _is_markdown(keys: tuple[Any, ...]) -> bool:
    """The body and each appendix's body are restricted Markdown (values escaped)."""
    return keys == ("body",) or (len(keys) == 3 and keys[0] == "appendices"
                                 and keys[2] == "body")


def _loc_path(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in MODELS:  # the discriminated union's tag
        parts = parts[1:]
    if len(parts) >= 2 and parts[0] in _JOINT_LOCS and isinstance(parts[1], int):
        parts = [_JOINT_LOCS[parts[0]], parts[1] + 1, *parts[2:]]  # issuer[1] …
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _known_keys(loc_path: str, doc_type: str | None) -> list[str]:
    model: Any = MODELS.get(doc_type or "", MODELS["cong_van"])
    for part in [p for p in loc_path.split(".")[:-1] if p]:
        field = model.model_fields.get(re.sub(r"\[\d+\]$", "", part))
        annotation = getattr(field, "annotation", None)
        if annotation is None or not hasattr(annotation, "model_fields"):
            return []
        model = annotation
    return list(model.model_fields)


def problems_from_validation(exc: ValidationError, *, source: str | None, row: int | None,
                             doc_type: str | None) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into one ``Problem`` per error, in Vietnamese."""
    problems = []
    for error in exc.errors(include_url=False):
        path = _loc_path(tuple(error["loc"]))
        kind = error["type"]
        ctx = error.get("ctx") or {}
        if kind == "extra_forbidden":
            key = path.rsplit(".", 1)[-1]
            close = difflib.get_close_matches(key, _known_keys(path, doc_type), n=1)
            hint = f"; có phải ý bạn là «{close[0]}»?" if close else ""
            message = f"khóa «{key}» không có trong mẫu văn bản{hint}"
        elif kind == "union_tag_not_found":
            path = "type"
            message = ("thiếu trường bắt buộc type: loại văn bản theo NĐ 30/2020, Điều 7 "
                       f"({', '.join(DOC_TYPES)})")
        elif kind == "union_tag_invalid":
            path = "type"
            given = str(ctx.get("tag", ""))
            close = difflib.get_close_matches(given, list(DOC_TYPES), n=1)
            hint = f"; có phải ý bạn là «{close[0]}»?" if close else ""
            message = (f"loại văn bản «{given}» không có{hint} (NĐ 30/2020, Điều 7: "
                       f"{', '.join(DOC_TYPES)})")
        elif kind == "value_error":
            message = str(ctx.get("error", error["msg"]))
        elif kind in _MESSAGES:
            message = _MESSAGES[kind].format(**{k: v for k, v in ctx.items()})
            if kind not in ("missing",) and "input" in error:
                message += f" (đang là «{error['input']}»)"
        else:
            message = error["msg"]
        if not path and kind in MODEL_ERROR_PATHS:
            path = MODEL_ERROR_PATHS[kind]
        problems.append(Problem(path, message, source, row))
    return problems


class _Field:
    __slots__ = ("keys", "names", "path", "pieces", "single", "template", "variables")

    def __init__(self, keys: tuple[Any, ...], source_text: str, markdown: bool) -> None:
        self.keys = keys
        self.path = _loc_path(keys)
        match = _SINGLE_VARIABLE.match(source_text.strip())
        self.single = match.group(1) if match and not markdown else None
        self.template, self.variables = compile_field(source_text, markdown)
        self.pieces = None if markdown else sandbox.simple_substitution(source_text)
        # Every name the text mentions (globals such as theme() too): what a broken data:
        # key would break.
        self.names = frozenset(re.findall(r"[A-Za-z_]\w*", "".join(re.findall(
            r"\{\{.*?\}\}|\{%.*?%\}", source_text, flags=re.S))))


#: Texts longer than this are compiled on every call rather than kept (bounds the cache's
#: memory to about ``maxsize`` × this many characters of source, plus their templates).
COMPILE_CACHE_MAX_CHARS = 64_000


def compile_field(source_text: str, markdown: bool) -> tuple[Template, frozenset[str]]:
    """The Jinja template of one spec field and the variables it needs.

    Compiled once per distinct text (a service renders the same spec body again and again;
    compiling it was about 70% of ``load_document``). Jinja templates are not changed by
    rendering, so one object serves every caller and thread.
    """
    if len(source_text) > COMPILE_CACHE_MAX_CHARS:
        return _compile_field(source_text, markdown)
    return _cached_compile_field(source_text, markdown)


def _compile_field(source_text: str, markdown: bool) -> tuple[Template, frozenset[str]]:
    env = sandbox.markdown_environment() if markdown else sandbox.text_environment()
    ast = env.parse(source_text)
    variables = frozenset(meta.find_undeclared_variables(ast) - set(env.globals))
    return env.from_string(ast), variables


_cached_compile_field = functools.lru_cache(maxsize=256)(_compile_field)


def _walk(value: Any, keys: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*keys, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*keys, index))
    else:
        yield keys, value


def _get(target: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        target = target[key]
    return target


def _set(target: Any, keys: tuple[Any, ...], value: Any) -> None:
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class SpecTemplate:
    """A spec whose text fields may hold Jinja placeholders, compiled once.

    ``document(variables, row=...)`` fills the placeholders (batch row values, and the objects
    built from the spec's ``data:`` section) and validates the result. Use one per spec file
    and call ``document`` for every row of a batch.
    """

    def __init__(self, spec: Mapping[str, Any] | str | Path, *, source: str | None = None,
                 base_dir: Path | None = None) -> None:
        from_file = isinstance(spec, str | Path)
        if isinstance(spec, str | Path):
            source = source or str(spec)
            base_dir = base_dir or Path(spec).parent
            spec = read_spec(spec)
        if not isinstance(spec, Mapping):
            raise SpecError(problems=[Problem(
                "", f"dữ liệu văn bản phải là một bảng khóa–giá trị, không phải "
                f"{type(spec).__name__}", source)])
        if not from_file:
            check_tree(spec, source)
        self.source = source
        self.base_dir = base_dir
        self._parsed: dict[tuple[str, tuple[str, ...]], list[Block]] = {}
        self._slots: dict[str, tuple[int, ...] | None] = {}
        self.raw: dict[str, Any] = _copy(dict(spec))
        self.fields: list[_Field] = []
        self._static_chars = sum(len(v) for _, v in _walk(self.raw) if isinstance(v, str))
        problems: list[Problem] = []
        for keys, value in _walk(self.raw):
            # In data: only a whole-value placeholder ("{{ so_sang_kien }}") takes a batch
            # column; any other text there is data and prints literally, braces included.
            in_data = bool(keys) and keys[0] == "data"
            if in_data and not (isinstance(value, str) and _SINGLE_VARIABLE.match(value.strip())):
                continue
            if isinstance(value, str) and _PLACEHOLDER.search(value):
                try:
                    self.fields.append(_Field(keys, value, markdown=_is_markdown(keys)))
                except (JinjaTemplateError, RecursionError) as exc:
                    problems.append(Problem(_loc_path(keys), _jinja_message(exc), source))
        if problems:
            raise SpecError(problems=problems)

    def row_variables(self) -> dict[str, list[str]]:
        """Variables the placeholders need from a batch row (not from ``data:``), each with
        the fields that use it: ``{"ten_cdcs": ["subject", "body"]}``."""
        data = self.raw.get("data")
        provided = set(data) if isinstance(data, dict) else set()
        needed: dict[str, list[str]] = {}
        for field in self.fields:
            for name in sorted(field.variables - provided - {"row"}):
                needed.setdefault(name, []).append(field.path)
        return needed

    def check_columns(self, columns: list[str]) -> None:
        """Raise ``SpecError`` naming every variable the spec uses that no column provides."""
        problems = []
        for name, paths in self.row_variables().items():
            if name not in columns:
                close = difflib.get_close_matches(name, columns, n=1)
                hint = f"; có phải cột «{close[0]}»?" if close else ""
                problems.append(Problem(
                    ", ".join(paths),
                    f"dùng biến «{name}» nhưng dữ liệu không có cột đó{hint} "
                    f"(các cột: {', '.join(columns)})", self.source))
        if problems:
            raise SpecError(problems=problems)

    @property
    def has_placeholders(self) -> bool:
        """Whether any field holds a placeholder (else every document is the same)."""
        return bool(self.fields)

    def document(self, variables: Mapping[str, Any] | None = None, *,
                 row: int | None = None) -> BaseDocument:
        """Fill the placeholders from ``variables`` and validate; raises ``SpecError``."""
        values = dict(variables or {})
        check_tree(values, self.source, row=row)
        problems: list[Problem] = []
        limited: list[str] = []  # names of the limits a field went over
        spec = _copy(self.raw) if self.fields else dict(self.raw)
        data_fields = [f for f in self.fields if f.keys and f.keys[0] == "data"]
        other_fields = [f for f in self.fields if not (f.keys and f.keys[0] == "data")]
        for field in data_fields:
            self._fill(spec, field, values, problems, row, limited)
        context = dict(values)
        data = spec.get("data")
        broken: set[str] = set()  # data keys already reported: their users are not
        if isinstance(data, dict) and not problems:
            try:
                built, data_problems = _build_data(data, spec.get("date"))
                context.update(built)
                problems.extend(Problem(p.path, p.message, self.source, row)
                                for p in data_problems)
                broken = set(data) - set(built) if data_problems else set()
            except SpecError as exc:
                problems.extend(Problem(p.path, p.message, self.source, row) for p in exc.problems)
            except (ValueError, TypeError) as exc:
                problems.append(Problem("data", str(exc), self.source, row))
        slots = None
        for field in other_fields:
            if field.names & broken:
                continue  # "biến … không có" would only repeat the data: problem
            filled = self._fill(spec, field, context, problems, row, limited)
            slots = filled if field.keys == ("body",) else slots
        total = self._static_chars + sum(
            len(v) for f in other_fields if isinstance(v := _get(spec, f.keys), str))
        if total > limits.current().document_chars and not problems:
            raise limits.limit_error("document_chars", "", f"văn bản dài {total} ký tự",
                                     source=self.source, row=row)
        if self.base_dir and isinstance(spec.get("template"), str):
            spec["template"] = str((self.base_dir / spec["template"]).resolve())
        if problems:
            if limited:
                raise LimitError(problems=problems, limit=limited[0])
            raise SpecError(problems=problems)
        try:
            doc = DOCUMENT_ADAPTER.validate_python(
                spec, context={"parse_body": lambda body, outline: self._body_blocks(
                    slots, body, outline)})
        except ValidationError as exc:
            doc_type = spec.get("type") if isinstance(spec.get("type"), str) else None
            raise SpecError(problems=problems_from_validation(
                exc, source=self.source, row=row, doc_type=doc_type)) from None
        return doc

    def _body_blocks(self, slots: tuple[str, list[str]] | None, body: str,
                     outline: tuple[str, ...] = DEFAULT_OUTLINE) -> list[Block]:
        """The body's blocks, parsing its Markdown once per skeleton.

        A batch fills the same body with other values on every row; values are inert text, so
        the body is parsed once with a slot for each value and the slots are filled per row.
        When a value could change the parse (``slots_are_inert``) the body is parsed whole.
        """
        values: list[str] = []
        if slots is None:
            if SLOT in body:  # typed by the user: text, not a slot
                return parse_body(body, outline=outline)
            skeleton = body
        else:
            skeleton, values = slots
            skeleton = unicodedata.normalize(
                "NFC", skeleton.replace("\r\n", "\n").replace("\r", "\n"))
            values = [unicodedata.normalize("NFC", value) for value in values]
            if any(legacy.has_eth(text) for text in (skeleton, *values)):
                return parse_body(body, outline=outline)  # Ð → Đ is judged on whole words
            if skeleton not in self._slots:
                if len(self._slots) >= _PARSED_CACHE_SIZE:
                    self._slots.clear()
                self._slots[skeleton] = skeleton_slots(skeleton)
            line_starts = self._slots[skeleton]
            if line_starts is None or not slots_are_inert(skeleton, values, line_starts):
                return parse_body(body, outline=outline)
        key = (skeleton, outline)
        parsed = self._parsed.get(key)
        if parsed is None:
            try:
                parsed = parse_body(skeleton, close=False, outline=outline)
            except BodyError:
                return parse_body(body, outline=outline)  # the body's own error, real text
            if len(self._parsed) >= _PARSED_CACHE_SIZE:
                self._parsed.clear()
            self._parsed[key] = parsed
        blocks = fill_slots(parsed, values)
        close_body(blocks)
        return blocks

    def _fill(self, spec: dict[str, Any], field: _Field, context: Mapping[str, Any],
              problems: list[Problem], row: int | None,
              limited: list[str]) -> tuple[str, list[str]] | None:
        slots = None
        try:
            if field.single is not None and field.single in context:
                value: Any = context[field.single]
            elif field.keys == ("body",):
                value, slots = record_values(lambda: field.template.render(context))
            else:
                value = sandbox.render_text_field(field.template, field.pieces, context)
        except (JinjaTemplateError, SecurityError, ValueError, TypeError, ArithmeticError,
                LookupError, RecursionError) as exc:
            if isinstance(exc, JinjaLimit):
                limited.append(exc.limit)
            message = _jinja_message(exc)
            if isinstance(exc, ValueError | TypeError | ArithmeticError):
                # A cell's value broke a filter: name the column whose value the message quotes.
                columns = [name for name in sorted(field.variables) if name in context
                           and context[name] is not None and repr(context[name]) in message]
                empty = [name for name in sorted(field.variables)
                         if name in context and context[name] is None]
                if columns:
                    message = f"cột «{columns[0]}»: {message}"
                elif empty and "None" in message:  # an empty cell reached a filter
                    message = f"ô «{empty[0]}» để trống: {message}"
            problems.append(Problem(field.path, message, self.source, row))
            return None
        if isinstance(value, str) and (problem := check_rendered(value, field.path, self.source,
                                                                 row, limited)):
            problems.append(problem)
            return None
        if value is None and field.keys in (("number",), ("date",)) and field.single:
            problems.append(Problem(field.path, (
                f"ô «{field.single}» để trống nên văn bản sẽ thành bản nháp không "
                f"{'số' if field.keys == ('number',) else 'ngày'}; điền ô này, hoặc bỏ trường "
                f"{field.keys[0]} khỏi spec nếu muốn làm bản nháp"), self.source, row))
            return None
        _set(spec, field.keys, value)
        return slots


def _data_values(value: Any, path: str, problems: list[Problem]) -> Any:
    """Read ``data:`` as a clerk typed it, like spreadsheet cells: ``"1.619"`` is 1619,
    ``"63,3"`` is 63,3, ``"07/3/2023"`` a date; a YAML float such as ``1.619`` is refused."""

    if isinstance(value, dict):
        return {k: _data_values(v, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_data_values(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, float):
        problems.append(Problem(path, (
            f"YAML đọc {value!r} là số thập phân kiểu Anh; viết số nguyên (1619), hoặc đặt trong "
            'dấu nháy theo cách viết Việt Nam ("1.619" là một nghìn sáu trăm mười chín, '
            '"63,3" là sáu mươi ba phẩy ba)')))
        return value
    if isinstance(value, str):
        return convert_text(value) if value.strip() else value
    return value


def _build_data(data: dict[str, Any], document_date: Any
                ) -> tuple[dict[str, Any], list[Problem]]:
    """The objects of ``data:`` that built, and the problems of the keys that did not."""
    from vn_union_docs.campaign.spec_data import SECTION_ALIASES, build_data_partial

    problems: list[Problem] = []
    data = _data_values(data, "data", problems)
    if problems:
        raise SpecError(problems=problems)
    built, problems = build_data_partial(data, document_date=document_date)
    # An alias (tien_do) is also reachable under the name the body may use for it.
    for alias, name in SECTION_ALIASES.items():
        if alias in data and name in built:
            built[alias] = built[name]
    return built, problems


def _jinja_message(exc: Exception) -> str:
    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)' is undefined", str(exc))
        if name:
            return f"biến «{name.group(1)}» không có trong dữ liệu (cột hoặc mục data:)"
        return f"giá trị không có trong dữ liệu: {exc}"
    if (described := describe_error(exc)) is not None:
        return described
    if isinstance(exc, SecurityError):
        return f"bị từ chối vì lý do an toàn (không được truy cập nội bộ Python): {exc}"
    if isinstance(exc, JinjaTemplateError):
        line = getattr(exc, "lineno", None)
        where = f" (dòng {line} của trường)" if line else ""
        return f"lỗi cú pháp mẫu{where}: {exc.message or exc}"
    return str(exc)


def load_document(spec: Mapping[str, Any] | str | Path, *,
                  variables: Mapping[str, Any] | None = None, row: int | None = None,
                  source: str | None = None) -> BaseDocument:
    """Load a spec (file path or dict) into its model: ``CongVan``, ``KeHoach`` or ``ThongBao``.

    Raises ``SpecError`` listing every problem with the file and key path
    (``signature.capacity``) in words a clerk understands.
    """
    return SpecTemplate(spec, source=source).document(variables, row=row)


def spec_files(paths: list[Path]) -> list[Path]:
    """Expand directories to the spec files directly inside them (not subfolders), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in SPEC_SUFFIXES))
        else:
            found.append(path)
    return found
