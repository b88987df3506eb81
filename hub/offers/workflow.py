"""Review, publishing and conversion of offers.

Drafts are edited, approved or dropped (in bulk) by the operations manager;
approved offers are published: visible in the portal/API and written as one
hub-signed offers file per reseller into its SFTP ``outbox/``. Orders call
:func:`mark_accepted`, which feeds the conversion figures per kind and reseller.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.catalog.pricing import price_for
from hub.core.db import utcnow
from hub.core.dropbox import write_reply
from hub.core.phrases import stored
from hub.core.roles import Principal, restrict
from hub.offers.models import Offer
from shared.errors import Conflict, DataError, NotFound
from shared.messages import Offers, offers_filename, sign_message

ACTIONS = {"approve": ("draft", "approved"), "drop": ("draft", "dropped")}


def _who(p: Principal | None) -> str:
    return (p.username or "?") if p is not None else "system"


def list_offers(
    session: Session,
    principal: Principal,
    *,
    reseller_id: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 500,
) -> list[Offer]:
    """Offers the principal may see: resellers only their own, and only published/accepted ones."""
    stmt = restrict(select(Offer), principal, Offer.reseller_id)
    if not principal.is_staff:
        stmt = stmt.where(Offer.status.in_(("published", "accepted")))
    if reseller_id:
        stmt = stmt.where(Offer.reseller_id == reseller_id)
    if status:
        stmt = stmt.where(Offer.status == status)
    if kind:
        stmt = stmt.where(Offer.kind == kind)
    return list(
        session.scalars(stmt.order_by(Offer.reseller_id, Offer.kind, Offer.rank).limit(limit))
    )


def get_offer(session: Session, offer_id: int, principal: Principal) -> Offer:
    """One offer, if the principal may see it (otherwise 'no such offer', so ids do not leak)."""
    stmt = restrict(select(Offer).where(Offer.id == offer_id), principal, Offer.reseller_id)
    if not principal.is_staff:
        stmt = stmt.where(Offer.status.in_(("published", "accepted")))
    offer = session.scalar(stmt)
    if offer is None:
        raise NotFound(
            "no offer #{offer_id}", hint="list your offers for current ids", offer_id=offer_id
        )
    return offer


def decide(
    session: Session, offer_ids: Iterable[int], action: str, principal: Principal | None
) -> list[Offer]:
    """Approve or drop draft offers in bulk; any id that is not a draft refuses the whole batch."""
    if action not in ACTIONS:
        raise DataError("unknown action {action}", hint="use approve or drop", action=repr(action))
    want, new = ACTIONS[action]
    ids = list(dict.fromkeys(offer_ids))
    offers = list(session.scalars(select(Offer).where(Offer.id.in_(ids))))
    bad = sorted(set(ids) - {o.id for o in offers if o.status == want})
    if bad:
        raise Conflict(
            "offer(s) {ids} are not {status} (or do not exist): nothing was changed",
            hint="reload the list and select draft offers only",
            ids=", ".join(f"#{i}" for i in bad),
            status=want,
        )
    for o in offers:
        o.status, o.decided_by = new, _who(principal)
        record(
            session, principal, f"offer.{action}", "offer", o.id, {"status": want}, {"status": new}
        )
    session.flush()
    return offers


def edit(
    session: Session,
    offer_id: int,
    quantity: int,
    principal: Principal | None,
    at: dt.datetime | None = None,
) -> Offer:
    """Change a draft's quantity; the price is looked up again (quantity breaks may change it)."""
    o = session.get(Offer, offer_id)
    if o is None:
        raise NotFound("no offer #{offer_id}", offer_id=offer_id)
    if o.status != "draft":
        raise Conflict(
            "offer #{offer_id} is not a draft",
            hint="only draft offers can be edited",
            offer_id=offer_id,
        )
    q = price_for(session, o.reseller_id, o.product_id, quantity, at or utcnow())
    before = {"quantity": o.quantity, "unit_price": o.unit_price}
    o.quantity, o.unit_price, o.decided_by = quantity, q.unit_price, _who(principal)
    o.price_rule, o.price_rule_phrases = q.rule, stored(q.rule_phrases)
    record(
        session,
        principal,
        "offer.edit",
        "offer",
        o.id,
        before,
        {"quantity": quantity, "unit_price": q.unit_price},
    )
    session.flush()
    return o


def offer_item(o: Offer, p: Product) -> dict[str, Any]:
    """One offer as it travels to the agent (Decimal and times as strings)."""
    return {
        "offer_id": o.id,
        "kind": o.kind,
        "sku": p.sku,
        "ean": p.ean,
        "name": p.name,
        "quantity": o.quantity,
        "unit_price": str(o.unit_price),
        "price_rule": o.price_rule,
        "reason": o.reason,
        "numbers": o.numbers,
        "valid_to": o.valid_to.isoformat(),
    }


def publish(
    session: Session,
    sftp_root: Path,
    signing_key: Ed25519PrivateKey,
    principal: Principal | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Path]:
    """Publish every approved, still valid offer: one signed offers file per reseller; returns the paths.

    The file lists all the reseller's currently published offers, so the newest
    file alone is the whole truth for the agent.
    """
    at = at or utcnow()
    for o in session.scalars(select(Offer).where(Offer.status == "approved")):
        if o.valid_to <= at:
            o.status = "expired"
            continue
        o.status, o.published_at = "published", at
        record(
            session,
            principal,
            "offer.publish",
            "offer",
            o.id,
            {"status": "approved"},
            {"status": "published"},
        )
    session.flush()
    live = session.execute(
        select(Offer, Product)
        .join(Product, Product.id == Offer.product_id)
        .where(Offer.status == "published", Offer.valid_to > at)
        .order_by(Offer.reseller_id, Offer.kind, Offer.rank)
    )
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o, p in live:
        per[o.reseller_id].append(offer_item(o, p))
    out: dict[str, Path] = {}
    for rid, items in per.items():
        doc = Offers(reseller_id=rid, generated_at=at, offers=items)
        out[rid] = write_reply(
            sftp_root, rid, offers_filename(at), sign_message(doc.to_payload(), signing_key)
        )
    return out


def mark_accepted(
    session: Session, offer_id: int, order_id: int, at: dt.datetime | None = None
) -> Offer:
    """Called by orders when an order was created from this offer (conversion tracking)."""
    o = session.get(Offer, offer_id)
    if o is None or o.status not in ("published", "accepted"):
        raise Conflict(
            "offer #{offer_id} is not published",
            hint="only published offers can be ordered",
            offer_id=offer_id,
        )
    if o.status == "accepted" and o.order_id != order_id:
        raise Conflict(
            "offer #{offer_id} was already accepted by order #{order_id}",
            offer_id=offer_id,
            order_id=o.order_id,
        )
    o.status, o.order_id, o.accepted_at = "accepted", order_id, at or utcnow()
    session.flush()
    return o


def conversion(session: Session) -> list[dict[str, Any]]:
    """Per reseller and offer kind: offers published, accepted, and the rate (accepted ÷ published)."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for rid, kind, status in session.execute(
        select(Offer.reseller_id, Offer.kind, Offer.status).where(
            Offer.status.in_(("published", "accepted", "expired")), Offer.published_at.is_not(None)
        )
    ):
        c = counts[(rid, kind)]
        c[0] += 1
        c[1] += status == "accepted"
    return [
        {
            "reseller_id": rid,
            "kind": kind,
            "published": n,
            "accepted": a,
            "rate": (Decimal(a) / Decimal(n)).quantize(Decimal("0.001")),
        }
        for (rid, kind), (n, a) in sorted(counts.items())
    ]
