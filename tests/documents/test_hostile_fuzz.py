"""Issue 14: a hypothesis fuzz test of ``load_document`` + ``render_docx`` over the classes of
hostile input (lone surrogates, noncharacters, deep nesting, huge numbers, YAML aliases, Jinja
bombs). Each input is either rendered with every character it gave, or refused with a
``SpecError`` whose every problem names its key — within the limits, and never with another
exception.

Budget: ``FUZZ_EXAMPLES`` inputs per test (default 150, five tests: 750 inputs, about 30 s on
one core); raise it locally (``FUZZ_EXAMPLES=2000 pytest tests/documents/test_hostile_fuzz.py``).
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vn_union_docs import limits, load_document, render_docx
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.errors import SpecError, TemplateError
from vn_union_docs.markup import SLOT
from vn_union_docs.vi import legacy

# What the library refuses with the key: controls but tab and line breaks (C0, DEL, C1), the
# Unicode line separators, lone surrogates, U+FFFE and U+FFFF (and text in legacy encodings).
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
                         "\ud800-\udfff\ufffe\uffff]")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Tighter than the defaults so that a bomb is stopped quickly; the mechanism is the same.
TIGHT = {"jinja_seconds": 2.0, "jinja_output_chars": 200_000, "jinja_calls": 100_000,
         "spec_nodes": 20_000}

SPEC: dict[str, Any] = {
    "type": "cong_van",
    "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế", "code": "CĐYT"},
    "number": 58, "place": "Thái Bình", "date": "2023-02-23",
    "subject": "tiếp tục triển khai Chương trình",
    "recipients": ["Các Công đoàn cơ sở trực thuộc"],
    "body": "Nội dung.",
    "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch", "name": "Đào Văn Truyền"},
    "distribution": ["Như trên"], "archive": "VT",
}

HOSTILE_CHARS = st.sampled_from([
    "\ud800", "\udfff", "\ufffe", "\uffff", "\x00", "\x1b",        # refused
    "\ufdd0", "\ufdd1", "\ufdd2", "\ufdef", "\U0001fffe",           # kept
    "<", ">", "&", "*", "_", "#", "|", "\\", "`", "[", "]", "{", "}", "%", "-", "1", ".",
    "ơ", "Đ", "ữ", "a", "Z", "😀", "\u202e",
])
HOSTILE_TEXT = st.one_of(
    st.lists(HOSTILE_CHARS, min_size=1, max_size=30).map("".join),
    st.text(min_size=1, max_size=30),
    st.lists(st.sampled_from(["x", SLOT, "\ufdd0", "\ufdd1"]), min_size=1, max_size=6).map(
        "".join),
)


def body_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells]


def render_or_refused(make: Any) -> bytes | None:
    """Run ``make()`` under tight limits: bytes of the rendered .docx, or ``None`` when it was
    refused with a key. Any other exception fails the test."""
    with limits.using(**TIGHT):
        try:
            return render_docx(make())
        except SpecError as error:
            assert error.problems, error
            for problem in error.problems:
                assert problem.path or problem.source, problem
                assert "Traceback" not in problem.message
            return None


@FUZZ
@given(value=HOSTILE_TEXT)
def test_every_character_of_a_value_is_printed_or_refused(value: str) -> None:
    template = SpecTemplate({**SPEC, "body": "Kính gửi {{ v }}: nội dung."})
    data = render_or_refused(lambda: template.document({"v": value}, row=2))
    bad = bool(UNPRINTABLE.search(value)) or legacy.detect(
        unicodedata.normalize("NFC", "Kính gửi " + value)) is not None
    if data is None:
        assert bad, f"refused although printable: {value!r}"
        return
    assert not UNPRINTABLE.search(value)
    # Inserted into a sentence, a line break is a space (markup.escape_markdown).
    expected = unicodedata.normalize("NFC", value.replace("\r\n", " ").replace(
        "\n", " ").replace("\r", " "))
    assert any(expected in text for text in body_texts(data)), value


@FUZZ
@given(value=HOSTILE_TEXT, key=st.sampled_from(["subject", "place", "archive", "issuer.code",
                                                "signature.name"]))
def test_literal_fields_keep_or_refuse_with_the_key(value: str, key: str) -> None:
    spec = json.loads(json.dumps(SPEC))
    target = spec
    *parents, last = key.split(".")
    for part in parents:
        target = target[part]
    target[last] = f"Tên {value} cuối"
    with limits.using(**TIGHT):
        try:
            render_docx(load_document(spec))
        except SpecError as error:
            assert all(p.path for p in error.problems), error
        except TemplateError as error:  # a placeholder-like value broke Jinja: said so
            assert str(error)


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@FUZZ
@given(depth=st.one_of(st.integers(0, 120), st.sampled_from([300, 1000])), number=st.one_of(
    st.integers(-10**50, 10**50), st.just(10**4300), st.integers(0, 10**6)),
    form=st.sampled_from(["json", "yaml", "dict"]))
def test_nesting_and_numbers(depth: int, number: int, form: str) -> None:
    if form == "dict":
        render_or_refused(lambda: load_document({**SPEC, "data": {"tree": nested(depth, number)}}))
        return
    # Flow style: the same text is JSON and YAML; built as text (json.dumps would recurse).
    head = json.dumps(SPEC, ensure_ascii=False)
    digits = str(number) if number < 10**4000 else "1" * 4301
    text = head[:-1] + ', "data": {"tree": ' + "[" * depth + digits + "]" * depth + "}}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"s.{form}"
        path.write_text(text, encoding="utf-8")
        render_or_refused(lambda: load_document(path))


@FUZZ
@given(fanout=st.integers(1, 12), levels=st.integers(1, 12), where=st.sampled_from(
    ["data", "distribution"]))
def test_yaml_aliases(fanout: int, levels: int, where: str) -> None:
    lines = ["  l0: &l0 x"] + [
        f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fanout) + "]" for i in range(1, levels)]
    text = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in SPEC.items()
                     if k != where)
    text += f"\n{where}:\n" + "\n".join(lines) + "\n" if where == "data" else \
        f"\n{where}: [&d Như trên, " + ", ".join(["*d"] * fanout * levels) + "]\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aliases.yaml"
        path.write_text(text, encoding="utf-8")
        render_or_refused(lambda: load_document(path))


BOMBS = [
    "{{% for i in range({n}) %}}{{% for j in range({n}) %}}x{{% endfor %}}{{% endfor %}}",
    "{{{{ 'ab' * {n} }}}}", "{{{{ ([1] * {n})|length }}}}", "{{{{ lipsum({n}) }}}}",
    "{{{{ 7 ** {n} }}}}", "{{{{ ({n} ** {n})|string }}}}", "{{{{ 'x'|center({n}) }}}}",
    "{{{{ 'x'.rjust({n}) }}}}", "{{{{ '%0{n}d' % 1 }}}}", "{{{{ 'a'|replace('', 'b' * {n}) }}}}",
    "{{% macro f(k) %}}{{% if k > 0 %}}{{{{ f(k - 1) }}}}{{{{ f(k - 1) }}}}{{% endif %}}"
    "{{% endmacro %}}{{{{ f({n} % 40) }}}}",
    "{{% set ns = namespace(s='ab') %}}{{% for i in range({n} % 64) %}}"
    "{{% set ns.s = ns.s ~ ns.s %}}{{% endfor %}}{{{{ ns.s|length }}}}",
    "{{% include 'x{n}' %}}", "{{{{ '{{0}}'.format_map({{}}) }}}}",
]


@FUZZ
@given(bomb=st.sampled_from(BOMBS), n=st.sampled_from([0, 3, 10, 1000, 10**5, 10**9, 10**30]),
       field=st.sampled_from(["subject", "body"]))
def test_jinja_bombs(bomb: str, n: int, field: str) -> None:
    spec = {**SPEC, field: "Nội dung " + bomb.format(n=n)}
    render_or_refused(lambda: load_document(spec))
