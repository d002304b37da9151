"""Entry points: ``check`` (spec file, .docx, dict or model) and ``check_text``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.constructor import SafeConstructor

from vn_union_docs import vi
from vn_union_docs.archives import check_docx_to_read
from vn_union_docs.checker import (  # noqa: F401  (register rules)
    rules_clerk,
    rules_forms,
    rules_joint,
)
from vn_union_docs.checker.docx_reader import _load_docx, _Para
from vn_union_docs.checker.registry import (
    _TEXT_RULES,
    DOCX_SUFFIX,
    PDF_SUFFIX,
    SPEC_SUFFIXES,
    Finding,
    _clip,
    _Context,
    _make,
    _nfc,
    _run,
    _Unit,
    _window,
    _yaml,
    rules,
)
from vn_union_docs.checker.rules_frame import _analyse_place_date, _as_spec_date
from vn_union_docs.checker.rules_layout import _spec_problems
from vn_union_docs.checker.rules_signature import pdf_findings
from vn_union_docs.checker.rules_text import _HEADING_NUMBERED
from vn_union_docs.documents.reading import check_tree, check_yaml_events, load_json
from vn_union_docs.errors import InvalidValueError, UnsupportedInputError
from vn_union_docs.limits import LimitError

# ------------------------------------------------------------------------------ entry points


def _markdown_units(text: str, place: str) -> list[_Unit]:
    """Split a (restricted Markdown) text into blocks: headings, list items, table rows and
    paragraphs (consecutive lines joined)."""
    units: list[_Unit] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            raw = " ".join(s.strip() for s in current)
            units.append(_unit(raw, place))
            current.clear()

    for line in text.splitlines():
        s = line.strip()
        if not s:
            flush()
        elif re.match(r"^(#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)", s):
            flush()
            current.append(s)
            if s.startswith("#"):
                flush()
        else:
            current.append(s)
    flush()
    return units


def _unit(raw: str, place: str) -> _Unit:
    text = raw
    heading = re.match(r"^(#{1,6})\s+", text)
    text = re.sub(r"^(#{1,6}|[-*+])\s+", "", text)
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|/;:,<>\"'=~&$%^?@])", r"\1", text)
    def at_place(start: int, end: int) -> str:
        return place

    return _Unit(
        _nfc(text), at_place, raw=_nfc(raw),
        heading_auto=bool(heading and len(heading.group(1)) == 1 and not
                          _HEADING_NUMBERED.match(raw)),
    )


def check_text(
    text: str, *, document_date: date | None = None, place: str = "body"
) -> list[Finding]:
    """Run the text rules over ``text`` (plain text or a spec body's restricted Markdown).

    ``document_date`` is the date of the document (dates more than 50 years after it are
    flagged); default today. Every finding's place is ``place``.
    """
    ctx = _Context(_markdown_units(text, place), document_date or vi.today())
    return _run(ctx, _TEXT_RULES)


_SPEC_ORDER = ("type", "issuer", "number", "symbol", "place", "date", "subject", "recipients",
               "body", "signature", "distribution", "archive")


def _spec_key_rank(place: str) -> int:
    top = re.split(r"[.\[]", place, maxsplit=1)[0]
    return _SPEC_ORDER.index(top) if top in _SPEC_ORDER else len(_SPEC_ORDER)


def _check_spec(
    spec: Mapping[str, Any], rendered: Mapping[str, Any] | None = None,
    path: Path | None = None, *, load: bool = True,
) -> list[Finding]:
    """Check a spec dict; ``rendered`` (a model dump) supplies text with Jinja expanded.
    ``load=False``: do not load and render it (a batch spec, checked row by row)."""
    texts = rendered or spec
    units: list[_Unit] = []
    for key in ("subject", "body"):
        value = texts.get(key)
        if isinstance(value, str) and value.strip():
            units += _markdown_units(_strip_jinja(value), key)
    doc_date = _as_spec_date(spec.get("date")) or vi.today()
    ctx = _Context(units, doc_date, spec=dict(spec))
    findings = _run(ctx, rules())
    if load:
        findings += _spec_problems(path or spec, findings)
    return sorted(findings, key=lambda f: _spec_key_rank(f.place))


def _strip_jinja(text: str) -> str:
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)


class _SpecConstructor(SafeConstructor):
    """Safe YAML 1.2 that keeps dates as text, so that 2023-02-30 is reported, not raised."""


_SpecConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def _read_spec(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = load_json(text, str(path))  # limits, as the loader reads it
    else:
        check_yaml_events(text, str(path))
        y = _yaml()
        y.Constructor = _SpecConstructor
        data = y.load(text)
    check_tree(data, str(path))
    if not isinstance(data, dict):
        raise InvalidValueError("nội dung không phải một bảng khóa - giá trị (mapping)")
    return data


def _rendered_texts(path: Path, spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """The spec's text fields with Jinja expanded, through the library's loader."""
    if not any(
        isinstance(spec.get(k), str) and ("{{" in spec[k] or "{%" in spec[k])
        for k in ("subject", "body")
    ):
        return None
    try:
        from vn_union_docs.documents.spec import load_document

        return load_document(path).model_dump(mode="json")
    except Exception:  # an invalid spec: read its text without the Jinja parts
        return None


def unreadable_finding(reason: str) -> Finding:
    """The ``unreadable`` finding for a file that cannot be read, with the reason."""
    return _make("unreadable", "tệp", reason=reason)


def _check_docx(document: Any) -> list[Finding]:
    d = _load_docx(document)
    frame = {id(x.para) for x in (d.number_line, d.place_date) if x is not None}
    units = [
        _Unit(line.text, functools.partial(_line_place, line.para, line.text), raw=line.text)
        for line in d.lines if id(line.para) not in frame
    ]
    doc_date = None
    if d.place_date is not None:
        doc_date = _analyse_place_date(d.place_date.text)[1]
    ctx = _Context(units, doc_date or vi.today(), docx=d)
    findings = _run(ctx, rules())

    def rank(f: Finding) -> int:
        m = re.match(r"đoạn (\d+)", f.place)
        return int(m.group(1)) if m else 0

    return sorted(findings, key=rank)


def _line_place(para: _Para, text: str, start: int, end: int) -> str:
    return f"đoạn {para.number}: «{_window(text, start, end)}»"


def check(doc_or_path: Any, *, trust_roots: Iterable[Path | str] = ()) -> list[Finding]:
    """Check a document and return what is wrong with it.

    ``doc_or_path`` is a spec file path (.yaml/.yml/.json), a .docx path, a .pdf path (its
    digital signatures: who signed in which role, valid or not, changed after signing,
    images where NĐ 30/2020 puts them; ``trust_roots``: CA certificate files to verify the
    signers against), a spec ``dict``, a model object (anything with ``model_dump()``) or a
    python-docx ``Document``. A file that cannot be read gives one ``unreadable`` finding.
    Raises ``ValueError`` for other file types and ``FileNotFoundError`` for a missing file.
    """
    if isinstance(doc_or_path, (str, Path)):
        path = Path(doc_or_path)
        suffix = path.suffix.lower()
        if suffix not in (*SPEC_SUFFIXES, DOCX_SUFFIX, PDF_SUFFIX):
            raise InvalidValueError(f"not a spec (.yaml/.yml/.json), .docx or .pdf file: {path}")
        if not path.is_file():
            raise FileNotFoundError(path)
        if suffix == PDF_SUFFIX:
            from vn_union_docs.errors import VnUnionDocsError

            try:
                return pdf_findings(path, trust_roots)
            except VnUnionDocsError as exc:  # not a PDF, damaged, a bad CA file
                return [unreadable_finding(_clip(str(exc).replace("\n", " "), 200))]
        if suffix == DOCX_SUFFIX:
            import docx

            try:
                check_docx_to_read(path)  # limits before the whole XML is parsed
            except LimitError as exc:
                return [unreadable_finding(str(exc).replace("\n", " "))]
            try:
                document = docx.Document(str(path))
            except Exception as exc:
                return [unreadable_finding(f"không mở được tệp .docx ({type(exc).__name__})")]
            return _check_docx(document)
        try:
            spec = _read_spec(path)
        except Exception as exc:
            return [unreadable_finding(_clip(str(exc).replace("\n", " "), 200))]
        return _check_spec(spec, _rendered_texts(path, spec), path)
    if isinstance(doc_or_path, Mapping):
        return _check_spec(doc_or_path)
    if hasattr(doc_or_path, "model_dump"):
        return _check_spec(doc_or_path.model_dump(mode="json"))
    if hasattr(doc_or_path, "part") and hasattr(doc_or_path, "element"):
        return _check_docx(doc_or_path)
    raise UnsupportedInputError(f"cannot check a {type(doc_or_path).__name__}")
