"""The seeded hub of the web tests (two resellers, a user per role)."""

from tests.hub.web.conftest import fresh_hub, hub  # noqa: F401  (fixtures)
