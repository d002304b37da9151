"""Legacy Vietnamese encodings: recognised and rejected with a name, TCVN3 converted on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vn_union_docs import load_document
from vn_union_docs.cli.app import app
from vn_union_docs.errors import SpecError
from vn_union_docs.vi.legacy import detect, from_tcvn3

PAIRS = [
    ("C«ng ®oµn ngµnh Y tÕ", "Công đoàn ngành Y tế"),
    ("Liªn ®oµn Lao ®éng tØnh Th¸i B×nh", "Liên đoàn Lao động tỉnh Thái Bình"),
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("Tæng Liªn ®oµn Lao ®éng ViÖt Nam", "Tổng Liên đoàn Lao động Việt Nam"),
    ("s¸ng kiÕn, ®¹t 63,3%", "sáng kiến, đạt 63,3%"),
]


@pytest.mark.parametrize(("legacy_text", "unicode_text"), PAIRS)
def test_tcvn3_converts(legacy_text: str, unicode_text: str) -> None:
    assert detect(legacy_text) == "TCVN3"
    assert from_tcvn3(legacy_text) == unicode_text
    assert detect(unicode_text) is None


@pytest.mark.parametrize("text", ["Công đoàn «Thái Bình»", "Ông Müller", "Café ® 2023",
                                  "Độc lập - Tự do - Hạnh phúc"])
def test_unicode_text_is_not_mistaken(text: str) -> None:
    assert detect(text) is None


def test_vni_is_recognised() -> None:
    assert detect("Coâng ñoaøn ngaønh Y teá") == "VNI"


def test_model_rejects_tcvn3_and_suggests_the_command() -> None:
    spec = {"type": "thong_bao", "issuer": {"name": "C«ng ®oµn ngµnh Y tÕ", "code": "CĐYT"},
            "place": "Thái Bình", "subject": "thử", "body": "x", "signature": {"name": "A"}}
    with pytest.raises(SpecError) as info:
        load_document(spec)
    (problem,) = info.value.problems
    assert problem.path == "issuer.name"
    assert "TCVN3" in problem.message and "vn-union-docs unicode" in problem.message


def test_cli_converts_a_spec_file(tmp_path: Path) -> None:
    source = tmp_path / "old.yaml"
    source.write_text(
        "type: thong_bao\nissuer: {name: C«ng ®oµn ngµnh Y tÕ, code: CDYT}\n"
        "place: Th¸i B×nh\nsubject: LÞch häp\nbody: Häp ngµy 10/3/2023.\n"
        "signature: {name: §µo V¨n TruyÒn}\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["unicode", str(source), "--out", str(tmp_path / "new.yaml")])
    assert result.exit_code == 0, result.output
    doc = load_document(tmp_path / "new.yaml")
    assert doc.issuer.name == "Công đoàn ngành Y tế"
    assert doc.signature.name == "Đào Văn Truyền"
    assert doc.subject == "Lịch họp"
    # already Unicode: nothing to do, and a mixed file is refused
    again = runner.invoke(app, ["unicode", str(tmp_path / "new.yaml"), "-o", str(tmp_path / "x")])
    assert again.exit_code == 1 and not (tmp_path / "x").exists()
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text("a: C«ng ®oµn\nb: Công đoàn\n", encoding="utf-8")
    refused = runner.invoke(app, ["unicode", str(mixed), "-o", str(tmp_path / "y")])
    assert refused.exit_code == 1 and not (tmp_path / "y").exists()
