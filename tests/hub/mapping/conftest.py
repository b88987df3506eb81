"""Mapping tests use the merge tests' `db` fixture (SQLite and real PostgreSQL)."""

from tests.hub.merge.conftest import db  # noqa: F401
