"""A migrated hub with what purchasing needs: products, two warehouses, two suppliers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.catalog.models import Product
from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.core.roles import Principal, Role
from hub.purchasing import receiving, service, suppliers
from hub.purchasing.models import PurchaseOrder
from hub.purchasing.schemas import (
    OrderLineIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReceiptLineIn,
    SupplierIn,
    SupplierProductIn,
)
from hub.shipping.models import Warehouse

BUYER = Principal(Role.PURCHASING, user_id=21, username="budi")
BOSS = Principal(Role.OWNER, user_id=1, username="owner")
STORE = Principal(Role.INVENTORY, user_id=3, username="gudang")
FINANCE = Principal(Role.FINANCE, user_id=2, username="fina")
D = Decimal


@dataclass
class Shop:
    engine: Engine
    factory: sessionmaker[Session]
    files: Path
    products: dict[str, int] = field(default_factory=dict)  # sku -> id
    suppliers: dict[str, int] = field(default_factory=dict)  # code -> id


def open_shop(url: str, files: Path, **engine_kw: Any) -> Shop:
    engine = make_engine(url, **engine_kw)
    upgrade(engine)
    shop = Shop(engine, session_factory(engine), files)
    with transaction(shop.factory) as s:
        s.add_all(
            [
                Warehouse(
                    id=1,
                    code="JKT",
                    name="Gudang Jakarta",
                    region_kode="31.71",
                    address="Jl. Gudang 1",
                ),
                Warehouse(id=2, code="SBY", name="Gudang Surabaya", region_kode="35.78"),
            ]
        )
        for sku, serialised, warranty in (
            ("LAPTOP", True, 12),
            ("MOUSE", False, 0),
            ("SSD", True, 36),
        ):
            p = Product(
                sku=sku,
                name=f"Produk {sku}",
                list_price=D("150000"),
                serialised=serialised,
                warranty_months=warranty,
            )
            s.add(p)
            s.flush()
            shop.products[sku] = p.id
        for code, email, terms, lead in (
            ("ACME", "sales@acme.co.id", 30, 10),
            ("BETA", "po@beta.id", 14, 3),
        ):
            sup = suppliers.create_supplier(
                s,
                BUYER,
                SupplierIn(
                    code=code,
                    legal_name=f"PT {code} Indonesia",
                    npwp="01.234.567.8-901.000",
                    email=email,
                    payment_terms_days=terms,
                    lead_time_days=lead,
                ),
            )
            shop.suppliers[code] = sup.id
        suppliers.set_products(
            s,
            BUYER,
            shop.suppliers["ACME"],
            [
                SupplierProductIn(sku="LAPTOP", supplier_code="AC-LT", unit_cost=D("5000000")),
                SupplierProductIn(
                    sku="MOUSE", supplier_code="AC-MS", unit_cost=D("50000"), order_multiple=10
                ),
                SupplierProductIn(sku="SSD", supplier_code="AC-SSD", unit_cost=D("800000")),
            ],
        )
    return shop


def draft(
    shop: Shop, s: Session, lines: dict[str, int], supplier: str = "ACME", warehouse: int = 1
) -> PurchaseOrder:
    return service.create_order(
        s,
        BUYER,
        PurchaseOrderCreate(
            supplier_id=shop.suppliers[supplier],
            warehouse_id=warehouse,
            lines=[OrderLineIn(sku=sku, quantity=q) for sku, q in lines.items()],
        ),
    )


def sent_order(
    shop: Shop, lines: dict[str, int], supplier: str = "ACME", warehouse: int = 1
) -> int:
    """A purchase order approved and sent to the supplier; returns its id."""
    with transaction(shop.factory) as s:
        po = draft(shop, s, lines, supplier, warehouse)
        service.fire(s, BOSS, po.id, "approve")
        service.fire(s, BUYER, po.id, "send", files=shop.files)
        return po.id


def line_ids(shop: Shop, po_id: int) -> dict[int, int]:
    """product id -> order line id"""
    with shop.factory() as s:
        return {ln.product_id: ln.id for ln in service.get_order(s, po_id).lines}


def receive(shop: Shop, po_id: int, qty: dict[str, int], *, post: bool = True, **kw: Any) -> int:
    ids = line_ids(shop, po_id)
    serials = kw.pop("serials", {})
    reasons = kw.pop("reasons", {})
    with transaction(shop.factory) as s:
        r = receiving.create_receipt(
            s,
            STORE,
            po_id,
            ReceiptCreate(
                lines=[
                    ReceiptLineIn(
                        order_line_id=ids[shop.products[sku]],
                        quantity=q,
                        serials=serials.get(sku, []),
                        reason=reasons.get(sku, ""),
                    )
                    for sku, q in qty.items()
                ],
                post=post,
                **kw,
            ),
        )
        return r.id
