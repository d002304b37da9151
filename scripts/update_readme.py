"""Refresh the generated parts of README.md (the checker rules) and of docs/.

Run ``python scripts/update_readme.py`` with the package installed;
``tests/test_readme.py`` fails when they are stale.
"""

from __future__ import annotations

import re
from pathlib import Path

from vn_union_docs.checker import rules_markdown

ROOT = Path(__file__).resolve().parent.parent
START = re.compile(r"<!-- checker-rules:start[^>]*-->\n")
END = "<!-- checker-rules:end -->"


def rules_section() -> str:
    """The checker rules as the README shows them (rules_markdown without its own heading)."""
    body = rules_markdown().split("\n", 1)[1].strip()
    return body.replace("## Checker rules", "### Rules", 1) + "\n"


def refreshed(readme: str) -> str:
    """``readme`` with the section between the checker-rules markers regenerated."""
    start = START.search(readme)
    end = readme.index(END)
    if start is None:
        raise SystemExit("README.md has no checker-rules markers")
    return readme[: start.end()] + rules_section() + readme[end:]


def main() -> None:
    """Rewrite README.md and docs/checker-rules.md."""
    path = ROOT / "README.md"
    path.write_text(refreshed(path.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / "docs" / "checker-rules.md").write_text(rules_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()
