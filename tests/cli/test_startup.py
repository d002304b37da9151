"""What starting the command line loads: a batch's main process only reads rows and writes the
manifest, so the rendering stack (python-docx, docxtpl, the checker's rules) loads in the
commands that use it, not when the program starts (issue 19: memory of all processes)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["docx", "docxtpl", "docxcompose", "vn_union_docs.rendering.compiled",
         "vn_union_docs.checker.engine", "vn_union_docs.authoring", "urllib.request"]


def _loaded_after(code: str) -> set[str]:
    """The heavy modules in ``sys.modules`` after ``code`` runs in a fresh interpreter."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import vn_union_docs",
    "import vn_union_docs.cli.app",
    "import vn_union_docs.batch.generate",
])
def test_starting_loads_no_rendering_stack(code: str) -> None:
    assert _loaded_after(code) == set()


def test_the_lazy_names_still_work() -> None:
    loaded = _loaded_after(
        "from vn_union_docs import render_docx, check\n"
        "from vn_union_docs.checker import check_text, unreadable_finding\n"
        "assert callable(render_docx) and callable(check) and callable(check_text)\n"
        "assert unreadable_finding('x').severity == 'error'")
    assert {"docx", "vn_union_docs.checker.engine",
            "vn_union_docs.rendering.compiled"} <= loaded


def test_rendering_does_not_load_urllib() -> None:
    """XML text is escaped with ``html.escape``: ``xml.sax.saxutils`` would bring urllib,
    http and ssl into every batch worker."""
    loaded = _loaded_after("from vn_union_docs.rendering.render import render_compiled")
    assert "docx" in loaded and "urllib.request" not in loaded


def test_unknown_names_are_still_attribute_errors() -> None:
    import vn_union_docs
    from vn_union_docs import checker

    with pytest.raises(AttributeError):
        vn_union_docs.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        checker.no_such_name  # noqa: B018
