"""The resellers migration and service on real PostgreSQL (same code as SQLite)."""

from __future__ import annotations

from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.resellers import service
from tests.hub.resellers.conftest import signing_b64, ssh_line


def test_resellers_on_postgresql(pg_database):
    url = pg_database.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent
        with transaction(session_factory(engine)) as s:
            service.add_reseller(
                s,
                {
                    "id": "toko-pg",
                    "name": "PG",
                    "ssh_public_key": ssh_line(),
                    "signing_public_key": signing_b64(),
                },
            )
            off = service.disable_reseller(s, "toko-pg")
        with session_factory(engine)() as s:
            again = service.get_reseller(s, "toko-pg")
        assert again.disabled_at == off.disabled_at and again.disabled_at.tzinfo is not None
        assert not again.enabled
    finally:
        engine.dispose()
