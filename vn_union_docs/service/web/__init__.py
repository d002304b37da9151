"""The clerks' web page of ``vn-union-docs serve`` (issue 21): a form, a live preview, downloads.

``router`` is included by ``vn_union_docs.service.app.create_app``.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
