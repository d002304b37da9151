"""The checker knows every ND30 type: ký hiệu by type, each form's parts, Điều numbering."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from vn_union_docs import check, load_document, render_docx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def rendered(tmp_path: Path, example: str) -> Path:
    out = tmp_path / f"{example}.docx"
    render_docx(load_document(EXAMPLES / f"{example}.yaml"), out)
    return out


def edited(source: Path, target: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of ``source`` with text replaced in word/document.xml (a clerk's hand edit)."""
    with zipfile.ZipFile(source) as archive:
        items = {name: archive.read(name) for name in archive.namelist()}
    xml = items["word/document.xml"].decode()
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new, 1)
    items["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in items.items():
            archive.writestr(name, data)
    return target


def rules_of(findings: list[Any]) -> list[str]:
    return [f.rule for f in findings]


def spec_of(example: str, **changes: Any) -> dict[str, Any]:
    from vn_union_docs.documents.spec import read_spec

    data = dict(read_spec(EXAMPLES / f"{example}.yaml"))
    data.update(changes)
    return data


def test_articles_out_of_sequence_in_docx(tmp_path: Path) -> None:
    bad = edited(rendered(tmp_path, "qd-khen-thuong"), tmp_path / "bad.docx",
                 ("Điều 2.", "Điều 4."))
    findings = [f for f in check(bad) if f.rule == "article-sequence"]
    assert findings and "«Điều 4» đứng sau «Điều 1»" in findings[0].message
    assert "Điều 2" in findings[0].message


def test_quyet_dinh_without_grounds_or_decision_line(tmp_path: Path) -> None:
    bad = edited(rendered(tmp_path, "qd-khen-thuong"), tmp_path / "bad.docx",
                 ("Căn cứ Điều lệ", "Theo Điều lệ"), ("Căn cứ Quy chế", "Theo Quy chế"),
                 ("QUYẾT ĐỊNH:", "QUYẾT ĐỊNH"))
    messages = [f.message for f in check(bad) if f.rule == "form-parts"]
    assert any("căn cứ" in m for m in messages) and any("QUYẾT ĐỊNH:" in m for m in messages)
    spec = spec_of("qd-khen-thuong", grounds=[])
    assert [f.place for f in check(spec) if f.rule == "form-parts"] == ["grounds"]


def test_bien_ban_without_secretary(tmp_path: Path) -> None:
    bad = edited(rendered(tmp_path, "bien-ban-hop-btv"), tmp_path / "bad.docx",
                 ("Thư ký (người ghi biên bản)", "Ghi chép"))
    assert "form-parts" in rules_of(check(bad))
    spec = spec_of("bien-ban-hop-btv")
    spec["meeting"] = {k: v for k, v in spec["meeting"].items() if k != "secretary"}
    assert [f.place for f in check(spec) if f.rule == "form-parts"] == ["meeting.secretary"]


@pytest.mark.parametrize(("example", "symbol", "finding"), [
    ("qd-khen-thuong", "KH-CĐYT", True),   # a quyết định needs QĐ-
    ("qd-khen-thuong", "QĐ-CĐYT", False),
    ("cong-dien-mua-lu", "LĐLĐ", True),    # a công điện needs CĐ-
    ("cong-dien-mua-lu", "CĐ-LĐLĐ", False),
    ("58-cdyt-cong-van", "CĐ-VP", False),  # CĐ starting a công văn's code is a union code
    ("58-cdyt-cong-van", "GM-CĐYT", True),
    ("giay-moi-hoi-nghi", "GM-CĐYT", False),
    ("giay-moi-hoi-nghi", "GGT-CĐYT", True),
])
def test_symbol_judged_by_type(example: str, symbol: str, finding: bool) -> None:
    found = [f for f in check(spec_of(example, symbol=symbol)) if f.rule == "symbol-type"]
    assert bool(found) is finding, found


def test_docx_symbol_judged_by_printed_type_name(tmp_path: Path) -> None:
    bad = edited(rendered(tmp_path, "giay-moi-hoi-nghi"), tmp_path / "bad.docx",
                 ("Số: 21/GM-CĐYT", "Số: 21/CĐYT"))
    found = [f for f in check(bad) if f.rule == "symbol-type"]
    assert found and "«GM-»" in found[0].message and "giấy mời" in found[0].message


@pytest.mark.parametrize("example", ["qd-khen-thuong", "cong-dien-mua-lu", "giay-moi-hoi-nghi",
                                     "giay-gioi-thieu", "bien-ban-hop-btv", "giay-nghi-phep"])
def test_form_examples_pass_with_no_finding(tmp_path: Path, example: str) -> None:
    assert check(EXAMPLES / f"{example}.yaml") == []
    assert check(rendered(tmp_path, example)) == []
