"""The command line (typer): one module per command over the public API; one error handler
maps every library error to its exit code and a message without a traceback.
"""
