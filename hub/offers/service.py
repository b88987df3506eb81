"""Computing offers: facts from the merged history, then one set-based nightly run.

``refresh_facts`` projects one reseller's merged sale lines and stock levels
(through its SKU links) onto master products. ``compute`` aggregates every
reseller's facts with a few GROUP BY queries, applies the pure rules of
:mod:`hub.offers.compute` per reseller, prices the drafts with one in-memory
:class:`~hub.catalog.pricing.PriceBook` and replaces the previous drafts in
bulk. Approved and published offers are never touched by a run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from hub.catalog.errors import ProductNotPriced
from hub.catalog.models import Product, SkuLink
from hub.catalog.pricing import PriceBook
from hub.core.db import utcnow
from hub.core.phrases import stored
from hub.offers.compute import (
    Draft,
    HubProduct,
    PeerSales,
    Position,
    Thresholds,
    clearance,
    overstock,
    range_offers,
    replenishment,
)
from hub.offers.models import Offer, OfferRun, SalesDaily, StockFact
from hub.resellers.models import Reseller

log = logging.getLogger(__name__)
HubStock = Callable[[Session], "dict[int, int] | None"]


@dataclass
class RunSummary:
    run_id: int
    resellers: int = 0
    offers: dict[str, int] = field(
        default_factory=lambda: {"replenishment": 0, "range": 0, "clearance": 0}
    )
    unpriced: int = 0  # drafts dropped because the product is in none of the reseller's price lists

    @property
    def total(self) -> int:
        return sum(self.offers.values())


def refresh_facts(session: Session, reseller_id: str) -> dict[str, int]:
    """Rewrite the reseller's daily sales and stock facts from its merged data; returns counts."""
    from hub.mapping.service import entity_rows

    links = dict(
        session.execute(
            select(SkuLink.reseller_sku, SkuLink.product_id).where(
                SkuLink.reseller_id == reseller_id, SkuLink.product_id.is_not(None)
            )
        ).all()
    )
    from hub.mapping.profiles import NOT_SOLD

    fields, lines = entity_rows(session, reseller_id, "sale_line")
    i_sku, i_qty, i_day = fields.index("sku"), fields.index("quantity"), fields.index("order_date")
    i_status = fields.index("status")
    daily: dict[tuple[int, dt.date], int] = defaultdict(int)
    unlinked = 0
    for r in lines:
        if r[i_status] in NOT_SOLD:  # a cancelled or returned order sold nothing
            continue
        pid = links.get(r[i_sku])
        if pid is None:
            unlinked += 1
        elif r[i_day] is not None and r[i_qty] is not None:
            daily[(pid, r[i_day])] += r[i_qty]
    sfields, stock_rows = entity_rows(session, reseller_id, "stock_level")
    stock: dict[int, int] = defaultdict(int)
    for r in stock_rows:
        pid = links.get(r[sfields.index("sku")])
        if pid is not None and r[sfields.index("on_hand")] is not None:
            stock[pid] += r[sfields.index("on_hand")]
    session.execute(delete(SalesDaily).where(SalesDaily.reseller_id == reseller_id))
    session.execute(delete(StockFact).where(StockFact.reseller_id == reseller_id))
    if daily:
        session.execute(
            insert(SalesDaily),
            [
                {"reseller_id": reseller_id, "product_id": p, "day": d, "quantity": q}
                for (p, d), q in daily.items()
            ],
        )
    if stock:
        session.execute(
            insert(StockFact),
            [{"reseller_id": reseller_id, "product_id": p, "on_hand": q} for p, q in stock.items()],
        )
    return {"sales_days": len(daily), "stock": len(stock), "unlinked_lines": unlinked}


def inventory_stock(session: Session) -> dict[int, int] | None:
    """Hub availability (on hand − reserved) per product from ``hub.inventory``; None if it is not installed."""
    try:
        from hub.inventory.models import StockItem
    except ImportError:
        return None
    return dict(
        session.execute(select(StockItem.product_id, StockItem.on_hand - StockItem.reserved)).all()
    )


def _hub_products(session: Session, stock: dict[int, int] | None) -> dict[int, HubProduct]:
    rows = session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.category,
            Product.pack_size,
            Product.active,
            Product.discontinued,
        )
    )
    return {
        r[0]: HubProduct(
            r[0],
            r[1],
            r[2],
            r[3],
            max(r[4] or 1, 1),
            None if stock is None else stock.get(r[0], 0),
            r[5],
            r[6],
        )
        for r in rows
    }


def compute(
    session: Session,
    *,
    at: dt.datetime | None = None,
    thresholds: Thresholds | None = None,
    reseller_ids: list[str] | None = None,
    hub_stock: HubStock = inventory_stock,
) -> RunSummary:
    """Replace the draft offers of the given (default: all enabled) resellers; the caller commits."""
    at, t = at or utcnow(), thresholds or Thresholds()
    run = OfferRun(started_at=utcnow(), counts={})
    session.add(run)
    session.flush()
    hub = _hub_products(session, hub_stock(session))
    since = (at - dt.timedelta(days=t.window_days)).date()
    sold: dict[str, dict[int, int]] = defaultdict(dict)
    for rid, pid, qty in session.execute(
        select(SalesDaily.reseller_id, SalesDaily.product_id, func.sum(SalesDaily.quantity))
        .where(SalesDaily.day >= since, SalesDaily.day < at.date())
        .group_by(SalesDaily.reseller_id, SalesDaily.product_id)
    ):
        sold[rid][pid] = int(qty)
    stock: dict[str, dict[int, int]] = defaultdict(dict)
    for rid, pid, qty in session.execute(
        select(StockFact.reseller_id, StockFact.product_id, StockFact.on_hand)
    ):
        stock[rid][pid] = qty
    regions = dict(
        session.execute(
            select(Reseller.id, Reseller.region_code).where(Reseller.enabled.is_(True))
        ).all()
    )
    province = {rid: (code or "")[:2] for rid, code in regions.items()}
    peers: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    network: dict[int, int] = defaultdict(int)
    for rid, per in sold.items():
        for pid, qty in per.items():
            network[pid] += qty
            if province.get(rid) and qty > 0:
                acc = peers[province[rid]][pid]
                acc[0] += 1
                acc[1] += qty
    to_clear = overstock(hub, network, t)
    targets = sorted(regions) if reseller_ids is None else [r for r in reseller_ids if r in regions]
    book = PriceBook.load(session, reseller_ids=targets)
    products = {p.id: p for p in session.scalars(select(Product))}
    summary = RunSummary(run.id, resellers=len(targets))
    valid_to = at + dt.timedelta(days=t.validity_days)
    rows: list[dict[str, Any]] = []
    for rid in targets:
        mine, my_stock = sold.get(rid, {}), stock.get(rid, {})
        positions = {
            pid: Position(pid, mine.get(pid, 0), my_stock.get(pid))
            for pid in set(mine) | set(my_stock)
        }
        prov = province.get(rid, "")
        peer_sales = (
            [
                PeerSales(pid, n - (mine.get(pid, 0) > 0), q - mine.get(pid, 0))
                for pid, (n, q) in peers.get(prov, {}).items()
            ]
            if prov
            else []
        )
        drafts: list[Draft] = []
        seen: set[int] = set()
        for batch in (
            replenishment(positions.values(), hub, t),
            clearance(positions, to_clear, hub, t),
            range_offers(set(positions), peer_sales, hub, prov, t),
        ):
            rank = 0
            for d in batch:
                if d.product_id in seen:
                    continue
                seen.add(d.product_id)
                try:
                    q = book.quote(products[d.product_id], rid, d.quantity, at)
                except ProductNotPriced:
                    summary.unpriced += 1
                    continue
                rank += 1
                drafts.append(d)
                rows.append(
                    {
                        "run_id": run.id,
                        "reseller_id": rid,
                        "product_id": d.product_id,
                        "kind": d.kind,
                        "status": "draft",
                        "rank": rank,
                        "quantity": d.quantity,
                        "unit_price": q.unit_price,
                        "price_rule": q.rule,
                        "price_rule_phrases": stored(q.rule_phrases),
                        "numbers": d.numbers,
                        "reason": d.reason,
                        "reason_phrases": stored(d.phrases),
                        "valid_from": at,
                        "valid_to": valid_to,
                        "created_at": at,
                    }
                )
                summary.offers[d.kind] += 1
    old = delete(Offer).where(Offer.status == "draft")
    if reseller_ids is not None:
        old = old.where(Offer.reseller_id.in_(targets))
    session.execute(old)
    for i in range(0, len(rows), 5000):
        session.execute(insert(Offer), rows[i : i + 5000])
    run.finished_at = utcnow()
    run.counts = {**summary.offers, "resellers": summary.resellers, "unpriced": summary.unpriced}
    session.flush()
    return summary


def run_nightly(
    session_factory: sessionmaker[Session], settings: Any = None, *, at: dt.datetime | None = None
) -> RunSummary:
    """After ingest: refresh every mapped reseller's facts, then compute all drafts (one transaction each)."""
    from hub.mapping.models import MappingProfile

    with session_factory() as s, s.begin():
        mapped = list(s.scalars(select(MappingProfile.reseller_id)))
    for rid in mapped:
        try:
            with session_factory() as s, s.begin():
                refresh_facts(s, rid)
        except Exception as e:  # one reseller's bad data must not stop everyone's offers
            log.error("offers: could not refresh facts of %s: %s", rid, e)
    with session_factory() as s, s.begin():
        summary = compute(s, at=at)
    log.info("offers: %s drafts for %s resellers", summary.total, summary.resellers)
    return summary


# What orders call (order from offer): kept importable from here.
from hub.offers.workflow import get_offer, mark_accepted  # noqa: E402

__all__ = [
    "RunSummary",
    "compute",
    "get_offer",
    "inventory_stock",
    "mark_accepted",
    "refresh_facts",
    "run_nightly",
]
