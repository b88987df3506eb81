from __future__ import annotations

from pathlib import Path

import pytest

from tests.hub.web.webkit import Seeded, seed


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    """A fresh seeded hub per test: tickets, clocks and counts never leak between tests."""
    return seed(tmp_path)
