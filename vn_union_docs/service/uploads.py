"""Reading what clients send, within bounds: size limits, zip bombs, XML entity tricks, JSON.

Nothing a client sends is trusted: a .docx or .xlsx is a zip whose parts are inspected before
any library opens it (entry count, unpacked size, compression ratio, no ``<!DOCTYPE`` or
``<!ENTITY`` in any XML part: Office files never need them, and they are the door to
entity-expansion and external-entity attacks).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request, UploadFile

from vn_union_docs.documents.reading import load_json
from vn_union_docs.errors import Problem, SpecError, VnUnionDocsError
from vn_union_docs.service.settings import ServiceSettings

__all__ = ["UploadRefused", "inspect_zip", "read_json_body", "read_upload", "refuse",
           "safe_template_name"]

_DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class UploadRefused(VnUnionDocsError):
    """Input the service will not take (413 too large, 422 unsafe or unreadable, 503 when
    it cannot serve it); answered as JSON with one problem at ``path``."""

    def __init__(self, message: str = "", *, status: int = 422, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.problem = Problem(path=path, message=message)


def refuse(status: int, path: str, message: str) -> UploadRefused:
    """The :class:`UploadRefused` for ``status``, naming the field ``path``."""
    return UploadRefused(message, status=status, path=path)


def _bytes(n: int) -> str:
    return f"{n:,}".replace(",", ".") + " byte"


async def read_json_body(request: Request, settings: ServiceSettings) -> dict[str, Any]:
    """The request body as a JSON object, at most ``max_spec_bytes`` (413 beyond)."""
    limit = settings.max_spec_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise refuse(413, "body", f"spec vượt giới hạn {_bytes(limit)}")
        chunks.append(chunk)
    return parse_json_object(b"".join(chunks), "body")


def parse_json_object(raw: bytes, path: str) -> dict[str, Any]:
    """Parse JSON that must be an object; 422 with a Vietnamese message otherwise."""
    if not raw.strip():
        raise refuse(422, path, "thiếu nội dung: gửi spec dạng JSON (type, issuer, …)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(422, path, "nội dung không phải UTF-8") from None
    try:  # the library's reader: repeated keys and overlong numbers are reported by key
        data = load_json(text)
    except SpecError as exc:
        raise refuse(422, path, "; ".join(problem.message for problem in exc.problems)) \
            from None
    if not isinstance(data, dict):
        raise refuse(422, path, "spec phải là một đối tượng JSON {\"type\": …, …}")
    return data


async def read_upload(upload: UploadFile, settings: ServiceSettings, path: str) -> bytes:
    """The uploaded file's bytes, at most ``max_upload_bytes`` (413 beyond)."""
    limit = settings.max_upload_bytes
    if upload.size is not None and upload.size > limit:
        raise refuse(413, path, f"tệp vượt giới hạn {_bytes(limit)}")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise refuse(413, path, f"tệp vượt giới hạn {_bytes(limit)}")
    return data


def inspect_zip(data: bytes, settings: ServiceSettings, path: str) -> None:
    """Refuse an Office file (zip) that is a bomb or carries XML entity declarations."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse(422, path, "tệp không phải .docx/.xlsx hợp lệ (không mở được zip)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > settings.max_zip_entries:
                raise refuse(413, path, f"tệp có {len(infos)} phần, quá giới hạn "
                             f"{settings.max_zip_entries}")
            total = 0
            for info in infos:
                total += info.file_size
                if total > settings.max_unzipped_bytes:
                    raise refuse(413, path, "tệp giải nén ra quá lớn (vượt "
                                 f"{_bytes(settings.max_unzipped_bytes)}): bị từ chối")
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 1_000_000 and ratio > settings.max_zip_ratio:
                    raise refuse(413, path, f"phần «{info.filename}» nén bất thường "
                                 f"(tỉ lệ {ratio:.0f}:1), nghi là bom nén: bị từ chối")
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    _check_xml(archive, info, path, settings)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise refuse(422, path, f"tệp zip bị hỏng ({type(exc).__name__})") from None


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str,
               settings: ServiceSettings) -> None:
    # Read by pieces, so a part lying about its size cannot exhaust memory.
    read = 0
    tail = b""
    with archive.open(info) as fh:
        while chunk := fh.read(1 << 16):
            read += len(chunk)
            if read > settings.max_unzipped_bytes:
                raise refuse(413, path, f"phần «{info.filename}» giải nén ra quá lớn")
            if _DOCTYPE.search(tail + chunk):
                raise refuse(422, path, f"phần «{info.filename}» có khai báo DOCTYPE/"
                             "ENTITY (thủ thuật XML nguy hiểm): tệp bị từ chối")
            tail = chunk[-16:]


def safe_template_name(value: Any, folders: Sequence[Path], path: str = "template"
                       ) -> Path | None:
    """The template a spec's ``template:`` names, looked up in the served folder only.

    A request never names a path on the server: only a plain file name from the templates
    folder (``--templates``) or a built-in template is accepted; anything with a directory
    part is refused.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise refuse(422, path, "template phải là tên một mẫu trong danh sách "
                     "GET /api/templates")
    name = value.strip()
    if (not name or "/" in name or "\\" in name or name.startswith(".") or ":" in name
            or "\x00" in name):
        raise refuse(422, path, f"«{value}»: dịch vụ không nhận đường dẫn tệp; chỉ "
                     "dùng tên một mẫu trong danh sách GET /api/templates")
    if not name.lower().endswith(".docx"):
        name += ".docx"
    for folder in folders:
        candidate = folder / name
        if candidate.is_file() and candidate.resolve().parent == folder.resolve():
            return candidate
    raise refuse(422, path, f"không có mẫu «{value}» trên máy chủ; xem danh sách "
                 "GET /api/templates")
