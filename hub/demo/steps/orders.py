"""Demo step: orders in every state, each moved by the people who move them in real life.

Through ``hub.orders`` and ``hub.payments``: resellers' admins order (one from a published
offer), send transfer proofs (a real PNG, stored like an upload); finance confirms; the
warehouse packs and ships with a waybill (serial numbers for serialised units); a reseller
confirms delivery; one order placed ten days ago was never paid and the expiry job expires
it. One proof stays in finance's queue.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from collections.abc import Sequence

from sqlalchemy import select

from hub.core.db import transaction, utcnow
from hub.core.roles import Principal, Role
from hub.demo.steps import Demo
from hub.demo.steps.catalog import SERIALISED, sku
from hub.demo.steps.people import admin_of, staff
from hub.demo.steps.purchasing import serials_of
from hub.offers.models import Offer
from hub.orders.catalog import HubCatalog
from hub.orders.expiry import expire_due
from hub.orders.fulfilment import ship
from hub.orders.service import (
    LineRequest,
    OrderContext,
    OrderPolicy,
    apply_event,
    create_order,
    get_order,
)
from hub.orders.shipping import HubShipping
from hub.orders.sources import from_offer
from hub.payments import proofs
from hub.payments.service import TransferClaim, confirm, proofs_dir, submit

CTX = OrderContext(HubCatalog(), HubShipping(), OrderPolicy())


def transfer_receipt_png(width: int = 240, height: int = 120) -> bytes:
    """A small real PNG (grey receipt with dark bars), as a phone screenshot would be."""
    rows = b"".join(
        b"\x00" + bytes(60 if (y // 12) % 2 and 20 < x < width - 20 else 235 for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def place_order(demo: Demo, who: Principal, lines: dict[str, int], **kw: object) -> int:
    with transaction(demo.factory) as s:
        order = create_order(
            s,
            who,
            str(who.reseller_id),
            [LineRequest(quantity=q, product_id=demo.products[k]) for k, q in lines.items()],
            CTX,
            **kw,  # type: ignore[arg-type]
        )
        return order.id


def _send_proof(demo: Demo, who: Principal, order_id: int, bank: str) -> int:
    stored = proofs.store(io.BytesIO(transfer_receipt_png()), proofs_dir(demo.settings.home))
    with transaction(demo.factory) as s:
        order = get_order(s, who, order_id)
        claim = TransferClaim(
            invoice_number=order.invoice_number or "",
            bank=bank,
            account_holder=f"Pemilik {who.reseller_id}",
            transfer_date=demo.today,
            amount=order.transfer_amount,
        )
        return submit(s, who, order_id, claim, stored).id


def pay_order(demo: Demo, who: Principal, order_id: int) -> None:
    proof = _send_proof(demo, who, order_id, "BCA")
    with transaction(demo.factory) as s:
        confirm(s, demo.as_user(staff(Role.FINANCE)), proof)


def _packed(demo: Demo, order_id: int) -> None:
    store = demo.as_user(staff(Role.INVENTORY))
    with transaction(demo.factory) as s:
        apply_event(s, store, get_order(s, store, order_id), "pack")


def _shipped(demo: Demo, order_id: int, waybill: str, serials: Sequence[str] = ()) -> None:
    _packed(demo, order_id)
    store = demo.as_user(staff(Role.INVENTORY))
    with transaction(demo.factory) as s:
        order = get_order(s, store, order_id)
        ship(s, store, order, courier="JNE", service="REG", waybill=waybill, serials=serials)


def _delivered(demo: Demo, who: Principal, unit: int, waybill: str, serial: str) -> int:
    """An order with one serialised unit, paid, shipped with its serial, received by the shop."""
    order_id = place_order(demo, who, {sku(unit): 1, "NW-0036": 30})
    pay_order(demo, who, order_id)
    _shipped(demo, order_id, waybill, [serial])
    with transaction(demo.factory) as s:
        apply_event(s, who, get_order(s, who, order_id), "deliver")
    demo.warranty_units.append((who, sku(unit), serial))
    return order_id


def seed(demo: Demo) -> str:
    maju, sinar, berkah = (demo.as_user(admin_of(r)) for r in demo.resellers[:3])
    with demo.factory() as s:
        offer_id = s.scalar(
            select(Offer.id)
            .where(
                Offer.reseller_id == maju.reseller_id,
                Offer.status == "published",
                Offer.product_id.not_in([demo.products[sku(n)] for n in SERIALISED]),
            )
            .order_by(Offer.id)
        )
    if offer_id is None:
        raise RuntimeError(
            f"no published offer for {maju.reseller_id}: the offers step publishes some"
        )
    with transaction(demo.factory) as s:
        from_offer_id = from_offer(s, maju, offer_id, CTX).id
    _send_proof(demo, maju, from_offer_id, "Mandiri")  # waits in finance's queue

    paid = place_order(demo, maju, {"NW-0001": 24, "NW-0043": 12})
    pay_order(demo, maju, paid)
    demo.facts["reorder"] = paid  # the portal step orders it again

    shipped = place_order(demo, sinar, {"NW-0002": 24, "NW-0011": 10})
    pay_order(demo, sinar, shipped)
    _shipped(demo, shipped, "JNE0100000001")

    packed = place_order(demo, sinar, {"NW-0013": 48})
    pay_order(demo, sinar, packed)
    _packed(demo, packed)

    serial_numbers = serials_of(SERIALISED[1], len(demo.resellers))
    delivered = [
        _delivered(demo, who, SERIALISED[1], f"JNE01000001{n:02d}", serial)
        for n, (who, serial) in enumerate(zip((maju, sinar, berkah), serial_numbers))
    ]

    late = place_order(demo, berkah, {"NW-0035": 12}, now=utcnow() - dt.timedelta(days=10))
    expired = expire_due(demo.factory, CTX.policy)
    if late not in expired:
        raise RuntimeError(f"order #{late}, unpaid for ten days, did not expire: {expired}")
    return (
        f"orders: #{from_offer_id} from an offer (proof waiting for finance), #{paid} paid,"
        f" #{packed} packed, #{shipped} shipped, {', '.join(f'#{n}' for n in delivered)}"
        f" delivered (a serialised unit each), #{late} expired unpaid"
    )
