from __future__ import annotations

from pathlib import Path

import pytest

from tests.hub.web.webkit import Seeded, seed


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """One seeded hub per test module (seeding hashes a dozen argon2 passwords)."""
    return seed(Path(tmp_path_factory.mktemp("web")))


@pytest.fixture
def fresh_hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)
