"""Tests of the signing package (a package, so its conftest does not shadow tests/conftest.py)."""
