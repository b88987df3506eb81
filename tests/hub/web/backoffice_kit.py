"""A seeded hub with something on every back-office page, and a real path for every page route.

Built on :func:`tests.hub.web.webkit.seed` (two resellers, a user per role) plus the
products, price list and stock of the offers tests, master data made through the API,
and orders in several states made through the pages (placed, paid, packed, shipped,
cancelled). Used by the translation test and the benchmark.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hub.core.db import transaction
from hub.core.roles import Role
from hub.masterdata.registry import kinds
from hub.notifications.models import Contact
from hub.orders.models import Order
from hub.payments.models import TransferConfirmation
from hub.shipping.models import Region
from tests.hub.offers.test_pages import seed_offers
from tests.hub.orders.test_pages import PNG, place, proof_form
from tests.hub.web.webkit import Seeded, seed


def _confirm(hub: Seeded, oid: int) -> None:
    with hub.app.state.hub.session_factory() as s:
        order = s.get(Order, oid)
    r = hub.client(Role.RESELLER).post(
        f"/portal/orders/{oid}/payments",
        data=proof_form(order),
        files={"proof": ("bukti.png", PNG, "image/png")},
    )
    assert r.status_code == 200, r.text[-500:]
    with hub.app.state.hub.session_factory() as s:
        conf = s.scalars(
            select(TransferConfirmation.id).where(TransferConfirmation.order_id == oid)
        ).first()
    assert hub.client(Role.FINANCE).post(f"/payments/{conf}/confirm").status_code == 200


REGIONS = (("32", "Jawa Barat", 1), ("32.73", "Kota Bandung", 2), ("32.73.01", "Sukasari", 3))


def add_regions(hub: Seeded) -> None:
    """Three regions of Bandung (not all 90,000: tests that load them all use the button)."""
    with transaction(hub.app.state.hub.session_factory) as s:
        for kode, name, level in REGIONS:
            parent = kode.rsplit(".", 1)[0] if "." in kode else None
            s.add(
                Region(
                    kode=kode, name=name, name_norm=name.lower(), level=level, parent_kode=parent
                )
            )


def seed_backoffice(tmp: Path) -> Seeded:
    hub = seed(tmp)
    hub.offers = seed_offers(hub.app)  # type: ignore[attr-defined]
    add_regions(hub)
    owner = hub.client(Role.OWNER)
    for path, body in (
        ("/api/v1/warehouses", {"code": "BDG", "name": "Gudang Bandung", "region": "32.73"}),
        ("/api/v1/stock-receipts", {"warehouse": "BDG", "sku": "A", "quantity": 50}),
        (
            "/api/v1/contacts",
            {"reseller": "r1", "name": "Budi", "email": "budi@toko.test", "email_opt_in": True},
        ),
        (
            "/api/v1/stock-adjustments",
            {"warehouse": "BDG", "sku": "A", "quantity": -1, "reason": "damaged"},
        ),
        (
            "/api/v1/reseller-addresses",
            {"reseller": "r1", "label": "Toko", "region": "32.73.01", "is_default": True},
        ),
        ("/api/v1/reseller-groups", {"name": "Grosir Jawa"}),
        (
            "/api/v1/promotions",
            {
                "name": "Desember",
                "sku": "A",
                "percent_off": "5",
                "valid_from": "2026-12-01",
                "valid_until": "2026-12-31",
            },
        ),
    ):
        r = owner.post(path, json=body)
        assert r.status_code == 201, (path, r.text)
    r = owner.post("/resellers/new", data={"id": "pending-shop", "name": "Pending", "how": "code"})
    assert r.status_code == 303, r.text
    orders: dict[str, int] = {}
    orders["awaiting_payment"] = place(hub)
    orders["paid"] = place(hub)
    _confirm(hub, orders["paid"])
    orders["shipped"] = place(hub)
    _confirm(hub, orders["shipped"])
    stock = hub.client(Role.INVENTORY)
    assert stock.post(f"/fulfilment/{orders['shipped']}/pack").status_code == 200
    shipped = stock.post(
        f"/fulfilment/{orders['shipped']}/ship",
        data={"courier": "JNE", "service": "REG", "waybill": "JNE0001"},
    )
    assert shipped.status_code == 200
    orders["cancelled"] = place(hub)
    r = hub.client(Role.RESELLER).post(
        f"/api/v1/orders/{orders['cancelled']}/events/cancel", json={}
    )
    assert r.status_code == 200, r.text
    hub.orders = orders  # type: ignore[attr-defined]
    return hub


def _first_id(hub: Seeded, model: Any) -> int | None:
    with hub.app.state.hub.session_factory() as s:
        return s.scalars(select(model.id).order_by(model.id)).first()


def filled_paths(hub: Seeded) -> dict[str, list[str]]:
    """Route template → concrete paths to render (ids of records the seeded hub has)."""
    orders: dict[str, int] = getattr(hub, "orders", {})
    offers: dict[str, int] = getattr(hub, "offers", {})
    any_order = next(iter(orders.values()), 1)
    out: dict[str, list[str]] = {
        "/resellers/{reseller_id}": ["/resellers/r1"],
        "/data/{reseller_id}": ["/data/r1"],
        "/catalog/products/{product_id}": [f"/catalog/products/{offers.get('a', 1)}"],
        "/portal/orders/{order_id}": [f"/portal/orders/{oid}" for oid in orders.values()],
        "/portal/catalog/{product_id}": [f"/portal/catalog/{offers.get('a', 1)}"],
        "/orders/{order_id}": [f"/orders/{oid}" for oid in orders.values()],
    }
    out.setdefault("/orders/{order_id}", [f"/orders/{any_order}"])
    out["/resellers/{reseller_id}/profile"] = ["/resellers/r1/profile"]
    out["/notifications"] = ["/notifications?status=failed", "/notifications?status=pending"]
    out["/resellers/{enrolling_id}/enrolment"] = ["/resellers/pending-shop/enrolment"]
    contact = _first_id(hub, Contact)  # Budi, of r1: the portal's reseller admin sees him
    if contact is not None:
        out["/portal/contacts/{contact_id}"] = [f"/portal/contacts/{contact}"]
    for kind in kinds():
        row = _first_id(hub, kind.model)
        if row is not None:
            out[f"/{kind.slug}/{{row_id}}"] = [f"/{kind.slug}/{row}"]
    return out


def fill(template: str, hub: Seeded) -> str | None:
    """One concrete path for ``template``, or None when the hub has nothing to show there."""
    paths = filled_paths(hub).get(template)
    if paths:
        return paths[0]
    return None if re.search(r"\{\w+\}", template) else template
