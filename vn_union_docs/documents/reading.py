"""Guards on what a spec may be before it is built: size, nesting, YAML aliases, numbers,
duplicate keys, and characters a document cannot hold.

Every check names the key (``issuer.code``, ``distribution[2]``) and, for a limit, how to
raise it (``vn_union_docs.limits``). The checks run on the YAML parser's event stream and on
the JSON text *before* anything is built, so a 400-byte "billion laughs" file is refused
without being expanded, and on dicts given in Python without recursion.

Characters: a document is XML, which cannot hold a lone surrogate (``\\ud800``), U+FFFE,
U+FFFF or a control character other than tab and line breaks; such a character is refused
with its key, never dropped. Every other character, the noncharacters U+FDD0–U+FDEF
included, is kept as typed (the library's own markers are not characters: see
``vn_union_docs.markup``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError

from vn_union_docs import limits
from vn_union_docs.errors import Problem, SpecError

# Not allowed in XML 1.0: C0 controls but tab/LF/CR, surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable_or_breaks(text: str) -> bool:
    """Whether ``text`` holds only printable characters, line breaks and tabs: a scan at C
    speed, to run before a regular expression looks for the others (much slower)."""
    return text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable()


def bad_character(text: str) -> str | None:
    """A description of the first character of ``text`` a document cannot hold, or ``None``."""
    if printable_or_breaks(text):
        return None
    match = _NOT_XML.search(text)
    if match is None:
        return None
    char = match.group()
    code = ord(char)
    before = text[max(0, match.start() - 15):match.start()]
    where = f" sau «{_printable(before)}»" if before else " ở đầu"
    if 0xD800 <= code <= 0xDFFF:
        kind = "nửa cặp thay thế UTF-16 đứng lẻ (lone surrogate)"
    elif code in (0xFFFE, 0xFFFF):
        kind = "ký tự không phải ký tự (noncharacter)"
    else:
        kind = "ký tự điều khiển"
    return (f"có {kind} U+{code:04X}{where}; văn bản Word không chứa được ký tự này, "
            "hãy xóa nó (thường do sao chép từ nguồn lỗi)")


def _printable(text: str) -> str:
    return _NOT_XML.sub("�", text)


def check_text(text: str, where: str, source: str | None = None,
               row: int | None = None) -> Problem | None:
    """A ``Problem`` when ``text`` has a character a document cannot hold."""
    message = bad_character(text)
    return Problem(where, message, source, row) if message else None


def check_rendered(value: str, where: str, source: str | None, row: int | None,
                   limited: list[str]) -> Problem | None:
    """A ``Problem`` for a filled field that is too long or holds a character a document
    cannot hold (a placeholder can make one: ``{{ '\\ud800' }}``)."""
    limit = limits.current().field_chars
    if len(value) > limit:
        limited.append("field_chars")
        return Problem(where, (
            f"trường dài {limits.number(len(value))} ký tự, vượt giới hạn field_chars = "
            f"{limits.number(limit)}; {limits.how_to_raise('field_chars')}"), source, row)
    return check_text(value, where, source, row)


def check_cell(value: object, column: str, source: str | None, row: int | None) -> None:
    """Refuse a spreadsheet cell that is too long, a number with too many digits, or text
    with a character a document cannot hold, naming its column and row."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > limits.current().number_digits * 3.33 + 4:
            raise limits.limit_error("number_digits", column, "số có quá nhiều chữ số",
                                     source=source, row=row)
        return
    if not isinstance(value, str):
        return
    if len(value) > limits.current().cell_chars:
        raise limits.limit_error("cell_chars", column, f"ô dài {len(value):,} ký tự".replace(
            ",", "."), source=source, row=row)
    if (problem := check_text(value, column, source, row)) is not None:
        raise SpecError(problems=[problem])


class _BigNumber(str):
    """A JSON integer with more digits than ``number_digits`` (kept as its text)."""


class _Duplicates(dict):
    """A JSON object that had repeated keys (``repeated`` lists them)."""

    repeated: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    repeated = []
    for key, value in pairs:
        if key in result:
            repeated.append(key)
        result[key] = value
    if repeated:
        marked = _Duplicates(result)
        marked.repeated = repeated
        return marked
    return result


def _json_int(text: str) -> int | str:
    digits = len(text.lstrip("-"))
    if digits > limits.current().number_digits:
        return _BigNumber(text)
    return int(text)


_YAML_INT = re.compile(r"[-+]?(?:0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*)")
_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> tuple[int, int]:
    """Deepest nesting of ``text`` and the line where it is reached (strings skipped)."""
    depth = deepest = 0
    where = 0
    stripped = _JSON_STRINGS.sub('""', text) if '"' in text else text
    for match in _BRACKETS.finditer(stripped):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        else:
            depth -= 1
    return deepest, stripped.count("\n", 0, where) + 1


def _json_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"JSON không cho phép {name}", name, 0)


def _size_check(text: str, source: str | None, limit: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > getattr(limits.current(), limit):
        raise limits.limit_error(limit, "", f"tệp dài {size:,} byte".replace(",", "."),
                                 source=source)


def load_json(text: str, source: str | None = None, *, size_limit: str = "spec_bytes") -> Any:
    """Parse a JSON spec: nesting, number size and duplicate keys checked (see ``check_tree``)."""
    _size_check(text, source, size_limit)
    deepest, line = _json_depth(text)
    if deepest > limits.current().nesting_depth:
        raise limits.limit_error("nesting_depth", f"dòng {line}",
                                 f"lồng nhau {deepest} cấp", source=source)
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int,
                          parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise SpecError(problems=[Problem(
            "", f"JSON sai cú pháp ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}",
            source)]) from None
    except RecursionError:  # brackets inside odd strings: the parser is the last word
        raise limits.limit_error("nesting_depth", "", "lồng nhau quá sâu",
                                 source=source) from None


def check_yaml_events(text: str, source: str | None = None, *,
                      size_limit: str = "spec_bytes") -> None:
    """Walk the YAML event stream (no nodes built) and refuse a spec whose nesting, alias
    count or size once aliases are expanded goes over the limits."""
    _size_check(text, source, size_limit)
    current = limits.current()
    depth = aliases = 0
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, expanded size so far]
    parser = YAML(typ="rt")
    parser.version = (1, 2)
    try:
        for event in parser.parse(io.StringIO(text)):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > current.nesting_depth:
                    raise limits.limit_error("nesting_depth", f"dòng {line}",
                                             f"lồng nhau {depth} cấp", source=source)
                stack.append([event.anchor, 0])
                continue
            if isinstance(event, CollectionEndEvent):
                depth -= 1
                anchor, size = stack.pop()
                size += 1
                if anchor:
                    sizes[anchor] = size
            elif isinstance(event, AliasEvent):
                aliases += 1
                if aliases > current.yaml_aliases:
                    raise limits.limit_error("yaml_aliases", f"dòng {line}",
                                             f"có hơn {current.yaml_aliases} bí danh YAML (*…)",
                                             source=source)
                size = sizes.get(event.anchor or "", 1)
            elif isinstance(event, ScalarEvent):
                size = 1
                if event.style is None and _YAML_INT.fullmatch(event.value or "") and \
                        len(re.sub(r"[^0-9a-fA-F]", "", event.value)) > current.number_digits:
                    raise limits.limit_error("number_digits", f"dòng {line}",
                                             f"số có {len(event.value)} chữ số", source=source)
                if event.anchor:
                    sizes[event.anchor] = 1
            else:
                continue
            if stack:
                stack[-1][1] += size
                expanded = stack[-1][1]
            else:
                expanded = size
            if expanded > current.spec_nodes:
                raise limits.limit_error(
                    "spec_nodes", f"dòng {line}",
                    "bí danh YAML (*…) nhân lên thành quá nhiều giá trị", source=source)
    except MarkedYAMLError:
        return  # the loader reports syntax errors with their place
    except ReaderError as error:  # a character YAML does not allow (a control character)
        position = error.position if isinstance(error.position, int) else 0
        line = text.count("\n", 0, position) + 1
        code = error.character if isinstance(error.character, int) else ord(text[position])
        raise SpecError(problems=[Problem(f"dòng {line}", (
            f"có ký tự điều khiển U+{code:04X} (cột {position - text.rfind(chr(10), 0, position)})"
            " mà YAML không cho phép; hãy xóa nó (thường do sao chép từ Word/Excel)"),
            source)]) from None
    except RecursionError:
        raise limits.limit_error("nesting_depth", "", "lồng nhau quá sâu",
                                 source=source) from None


def _key_path(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def check_tree(data: Any, source: str | None = None, *, row: int | None = None,
               root: str = "") -> None:
    """Refuse a spec (dict from a file or from Python) with a character a document cannot
    hold, a number with too many digits, a repeated JSON key, nesting deeper than the limit
    or more values than the limit. Iterative: no recursion however deep ``data`` is.

    Raises ``LimitError`` for a limit, else ``SpecError`` with every problem and its key.
    """
    current = limits.current()
    if _flat_and_plain(data, current):
        return
    problems: list[Problem] = []
    count = 0
    todo: list[tuple[str, Any, int]] = [(root, data, 0)]
    while todo:
        path, value, depth = todo.pop()
        count += 1
        if count > current.spec_nodes:
            raise limits.limit_error("spec_nodes", path, "có quá nhiều giá trị", source=source,
                                     row=row)
        if isinstance(value, Mapping):
            if depth >= current.nesting_depth:
                raise limits.limit_error("nesting_depth", path, f"lồng nhau hơn {depth} cấp",
                                         source=source, row=row)
            for key in getattr(value, "repeated", ()):
                problems.append(Problem(_key_path(path, key), (
                    "khóa xuất hiện hai lần trong cùng một bảng; JSON chỉ giữ giá trị sau, "
                    "hãy xóa một lần"), source, row))
            for key, item in reversed(list(value.items())):
                where = _key_path(path, key)
                if isinstance(key, str) and (problem := check_text(key, where, source, row)):
                    problems.append(Problem(where, f"tên khóa {problem.message}", source, row))
                todo.append((where, item, depth + 1))
        elif isinstance(value, list | tuple):
            if depth >= current.nesting_depth:
                raise limits.limit_error("nesting_depth", path, f"lồng nhau hơn {depth} cấp",
                                         source=source, row=row)
            todo.extend((f"{path}[{i}]", item, depth + 1)
                        for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, _BigNumber):
            raise limits.limit_error(
                "number_digits", path, f"số có {len(value.lstrip('-'))} chữ số", source=source,
                row=row)
        elif isinstance(value, str):
            if problem := check_text(value, path, source, row):
                problems.append(problem)
        elif isinstance(value, int) and not isinstance(value, bool) and \
                value.bit_length() > current.number_digits * 3.33 + 4:
            raise limits.limit_error("number_digits", path, "số có quá nhiều chữ số",
                                     source=source, row=row)
    if problems:
        raise SpecError(problems=problems)


_PLAIN_TYPES = (float, bool, type(None), Decimal, dt.date, dt.time)


def _flat_and_plain(data: Any, current: limits.Limits) -> bool:
    """The fast path of a batch row: a flat mapping of printable text, small integers and
    plain values has nothing ``check_tree`` could refuse (``str.isprintable`` is False for
    every character it refuses)."""
    if type(data) is not dict or len(data) > 1000:
        return False
    max_bits = current.number_digits * 3.33 + 4
    for key, value in data.items():
        if type(key) is not str or not key.isprintable():
            return False
        kind = type(value)
        if kind is str:
            if not value.isprintable():
                return False
        elif kind is int:
            if value.bit_length() > max_bits:
                return False
        elif not isinstance(value, _PLAIN_TYPES):
            return False
    return True


def iter_text(value: Any) -> Iterator[str]:
    """Every string inside ``value`` (keys included), without recursion."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
