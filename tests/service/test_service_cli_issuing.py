"""``serve --register`` / ``--sign-key``: what is wrong stops the command before it listens."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from vn_union_docs.cli.app import app


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VN_UNION_DOCS_")}


def test_a_wrong_key_password_stops_serve(tmp_path: Path) -> None:
    from vn_union_docs.signing import demo

    key = tmp_path / "org.p12"
    key.write_bytes(demo.make_pki().certs["organisation"].pkcs12("đúng"))
    result = CliRunner().invoke(app, ["serve", "--converters", "0", "--sign-key", str(key),
                                      "--sign-password-env", "PASS"],
                                env={**_env(), "PASS": "sai"})
    assert result.exit_code == 1, result.output
    assert "mật khẩu" in result.output.lower() or "password" in result.output.lower()
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_register_stops_serve(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE khac (x)")
    result = CliRunner().invoke(app, ["serve", "--converters", "0", "--register", str(other)],
                                env=_env())
    assert result.exit_code == 1, result.output
    assert "không phải sổ đăng ký" in result.output


def test_a_missing_key_file_or_pin_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--sign-key", str(tmp_path / "a.p12")],
                                env=_env())
    assert result.exit_code == 2  # the key file does not exist
    lib = tmp_path / "lib.so"
    lib.write_bytes(b"")
    result = CliRunner().invoke(app, ["serve", "--sign-pkcs11-lib", str(lib)], env=_env())
    assert result.exit_code == 2 and "VN_UNION_DOCS_PIN" in result.output
