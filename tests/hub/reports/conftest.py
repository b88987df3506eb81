from __future__ import annotations

from tests.hub.orders.conftest import hub, pg_hub

__all__ = ["hub", "pg_hub"]
