"""Fixtures of the register tests: a register file, and a real PostgreSQL server.

PostgreSQL: ``VN_UNION_DOCS_TEST_PG`` (a URL to an empty database) if set; otherwise a private
cluster is created with ``initdb`` under a temporary folder and started with ``pg_ctl`` on a
free port (as the ``postgres`` user when the tests run as root), and stopped at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _need(what: str, found: bool, install: str) -> None:
    """Skip locally, fail in CI, when a real component is missing."""
    if not found:
        message = f"this test needs {what}: {install}"
        (pytest.fail if os.environ.get("CI") else pytest.skip)(message)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a running PostgreSQL server (database ``postgres``)."""
    if os.environ.get("VN_UNION_DOCS_TEST_PG"):
        yield os.environ["VN_UNION_DOCS_TEST_PG"]
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    _need("PostgreSQL (initdb, pg_ctl)", bool(initdb and pg_ctl),
         "apt-get install postgresql-15")
    assert initdb and pg_ctl
    root = Path(tempfile.mkdtemp(prefix="vnud-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        _need("the postgres system user", shutil.which("runuser") is not None and
             subprocess.run(["id", "postgres"], capture_output=True).returncode == 0,
             "apt-get install postgresql-15")
        shutil.chown(root, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"),
                    "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database on the server, for one test."""
    import psycopg

    name = f"vnud_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def register_file(tmp_path: Path) -> str:
    """Path of a register file that does not exist yet."""
    return str(tmp_path / "so-van-ban-di.sqlite")
