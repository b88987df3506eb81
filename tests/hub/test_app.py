"""Issue #18, acceptance 1: every API route of the OpenAPI document, called with a missing id,
with another reseller's id and with a malformed body, answers 404 / 404 / 422 in the one error
shape ``{error, message, hint, problems}`` — never a 500, never another shape.

The routes are read from ``/openapi.json`` itself, so a route added later is walked too; the
bodies that are *not* malformed are made from each operation's own schema.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.db import transaction, utcnow
from hub.core.deps import PUBLIC, declared_access, iter_routes
from hub.core.roles import Principal, Role
from hub.inventory import service as stock
from hub.inventory.models import Serial
from hub.offers.models import Offer
from hub.orders.catalog import HubCatalog
from hub.orders.service import LineRequest, OrderContext, create_order
from hub.payments import proofs
from hub.payments import service as payments
from hub.users.models import ApiToken
from hub.warranty.models import Claim
from tests.hub.web.webkit import RESELLERS, Seeded, seed

SHAPE = {"error", "message", "hint", "problems"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
# Path parameters that name a thing (an id, a dataset); ``event`` and ``decision`` are verbs.
VERBS = {"event": "cancel", "decision": "accept"}
MISSING = {
    "reseller_id": "no-such-reseller",
    "name": "no_such_dataset",
    "dataset": "no_such_dataset",
}
MISSING_DEFAULT = "999999"
OWNED = {
    "reseller_id",
    "order_id",
    "confirmation_id",
    "offer_id",
    "user_id",
    "token_id",
    "snapshot_id",
    "claim_id",
    "serial",
}
# Staff-only things of purchasing and warranty: walked as missing (no reseller owns them).
STAFF_ONLY = (
    "photo_id",
    "doc_id",
    "sc_id",
    "po_id",
    "credit_id",
    "invoice_id",
    "receipt_id",
    "supplier_id",
    "row_id",  # the back office's master data (#19): warehouses, price lists, contacts, ...
    "message_id",  # the notification outbox
)
STAFF_FIRST = [Role.OWNER, Role.OPERATIONS, Role.FINANCE, Role.INVENTORY, Role.MARKETING]
# Values a valid body needs beyond its schema's types (a date, an amount, a JSON list).
FIELD_EXAMPLES: dict[str, Any] = {
    "amount": "1000",
    "transfer_date": "2024-01-02",
    "invoice_number": "INV/2024/1",
    "quantity": 1,
    "password": "a-long-enough-password",
    "new": "a-long-enough-password",
    "current": "correct horse battery",
    "username": "walker",
    "role": "reseller",
    "profile": "northwind",
    "region_kode": "32.73",
    "reason": "not on the bank statement",
}


@dataclass
class World:
    hub: Seeded
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # reseller -> param -> value
    product_id: int = 0


def _catalog(s: Any) -> int:
    product = Product(
        sku="WALK-1", name="Walker", list_price=Decimal("1000"), weight_kg=Decimal("1"), active=True
    )
    s.add(product)
    s.flush()
    for rid in RESELLERS:
        pl = PriceList(name=f"walk {rid}", reseller_id=rid, active=True)
        s.add(pl)
        s.flush()
        s.add(PriceListItem(price_list_id=pl.id, product_id=product.id, unit_price=Decimal("1000")))
    stock.receive(s, product.id, 100)
    return product.id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    hub = seed(Path(tmp_path_factory.mktemp("walk")))
    factory = hub.app.state.hub.session_factory
    out = World(hub)
    with transaction(factory) as s:
        out.product_id = _catalog(s)
    ctx = OrderContext(catalog=HubCatalog())
    directory = payments.proofs_dir(hub.app.state.hub.settings.home)
    for rid in RESELLERS:
        buyer = Principal(Role.RESELLER, username=f"buyer-{rid}", reseller_id=rid)
        with transaction(factory) as s:
            order = create_order(s, buyer, rid, [LineRequest(1, product_id=out.product_id)], ctx)
            stored = proofs.store(io.BytesIO(PNG), directory)
            claim = payments.TransferClaim(
                order.invoice_number or "", "BCA", "Budi", dt.date.today(), Decimal("1000")
            )
            conf = payments.submit(s, buyer, order.id, claim, stored)
            offer = Offer(
                reseller_id=rid,
                product_id=out.product_id,
                kind="replenish",
                status="published",
                quantity=1,
                unit_price=Decimal("1000"),
                price_rule="walk",
                reason="walk",
                valid_from=utcnow() - dt.timedelta(days=1),
                valid_to=utcnow() + dt.timedelta(days=7),
            )
            s.add(offer)
            unit = Serial(
                product_id=out.product_id,
                serial=f"SN-WALK-{rid}",
                state="shipped",
                order_id=order.id,
                reseller_id=rid,
                shipped_at=utcnow(),
            )
            s.add(unit)
            s.flush()
            claim_row = Claim(
                number=f"RMA-WALK-{rid}",
                reseller_id=rid,
                product_id=out.product_id,
                serial_id=unit.id,
                serial=unit.serial,
                order_id=order.id,
                shipped_on=dt.date.today(),
                warranty_until=dt.date.today() + dt.timedelta(days=365),
                problem="walk",
            )
            s.add(claim_row)
            s.flush()
            token_id = s.scalar(select(ApiToken.id).where(ApiToken.reseller_id == rid))
            out.ids[rid] = {
                "reseller_id": rid,
                "order_id": str(order.id),
                "confirmation_id": str(conf.id),
                "offer_id": str(offer.id),
                "user_id": str(hub.users[f"reseller-{rid}"].id),
                "token_id": str(token_id),
                "snapshot_id": str(hub.snapshot_ids[rid]["quarantined"]),
                "product_id": str(out.product_id),
                "suggestion_id": MISSING_DEFAULT,  # none exist: walked as missing only
                "subscription_id": MISSING_DEFAULT,
                "claim_id": str(claim_row.id),
                "serial": unit.serial,
                **dict.fromkeys(STAFF_ONLY, MISSING_DEFAULT),
                "name": "products",
                "dataset": "products",
                "key": "1",
                "entity": "product",
                **VERBS,
            }
    return out


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]
    access: Any

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{(\w+)(?::\w+)?\}", self.path)

    def url(self, values: dict[str, str]) -> str:
        return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], self.path)

    def allows(self, role: Role) -> bool:
        return self.access == PUBLIC or role in self.access

    @property
    def body(self) -> dict[str, Any] | None:
        return self.spec.get("requestBody", {}).get("content")


def operations(world: World) -> list[Operation]:
    app = world.hub.app
    access = {
        (m.lower(), re.sub(r"\{(\w+):\w+\}", r"{\1}", r.path)): declared_access(r)
        for r in iter_routes(app.routes)
        for m in getattr(r, "methods", None) or ()
    }
    doc = app.openapi()
    return [
        Operation(method, path, spec, access[(method, path)])
        for path, ops in doc["paths"].items()
        for method, spec in ops.items()
    ]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(doc: dict[str, Any], schema: dict[str, Any], name: str = "") -> Any:
    """A valid value for ``schema`` (required fields only), from its types and FIELD_EXAMPLES."""
    schema = _resolve(doc, schema)
    if name in FIELD_EXAMPLES:
        return FIELD_EXAMPLES[name]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(doc, o).get("type") != "null"]
            return example(doc, options[0], name)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: example(doc, props[k], k) for k in schema.get("required", [])}
    if kind == "array":
        return [example(doc, schema.get("items", {}), name)] if schema.get("minItems") else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return "2024-01-02"
    if fmt == "date-time":
        return "2024-01-02T00:00:00Z"
    return "x" * max(1, schema.get("minLength", 1))


def valid_request(world: World, op: Operation) -> dict[str, Any]:
    """httpx keyword arguments of a request whose body passes the operation's schema."""
    content = op.body
    if not content:
        return {}
    doc = world.hub.app.openapi()
    if "application/json" in content:
        return {"json": example(doc, content["application/json"]["schema"])}
    schema = _resolve(doc, content["multipart/form-data"]["schema"])
    data, files = {}, []
    for name in schema.get("required", []):
        prop = _resolve(doc, schema["properties"][name])
        item = _resolve(doc, prop.get("items", {})) if prop.get("type") == "array" else prop
        if item.get("format") == "binary" or "contentMediaType" in item:
            files.append((name, ("proof.png", PNG, "image/png")))  # a list: one file or several
        else:
            data[name] = str(example(doc, prop, name))
    return {"data": data, "files": files}


def client_for(world: World, role: Role) -> TestClient:
    client = world.hub.client(role, "r1")
    client.headers["Accept-Language"] = "en"
    return client


def staff_role(op: Operation) -> Role | None:
    return next((r for r in STAFF_FIRST if op.allows(r)), None)


def shape_problem(op: Operation, url: str, r: Any, expected: int) -> str | None:
    if r.status_code >= 500:
        return f"{op.method.upper()} {url}: {r.status_code} (a server error)"
    try:
        body = r.json()
    except ValueError:
        body = None
    if r.status_code != expected or not isinstance(body, dict) or set(body) != SHAPE:
        return f"{op.method.upper()} {url}: {r.status_code} {r.text[:160]} (expected {expected})"
    return None


def test_the_walk_covers_the_whole_api(world: World) -> None:
    ops = operations(world)
    assert len(ops) >= 60 and all(op.path.startswith("/api/v1/") for op in ops)
    assert {p for op in ops for p in op.params} <= set(world.ids["r1"])


def test_a_missing_id_answers_404(world: World) -> None:
    problems = []
    for op in operations(world):
        role = staff_role(op)
        if role is None:
            continue
        client = client_for(world, role)
        for param in op.params:
            if param in VERBS:
                continue
            values = {**world.ids["r1"], param: MISSING.get(param, MISSING_DEFAULT)}
            url = op.url(values)
            r = client.request(op.method, url, **valid_request(world, op))
            if found := shape_problem(op, url, r, 404):
                problems.append(found)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [Role.RESELLER, Role.RESELLER_ADMIN])
def test_another_resellers_id_answers_404(world: World, role: Role) -> None:
    client = client_for(world, role)
    problems, walked = [], 0
    for op in operations(world):
        owned = [p for p in op.params if p in OWNED]
        if not owned or not op.allows(role):
            continue
        values = {**world.ids["r1"], **{p: world.ids["r2"][p] for p in owned}}
        url = op.url(values)
        r = client.request(op.method, url, **valid_request(world, op))
        walked += 1
        if found := shape_problem(op, url, r, 404):
            problems.append(found)
    assert walked >= 10 and not problems, "\n".join(problems)


MALFORMED_JSON = [
    b'{"lines": [',  # cut short
    b"[1, 2, 3]",  # not an object
    b'{"quantity": NaN, "amount": NaN}',
    b'{"quantity": Infinity, "amount": -Infinity}',
    b'{"quantity": 1e309, "amount": 1e309}',
    b'{"name": "\\ud800", "reason": "\\udfff"}',  # lone surrogates
]


@pytest.mark.parametrize("raw", MALFORMED_JSON, ids=lambda b: b.decode()[:24])
def test_a_malformed_body_answers_422(world: World, raw: bytes) -> None:
    problems = []
    for op in operations(world):
        role = staff_role(op) or (Role.RESELLER if op.allows(Role.RESELLER) else None)
        if op.body is None or role is None:
            continue
        client = client_for(world, role)
        url = op.url(world.ids["r1"])
        headers = {"content-type": "application/json"}
        r = client.request(op.method, url, content=raw, headers=headers)
        if found := shape_problem(op, url, r, 422):
            problems.append(found)
    assert not problems, "\n".join(problems)


def test_paging_is_bounded_on_every_list(world: World) -> None:
    """``limit=-1`` once lifted the 500-row cap of the order list (SQLite reads it as no limit)."""
    client = client_for(world, Role.OWNER)
    problems, walked = [], 0
    for op in operations(world):
        names = {p["name"] for p in op.spec.get("parameters", []) if p["in"] == "query"}
        if op.method != "get" or "limit" not in names:
            continue
        url = op.url(world.ids["r1"])
        for bad in ({"limit": -1}, {"limit": 10**9}, {"offset": -1}):
            if set(bad) <= names:
                walked += 1
                r = client.get(url, params=bad)
                if found := shape_problem(op, f"{url}?{bad}", r, 422):
                    problems.append(found)
    assert walked >= 10 and not problems, "\n".join(problems)


def test_bodies_over_the_routes_limit_answer_413(world: World) -> None:
    client = client_for(world, Role.OWNER)
    line = b'{"sku": "WALK-1", "quantity": 1},'
    big = b'{"reseller_id": "r1", "lines": [' + line * 40_000 + b"{}]}"  # 1.4 MB of JSON
    r = client.post("/api/v1/orders", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and set(r.json()) == SHAPE, r.text[:200]
    csv = b"sku,name,list_price\n" + b"NEW-1,Baru,1000\n" * 100_000  # 1.6 MB: a catalog may be
    r = client.post("/api/v1/catalog/import", files={"file": ("big.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text[:200]
    r = client.post(
        "/api/v1/catalog/import",
        files={"file": ("huge.csv", b"x" * (21 * 1024 * 1024), "text/csv")},
    )
    assert r.status_code == 413 and r.json()["error"] == "TooLarge"


def test_old_api_paths_redirect_with_method_and_body(world: World) -> None:
    client = client_for(world, Role.OWNER)
    moved = client.get("/api/orders?limit=1", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == "/api/v1/orders?limit=1"
    assert moved.headers["deprecation"] == "true"
    receipt = {"product_id": world.product_id, "quantity": 2, "reference": "PO-7"}
    r = client.post("/api/inventory/receipts", json=receipt, follow_redirects=True)
    assert r.status_code == 201 and r.json()["product_id"] == world.product_id


def test_openapi_documents_authentication_and_the_error_shape(world: World) -> None:
    doc = TestClient(world.hub.app).get("/openapi.json").json()
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "session"}
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    error = "#/components/schemas/ErrorBody"
    for op in operations(world):
        responses = op.spec["responses"]
        assert responses["422"]["content"]["application/json"]["schema"]["$ref"] == error
        if op.params:
            assert "404" in responses, op.path
        if op.access != PUBLIC:
            assert op.spec["security"] == [{"bearer": []}, {"session": []}], op.path
            assert {"401", "403"} <= set(responses), op.path


def test_receipt_for_a_product_that_does_not_exist_is_refused(world: World) -> None:
    """It answered 201 and created stock for a product nobody can order."""
    client = client_for(world, Role.INVENTORY)
    r = client.post("/api/v1/inventory/receipts", json={"product_id": 424242, "quantity": 5})
    assert r.status_code == 404 and r.json()["message"] == "no product #424242"
    levels = client.get("/api/v1/inventory").json()["data"]
    assert 424242 not in {row["product_id"] for row in levels}


ENGINES = re.compile(r"sqlite|postgres|psycopg|mariadb|mysql|sqlalchemy|integer overflow", re.I)


def test_out_of_range_numbers_answer_422_naming_no_engine(world: World) -> None:
    """An id past the database's integer answered with a message naming SQLite."""
    client = client_for(world, Role.OWNER)
    problems, walked = [], 0
    for op in operations(world):
        ints = [
            p["name"]
            for p in op.spec.get("parameters", [])
            if p["in"] == "query"
            and _resolve(world.hub.app.openapi(), p["schema"]).get("type") in ("integer", None)
            and "anyOf" not in p["schema"]
        ]
        if op.method != "get" or not ints:
            continue
        url = op.url(world.ids["r1"])
        for name in ints:
            walked += 1
            r = client.get(url, params={name: str(10**20)})
            if r.status_code != 422 or ENGINES.search(r.text) or set(r.json()) != SHAPE:
                problems.append(f"GET {url}?{name}=1e20: {r.status_code} {r.text[:120]}")
    big = client.get(f"/api/v1/orders/{10**20}")
    assert big.status_code == 422 and not ENGINES.search(big.text)
    assert walked >= 5 and not problems, "\n".join(problems)
