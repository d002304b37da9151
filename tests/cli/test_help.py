"""Issue 13.9: the command line's help reads cleanly (no type leaks, one metavar style),
``-h`` works, and render and check list their exit codes."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from vn_union_docs.cli.app import app

COMMANDS = [[], ["render"], ["batch"], ["check"], ["schema"], ["unicode"], ["template"],
            ["template", "export"], ["template", "check"]]


def help_text(args: list[str], flag: str) -> str:
    result = CliRunner().invoke(app, [*args, flag], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "vn-union-docs")
def test_help_has_no_type_leaks_and_h_works(args: list[str]) -> None:
    text = help_text(args, "--help")
    assert help_text(args, "-h") == text
    for leak in ("<bool>", "<list[", "<path>", "<int>", "<str>", "<text|json>", "Path]"):
        assert leak not in text, leak
    usage = next(line for line in text.splitlines() if "Cách dùng:" in line)
    assert "{" not in usage and "}" not in usage, usage
    # metavars are capitalised Vietnamese words (TỆP, THƯ_MỤC …) or choices
    for metavar in re.findall(r"(?<=\s)[A-ZĐƯƠÂÊÔĂ_]{3,}(?:\.\.\.)?(?=\s)", usage):
        assert metavar.rstrip(".") == metavar.rstrip(".").upper()


@pytest.mark.parametrize("command", ["render", "check", "batch"])
def test_exit_codes_are_in_the_help(command: str) -> None:
    text = " ".join(help_text([command], "--help").split())
    assert "Mã thoát: 0" in text and "1 " in text and "2 dùng lệnh sai" in text


def test_flags_show_no_value_and_options_show_one_word() -> None:
    text = help_text(["render"], "--help")
    pdf_line = next(line for line in text.splitlines() if "--pdf " in line)
    assert re.search(r"--pdf\s+Ghi thêm", pdf_line), pdf_line
    assert re.search(r"--out\s+-o\s+THƯ_MỤC", text)
    assert "TỆP_HOẶC_THƯ_MỤC" in text
