"""Spec files and texts read into plain values: YAML 1.2 (dates kept as typed, YAML pitfalls
named by line) or JSON, then the checks every spec goes through (``reading.check_tree``)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from vn_union_docs.documents.models import is_recipient_organ
from vn_union_docs.documents.reading import check_tree, check_yaml_events, load_json
from vn_union_docs.errors import Problem, SpecError


def _plain(node: Any, path: str, source: str | None, problems: list[Problem]) -> Any:
    """Convert ruamel's round-trip nodes to plain Python, catching the YAML pitfalls."""
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k), source, problems)
                for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            item_path = f"{path}[{index}]"
            if (isinstance(item, CommentedMap) and path in ("distribution", "recipients")
                    and not is_recipient_organ(item)):
                items.append(_pitfall(node, index, item, item_path, source, problems))
            else:
                items.append(_plain(item, item_path, source, problems))
        return items
    return node


def _pitfall(seq: CommentedSeq, index: int, item: CommentedMap, path: str,
             source: str | None, problems: list[Problem]) -> Any:
    """A list item like ``- Lưu: VT`` or ``- BQT Website: đăng tin`` that YAML read as a
    mapping. ``Lưu:`` is the archive line; anything else gets a message naming the line."""
    line = seq.lc.item(index)[0] + 1 if hasattr(seq, "lc") else None
    if len(item) == 1:
        key, value = next(iter(item.items()))
        text = f"{key}: {value}" if value is not None else f"{key}:"
        if str(key).strip().lower() == "lưu":
            return text
    else:
        text = ", ".join(f"{k}: {v}" for k, v in item.items())
    where = f"dòng {line}" if line else "một dòng"
    problems.append(Problem(
        path,
        f"{where} («- {text}») có dấu hai chấm nên YAML hiểu thành cặp khóa–giá trị; "
        f'hãy đặt cả dòng trong dấu nháy: - "{text}"',
        source,
    ))
    return text


class _TextDates(RoundTripConstructor):
    """Reads YAML timestamps as text, so the models validate them and report an impossible
    date (``2023-02-30``) with its key instead of the YAML parser failing."""


_TextDates.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))


def read_spec(path: str | Path) -> dict[str, Any]:
    """Read a spec file (YAML 1.2 or JSON) into a plain dict.

    YAML is read as YAML 1.2 (``number: 010`` is 10, ``no`` is a string). Raises
    ``SpecError`` naming the file and line for syntax errors and YAML pitfalls.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecError(problems=[Problem("", "không tìm thấy tệp", source)]) from None
    except UnicodeDecodeError:
        raise SpecError(problems=[Problem(
            "", "tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8", source)]) from None
    return read_spec_text(text, source, json=path.suffix.lower() == ".json")


def read_spec_text(text: str, source: str | None = None, *, json: bool = False
                   ) -> dict[str, Any]:
    """``read_spec`` for a spec's text (``json``: read as JSON, else YAML 1.2): duplicate
    keys, YAML pitfalls, control characters and the size limits are refused the same way."""
    problems: list[Problem] = []
    if json:
        data = load_json(text, source)
    else:
        check_yaml_events(text, source)
        yaml = YAML(typ="rt")
        yaml.version = (1, 2)
        yaml.Constructor = _TextDates
        try:
            raw = yaml.load(io.StringIO(text))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "?"
            raise SpecError(problems=[Problem(
                "", f"YAML sai cú pháp ở {where}: {exc.problem}", source)]) from None
        data = _plain(raw, "", source, problems)
    if not isinstance(data, dict):
        problems.append(Problem("", "tệp phải là một bảng khóa–giá trị (type:, issuer:, …)",
                                source))
    if problems:
        raise SpecError(problems=problems)
    check_tree(data, source)
    return data


__all__ = ["read_spec", "read_spec_text"]
