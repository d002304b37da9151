"""Issue 14, item 2 for ``check``: what it reads is bounded (paragraphs, archive, spec)."""

from __future__ import annotations

from pathlib import Path

import docx

from vn_union_docs import check, limits


def test_check_refuses_a_docx_with_too_many_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    for i in range(300):
        document.add_paragraph(f"Đoạn {i}")
    path = tmp_path / "many.docx"
    document.save(str(path))
    with limits.using(check_paragraphs=100):
        findings = check(path)
    assert len(findings) == 1 and "check_paragraphs" in findings[0].message
    assert not any("check_paragraphs" in f.message for f in check(path))


def test_check_of_a_billion_laughs_spec(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "lol.yaml"
    path.write_text("type: cong_van\ndata:\n" + "".join(f"  {x}\n" for x in lines),
                    encoding="utf-8")
    findings = check(path)
    assert len(findings) == 1 and "giới hạn" in findings[0].message
