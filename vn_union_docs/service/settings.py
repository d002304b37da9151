"""Settings of ``vn-union-docs serve`` (one pydantic model; the CLI fills it from its options).

Every limit that bounds hostile input lives here, so that tests and deployments can tighten
or loosen them in one place.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

__all__ = ["TOKEN_ENV", "ServiceSettings", "is_loopback"]

#: Environment variable read for the API token when ``--token-env`` is not given.
TOKEN_ENV = "VN_UNION_DOCS_TOKEN"


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (the only clients that need no token)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


class ServiceSettings(BaseModel):
    """How the service runs: where it listens, who may call it, and the limits it enforces."""

    host: str = Field(default="127.0.0.1", description="Address to bind (loopback by default).")
    port: int = Field(default=8000, ge=0, le=65535)
    token: str | None = Field(
        default=None,
        description="API token; required from every client that is not on the loopback.")
    require_token_everywhere: bool = Field(
        default=False,
        description="Ask for the token from loopback clients too (behind a local proxy).")
    templates_dir: Path | None = Field(
        default=None, description="Folder of extra .docx templates a spec may name by file name.")
    register_target: str | None = Field(
        default=None,
        description="Register of outgoing documents: a SQLite file or a postgresql:// URL; "
                    "number: auto takes its numbers from it.")
    sign_key: Path | None = Field(
        default=None, description="PKCS#12 key of the organisation (POST /api/sign, edXML).")
    sign_password: SecretStr | None = Field(default=None, description="Its password.")
    sign_pkcs11_lib: Path | None = Field(
        default=None, description="PKCS#11 module of a USB token (instead of sign_key).")
    sign_token_label: str | None = None
    sign_key_label: str | None = None
    sign_pin: SecretStr | None = None
    cors_origins: list[str] = Field(default_factory=list)
    converters: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=0, le=64,
        description="Resident LibreOffice converters to start (0: no PDF unless "
                    "converter_addresses names a running pool).")
    converter_addresses: list[str] = Field(
        default_factory=list,
        description="host:port of running converters to use instead of starting a pool.")
    converter_port: int = Field(
        default=0, ge=0, le=65000, description="First port of the converters (XML-RPC on port+2i, "
                                       "LibreOffice on port+2i+1); 0 picks free ports.")
    converter_timeout: float = Field(
        default=60.0, gt=0, description="Longest one PDF conversion may take before the converter "
                                "is killed and restarted (seconds).")
    max_spec_bytes: int = Field(default=1_000_000, gt=0, description="Largest spec JSON body.")
    max_upload_bytes: int = Field(default=20_000_000, gt=0, description="Largest uploaded file.")
    max_unzipped_bytes: int = Field(
        default=200_000_000, gt=0,
        description="Largest total size of an uploaded .docx/.xlsx unpacked.")
    max_zip_ratio: int = Field(
        default=200, gt=0, description="Largest unpacked/packed ratio of a part.")
    max_zip_entries: int = Field(default=2_000, gt=0)
    max_pdf_pages: int = Field(
        default=200, gt=0, description="Pages of an uploaded PDF that are read.")
    request_timeout: float = Field(
        default=120.0, gt=0, description="Time limit of one request (seconds); then 503.")
    work_timeout: float = Field(
        default=20.0, gt=0,
        description="Longest the library may work on one request (spec, check, template); "
                    "then the work is stopped and the request gets 422.")
    job_timeout: float = Field(
        default=3600.0, gt=0, description="Longest one batch job may run; then it is stopped.")
    max_batch_rows: int = Field(default=20_000, gt=0)
    max_pending_jobs: int = Field(
        default=20, ge=1, description="Unfinished batch jobs the service holds at most; "
                                      "more are refused with 429.")
    max_jobs: int = Field(default=2, ge=1, description="Batch jobs running at once; others queue.")
    job_ttl: float = Field(
        default=3600.0, gt=0, description="Seconds a finished job's zip is kept.")
    job_dir: Path | None = Field(default=None, description="Where jobs work (default: a temp dir).")
