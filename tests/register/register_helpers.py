"""Shared by the register tests: example specs with ``number: auto`` and reading a .docx's
printed number."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def auto_spec(source: Path, target: Path, **replace: str) -> Path:
    """Copy a spec with ``number: auto`` (and other top-level keys replaced)."""
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^number: .*$", "number: auto", text)
    for key, value in replace.items():
        if re.search(rf"(?m)^{key}:", text):
            text = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
        else:
            text += f"\n{key}: {value}\n"
    target.write_text(text, encoding="utf-8")
    return target


def printed_number(docx: Path) -> str:
    """The ``05/CĐKCN`` of the ``Số: 05/CĐKCN`` paragraph, as printed in the document."""
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph)).strip()
        if text.startswith("Số:"):
            return text.removeprefix("Số:").strip()
    raise AssertionError(f"no number line in {docx}")
