"""Documents: the pydantic models, the spec format (YAML/JSON reading, Jinja in fields) and the
body's restricted Markdown parsed into numbered blocks. Nothing here knows about .docx.
"""
