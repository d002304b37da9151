"""``vn-union-docs serve`` as a real process on the loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx2
from typer.testing import CliRunner

from vn_union_docs.cli.app import app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_public_address_needs_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "VN_UNION_DOCS_TOKEN"}
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"], env=env)
    assert result.exit_code == 2
    assert "VN_UNION_DOCS_TOKEN" in result.output
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--token-env", "MY_TOKEN"],
                                env={**env, "MY_TOKEN": "short"})
    assert result.exit_code == 2 and "16" in result.output


def test_serve_answers_on_the_loopback_and_stops_on_sigterm() -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vn_union_docs", "serve", "--port", str(port),
                             "--converters", "0", "--log-level", "warning"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx2.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx2.HTTPError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["pdf"] is False
        assert "server" not in r.headers  # no server banner
        doc = httpx2.get(f"http://127.0.0.1:{port}/openapi.json").json()
        assert doc["info"]["title"] == "vn-union-docs"
    finally:
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises SIGTERM (exit status -15).
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    assert proc.stdout is not None
    assert "; 0 bộ chuyển PDF" in proc.stdout.read()  # --converters 0 is obeyed
