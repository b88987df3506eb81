"""Issue #18's findings on access, each a test that failed before its fix:

* ``synchub reseller disable`` stopped SFTP only: the reseller's API token still placed an
  order (201, stock reserved) and its users still signed in;
* a deactivated user's API tokens kept working;
* a password change did not end the user's other sessions;
* a session signed in with a temporary password could use the API and place orders;
* one successful sign-in reset the per-address failure count (password spraying), and anyone
  could lock a known username for 15 minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.core.security import digest
from hub.inventory import service as stock
from hub.resellers.service import disable_reseller, enable_reseller
from tests.hub.web.webkit import PASSWORD, Seeded, login_form, seed

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Seeded]:
    h = seed(tmp_path, api_token_cache_seconds=60)
    with transaction(h.app.state.hub.session_factory) as s:
        p = Product(sku="SSD-1", name="SSD", list_price=Decimal(1000), weight_kg=Decimal(1))
        s.add(p)
        s.flush()
        pl = PriceList(name="r1 list", reseller_id="r1", active=True)
        s.add(pl)
        s.flush()
        s.add(PriceListItem(price_list_id=pl.id, product_id=p.id, unit_price=Decimal(900)))
        stock.receive(s, p.id, 50)
    yield h


def _order(client: TestClient):  # ANN201
    return client.post("/api/v1/orders", json={"lines": [{"sku": "SSD-1", "quantity": 1}]})


def _signed_in(hub: Seeded, username: str, ip: str = "10.0.0.1") -> TestClient:
    client = TestClient(hub.app, follow_redirects=False, client=(ip, 50000))
    client.headers["Accept-Language"] = "en"
    assert login_form(client, username).status_code == 303
    _csrf(client)
    return client


def _csrf(client: TestClient) -> None:
    """The session's CSRF token, as a page hands it to htmx, for the API calls that follow."""
    page = client.get("/account").text
    client.headers["X-CSRF-Token"] = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_disabling_a_reseller_ends_its_tokens_and_sessions_at_once(hub: Seeded) -> None:
    token = hub.token_client("r1")
    user = _signed_in(hub, "reseller-r1")
    # another web process of the same hub, whose token cache still remembers the token
    other = TestClient(create_app(hub.app.state.hub.settings), follow_redirects=False)
    other.headers.update(token.headers)
    assert _order(token).status_code == 201
    me = other.get("/api/v1/me").json()
    remembered = Principal(Role(me["role"]), reseller_id="r1", token_id=me["token_id"])
    assert user.get("/api/v1/me").status_code == 200

    with transaction(hub.app.state.hub.session_factory) as s:  # what `synchub reseller ...` runs
        disable_reseller(s, "r1")  # what `synchub reseller disable r1` runs

    assert token.get("/api/v1/me").status_code == 401  # this process forgot the token at once
    assert user.get("/api/v1/me").status_code == 401  # the user's session ended
    # A web process that has not heard of it yet (another process: within its cache's
    # lifetime) still remembers the token; the order checks the reseller in its transaction.
    cache = other.app.state.hub.authenticator.tokens  # type: ignore[attr-defined]
    cache.put(digest(token.headers["Authorization"].split()[1]), remembered)
    assert other.get("/api/v1/me").status_code == 200
    refused = _order(other)
    assert refused.status_code == 403 and refused.json()["message"] == "reseller r1 is disabled"
    assert login_form(TestClient(hub.app, follow_redirects=False), "reseller-r1").status_code != 303
    with transaction(hub.app.state.hub.session_factory) as s:  # what `synchub reseller ...` runs
        enable_reseller(s, "r1")
    assert _order(token).status_code == 201  # enabled again: the same token works again


def test_a_deactivated_users_sessions_and_issued_tokens_end(hub: Seeded) -> None:
    admin = _signed_in(hub, "reseller_admin-r1")
    issued = admin.post("/api/v1/tokens", json={"name": "shop system"})
    assert issued.status_code == 201
    shop = TestClient(hub.app, headers={"Authorization": f"Bearer {issued.json()['token']}"})
    assert shop.get("/api/v1/me").status_code == 200
    owner = hub.client(Role.OWNER)
    target = hub.users["reseller_admin-r1"].id
    assert owner.patch(f"/api/v1/users/{target}", json={"active": False}).status_code == 200
    assert admin.get("/api/v1/me").status_code == 401
    assert shop.get("/api/v1/me").status_code == 401


def test_a_password_change_ends_the_users_other_sessions(hub: Seeded) -> None:
    laptop, phone = _signed_in(hub, "finance"), _signed_in(hub, "finance", "10.0.0.2")
    changed = laptop.post("/api/v1/me/password", json={"current": PASSWORD, "new": NEW_PASSWORD})
    assert changed.status_code == 204
    assert laptop.get("/api/v1/me").status_code == 200  # the session that changed it stays
    assert phone.get("/api/v1/me").status_code == 401  # every other one ended


def test_a_temporary_password_allows_only_its_change(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    uid = hub.users["reseller-r1"].id
    temporary = owner.post(f"/api/v1/users/{uid}/reset-password").json()["temporary_password"]
    client = TestClient(hub.app, follow_redirects=False)
    client.headers["Accept-Language"] = "en"
    assert login_form(client, "reseller-r1", temporary).headers["location"] == "/account"
    _csrf(client)
    refused = _order(client)
    assert refused.status_code == 403 and refused.json()["error"] == "PasswordChangeRequired"
    assert client.get("/api/v1/orders").status_code == 403
    assert client.get("/portal").headers["location"] == "/account"  # a page: to the form
    assert client.get("/api/v1/me").json()["username"] == "reseller-r1"
    r = client.post("/api/v1/me/password", json={"current": temporary, "new": NEW_PASSWORD})
    assert r.status_code == 204
    assert _order(client).status_code == 201


def _fail(hub: Seeded, username: str, ip: str, times: int = 1) -> int:
    client = TestClient(hub.app, follow_redirects=False, client=(ip, 50000))
    codes = [login_form(client, username, "a wrong password").status_code for _ in range(times)]
    return codes[-1]


def _sign_in(hub: Seeded, username: str, ip: str) -> int:
    client = TestClient(hub.app, follow_redirects=False, client=(ip, 50000))
    return login_form(client, username).status_code


def test_a_stranger_cannot_lock_the_owner_out(tmp_path: Path) -> None:
    hub = seed(tmp_path, login_max_failures=3, login_account_max_failures=6)
    assert _sign_in(hub, "owner", "10.0.0.9") == 303  # the owner's own machine
    assert _fail(hub, "owner", "203.0.113.5", times=3) == 401
    assert _sign_in(hub, "owner", "203.0.113.5") == 429  # the guesser locked himself out
    assert _sign_in(hub, "owner", "10.0.0.9") == 303  # not the owner
    for n in range(4):  # guesses spread over machines: the account closes to unknown addresses
        _fail(hub, "owner", f"198.51.100.{n}", times=2)
    assert _sign_in(hub, "owner", "198.51.100.99") == 429
    assert _sign_in(hub, "owner", "10.0.0.9") == 303  # its own address still signs in


def test_a_success_does_not_reset_the_address_count(tmp_path: Path) -> None:
    hub = seed(tmp_path, login_ip_max_failures=5)
    spray = "192.0.2.7"
    for name in ("finance", "marketing", "inventory"):
        _fail(hub, name, spray)
    assert _sign_in(hub, "reseller-r2", spray) == 303  # the sprayer's own account
    for name in ("repair", "operations"):
        _fail(hub, name, spray)
    assert _sign_in(hub, "owner", spray) == 429  # 5 failures from this address, success or not
    assert _sign_in(hub, "owner", "10.0.0.1") == 303
