"""Issue 14, items 2–4 for specs: every hostile spec gets a clean answer naming its key, in
bounded time and memory, and no character the user gave is lost."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vn_union_docs import limits, load_document, render_docx
from vn_union_docs.documents.spec import SpecTemplate
from vn_union_docs.errors import SpecError, VnUnionDocsError
from vn_union_docs.limits import LimitError
from vn_union_docs.markup import SLOT


def base_spec(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "cong_van",
        "issuer": {"parent": "LĐLĐ tỉnh Thái Bình", "name": "Công đoàn ngành Y tế",
                   "code": "CĐYT"},
        "number": 58, "place": "Thái Bình", "date": "2023-02-23",
        "subject": "tiếp tục triển khai Chương trình",
        "recipients": ["Các Công đoàn cơ sở trực thuộc"],
        "body": "Nội dung.",
        "signature": {"capacity": "TM. BAN THƯỜNG VỤ", "title": "Chủ tịch",
                      "name": "Đào Văn Truyền"},
        "distribution": ["Như trên"], "archive": "VT",
    }
    spec.update(changes)
    return spec


def refused(spec: Any, **kwargs: Any) -> dict[str, str]:
    """``{key: message}`` of the SpecError the spec raises."""
    with pytest.raises(SpecError) as info:
        load_document(spec, **kwargs)
    return {p.path: p.message for p in info.value.problems}


def limit_of(spec: Any, **kwargs: Any) -> LimitError:
    with pytest.raises(LimitError) as info:
        load_document(spec, **kwargs)
    return info.value


def document_xml(doc: Any) -> str:
    with zipfile.ZipFile(io.BytesIO(render_docx(doc))) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- item 3: text is never lost -------------------------------------------------------------

def test_lone_surrogate_in_json_is_refused_with_its_key(tmp_path: Path) -> None:
    spec = json.dumps(base_spec(subject="PLACEHOLDER"), ensure_ascii=False).replace(
        "PLACEHOLDER", "trước\\ud800 sau")
    found = refused(write(tmp_path, spec, "s.json"))
    assert "U+D800" in found["subject"] and "trước" in found["subject"]


def test_a_raw_control_character_in_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    # ruamel's ReaderError reached the clerk as a traceback (a review).
    found = refused(write(tmp_path, "type: cong_van\nsubject: x\nbody: \"Nội\x07 dung\"\n",
                          "s.yaml"))
    assert "U+0007" in found["dòng 3"] and "cột 11" in found["dòng 3"]


def test_nonxml_noncharacters_are_refused_with_their_key() -> None:
    found = refused(base_spec(body="a <b> \ufffe & c", subject="x \uffff y"))
    assert "U+FFFE" in found["body"] and "U+FFFF" in found["subject"]


@pytest.mark.parametrize("char", ["\ufdd0", "\ufdd1", "\ufdd2", "\ufdef"])
def test_noncharacters_fdd0_fdef_are_kept_everywhere(char: str) -> None:
    body = f"Mở {char}đầu *đậm{char}* và <b> & {char}"
    doc = load_document(base_spec(body=body, subject=f"V/v {char} thử"))
    xml = document_xml(doc)
    assert f"Mở {char}đầu" in xml and f"đậm{char}" in xml and f"&lt;b&gt; &amp; {char}" in xml
    assert f"V/v {char} thử" in xml


def test_noncharacters_in_batch_values_are_kept() -> None:
    template = SpecTemplate(base_spec(body="Kính gửi {{ ten }}: có {{ so }} sáng kiến."))
    for value in ("A\ufdd0B", "\ufdd1x\ufdd0", "x\ufdd2y"):
        doc = template.document({"ten": value, "so": 3})
        assert value in document_xml(doc)


def test_the_slot_token_typed_by_a_user_is_text() -> None:
    template = SpecTemplate(base_spec(body=f"Mở {SLOT} rồi {{{{ ten }}}} và {SLOT}."))
    doc = template.document({"ten": f"giá {SLOT} trị"})
    xml = document_xml(doc)
    assert f"Mở {SLOT} rồi giá {SLOT} trị và {SLOT}." in xml


# --- item 4: messages, not tracebacks -------------------------------------------------------

def test_number_with_4301_digits_json_and_yaml(tmp_path: Path) -> None:
    big = "1" * 4301
    spec = json.dumps(base_spec(number=0)).replace('"number": 0', f'"number": {big}')
    error = limit_of(write(tmp_path, spec, "s.json"))
    assert error.limit == "number_digits" and error.problems[0].path == "number"
    yaml = f"type: cong_van\nnumber: {big}\n"
    assert limit_of(write(tmp_path, yaml, "s.yaml")).limit == "number_digits"
    assert limit_of(base_spec(number=10**4300)).problems[0].path == "number"


def test_nesting_500_levels_json_yaml_mapping(tmp_path: Path) -> None:
    deep_json = '{"type": "cong_van", "data": ' + "[" * 500 + "]" * 500 + "}"
    assert limit_of(write(tmp_path, deep_json, "s.json")).limit == "nesting_depth"
    deep_yaml = "type: cong_van\ndata: " + "[" * 500 + "]" * 500 + "\n"
    assert limit_of(write(tmp_path, deep_yaml, "s.yaml")).limit == "nesting_depth"
    block_yaml = "type: cong_van\ndata:\n" + "".join(
        "  " * i + f"k{i}:\n" for i in range(1, 500)) + "  " * 500 + "v: 1\n"
    assert limit_of(write(tmp_path, block_yaml, "b.yaml")).limit == "nesting_depth"
    nested: dict[str, Any] = {}
    inner = nested
    for _ in range(5000):
        inner["x"] = {}
        inner = inner["x"]
    error = limit_of(base_spec(data=nested))
    assert error.limit == "nesting_depth" and error.problems[0].path.startswith("data.x.x")


def test_body_with_fdd2_renders() -> None:
    doc = load_document(base_spec(body="Mục \ufdd2 một.\n\n- ý \ufdd2"))
    assert "Mục \ufdd2 một." in document_xml(doc)


def test_lone_surrogate_in_issuer_code_names_the_key() -> None:
    found = refused(base_spec(issuer={"name": "Công đoàn ngành Y tế", "code": "CĐ\ud800YT"}))
    assert "U+D800" in found["issuer.code"]


def test_lone_surrogate_in_a_batch_value_names_the_column() -> None:
    template = SpecTemplate(base_spec(subject="V/v {{ ten }}"))
    with pytest.raises(SpecError) as info:
        template.document({"ten": "a\udc80b"}, row=7)
    problem = info.value.problems[0]
    assert (problem.path, problem.row) == ("ten", 7) and "U+DC80" in problem.message


def test_huge_number_printed_by_a_placeholder() -> None:
    found = refused(base_spec(subject="V/v {{ (10**5000)|string }}"))
    assert "number_digits" in found["subject"]


@pytest.mark.parametrize("tag", ["{% include 'x.txt' %}", "{% import 'x' as y %}",
                                 "{% from 'x' import y %}", "{% extends 'x' %}"])
def test_include_import_extends_refused_in_a_spec(tag: str) -> None:
    found = refused(base_spec(body=f"Nội dung {tag}"))
    assert "không được dùng" in found["body"]


def test_format_map_and_bad_index_are_messages() -> None:
    found = refused(base_spec(subject="V/v {{ '{0}'.format_map({}) }}"))
    assert found["subject"]


def test_duplicate_json_keys_refused(tmp_path: Path) -> None:
    text = json.dumps(base_spec()).replace('"place": "Th', '"number": 3, "place": "Th')
    found = refused(write(tmp_path, text, "s.json"))
    assert "hai lần" in found["number"]


# --- item 2: bounded CPU and memory ---------------------------------------------------------

def test_billion_laughs_refused_before_it_is_built(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "type: cong_van\ndata:\n" + "".join(f"  {line}\n" for line in lines)
    assert len(text.encode()) < 600
    error = limit_of(write(tmp_path, text, "lol.yaml"))
    assert error.limit in ("spec_nodes", "yaml_aliases")


def test_alias_limit_and_raising_it(tmp_path: Path) -> None:
    text = "type: cong_van\ndata:\n  a: &a x\n  b: [" + ", ".join(["*a"] * 150) + "]\n"
    path = write(tmp_path, text, "aliases.yaml")
    assert limit_of(path).limit == "yaml_aliases"
    with limits.using(yaml_aliases=500), pytest.raises(SpecError) as info:
        load_document(path)  # now past the limit, the spec is merely incomplete
    assert not isinstance(info.value, LimitError)


@pytest.mark.parametrize(("field", "expression", "limit"), [
    ("subject", "{% for i in range(10**9) %}x{% endfor %}", "jinja_range"),
    ("subject", "{{ lipsum(10**6) }}", "jinja_range"),
    ("subject", "{{ 'a' * 10**9 }}", "jinja_output_chars"),
    ("subject", "{{ ([1] * 10**9)|length }}", "jinja_output_chars"),
    ("subject", "{{ 'x'|center(10**9) }}", "jinja_output_chars"),
    ("subject", "{{ 'x'.ljust(10**9) }}", "jinja_output_chars"),
    ("subject", "{{ '%0999999999d' % 1 }}", "jinja_output_chars"),
    ("subject", "{{ 9 ** 9 ** 9 }}", "number_digits"),
    ("body", "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
             "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}", "jinja_output_chars"),
    ("body", "{% for i in range(9000) %}{% for j in range(9000) %}{{ j }}{% endfor %}"
             "{% endfor %}", "jinja_output_chars"),
])
def test_jinja_bombs_in_spec_fields(field: str, expression: str, limit: str) -> None:
    with limits.using(jinja_output_chars=1_000_000):
        error = limit_of(base_spec(**{field: f"Nội dung {expression}"}))
    assert error.limit == limit and error.problems[0].path == field
    assert f"--limit {limit}=" in error.problems[0].message


def test_recursive_macro_is_a_message() -> None:
    found = refused(base_spec(body="{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}"))
    assert "macro" in found["body"] or "giới hạn" in found["body"]


def test_wide_nested_loops_stop_on_time() -> None:
    body = ("{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
            "{% endfor %}{% endfor %}{% endfor %}")
    with limits.using(jinja_seconds=0.5):
        error = limit_of(base_spec(body=body))
    assert error.limit in ("jinja_seconds", "jinja_calls")


def test_field_and_document_size_limits() -> None:
    template = SpecTemplate(base_spec(body="Nội dung {{ x }}."))
    with limits.using(field_chars=1000):
        with pytest.raises(LimitError) as info:
            template.document({"x": "a" * 2000})
        assert info.value.problems[0].path == "body"
    with limits.using(document_chars=500), pytest.raises(LimitError) as info:
        template.document({"x": "a" * 600})
    assert info.value.limit == "document_chars"


def test_spec_file_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "type: cong_van\nbody: " + "a" * 3000 + "\n", "big.yaml")
    with limits.using(spec_bytes=1000):
        assert limit_of(path).limit == "spec_bytes"


def test_every_refusal_is_a_library_error() -> None:
    assert issubclass(LimitError, VnUnionDocsError) and LimitError.exit_code == 1
