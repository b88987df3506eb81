"""Seeding a migrated hub database for order tests: resellers, catalog, price lists, stock."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.catalog.models import PriceList, PriceListItem, Product
from hub.core.db import make_engine, session_factory, transaction
from hub.core.migrate import upgrade
from hub.core.roles import Principal, Role
from hub.inventory import service as stock
from hub.orders.catalog import HubCatalog
from hub.orders.service import OrderContext
from hub.resellers.models import Reseller

R1 = Principal(Role.RESELLER, user_id=11, username="toko1", reseller_id="r1")
R2 = Principal(Role.RESELLER, user_id=12, username="toko2", reseller_id="r2")
FINANCE = Principal(Role.FINANCE, user_id=2, username="fina")
INVENTORY = Principal(Role.INVENTORY, user_id=3, username="gudang")
OPS = Principal(Role.OPERATIONS, user_id=4, username="ops")
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test"


@dataclass
class Hub:
    engine: Engine
    factory: sessionmaker[Session]
    products: dict[str, int] = field(default_factory=dict)  # sku -> id
    ctx: OrderContext = field(default_factory=lambda: OrderContext(catalog=HubCatalog()))


def open_db(url: str, **engine_kw: object) -> Hub:
    engine = make_engine(url, **engine_kw)
    upgrade(engine)
    return Hub(engine, session_factory(engine))


def seed(
    hub: Hub,
    stock_levels: Mapping[str, int],
    *,
    prices: Mapping[str, str] | None = None,
    unpriced: tuple[str, ...] = (),
) -> Hub:
    """Resellers r1 and r2, one product per SKU (priced for both unless in ``unpriced``), stock."""
    prices = prices or {}
    with transaction(hub.factory) as s:
        for rid in ("r1", "r2"):
            s.add(
                Reseller(
                    id=rid,
                    name=f"Toko {rid}",
                    ssh_public_key=KEY,
                    signing_public_key="A" * 43 + "=",
                )
            )
        s.flush()
        lists = [
            PriceList(name=f"list {rid}", reseller_id=rid, active=True) for rid in ("r1", "r2")
        ]
        s.add_all(lists)
        for sku in list(stock_levels) + list(unpriced):
            p = Product(
                sku=sku,
                name=f"Produk {sku}",
                list_price=Decimal("150000"),
                weight_kg=Decimal("1.5"),
                active=True,
            )
            s.add(p)
            s.flush()
            hub.products[sku] = p.id
            if sku not in unpriced:
                for pl in lists:
                    s.add(
                        PriceListItem(
                            price_list_id=pl.id,
                            product_id=p.id,
                            min_quantity=1,
                            unit_price=Decimal(prices.get(sku, "100000")),
                        )
                    )
        for sku, qty in stock_levels.items():
            if qty:
                stock.receive(s, hub.products[sku], qty, reference="seed")
            else:
                stock.lock_items(s, [hub.products[sku]], create=True)
    return hub
