"""The README's first command: the demo pushes real snapshots, merges them, and leaves a hub
that is ready to sell, every capability with data made through its own services.

One ``synchub demo --no-serve`` run (session fixture ``demo_run``) is read twice: its output
as the user sees it, and its hub through the HTTP API, signed in with the printed logins.
"""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from decimal import Decimal
from fnmatch import fnmatch

import pytest
from fastapi.testclient import TestClient

from hub.core.db import utcnow
from hub.core.roles import STAFF, Role
from hub.demo.localize import NORTHWIND_REVENUE, RUPIAH_PER_DOLLAR
from hub.demo.steps import steps
from hub.demo.steps.contacts import MISTYPED
from hub.periods.calendar import Period
from tests.integration.demokit import DemoRun, signed_in

ORDER_STATES = ("awaiting_payment", "paid", "packed", "shipped", "delivered", "expired")


def test_demo_pushes_and_merges_northwind_in_rupiah(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.stdout + demo_run.stderr
    out = demo_run.stdout
    assert "registered 3; 3 applied" in out and "1 applied, 1 quarantined" in out
    # Both full-range shops arrive complete: Northwind's revenue, in Rupiah, grouped the Indonesian way.
    rupiah = f"{(NORTHWIND_REVENUE * RUPIAH_PER_DOLLAR).quantize(Decimal(1)):,}".replace(",", ".")
    assert out.count(f"revenue Σ UnitPrice·Quantity·(1−Discount) = Rp {rupiah}") == 2
    assert "Order_Details            2155 rows" in out
    # A day later the SQLite shop's agent pushes again: the hub keeps both versions of product #1.
    assert (
        "Products #1 Chai: price 270000, stock 39" in out
        and "Products #1 Chai: price 285000, stock 32" in out
    )
    assert "Traceback" not in demo_run.stderr


def test_demo_prints_a_login_per_role_with_what_to_try(demo_run: DemoRun) -> None:
    roles = Counter(x.role for x in demo_run.logins)
    assert {r.value for r in STAFF} <= set(roles), roles
    assert roles[Role.RESELLER_ADMIN.value] == 3
    assert (
        demo_run.stdout.count("      coba: ")
        == demo_run.stdout.count("      try:  ")
        == len(demo_run.logins)
    )


@pytest.fixture(scope="module")
def api(demo_run: DemoRun):  # type: ignore[no-untyped-def]
    assert demo_run.returncode == 0, demo_run.stdout + demo_run.stderr
    app = demo_run.app()

    def client(role: str, reseller_id: str | None = None) -> TestClient:
        return signed_in(app, demo_run.login(role, reseller_id))

    return client


def test_every_capability_has_data_through_the_api(api, demo_run: DemoRun) -> None:  # type: ignore[no-untyped-def]
    ops, owner = api("operations"), api("owner")
    # Sync: three resellers applied, one snapshot quarantined with a reason a person reads.
    quarantined = ops.get("/api/v1/snapshots", params={"status": "quarantined"}).json()["data"]
    assert len(quarantined) == 1 and "signature" in quarantined[0]["reason"]
    # Offers: the nightly run found every kind; some published, the rest waiting for review.
    offers = ops.get("/api/v1/offers").json()["data"]
    kinds = Counter(o["kind"] for o in offers)
    assert all(kinds[k] > 0 for k in ("replenishment", "range", "clearance")), kinds
    status = Counter(o["status"] for o in offers)
    assert status["draft"] > 0 and status["published"] + status["accepted"] > 0, status
    # Orders in every state.
    for state in ORDER_STATES:
        found = ops.get("/api/v1/orders", params={"state": state}).json()["data"]
        assert found, f"no {state} order"
    # One transfer proof waits for finance.
    assert api("finance").get("/api/v1/payments/queue").json()["count"] == 1
    # Catalog imported and matched; a suggestion left for review; stock for every product.
    products = ops.get("/api/v1/catalog/products", params={"limit": 500}).json()
    assert products["count"] == 77
    assert ops.get("/api/v1/catalog/matching/queue").json()["count"] > 0
    stock = api("inventory").get("/api/v1/inventory").json()["data"]
    assert len(stock) == 77 and all(i["on_hand"] > 0 for i in stock)
    # Pricing: a group price with a promotion for a reseller of the group.
    promoted = next(p for p in products["data"] if p["sku"] == "NW-0043")
    quote = ops.get(f"/api/v1/catalog/prices/toko-maju/{promoted['id']}").json()
    assert quote["promotion_id"] and Decimal(quote["unit_price"]) < Decimal(quote["base_price"])
    # Shipping: regions, the warehouse and the rate card give a JNE fee to each reseller's city.
    fee = ops.post(
        "/api/v1/shipping/quote",
        json={"origin": "JKT", "destination": "31.74", "items": [{"weight": "2.5"}]},
    ).json()
    assert {o["courier"] for o in fee["data"]} == {"JNE"} and fee["count"] == 3
    # Purchasing: a supplier, a received order, an awaited one, a booked invoice.
    buyer = api("purchasing")
    pos = Counter(po["state"] for po in buyer.get("/api/v1/purchasing/orders").json()["data"])
    assert pos["received"] == 1 and pos["sent"] == 1, pos
    invoices = buyer.get("/api/v1/purchasing/invoices").json()["data"]
    assert invoices and Decimal(invoices[0]["paid"]) > 0
    # Warranty: a claim per reseller on its delivered serialised unit, at each desk step.
    claims = api("repair").get("/api/v1/warranty/claims").json()["data"]
    assert sorted(c["state"] for c in claims) == ["inspected", "received", "submitted"]
    # Customer care: a ticket per reseller: resolved and rated, answered, open.
    tickets = api("repair").get("/api/v1/care/tickets").json()["data"]
    assert sorted(t["state"] for t in tickets) == ["open", "resolved", "waiting"]
    month = Period.containing(utcnow()).key  # the demo rated its ticket just now (WIB month)
    csat = owner.get("/api/v1/care/csat", params={"period": month}).json()
    assert csat["total"]["responses"] == 1 and csat["total"]["csat"] == "100"
    # People: a user per printed login.
    users = {u["username"] for u in owner.get("/api/v1/users").json()["data"]}
    assert {x.username for x in demo_run.logins} <= users


def test_the_back_office_shows_contacts_outbox_and_stock_logs(api, demo_run: DemoRun) -> None:  # type: ignore[no-untyped-def]
    ops = api("operations")
    # Contacts are people with an opt-in per channel; a number on file without it gets nothing.
    contacts = ops.get("/api/v1/contacts", params={"limit": 500}).json()["data"]
    assert {c["reseller"] for c in contacts} == {"toko-maju", "cv-sinar", "ud-berkah"}
    assert any(c["whatsapp"] and not c["whatsapp_opt_in"] for c in contacts)

    # The outbox: e-mails delivered to the demo's mail server, the mistyped one failed with the
    # server's refusal, WhatsApp waiting (no provider in the demo).
    def outbox(status: str) -> list[dict]:
        got = ops.get("/api/v1/notifications", params={"status": status, "limit": 500})
        return got.json()["data"]

    sent, failed, pending = outbox("sent"), outbox("failed"), outbox("pending")
    assert sent and {m["channel"] for m in sent} == {"email"}
    assert failed and {m["recipient"] for m in failed} == {MISTYPED}
    assert all("550" in m["last_error"] for m in failed), failed[0]["last_error"]
    assert pending and {m["channel"] for m in pending} == {"whatsapp"}
    opted_out = {c["whatsapp"] for c in contacts if not c["whatsapp_opt_in"]}
    assert not opted_out & {m["recipient"] for m in pending}
    # ... and what the mail server accepted is on disk, one .eml per message and recipient.
    kept = list((demo_run.home / "mailbox").rglob("*.eml"))
    assert len(kept) == len(sent)
    assert any("sales@northwind.example" in str(p) for p in kept)  # the PO's PDF to the supplier
    # Stock logs: what the purchase order brought (a receipt per product), a return received
    # without a purchase order, a write-off after the count.
    store = api("inventory")
    receipts = store.get("/api/v1/stock-receipts", params={"limit": 500}).json()["data"]
    assert Counter(r["reason"] for r in receipts) == {"purchase": 77, "return": 1}
    assert [r["quantity"] for r in receipts if r["reason"] == "return"] == [2]
    adjustments = store.get("/api/v1/stock-adjustments").json()["data"]
    assert [(a["reason"], a["quantity"]) for a in adjustments] == [("damaged", -3)]


def test_a_campaign_reached_who_agreed_and_one_opted_out(api, demo_run: DemoRun) -> None:  # type: ignore[no-untyped-def]
    marketing = api("marketing")
    campaigns = {c["status"]: c for c in marketing.get("/api/v1/campaigns").json()}
    assert set(campaigns) == {"sending", "scheduled"}, campaigns
    promo = campaigns["sending"]
    assert promo["source"] == "promotion" and promo["counts"]["sent"] > 0, promo
    people = marketing.get(f"/api/v1/campaigns/{promo['id']}/recipients").json()
    by_status = Counter((r["channel"], r["status"]) for r in people)
    # Only contacts who take promotions; e-mail went out, WhatsApp waits (no provider in the
    # demo), and whoever did not agree on a channel was skipped with that reason.
    assert {r["contact"] for r in people} == {"Hendra Gunawan", "Sari Wulandari", "Dewi Lestari"}
    assert by_status[("email", "sent")] == 2 and by_status[("whatsapp", "queued")] == 2
    assert {r["reason"] for r in people if r["status"] == "skipped"} <= {
        "no_consent",
        "no_address",
    }
    # Sari pressed the opt-out link of the e-mail she received: she takes no more e-mail.
    contacts = api("operations").get("/api/v1/contacts", params={"q": "Sari"}).json()["data"]
    assert [c["email_opt_in"] for c in contacts] == [False]
    assert campaigns["scheduled"]["scheduled_at"] and campaigns["scheduled"]["source"] == "offers"


def test_last_month_is_closed_with_its_report_and_its_pack_mailed(api, demo_run: DemoRun) -> None:  # type: ignore[no-untyped-def]
    finance = api("finance")
    last = Period.containing(utcnow()).previous().key
    month = finance.get("/api/v1/periods", params={"count": 1}).json()["data"][0]
    assert (month["month"], month["state"], month["closed_by"]) == (last, "closed", "keuangan")
    # Its sales report: the figures frozen at the close, the two orders placed that month.
    sales = finance.get("/api/v1/reports/sales", params={"period": last}).json()
    assert sales["frozen"] == 1, sales["frozen"]
    by_reseller = sales["sections"][0]
    assert {row[-1] for row in by_reseller["rows"]} == {"toko-maju", "cv-sinar"}
    assert by_reseller["total"][1] == 2
    # The month's pack reached each subscriber's mailbox, the PDF attached.
    for reader in ("direktur", "operasional", "keuangan"):
        box = demo_run.home / "mailbox" / f"{reader}@distributor.example"
        attached = {
            part.get_filename()
            for path in box.glob("*.eml")
            for part in email.message_from_bytes(
                path.read_bytes(), policy=email.policy.default
            ).iter_attachments()
        }
        assert f"synchub-{last}-id.pdf" in attached, (reader, attached)


def test_the_portal_has_carts_and_an_order_asking_a_down_payment(api) -> None:  # type: ignore[no-untyped-def]
    # ud-berkah checked out its cart: the order asks the group's 30 % down payment first.
    berkah = api("reseller_admin", "ud-berkah")
    waiting = berkah.get("/api/v1/orders", params={"state": "awaiting_payment"}).json()["data"]
    placed = [o for o in waiting if o["source"] == "cart"]
    assert len(placed) == 1, waiting
    order = placed[0]
    # The API's order has no down payment field yet: the checkout's audit row says it.
    asked = api("owner").get("/api/v1/audit", params={"action": "order.down_payment"}).json()
    [entry] = asked["data"]
    share = (Decimal(order["total"]) * Decimal("0.3")).quantize(Decimal(1))
    after = entry["after"]
    assert entry["entity_id"] == str(order["id"]), entry
    assert (Decimal(after["percent"]), Decimal(after["amount"])) == (30, share), entry
    # Each reseller has a cart (a draft order from the portal): toko-maju's "order again",
    # ud-berkah's next week's from its template, cv-sinar's for later.
    drafts = api("operations").get("/api/v1/orders", params={"state": "draft"}).json()["data"]
    carts = sorted(c["reseller_id"] for c in drafts if c["source"] == "cart")
    assert carts == ["cv-sinar", "toko-maju", "ud-berkah"], carts
    # A reseller sees only its own cart.
    own = berkah.get("/api/v1/orders", params={"state": "draft"}).json()["data"]
    assert {c["reseller_id"] for c in own} == {"ud-berkah"}


# Every action the demo takes is audited by the service that did it (nothing written around
# the services), under the people the step acts as ("system": the hub itself, as at first
# start). Per step: (who, as patterns; {action: least number of entries by them}).
AUDITED: dict[str, tuple[set[str], dict[str, int]]] = {
    # the owner is made by the hub itself, like `synchub user add`
    "people": ({"system", "direktur"}, {"user.create": 9}),
    "shipping": (
        {"system", "operasional"},
        {
            "regions.load": 1,
            "warehouse.create": 1,
            "rate_card.import": 1,
            "reseller_address.create": 3,
            "territory.assign": 3,
        },
    ),
    "contacts": ({"pemasaran"}, {"contact.create": 6}),
    "catalog": ({"system", "operasional"}, {"catalog.import": 1, "match.link": 1}),
    "pricing": (
        {"operasional"},
        {"reseller_group.create": 1, "price_list.create": 2, "promotion.create": 1},
    ),
    "purchasing": (
        {"pembelian", "direktur", "gudang", "keuangan"},
        {
            "supplier.create": 1,
            "purchase_order.approve": 2,
            "purchase_order.send": 2,
            "receipt.post": 1,
            "supplier_invoice.register": 1,
        },
    ),
    "stock": ({"gudang"}, {"stock_receipt.create": 1, "stock_adjustment.create": 1}),
    "offers": ({"operasional"}, {"offer.approve": 1, "offer.publish": 1}),
    "orders": (
        {"admin-toko-maju", "admin-cv-sinar", "admin-ud-berkah", "keuangan", "gudang", "system"},
        {
            "order.create": 8,
            "order.place": 8,
            "payment.submit": 7,
            "payment.confirm": 6,
            "order.pay_full": 6,
            "order.pack": 5,
            "order.ship": 4,
            "order.deliver": 3,
            "order.expire": 1,
        },
    ),
    "warranty": (
        {"admin-toko-maju", "admin-cv-sinar", "admin-ud-berkah", "servis"},
        {"warranty.file": 3, "warranty.receive": 2, "warranty.inspect": 1},
    ),
    "portal": (
        {"keuangan", "admin-toko-maju", "admin-cv-sinar", "admin-ud-berkah"},
        {
            "down_payment.set": 1,
            "user.profile": 3,
            "reseller_address.create": 1,
            "order.down_payment": 1,
        },
    ),
    "campaigns": (
        {"pemasaran", "contact:* (opt-out link)"},
        {"campaign.create": 2, "campaign.send": 2, "contact.opt_out": 1},
    ),
    "care": (
        {"admin-toko-maju", "admin-cv-sinar", "admin-ud-berkah", "servis", "operasional"},
        {
            "care.open": 3,
            "care.assign": 2,
            "care.reply": 2,
            "care.note": 1,
            "care.resolve": 1,
            "care.survey": 1,
        },
    ),
    "reports": (
        {"admin-toko-maju", "admin-cv-sinar", "keuangan", "direktur", "operasional"},
        {"reports.subscribe": 3, "period.close": 1},
    ),
}
# Steps that change nothing a person owns: the delivery job sends what the others queued.
NOT_AUDITED = {"notifications"}


def test_every_demo_step_has_its_audit_check() -> None:
    assert set(AUDITED) | NOT_AUDITED == {name for name, _ in steps()}


@pytest.mark.parametrize("step", list(AUDITED))
def test_the_audit_log_holds_each_action_of_the_step(api, step: str) -> None:  # type: ignore[no-untyped-def]
    owner = api("owner")
    people, actions = AUDITED[step]
    problems = {}
    for action, least in actions.items():
        found = owner.get("/api/v1/audit", params={"action": action, "limit": 1000}).json()
        actors = [e["actor"] for e in found["data"]]
        # another step may do the same action as other people (a reseller adds an address too)
        by_them = [a for a in actors if any(fnmatch(a, p) for p in people)]
        if len(by_them) < least:
            problems[action] = (len(by_them), sorted(set(actors)))
    assert not problems, f"{step}: (entries by its people, all actors) short: {problems}"
