"""``--limit`` on the command line, the environment variables, and the README's table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vn_union_docs import limits
from vn_union_docs.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(limits.ENV_PREFIX):
            monkeypatch.delenv(name)
    limits.reload()
    yield
    monkeypatch.undo()
    limits.reload()


def aliases_spec(tmp_path: Path) -> Path:
    spec = (ROOT / "examples" / "du-thao-cong-van-thang-cong-nhan.yaml").read_text(encoding="utf-8")
    spec += "data:\n  a: &a x\n  b: [" + ", ".join(["*a"] * 150) + "]\n"
    path = tmp_path / "aliases.yaml"
    path.write_text(spec, encoding="utf-8")
    return path


def test_limit_option_raises_a_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = aliases_spec(tmp_path)
    refused = runner.invoke(app, ["render", str(spec), "--out", str(tmp_path / "a")])
    assert refused.exit_code == 1 and "yaml_aliases" in refused.output
    assert "Traceback" not in refused.output
    monkeypatch.setattr(os, "environ", dict(os.environ))  # --limit writes the environment
    done = runner.invoke(app, ["--limit", "yaml_aliases=500", "render", str(spec),
                               "--out", str(tmp_path / "b")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "b" / "aliases.docx").is_file()


def test_unknown_limit_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--limit", "yaml_alias=5", "schema"])
    assert result.exit_code == 2 and "yaml_aliases" in result.output


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VN_UNION_DOCS_LIMIT_JINJA_RANGE", "50_000")
    limits.reload()
    assert limits.current().jinja_range == 50_000
    with limits.using(jinja_range=7):
        assert limits.current().jinja_range == 7
    monkeypatch.setenv("VN_UNION_DOCS_LIMIT_JINJA_RANGE", "-1")
    limits.reload()
    with pytest.raises(limits.LimitError):
        limits.current()


def test_readme_lists_every_limit() -> None:
    """The README's table is ``limits.readme_table()``: regenerate it when a limit changes
    (``python -c 'from vn_union_docs import limits; print(limits.readme_table())'``)."""
    assert limits.readme_table() in (ROOT / "README.md").read_text(encoding="utf-8")
