"""The README is part of the product: its two commands are what CI runs, its generated parts are
current, and it documents the fixed public names."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from vn_union_docs import vi

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _update_readme_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_readme",
                                                  ROOT / "scripts" / "update_readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_opens_with_the_two_commands_ci_runs() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci.splitlines(), command
    assert "render examples --out out" in commands[0]
    assert "pytest" in commands[1]


def test_checker_rules_section_is_current() -> None:
    assert _update_readme_module().refreshed(README) == README, (
        "run python scripts/update_readme.py")


def test_vi_functions_and_filters_are_documented() -> None:
    for name in vi.FILTERS:
        assert f"`{name}`" in README, name
    for function in ("format_date", "place_date", "short_date", "format_number",
                     "format_percent", "number_to_words", "parse_number", "amount_in_words",
                     "roman", "letter"):
        assert f"`{function}(" in README, function


def test_readme_python_snippets_run_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              ) -> None:
    """Every ```python block of the README runs as written, from a folder with the examples."""
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)  # the README's own code
    assert (tmp_path / "out" / "58.docx").is_file()
