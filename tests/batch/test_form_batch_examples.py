"""The three batch examples of the new types run as the README shows them (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import docx_paragraphs
from typer.testing import CliRunner

from vn_union_docs import check
from vn_union_docs.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
BATCH = ROOT / "examples" / "batch"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def text_of(path: Path) -> str:
    """The document's text, a line per paragraph; a name broken into lines reads as one."""
    return "\n".join(line.replace("\n", " ") for line in docx_paragraphs(path))


@pytest.mark.parametrize(("spec", "data", "count", "name", "expected"), [
    ("qd_khen_thuong.yaml", "khen_thuong.csv", 5, "47-Phạm Văn Đức.docx",
     ["Số: 47/QĐ-CĐYT", "QUYẾT ĐỊNH:", "Điều 1. Tặng Giấy khen",
      "1.250.000 đồng (Một triệu hai trăm năm mươi nghìn đồng)",
      "- Công đoàn cơ sở Bệnh viện Phụ sản;"]),
    ("giay_moi_dai_bieu.yaml", "dai_bieu.csv", 4, "31-Trần Thị Thanh.docx",
     ["Số: 31/GM-CĐYT", "trân trọng kính mời: Bà Trần Thị Thanh, Giám đốc, Sở Y tế Thái Bình",
      "Thời gian: 07 giờ 30, thứ Năm, ngày 21 tháng 3 năm 2024"]),
    ("bao_cao_quy.yaml", "bao_cao_quy.csv", 3, "15-Phạm Thị Thu.docx",
     ["Số: 15/BC-CĐCS", "BÁO CÁO", "18/35 sáng kiến, đạt 51,4%",
      "6.000.000 đồng (Sáu triệu đồng)", "CÔNG ĐOÀN CƠ SỞ BỆNH VIỆN PHỤ SẢN"]),
])
def test_batch_example(tmp_path: Path, spec: str, data: str, count: int, name: str,
                       expected: list[str]) -> None:
    pattern = "{{ so }}-{{ " + ("chu_tich" if spec == "bao_cao_quy.yaml" else "ho_ten") + " }}"
    result = CliRunner().invoke(app, ["batch", str(BATCH / spec), str(BATCH / data), "--out",
                                      str(tmp_path), "--name", pattern, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.docx"))
    assert len(files) == count
    text = text_of(tmp_path / name)
    for line in expected:
        assert line in text, line
    assert check(tmp_path / name) == []
