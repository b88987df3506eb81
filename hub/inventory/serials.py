"""Serial numbers: one row per unit of a serialised product, and that unit's history.

A unit is registered when it is received (purchase receipt, a supplier's replacement),
leaves with an order or a warranty replacement, and may come back defective. Every move
is checked against :data:`MOVES` (from which states, to which state) and written as a
:class:`~hub.inventory.models.SerialEvent`, so the traceability report is one query.
Serials are compared trimmed and upper-cased (scanners and people type them differently).
Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.inventory.models import Serial, SerialEvent
from shared.errors import Conflict, DataError, NotFound

IN_STOCK, SHIPPED, RETURNED = "in_stock", "shipped", "returned"
SCRAPPED, AT_SUPPLIER, REMOVED = "scrapped", "at_supplier", "removed"
STATES = (IN_STOCK, SHIPPED, RETURNED, SCRAPPED, AT_SUPPLIER, REMOVED)

# event -> (states it may start from, state after; None = unchanged)
MOVES: dict[str, tuple[frozenset[str], Optional[str]]] = {
    "shipped": (frozenset({IN_STOCK}), SHIPPED),
    "claimed": (frozenset({SHIPPED}), None),
    "returned": (frozenset({SHIPPED}), RETURNED),
    "repaired": (frozenset({RETURNED}), SHIPPED),  # repaired and sent back to the reseller
    "refused": (frozenset({RETURNED}), SHIPPED),  # claim refused, the unit goes back
    "replaced": (
        frozenset({RETURNED, SHIPPED, SCRAPPED, AT_SUPPLIER}),
        None,
    ),  # another unit went out
    "scrapped": (frozenset({RETURNED}), SCRAPPED),
    "to_supplier": (frozenset({RETURNED, SCRAPPED}), AT_SUPPLIER),
    "supplier_answer": (frozenset(STATES), None),
    "removed": (frozenset({IN_STOCK}), REMOVED),  # its receipt was reversed
}
MAX_LEN = 80


def normalise(text: str) -> str:
    return text.strip().upper()


def parse_list(text: str) -> list[str]:
    """Serials typed or scanned into a box: one per line, or separated by commas/spaces."""
    return [normalise(s) for s in re.split(r"[\s,;]+", text or "") if s.strip()]


def _check_new(serials: list[str]) -> None:
    problems = [s for s in serials if len(s) > MAX_LEN]
    if problems:
        raise DataError(
            "serial numbers longer than {max_len} characters: {items}",
            hint="scan the serial again; a whole label was probably read",
            max_len=MAX_LEN,
            items=", ".join(p[:20] for p in problems),
        )
    twice = sorted(s for s, n in Counter(serials).items() if n > 1)
    if twice:
        raise DataError(
            "serial numbers given twice: {twice}",
            hint="each unit has its own serial: remove the duplicates",
            twice=", ".join(twice),
        )


def register(
    session: Session,
    product_id: int,
    serials: Iterable[str],
    *,
    warehouse_id: Optional[int],
    reference: str,
    actor: str = "",
    supplier_id: Optional[int] = None,
    event: str = "received",
    note: str = "",
) -> list[Serial]:
    """Units arrive in stock. A serial already known is refused, unless its receipt was reversed."""
    wanted = [normalise(s) for s in serials]
    _check_new(wanted)
    if not wanted:
        return []
    known = {
        s.serial: s
        for s in session.scalars(
            select(Serial).where(Serial.product_id == product_id, Serial.serial.in_(wanted))
        )
    }
    taken = sorted(f"{k} ({s.state})" for k, s in known.items() if s.state != REMOVED)
    if taken:
        raise Conflict(
            "product {product_id}: serial numbers already known: {taken}",
            hint="check the label; a unit that came back is handled by its warranty claim",
            product_id=product_id,
            taken=", ".join(taken),
        )
    now, out = utcnow(), []
    for text in wanted:
        unit = known.get(text) or Serial(product_id=product_id, serial=text)
        unit.state, unit.warehouse_id, unit.received_ref = IN_STOCK, warehouse_id, reference[:40]
        unit.received_at, unit.supplier_id = now, supplier_id
        unit.order_id = unit.reseller_id = unit.shipped_at = None
        session.add(unit)
        out.append(unit)
    session.flush()
    session.add_all(
        SerialEvent(
            serial_id=u.id, at=now, event=event, reference=reference[:60], actor=actor, note=note
        )
        for u in out
    )
    session.flush()
    return out


def move(
    session: Session,
    unit: Serial,
    event: str,
    *,
    reference: str = "",
    actor: str = "",
    note: str = "",
    reseller_id: Optional[str] = None,
    at: Optional[dt.datetime] = None,
) -> Serial:
    """Apply ``event`` to the unit if its state allows; write the history line."""
    starts, after = MOVES[event]
    if unit.state not in starts:
        raise Conflict(
            "serial {serial} is {state}: it cannot be {action}",
            hint="possible from: {starts}",
            serial=unit.serial,
            state=unit.state,
            action=event.replace("_", " "),
            starts=", ".join(sorted(starts)),
        )
    if after is not None:
        unit.state = after
    session.add(
        SerialEvent(
            serial_id=unit.id,
            at=at or utcnow(),
            event=event,
            reference=reference[:60],
            reseller_id=reseller_id or unit.reseller_id,
            actor=actor,
            note=note,
        )
    )
    session.flush()
    return unit


def ship_with_order(
    session: Session,
    order_id: int,
    reseller_id: str,
    quantities: Mapping[int, int],
    typed: Iterable[str],
    *,
    actor: str = "",
    at: Optional[dt.datetime] = None,
) -> list[Serial]:
    """An order leaves: its serialised products must name exactly their shipped units.

    Each typed serial must be in stock and belong to one of the order's serialised
    products; each of those products needs as many serials as units shipped. All problems
    are reported at once; nothing moves unless every check passes.
    """
    from hub.catalog.models import Product

    wanted = [normalise(s) for s in typed if s.strip()]
    serialised = {
        pid: sku
        for pid, sku in session.execute(
            select(Product.id, Product.sku).where(
                Product.id.in_(list(quantities)), Product.serialised.is_(True)
            )
        )
    }
    if not serialised and not wanted:
        return []
    _check_new(wanted)
    units = list(
        session.scalars(
            select(Serial)
            .where(Serial.serial.in_(wanted), Serial.product_id.in_(list(serialised) or [-1]))
            .order_by(Serial.id)
        )
    )
    found = {u.serial: u for u in units}
    problems = [
        f"serial {s} is not in stock for this order's products" for s in wanted if s not in found
    ]
    problems += [
        f"serial {u.serial} is {u.state}, not in stock" for u in units if u.state != IN_STOCK
    ]
    per = Counter(u.product_id for u in units)
    problems += [
        f"{sku}: {quantities[pid]} shipped, {per.get(pid, 0)} serial numbers given"
        for pid, sku in sorted(serialised.items())
        if per.get(pid, 0) != quantities[pid]
    ]
    if problems:
        raise DataError(
            "; ".join(problems),
            hint="scan the serial number of every unit of a serialised product in the parcel",
        )
    when = at or utcnow()
    for u in units:
        u.order_id, u.reseller_id, u.shipped_at, u.warehouse_id = order_id, reseller_id, when, None
        move(
            session,
            u,
            "shipped",
            reference=f"order #{order_id}",
            actor=actor,
            reseller_id=reseller_id,
            at=when,
        )
    return units


def find(session: Session, serial: str, product_id: Optional[int] = None) -> Serial:
    """The unit with this serial (of ``product_id`` when given); NotFound if none, DataError if ambiguous."""
    stmt = select(Serial).where(Serial.serial == normalise(serial))
    if product_id is not None:
        stmt = stmt.where(Serial.product_id == product_id)
    units = list(session.scalars(stmt))
    if not units:
        raise NotFound(
            "no unit with serial number {serial}",
            hint="check the number on the unit's label (letters and digits, as printed)",
            serial=repr(normalise(serial)),
        )
    if len(units) > 1:
        raise DataError(
            "serial {serial} belongs to {count} products",
            hint="choose the product as well",
            serial=repr(normalise(serial)),
            count=len(units),
        )
    return units[0]


@dataclass(frozen=True)
class Trace:
    unit: Serial
    events: list[SerialEvent]


def history(session: Session, serial: str) -> list[Trace]:
    """Every unit with this serial (one per product) with its events, oldest first."""
    units = list(
        session.scalars(
            select(Serial).where(Serial.serial == normalise(serial)).order_by(Serial.id)
        )
    )
    events: dict[int, list[SerialEvent]] = {u.id: [] for u in units}
    if units:
        for e in session.scalars(
            select(SerialEvent)
            .where(SerialEvent.serial_id.in_(list(events)))
            .order_by(SerialEvent.at, SerialEvent.id)
        ):
            events[e.serial_id].append(e)
    return [Trace(u, events[u.id]) for u in units]
