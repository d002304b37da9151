"""Extract the advance widths of Liberation Serif (Regular, Bold) into
``vn_union_docs/rendering/font_metrics.json`` for the line breaker.

Liberation Serif is metric-compatible with Times New Roman (same advance width for every
character), so widths measured on it are the widths Word and LibreOffice lay out with. The
library reads the JSON (no font file needed at run time); fontTools reads the fonts here, and
a test checks the JSON against the installed fonts (Debian: ``fonts-liberation2``).

Usage::

    python scripts/build_font_metrics.py            # write the JSON
    python scripts/build_font_metrics.py --check    # exit 1 if it differs from the fonts
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

REPO = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FONTS = {"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf"}
OUT = REPO / "vn_union_docs" / "rendering" / "font_metrics.json"

# ASCII, Latin-1, Latin Extended-A/B letters Vietnamese uses, Vietnamese precomposed letters,
# and the punctuation documents use.
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x100, 0x1B0), (0x1EA0, 0x1EF9), (0x2010, 0x2026)]
EXTRA = "«»“”‘’–—…•№"


def characters() -> list[str]:
    chars = {chr(c) for lo, hi in RANGES for c in range(lo, hi + 1)} | set(EXTRA)
    return sorted(ch for ch in chars if unicodedata.category(ch)[0] != "C")


def metrics(font_dir: Path = FONT_DIR) -> dict[str, object]:
    """``{"units_per_em": 2048, "regular": {char: advance}, "bold": {...}}``."""
    out: dict[str, object] = {}
    for weight, name in FONTS.items():
        font = TTFont(str(font_dir / name))
        cmap = font.getBestCmap()
        hmtx = font["hmtx"]
        out["units_per_em"] = font["head"].unitsPerEm
        out[weight] = {ch: hmtx[cmap[ord(ch)]][0] for ch in characters() if ord(ch) in cmap}
    return out


def render(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render(metrics())
    if args.check:
        same = OUT.read_text("utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs from the fonts'}")
        return 0 if same else 1
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
