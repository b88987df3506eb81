"""What every quote reads, kept in memory: the rate book, the warehouses, resolved regions.

Why: a quote used to cost four or five small queries (warehouse, two region
look-ups, a rate-card version aggregate); on SQLite each one also began a
transaction. Those tables change rarely (an import, a new warehouse), so one
``ShippingCache`` per process answers from memory and **re-checks the
database at most every** ``recheck_seconds`` (default 1 s): one aggregate over
the rate cards and a re-read of the (tiny) warehouse table. When the card
version changed, the book and the region answers are rebuilt.

Consequences, on purpose:

* a change made in *this* process through ``hub.shipping`` (rate-card import,
  warehouse add/update, region import) calls :func:`forget_cached` and is seen
  by the next quote;
* a change made by *another* process (a CLI import while the web server runs,
  another uvicorn worker) is seen within ``recheck_seconds``;
* resolved region names (Kemendagri renames are rare) are also dropped every
  ``region_max_age`` seconds (default 10 min), and the map is bounded.

One state per database URL, so tests with several databases in one process
never see each other's cards.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.shipping.models import RateCard, Warehouse
from hub.shipping.quotes import RateBook
from hub.shipping.regions import ResolvedRegion, resolve


@dataclass(frozen=True)
class WarehouseInfo:
    code: str
    name: str
    region_kode: str
    active: bool


@dataclass
class _State:
    checked_at: float
    version: tuple[object, ...]
    book: RateBook
    warehouses: dict[str, WarehouseInfo]
    regions_born: float
    regions: dict[tuple[str, str, str], ResolvedRegion] = field(default_factory=dict)


def _card_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a rate-card line is added, removed, closed or re-priced (imports insert new ids)."""
    return tuple(
        session.execute(
            select(
                func.count(RateCard.id),
                func.max(RateCard.id),
                func.sum(RateCard.price_per_kg),
                func.count(RateCard.effective_to),
                func.max(RateCard.effective_to),
                func.max(RateCard.effective_from),
                func.sum(RateCard.min_weight),
            )
        ).one()
    )


def _warehouses(session: Session) -> dict[str, WarehouseInfo]:
    rows = session.execute(
        select(Warehouse.code, Warehouse.name, Warehouse.region_kode, Warehouse.active)
    ).all()
    return {r.code: WarehouseInfo(r.code, r.name, r.region_kode, bool(r.active)) for r in rows}


class ShippingCache:
    """Process-wide cache of the quote inputs; thread-safe (one lock around state swaps)."""

    def __init__(
        self, recheck_seconds: float = 1.0, region_max_age: float = 600.0, max_regions: int = 50_000
    ) -> None:
        self.recheck_seconds = recheck_seconds
        self.region_max_age = region_max_age
        self.max_regions = max_regions
        self._lock = threading.Lock()
        self._states: dict[object, _State] = {}

    def _state(self, session: Session) -> _State:
        key = session.get_bind().engine.url
        now = time.monotonic()
        state = self._states.get(key)
        if state is not None and now - state.checked_at < self.recheck_seconds:
            return state
        version = _card_version(session)
        warehouses = _warehouses(session)
        with self._lock:
            state = self._states.get(key)
            if state is not None and state.version == version:
                state.warehouses = warehouses
                state.checked_at = now
                if now - state.regions_born > self.region_max_age:
                    state.regions, state.regions_born = {}, now
                return state
        book = RateBook.load(session)
        fresh = _State(now, version, book, warehouses, now)
        with self._lock:
            self._states[key] = fresh
        return fresh

    def book(self, session: Session) -> RateBook:
        return self._state(session).book

    def warehouse(self, session: Session, code: str) -> WarehouseInfo | None:
        return self._state(session).warehouses.get(code)

    def warehouse_codes(self, session: Session) -> list[str]:
        return sorted(self._state(session).warehouses)

    def region(
        self,
        session: Session,
        code: str | None = None,
        *,
        scheme: str = "kemendagri",
        postal_code: str | None = None,
    ) -> ResolvedRegion:
        """``regions.resolve`` remembered (errors are not remembered: they raise every time)."""
        state = self._state(session)
        key = (scheme, (code or "").strip(), "" if code else (postal_code or "").strip())
        hit = state.regions.get(key)
        if hit is not None:
            return hit
        found = resolve(session, code, scheme=scheme, postal_code=postal_code)
        if len(state.regions) >= self.max_regions:
            state.regions = {}
        state.regions[key] = found
        return found

    def forget(self) -> None:
        with self._lock:
            self._states.clear()


CACHE = ShippingCache()


def forget_cached() -> None:
    """Drop everything cached (called after any shipping write in this process)."""
    CACHE.forget()
