"""The generic SQLAlchemy path passes the suite on SQLite (``sqlite+pysqlite://``), labelled untested."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.registry import connect
from tests.connectors.conformance import connector_test_class
from tests.connectors.kits import SqliteKit


@pytest.fixture
def kit(tmp_path: Path) -> SqliteKit:
    k = SqliteKit(tmp_path)
    k.url = f"sqlite+pysqlite:///{k.path}"
    # SQLAlchemy reflects SQLite's unknown TIMESTAMPTZ as NUMERIC (affinity): a known generic limit
    k.native = {n: t for n, t in k.native.items() if n != "t_tstz"}
    return k


def test_generic_is_labelled_untested(kit: SqliteKit) -> None:
    assert connect(kit.url).dialect.tested is False


TestGenericConformance = connector_test_class()
