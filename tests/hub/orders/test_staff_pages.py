"""Orders for staff: tabs by state, search and filters, an order's whole story, cancel with a
reason, mark delivered, bulk actions — from the pages, as staff use them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.roles import Role
from hub.inventory.models import StockItem
from hub.notifications.models import OutboxMessage
from hub.orders.models import Order
from tests.hub.web.backoffice_kit import seed_backoffice
from tests.hub.web.webkit import Seeded, english, last_audit


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed_backoffice(Path(tmp_path_factory.mktemp("staff-orders")))


def ids_on(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr id="order-(\d+)">', page)}


def test_tabs_by_state_with_counts_search_and_filters(hub: Seeded) -> None:
    orders = hub.orders  # type: ignore[attr-defined]
    ops = english(hub, Role.OPERATIONS)
    to_pay = ops.get("/orders").text
    assert orders["awaiting_payment"] in ids_on(to_pay) and orders["shipped"] not in ids_on(to_pay)
    assert re.search(
        r'id="tab-to_pay" class="active"[^>]*>To pay <span class="count">\d+</span>', to_pay
    )
    shipped = ops.get("/orders", params={"tab": "shipped"}).text
    assert ids_on(shipped) == {orders["shipped"]} and "JNE0001" in shipped
    cancelled = ops.get("/orders", params={"tab": "cancelled"}).text
    assert orders["cancelled"] in ids_on(cancelled)
    with hub.app.state.hub.session_factory() as s:
        invoice = s.get(Order, orders["paid"]).invoice_number
    found = ops.get("/orders", params={"tab": "all", "q": invoice}).text
    assert ids_on(found) == {orders["paid"]}
    assert ids_on(ops.get("/orders", params={"tab": "all", "q": f"#{orders['paid']}"}).text) == {
        orders["paid"]
    }
    assert ids_on(ops.get("/orders", params={"tab": "all", "reseller": "r2"}).text) == set()
    assert ids_on(ops.get("/orders", params={"tab": "all", "since": "2099-01-01"}).text) == set()
    bad = hub.client(Role.OPERATIONS).get("/orders", params={"since": "besok"})
    assert bad.status_code == 422 and "bukan tanggal" in bad.text and 'id="orders"' in bad.text
    assert hub.client(Role.FINANCE).get("/orders").status_code == 200
    assert hub.client(Role.RESELLER).get("/orders").status_code == 403


def test_the_detail_tells_the_whole_story(hub: Seeded) -> None:
    oid = hub.orders["shipped"]  # type: ignore[attr-defined]
    page = english(hub, Role.OPERATIONS).get(f"/orders/{oid}").text
    for shown in (
        'id="order-lines"',
        'id="confirmations"',
        f"/api/v1/orders/{oid}/invoice.pdf",
        'id="waybill">JNE0001<',
        'id="history"',
    ):
        assert shown in page, shown
    assert "request payment" in page and "pay full" in page and "request_payment" not in page
    assert 'id="deliver"' in page  # shipped: it can be marked delivered


def test_cancel_needs_a_reason_tells_the_reseller_and_gives_the_stock_back(hub: Seeded) -> None:
    from tests.hub.orders.test_pages import place

    oid = place(hub)
    ops = english(hub, Role.OPERATIONS)
    with hub.app.state.hub.session_factory() as s:
        reserved = s.get(StockItem, hub.offers["a"]).reserved  # type: ignore[attr-defined]
    no_reason = ops.post(f"/orders/{oid}/cancel", data={"reason": " "})
    assert no_reason.status_code == 409 and "say why the order is cancelled" in no_reason.text
    ok = ops.post(f"/orders/{oid}/cancel", data={"reason": "duplicate order"})
    assert ok.status_code == 303
    with hub.app.state.hub.session_factory() as s:
        order = s.get(Order, oid)
        assert order.state == "cancelled" and order.cancel_reason == "duplicate order"
        assert s.get(StockItem, hub.offers["a"]).reserved == reserved - 10  # type: ignore[attr-defined]
        told = s.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "order_cancelled")
        ).all()
    assert any(
        m.payload["order_id"] == str(oid) for m in told
    )  # the kit's contact Budi hears of it
    assert last_audit(hub).action == "order.cancel"
    assert 'id="cancel-reason">duplicate order<' in ops.get(f"/orders/{oid}").text


def test_mark_delivered_and_bulk_actions_report_each_order(hub: Seeded) -> None:
    from tests.hub.orders.test_pages import place
    from tests.hub.web.backoffice_kit import _confirm

    stock = english(hub, Role.INVENTORY)
    shipped = []
    for _ in range(2):
        oid = place(hub)
        _confirm(hub, oid)
        stock.post(f"/fulfilment/{oid}/pack")
        r = stock.post(f"/fulfilment/{oid}/ship", data={"courier": "JNE", "waybill": f"W{oid}"})
        assert r.status_code == 200, r.text[-300:]
        shipped.append(oid)
    unpaid = place(hub)
    r = stock.post(
        "/orders/bulk", data={"action": "deliver", "order": [*map(str, shipped), str(unpaid)]}
    )
    assert r.status_code == 200
    done = r.text.split('id="bulk-done"')[1].split("</p>")[0]
    assert all(f"#{oid}" in done for oid in shipped)
    assert f"#{unpaid}" in r.text.split('id="bulk-refused"')[1]
    with hub.app.state.hub.session_factory() as s:
        assert all(s.get(Order, oid).delivered_at is not None for oid in shipped)
        assert s.get(Order, unpaid).state == "awaiting_payment"
    csv = english(hub, Role.FINANCE).post(
        "/orders/bulk", data={"action": "csv", "order": [str(shipped[0])]}
    )
    assert (
        csv.headers["content-type"].startswith("text/csv")
        and f"\n{shipped[0]},r1,delivered," in csv.text
    )
    single = place(hub)
    assert (
        english(hub, Role.OPERATIONS).post(f"/orders/{single}/deliver").status_code == 409
    )  # not shipped
