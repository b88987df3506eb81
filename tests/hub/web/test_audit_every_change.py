"""Acceptance 3: every state-changing action of the back office writes exactly one audit row.

The table below performs each action once, in order, on one seeded hub and counts the
audit log before and after. A guard fails when a back-office module adds a POST, PATCH,
PUT or DELETE route that the table does not exercise, so new actions cannot escape it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.core.deps import iter_routes
from hub.core.roles import Role
from hub.notifications.models import OutboxMessage
from shared import keys as sk
from tests.hub.ingest.ingest_kit import ssh_line
from tests.hub.web.backoffice_kit import seed_backoffice
from tests.hub.web.webkit import Seeded, audit_count

MODULES = (
    "hub.masterdata.",
    "hub.catalog.admin_pages",
    "hub.shipping.admin_pages",
    "hub.inventory.pages",
    "hub.notifications.admin_pages",
    "hub.resellers.pages",
    "hub.resellers.routes",
    "hub.orders.staff_pages",
)
# Not one change each: /orders/bulk writes one row per order (tested in tests/hub/orders);
# the enrolment, a preview and the region load are counted in their own tests.
ELSEWHERE = {
    "/orders/bulk",
    "/api/v1/enrol",
    "/regions/load",
    "/rate-cards/upload",
    "/{kind}/import",
    "/api/v1/{kind}/import",
    "/{kind}/import/{upload}/apply",
    "/rate-cards/upload/{upload}/apply",
    "/resellers/{reseller_id}/mapping",  # needs a merged shop: the browser test applies one
}
SAMPLES = {
    "reseller-groups": ({"name": "Audit"}, {"description": "x"}),
    "price-lists": ({"name": "Audit"}, {"note": "x"}),
    "price-list-items": (
        {"price_list": "general", "sku": "B", "min_quantity": 7, "unit_price": "40"},
        {"unit_price": "41"},
    ),
    "promotions": (
        {
            "name": "Audit",
            "sku": "B",
            "percent_off": "5",
            "valid_from": "2026-01-01",
            "valid_until": "2026-01-31",
        },
        {"percent_off": "6"},
    ),
    "warehouses": ({"code": "AUD", "name": "Audit", "region": "32.73"}, {"name": "Audit 2"}),
    "reseller-addresses": (
        {"reseller": "r2", "label": "Audit", "region": "32.73.01"},
        {"phone": "0812"},
    ),
    "contacts": (
        {"reseller": "r2", "name": "Audit", "email": "a@b.test"},
        {"whatsapp": "0812 3333 4444"},
    ),
    "stock-receipts": ({"warehouse": "BDG", "sku": "B", "quantity": 3}, None),
    "stock-adjustments": (
        {"warehouse": "BDG", "sku": "B", "quantity": -1, "reason": "damaged"},
        None,
    ),
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed_backoffice(Path(tmp_path_factory.mktemp("audit-all")))


def one_row(hub: Seeded, call: Callable[..., Any], url: str, **kw: Any) -> Any:
    """``call(url, **kw)`` (a client's post/patch) succeeds and adds exactly one audit entry."""
    before = audit_count(hub)
    r = call(url, **kw)
    assert r.status_code < 400, (url, r.status_code, r.text[-300:])
    assert audit_count(hub) == before + 1, url
    return r


def test_every_master_data_change_writes_one_row(hub: Seeded) -> None:
    api, page = hub.client(Role.OWNER), hub.client(Role.OWNER)
    from hub.masterdata.registry import kinds

    assert {k.slug for k in kinds()} == set(SAMPLES)
    for kind in kinds():
        new, change = SAMPLES[kind.slug]
        base = f"/api/v1/{kind.slug}"
        made = one_row(hub, api.post, base, json=new).json()
        if change is not None:
            one_row(hub, api.patch, f"{base}/{made['id']}", json=change)
        if kind.has_active:
            one_row(hub, api.post, f"{base}/{made['id']}/deactivate")
            one_row(hub, page.post, f"/{kind.slug}/{made['id']}/active", data={"active": "true"})
        if kind.deletable:
            one_row(hub, page.post, f"/{kind.slug}/{made['id']}/delete")
        again = {k: ("yes" if v is True else str(v)) for k, v in new.items()}
        for field, more in (("name", " 2"), ("code", "2"), ("label", " 2")):
            if field in again:
                again[field] += more
        if kind.slug == "price-list-items":
            again["min_quantity"] = "9"
        one_row(hub, page.post, f"/{kind.slug}/new", data=again)


def test_every_other_back_office_change_writes_one_row(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    orders = hub.orders  # type: ignore[attr-defined]
    signing = sk.public_b64(sk.generate_signing_key())
    keys = {"id": "audit-keys", "name": "K", "how": "keys", "ssh_public_key": ssh_line()}
    steps: list[tuple[Callable[..., Any], str, dict[str, Any]]] = [
        (owner.post, "/resellers/new", {"data": {"id": "audit-shop", "name": "A", "how": "code"}}),
        (owner.post, "/resellers/audit-shop/enrolment", {}),
        (owner.post, "/resellers/new", {"data": {**keys, "signing_public_key": signing}}),
        (
            owner.post,
            "/resellers/r2/profile",
            {"data": {"name": "Dua", "timezone": "Asia/Jayapura"}},
        ),
        (owner.patch, "/api/v1/resellers/r2/profile", {"json": {"notes": "audit"}}),
        (owner.post, "/resellers/r2/enabled", {"data": {"enabled": "false"}}),
        (owner.post, "/api/v1/resellers/r2/enable", {}),
        (owner.post, "/api/v1/resellers/r2/disable", {}),
        (owner.post, "/resellers/r2/keys", {"data": {"signing_public_key": signing}}),
        (
            owner.post,
            "/stock/reorder-point",
            {"data": {"warehouse": "BDG", "sku": "A", "reorder_point": "4"}},
        ),
        (owner.post, f"/orders/{orders['awaiting_payment']}/cancel", {"data": {"reason": "audit"}}),
        (owner.post, f"/orders/{orders['shipped']}/deliver", {}),
        (
            owner.post,
            "/notifications/templates/order_placed/en",
            {"data": {"subject": "Order #{order_id}", "body": "Thanks: {invoice}"}},
        ),
    ]
    for call, url, kw in steps:
        one_row(hub, call, url, **kw)
    for url in ("/notifications/{id}/retry", "/api/v1/notifications/{id}/retry"):
        with hub.app.state.hub.session_factory() as s:
            message = s.scalars(select(OutboxMessage)).first()
            assert message is not None
            message.status = "failed"
            s.commit()
            mid = message.id
        one_row(hub, owner.post, url.format(id=mid))


def _template(path: str) -> str:
    from hub.masterdata.registry import kinds

    for kind in kinds():
        path = path.replace(f"/{kind.slug}", "/{kind}")
    return re.sub(r"\{row_id\}", "{id}", path)


def test_no_back_office_change_escapes_the_tables_above(hub: Seeded) -> None:
    exercised = {
        "/api/v1/{kind}",
        "/api/v1/{kind}/{id}",
        "/{kind}/{id}",
        "/api/v1/{kind}/{id}/deactivate",
        "/api/v1/{kind}/{id}/activate",
        "/{kind}/{id}/active",
        "/{kind}/{id}/delete",
        "/{kind}/new",
        "/resellers/new",
        "/resellers/{enrolling_id}/enrolment",
        "/resellers/{reseller_id}/profile",
        "/api/v1/resellers/{reseller_id}/profile",
        "/resellers/{reseller_id}/enabled",
        "/api/v1/resellers/{reseller_id}/enable",
        "/api/v1/resellers/{reseller_id}/disable",
        "/resellers/{reseller_id}/keys",
        "/stock/reorder-point",
        "/orders/{order_id}/cancel",
        "/orders/{order_id}/deliver",
        "/notifications/templates/{template}/{locale}",
        "/notifications/{message_id}/retry",
        "/api/v1/notifications/{message_id}/retry",
    }
    missing = []
    for route in iter_routes(hub.app.routes):
        methods = set(getattr(route, "methods", None) or ()) & {"POST", "PATCH", "PUT", "DELETE"}
        module = getattr(getattr(route, "endpoint", None), "__module__", "")
        if methods and module.startswith(MODULES):
            path = _template(route.path)
            if path not in exercised and path not in ELSEWHERE:
                missing.append(f"{sorted(methods)} {route.path}")
    assert not missing, "changes not checked for their audit row:\n" + "\n".join(missing)
