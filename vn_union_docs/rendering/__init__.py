"""Rendering: a document model → the template context → a .docx (compiled fast path and the
docxtpl reference path, body blocks → WordprocessingML, deterministic zip) → PDF via LibreOffice.
"""
