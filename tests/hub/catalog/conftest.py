"""Catalog tests: a migrated hub database (SQLite and real PostgreSQL) and merged Northwind resellers."""

from __future__ import annotations

from pathlib import Path

from tests.hub.merge.conftest import db  # noqa: F401

DATA = Path(__file__).parent / "data"
CATALOG_CSV = DATA / "northwind_catalog.csv"
