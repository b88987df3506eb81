"""Shipping use cases on the database: quotes, warehouses, addresses, territories.

Everything here takes a ``Session`` and never commits except where it says
so; routes and the CLI own the transaction (``hub.core.db.transaction``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Mapping, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.roles import Principal, restrict
from hub.shipping.cache import CACHE
from hub.shipping.live import LiveRateProvider, LiveRateRequest, LiveRatesUnavailable
from hub.shipping.models import Region, RegionCode, ResellerAddress, ResellerTerritory, Warehouse
from hub.shipping.quotes import QuoteOption, QuotePolicy, quote, sort_options
from hub.shipping.regions import ResolvedRegion, resolve
from hub.shipping.rules import DEFAULT_RULES, Item, ServiceRules, total
from shared.errors import Conflict, DataError, NotFound


@dataclass
class QuoteResult:
    origin: ResolvedRegion
    destination: ResolvedRegion
    day: dt.date
    options: list[QuoteOption]
    source: str = "rate card"
    notices: list[str] = field(default_factory=list)


def origin_region(session: Session, origin: str) -> ResolvedRegion:
    """A warehouse code, or a Kemendagri region code used directly as the origin."""
    wh = CACHE.warehouse(session, origin)
    if wh is not None:
        if not wh.active:
            raise DataError(
                "warehouse {code} is inactive", hint="pick an active warehouse", code=repr(origin)
            )
        return CACHE.region(session, wh.region_kode)
    try:
        return CACHE.region(session, origin)
    except DataError:
        known = ", ".join(CACHE.warehouse_codes(session)) or "none yet"
        raise DataError(
            "unknown origin {origin}: not a warehouse code nor a region code",
            hint="warehouses: {known}",
            origin=repr(origin),
            known=known,
        ) from None


def quote_shipment(
    session: Session,
    *,
    origin: str,
    items: Sequence[Item],
    destination: str | None = None,
    scheme: str = "kemendagri",
    postal_code: str | None = None,
    day: dt.date | None = None,
    sort: str = "price",
    insured: bool = False,
    policy: QuotePolicy = QuotePolicy(),
    rules: Mapping[tuple[str, str], ServiceRules] = DEFAULT_RULES,
    live: LiveRateProvider | None = None,
) -> QuoteResult:
    """All options for shipping ``items`` from ``origin`` to a destination given in any code set."""
    if not items:
        raise DataError("a quote needs at least one item")
    orig = origin_region(session, origin)
    dest = CACHE.region(session, destination, scheme=scheme, postal_code=postal_code)
    if dest.level == "province":
        raise DataError(
            "destination {kode} ({name}) is a province",
            kode=dest.kode,
            name=dest.name,
            hint="give a regency, district or village (or a postal code)",
        )
    day = day or dt.datetime.now(dt.timezone.utc).date()
    book = CACHE.book(session)
    target = dest.ancestor(3) if dest.level in ("district", "village") else dest.kode
    options = quote(
        book,
        orig.kode,
        target,
        items,
        day=day,
        rules=rules,
        policy=policy,
        insured=insured,
        sort=sort,
    )
    result = QuoteResult(orig, dest, day, options)
    if dest.ambiguous:
        result.notices.append(
            f"postal code {postal_code} spans several regencies: "
            f"quoted to {dest.name}, the most common one"
        )
    if live is not None:
        _apply_live(session, live, result, items, sort)
    if not result.options:
        result.notices.append(f"no rate card covers {orig.kode} → {target} on {day}")
    return result


def _provider_id(session: Session, scheme: str, kode: str) -> str:
    mapped = session.execute(
        select(RegionCode.code).where(RegionCode.scheme == scheme, RegionCode.region_kode == kode)
    ).scalar()
    return mapped or kode


def _apply_live(
    session: Session, live: LiveRateProvider, result: QuoteResult, items: Sequence[Item], sort: str
) -> None:
    """Replace card prices by live ones when the provider answers sensibly; else say why not."""
    grams = (total(i.weight * i.quantity for i in items) * 1000).to_integral_value(ROUND_CEILING)
    couriers = tuple(sorted({o.courier.lower() for o in result.options})) or ("jne",)
    request = LiveRateRequest(
        _provider_id(session, live.name, result.origin.kode),
        _provider_id(session, live.name, result.destination.kode),
        max(int(grams), 1),
        couriers,
    )
    try:
        rates = live.rates(request)
    except LiveRatesUnavailable as exc:
        result.notices.append(
            f"live rates unavailable ({exc.message}); prices are from the rate cards"
        )
        return
    options = []
    for r in rates:
        options.append(
            QuoteOption(
                r.courier,
                r.service,
                f"{r.courier} {r.service}",
                r.price,
                r.price,
                Decimal(0),
                Decimal(0),
                r.price,
                Decimal(0),
                0,
                Decimal(0),
                r.etd_min,
                r.etd_max,
                [f"live rate from {live.name} for {request.weight_grams} g: Rp {r.price}"],
                source=live.name,
            )
        )
    result.options = sort_options(options, sort)
    result.source = live.name


# --- origins, addresses, territories ------------------------------------------------


def add_warehouse(
    session: Session,
    code: str,
    name: str,
    region_kode: str,
    address: str = "",
    principal: Principal | None = None,
) -> Warehouse:
    """A new origin (flushed, not committed, audited); its region must be a known Kemendagri code.
    A code in use is a ``Conflict`` (the API's 409); the records form says it next to the field."""
    from hub.shipping.records import WAREHOUSES

    if session.scalar(select(Warehouse.id).where(func.lower(Warehouse.code) == code.lower())):
        raise Conflict("warehouse {code} exists already", hint="pick another code", code=repr(code))
    values = {"code": code, "name": name or code, "region": region_kode, "address": address}
    return WAREHOUSES.create(session, principal, values)


def list_warehouses(session: Session) -> list[Warehouse]:
    return list(session.execute(select(Warehouse).order_by(Warehouse.code)).scalars())


def add_address(
    session: Session,
    reseller_id: str,
    *,
    region_kode: str | None = None,
    scheme: str = "kemendagri",
    postal_code: str = "",
    is_default: bool = False,
    principal: Principal | None = None,
    **fields: str,
) -> ResellerAddress:
    """A delivery address; BPS- or postal-code-only input is stored as its Kemendagri region.

    A new default address clears the reseller's other defaults. Unknown reseller → NotFound.
    """
    region = resolve(session, region_kode, scheme=scheme, postal_code=postal_code or None)
    if is_default:
        session.execute(
            update(ResellerAddress)
            .where(ResellerAddress.reseller_id == reseller_id)
            .values(is_default=False)
        )
    addr = ResellerAddress(
        reseller_id=reseller_id,
        region_kode=region.kode,
        postal_code=postal_code,
        is_default=is_default,
        **fields,
    )
    _insert(session, addr, reseller_id)
    record(
        session,
        principal,
        "reseller_address.create",
        "reseller_address",
        addr.id,
        None,
        {
            "reseller": reseller_id,
            "region": region.kode,
            "label": addr.label,
            "is_default": is_default,
        },
    )
    return addr


def list_addresses(
    session: Session, principal: Principal, reseller_id: str | None = None
) -> list[ResellerAddress]:
    """Addresses the principal may see (a reseller: only its own), optionally of one reseller."""
    stmt = select(ResellerAddress).order_by(ResellerAddress.reseller_id, ResellerAddress.id)
    if reseller_id is not None:
        stmt = stmt.where(ResellerAddress.reseller_id == reseller_id)
    return list(session.execute(restrict(stmt, principal, ResellerAddress.reseller_id)).scalars())


def assign_territory(
    session: Session, reseller_id: str, region_kode: str, principal: Principal | None = None
) -> ResellerTerritory:
    """Give a region to a reseller (idempotent; flushed, not committed)."""
    region = resolve(session, region_kode)
    if region.level == "village":
        raise DataError(
            "{kode} ({name}) is a village",
            kode=region.kode,
            name=region.name,
            hint="territories are provinces, regencies or districts",
        )
    t = session.get(ResellerTerritory, (reseller_id, region.kode))
    if t is None:
        t = ResellerTerritory(reseller_id=reseller_id, region_kode=region.kode)
        _insert(session, t, reseller_id)
        record(
            session,
            principal,
            "territory.assign",
            "reseller",
            reseller_id,
            None,
            {"region": region.kode},
        )
    return t


def _insert(session: Session, row: ResellerAddress | ResellerTerritory, reseller_id: str) -> None:
    """Insert in a savepoint: an unknown reseller (foreign key) becomes a clear NotFound."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise NotFound(
            "no reseller {reseller_id}", hint="enrol the reseller first", reseller_id=reseller_id
        ) from None


def territory_regions(session: Session, reseller_id: str) -> list[Region]:
    """A reseller's territories as regions (code, name, level), by code."""
    return list(
        session.execute(
            select(Region)
            .join(ResellerTerritory, ResellerTerritory.region_kode == Region.kode)
            .where(ResellerTerritory.reseller_id == reseller_id)
            .order_by(Region.kode)
        ).scalars()
    )


def territories_of(session: Session, reseller_id: str) -> list[str]:
    return list(
        session.execute(
            select(ResellerTerritory.region_kode)
            .where(ResellerTerritory.reseller_id == reseller_id)
            .order_by(ResellerTerritory.region_kode)
        ).scalars()
    )


def resellers_for_region(session: Session, region_kode: str) -> list[str]:
    """Resellers whose territory contains this region (assigned to it or to an ancestor)."""
    parts = region_kode.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return sorted(
        set(
            session.execute(
                select(ResellerTerritory.reseller_id).where(
                    ResellerTerritory.region_kode.in_(ancestors)
                )
            ).scalars()
        )
    )
