"""schemathesis against /openapi.json, signed in as the owner: no request may cause a 5xx.

Bounded (few examples per operation, no shrinking) so the whole run stays well under 2 minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from hub.core.roles import Role
from tests.hub.web.webkit import seed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def owner_app(tmp_path_factory: pytest.TempPathFactory):
    hub = seed(Path(tmp_path_factory.mktemp("st")))
    client = hub.client(Role.OWNER)
    return hub.app, dict(client.cookies), client.headers["X-CSRF-Token"]


@pytest.fixture(scope="module")
def api_schema(owner_app):  # ANN201
    app, _, _ = owner_app
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors(api_schema, owner_app) -> None:
    _, cookies, csrf = owner_app
    failures: list[str] = []
    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case) -> None:
            if case.method == "PATCH" and "{user_id}" in case.path:
                case.path_parameters = {
                    **(case.path_parameters or {}),
                    "user_id": 999_999,
                }  # keep the owner
            try:
                response = case.call(headers={"X-CSRF-Token": csrf}, cookies=cookies)
            except Exception as exc:  # the app raised: a 500 for a real client
                failures.append(
                    f"{case.method} {case.formatted_path}: {type(exc).__name__}: {exc}"[:400]
                )
                return
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

        check()
    assert not failures, "\n".join(failures[:20])
