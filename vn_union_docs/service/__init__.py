"""``vn-union-docs serve``: the HTTP API (and the clerks' web page) over the library.

``create_app(settings)`` (in :mod:`vn_union_docs.service.app`) builds the FastAPI application;
:class:`~vn_union_docs.service.settings.ServiceSettings` holds where it listens and its limits.
See docs/service.md.
"""
