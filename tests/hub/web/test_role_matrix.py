"""Role × route matrix over EVERY route of create_app(): declared, enforced, and reseller-scoped.

Routes added later by other capabilities are covered automatically: each must
declare its roles (``require``/``public``), and the declaration is then tested
by calling the route as every role and as an anonymous visitor.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.care import service as care
from hub.care.models import Ticket
from hub.care.schemas import TicketCreate
from hub.core.db import transaction, utcnow
from hub.core.deps import PUBLIC, declared_access, iter_routes
from hub.core.roles import EVERYONE, RESELLER_ROLES, STAFF, Principal, Role
from hub.users.models import ApiToken
from tests.hub.web.webkit import Seeded

OWNER = frozenset({Role.OWNER})
OPS = frozenset({Role.OWNER, Role.OPERATIONS})
USER_ADMINS = frozenset({Role.OWNER, Role.RESELLER_ADMIN})
BUYERS = frozenset({Role.OWNER, Role.PURCHASING})
PAYABLES = frozenset({Role.OWNER, Role.FINANCE})
CARE = frozenset({Role.OWNER, Role.OPERATIONS, Role.MARKETING, Role.REPAIR})
# Sensitive routes whose declaration is pinned here (a change must be deliberate).
EXPECTED = {
    ("GET", "/audit"): OWNER,
    ("GET", "/api/v1/audit"): OWNER,
    # user administration: the owner everyone, a reseller admin its own reseller's users (scoped in the service)
    ("GET", "/users"): USER_ADMINS,
    ("POST", "/users"): USER_ADMINS,
    ("GET", "/api/v1/users"): USER_ADMINS,
    ("POST", "/users/{user_id}/reset"): USER_ADMINS,
    ("POST", "/users/{user_id}/active"): USER_ADMINS,
    ("POST", "/api/v1/users"): USER_ADMINS,
    ("PATCH", "/api/v1/users/{user_id}"): USER_ADMINS,
    ("POST", "/api/v1/users/{user_id}/reset-password"): USER_ADMINS,
    ("GET", "/dashboard"): STAFF,
    ("GET", "/quarantine"): OPS,
    ("POST", "/quarantine/{snapshot_id}/retry"): OPS,
    ("GET", "/api/v1/quarantine"): OPS,
    ("POST", "/api/v1/quarantine/{snapshot_id}/retry"): OPS,
    ("GET", "/api/v1/resellers"): STAFF,
    ("GET", "/portal"): RESELLER_ROLES,
    ("GET", "/api/v1/resellers/{reseller_id}/datasets"): EVERYONE,
    ("GET", "/api/v1/snapshots"): EVERYONE,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    # catalog and offer pages: marketing reads, owner and operations decide, resellers see their offers
    ("GET", "/catalog"): OPS | {Role.MARKETING},
    ("GET", "/catalog/products/{product_id}"): OPS | {Role.MARKETING},
    ("GET", "/catalog/import"): OPS,
    ("POST", "/catalog/import"): OPS,
    ("POST", "/catalog/import/{upload}/apply"): OPS,
    ("GET", "/catalog/matching"): OPS,
    ("POST", "/catalog/matching/link"): OPS,
    ("POST", "/catalog/matching/{suggestion_id}/{decision}"): OPS,
    ("GET", "/offers"): OPS | {Role.MARKETING},
    ("GET", "/offers/conversion"): OPS | {Role.MARKETING},
    ("POST", "/offers/decide"): OPS,
    ("POST", "/offers/publish"): OPS,
    ("POST", "/offers/{offer_id}/quantity"): OPS,
    ("GET", "/portal/offers"): RESELLER_ROLES,
    ("POST", "/portal/offers/{offer_id}/order"): RESELLER_ROLES,
    # order, payment and shipping pages: resellers their orders, finance the transfers, the warehouse shipping
    ("GET", "/portal/orders"): RESELLER_ROLES,
    ("POST", "/portal/orders"): RESELLER_ROLES,
    ("POST", "/portal/orders/csv"): RESELLER_ROLES,
    ("GET", "/portal/orders/{order_id}"): RESELLER_ROLES,
    ("POST", "/portal/cart/reorder/{order_id}"): RESELLER_ROLES,
    ("POST", "/portal/orders/{order_id}/cancel"): RESELLER_ROLES,
    ("POST", "/portal/orders/{order_id}/received"): RESELLER_ROLES,
    ("GET", "/portal/catalog"): RESELLER_ROLES,
    ("GET", "/portal/cart"): RESELLER_ROLES,
    ("POST", "/portal/checkout"): RESELLER_ROLES,
    ("GET", "/portal/addresses"): RESELLER_ROLES,
    ("GET", "/portal/statement"): RESELLER_ROLES,
    ("GET", "/portal/statement/monthly"): RESELLER_ROLES,
    ("GET", "/down-payments"): frozenset({Role.OWNER, Role.FINANCE}),
    ("POST", "/api/v1/catalog/products/{product_id}/photos"): frozenset(
        {Role.OWNER, Role.OPERATIONS}
    ),
    ("GET", "/media/products/{name}"): EVERYONE,
    ("POST", "/down-payments/{group_id}"): frozenset({Role.OWNER, Role.FINANCE}),
    ("POST", "/portal/addresses"): RESELLER_ROLES,
    ("POST", "/portal/addresses/{address_id}/remove"): RESELLER_ROLES,
    ("GET", "/password/forgot"): PUBLIC,
    ("POST", "/password/forgot"): PUBLIC,
    ("GET", "/password/reset/{token}"): PUBLIC,
    ("POST", "/password/reset/{token}"): PUBLIC,
    ("GET", "/account/profile"): EVERYONE,
    ("POST", "/account/profile"): EVERYONE,
    ("POST", "/portal/orders/{order_id}/payments"): RESELLER_ROLES,
    ("GET", "/payments"): OWNER | {Role.FINANCE},
    ("POST", "/payments/{confirmation_id}/confirm"): OWNER | {Role.FINANCE},
    ("POST", "/payments/{confirmation_id}/reject"): OWNER | {Role.FINANCE},
    ("GET", "/fulfilment"): OPS | {Role.INVENTORY},
    ("POST", "/fulfilment/{order_id}/pack"): OPS | {Role.INVENTORY},
    ("POST", "/fulfilment/{order_id}/ship"): OPS | {Role.INVENTORY},
    # purchasing: supplier costs and payables never reach a reseller
    ("GET", "/api/v1/purchasing/suppliers"): BUYERS
    | {Role.INVENTORY, Role.FINANCE, Role.OPERATIONS},
    ("POST", "/api/v1/purchasing/suppliers"): BUYERS,
    ("PUT", "/api/v1/purchasing/suppliers/{supplier_id}/products"): BUYERS,
    ("POST", "/api/v1/purchasing/orders/{po_id}/events/{event}"): BUYERS,
    ("POST", "/api/v1/purchasing/orders/{po_id}/receipts"): BUYERS | {Role.INVENTORY},
    ("GET", "/api/v1/purchasing/invoices"): PAYABLES | {Role.PURCHASING},
    ("POST", "/api/v1/purchasing/invoices/{invoice_id}/payments"): PAYABLES,
    ("GET", "/api/v1/purchasing/valuation"): PAYABLES | {Role.PURCHASING},
    ("POST", "/api/v1/purchasing/reorder/orders"): BUYERS,
    # warranty: resellers file and follow their own claims; the repair desk moves them
    ("POST", "/api/v1/warranty/claims"): RESELLER_ROLES,
    ("GET", "/api/v1/warranty/claims/{claim_id}"): EVERYONE,
    ("POST", "/api/v1/warranty/claims/{claim_id}/events/{event}"): RESELLER_ROLES
    | {Role.OWNER, Role.REPAIR},
    ("GET", "/api/v1/warranty/supplier-claims"): frozenset(
        {Role.OWNER, Role.REPAIR, Role.PURCHASING}
    ),
    ("GET", "/portal/warranty"): RESELLER_ROLES,
    ("POST", "/warranty/claims/{claim_id}/events/{event}"): frozenset({Role.OWNER, Role.REPAIR}),
    ("GET", "/shipping/calculator"): EVERYONE,
    # customer care: resellers their own tickets; care staff (owner, operations, marketing,
    # repair technicians) the desk; finance, inventory and purchasing are not care staff
    ("GET", "/api/v1/care/tickets"): CARE | RESELLER_ROLES,
    ("POST", "/api/v1/care/tickets"): CARE | RESELLER_ROLES,
    ("GET", "/api/v1/care/tickets/{ticket_id}"): CARE | RESELLER_ROLES,
    ("POST", "/api/v1/care/tickets/{ticket_id}/replies"): CARE | RESELLER_ROLES,
    ("POST", "/api/v1/care/tickets/{ticket_id}/attachments"): CARE | RESELLER_ROLES,
    ("GET", "/api/v1/care/tickets/{ticket_id}/attachments/{attachment_id}"): CARE | RESELLER_ROLES,
    ("POST", "/api/v1/care/tickets/{ticket_id}/notes"): CARE,
    ("POST", "/api/v1/care/tickets/{ticket_id}/assign"): CARE,
    ("POST", "/api/v1/care/tickets/{ticket_id}/resolve"): CARE,
    ("POST", "/api/v1/care/tickets/{ticket_id}/survey"): RESELLER_ROLES,
    ("GET", "/api/v1/care/csat"): CARE,
    ("GET", "/portal/care"): RESELLER_ROLES,
    ("GET", "/portal/care/{ticket_id}"): RESELLER_ROLES,
    ("POST", "/portal/care/{ticket_id}/{action}"): RESELLER_ROLES,
    ("GET", "/care"): CARE,
    ("GET", "/care/tickets/{ticket_id}"): CARE,
    ("POST", "/care/tickets/{ticket_id}/{action}"): CARE,
    ("GET", "/care/csat"): CARE,
    ("GET", "/shipping/calculator/regions"): EVERYONE,
}


def endpoints(app):  # ANN201
    for route in iter_routes(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                yield method, route


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


def _ticket_of(hub: Seeded, reseller: str) -> int:
    """``reseller``'s customer care ticket (opened on first use)."""
    with transaction(hub.app.state.hub.session_factory) as s:
        found = s.scalar(select(Ticket.id).where(Ticket.reseller_id == reseller).limit(1))
        if found is not None:
            return found
        buyer = Principal(Role.RESELLER, username=f"matrix-{reseller}", reseller_id=reseller)
        body = TicketCreate(kind="question", subject="matrix", body="matrix")
        return care.open_ticket(s, buyer, body, utcnow()).id


def values_for(hub: Seeded, reseller: str) -> dict[str, str]:
    """Path parameters naming ``reseller``'s objects (its snapshot, token, user, ticket)."""
    ticket_id = _ticket_of(hub, reseller)
    with hub.app.state.hub.session_factory() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.reseller_id == reseller))
    return {
        "ticket_id": str(ticket_id),
        "attachment_id": "999999",  # walked as missing: the ticket is checked first
        "reseller_id": reseller,
        "snapshot_id": str(hub.snapshot_ids[reseller]["applied"]),
        "token_id": str(token_id),
        "user_id": str(hub.users[f"reseller-{reseller}"].id),
        "code": "en",
        "name": "products",
        "dataset": "products",
        "key": "1",
        "entity": "product",
    }


# Valid bodies where a route checks its body before the object it names (so a probe of another
# reseller's object reaches the ownership check instead of stopping at the body's 422).
BODIES = {"/replies": {"body": "probe"}, "/survey": {"satisfied": True}}


def call(client, method: str, path: str):  # ANN201
    body = next((b for end, b in BODIES.items() if path.endswith(end)), {})
    kw = {"json": body} if path.startswith("/api/") and method in ("POST", "PATCH", "PUT") else {}
    if path.endswith("/attachments") and method == "POST":  # an upload: a real PNG
        kw = {"files": {"upload": ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")}}
    return client.request(method, path, **kw)


def test_every_route_declares_who_may_use_it(hub: Seeded) -> None:
    undeclared = [f"{m} {r.path}" for m, r in endpoints(hub.app) if declared_access(r) is None]
    undeclared += [
        r.path
        for r in iter_routes(hub.app.routes)
        if not getattr(r, "methods", None) and declared_access(r) is None
    ]
    assert not undeclared, f"routes without require(...)/public(): {undeclared}"


def test_pinned_declarations(hub: Seeded) -> None:
    declared = {(m, r.path): declared_access(r) for m, r in endpoints(hub.app)}
    for key, roles in EXPECTED.items():
        assert declared.get(key) == roles, f"{key}: declared {declared.get(key)}, expected {roles}"


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_allowed_roles_succeed_and_others_are_refused(hub: Seeded, role: Role | None) -> None:
    values = values_for(hub, "r1")
    problems = []
    for method, route in endpoints(hub.app):
        access = declared_access(route)
        path = fill(route.path, {**values, "token_id": "999999", "user_id": "999999"})
        r = call(hub.client(role), method, path)
        allowed = access == PUBLIC or (role is not None and role in access)  # type: ignore[operator]
        csrf_only = (
            r.status_code == 403 and "CSRF" in r.text
        )  # sign-in form without its token: see test_security
        # /metrics is public by route but guarded by network or token (test_health_metrics.py)
        guarded = path == "/metrics" and r.status_code == 403
        if allowed and r.status_code in (401, 403) and not csrf_only and not guarded:
            problems.append(
                f"{method} {path}: {role} allowed but got {r.status_code} {r.text[:120]}"
            )
        if not allowed:
            refused = r.status_code in (401, 403) or (
                role is None and r.status_code == 303 and r.headers["location"].startswith("/login")
            )
            if not refused:
                problems.append(f"{method} {path}: {role} not allowed but got {r.status_code}")
        not_ready = path == "/readyz" and r.status_code == 503  # says so: no SFTP server here
        if r.status_code >= 500 and not not_ready:
            problems.append(f"{method} {path}: {role} got a server error {r.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("how", ["reseller", "reseller_admin", "token"])
def test_reseller_probing_another_resellers_ids_gets_404_or_403(hub: Seeded, how: str) -> None:
    other = values_for(hub, "r2")
    client = hub.token_client("r1") if how == "token" else hub.client(Role(how), "r1")
    leaks = []
    for method, route in endpoints(hub.app):
        if not re.search(r"\{(reseller_id|snapshot_id|token_id|user_id|ticket_id)\}", route.path):
            continue
        r = call(client, method, fill(route.path, other))
        if r.status_code not in (403, 404):
            leaks.append(f"{method} {route.path}: {r.status_code} {r.text[:100]}")
    assert not leaks, "\n".join(leaks)


def test_reseller_lists_show_only_its_own(hub: Seeded) -> None:
    for client in (hub.client(Role.RESELLER, "r1"), hub.token_client("r1")):
        snaps = client.get("/api/v1/snapshots", params={"reseller_id": "r2"}).json()
        assert snaps["count"] == 2 and {s["reseller_id"] for s in snaps["data"]} == {"r1"}
    toks = (
        hub.client(Role.RESELLER_ADMIN, "r1")
        .get("/api/v1/tokens", params={"reseller_id": "r2"})
        .json()
    )
    assert {t["reseller_id"] for t in toks["data"]} == {"r1"}
    portal = hub.client(Role.RESELLER, "r1").get("/portal").text.split("<main>")[1]
    assert "(r1)" in portal and "r2" not in portal


def test_static_files_are_public(hub: Seeded) -> None:
    assert hub.client().get("/static/vendor/htmx/htmx.min.js").status_code == 200
