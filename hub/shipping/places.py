"""HTTP routes for where parcels go from and to: warehouses, delivery addresses, territories.

Staff (owner, operations, inventory) create; anyone signed in lists warehouses
(they are the origins of a quote); a reseller sees only its own addresses and
territories — paths with ``{reseller_id}`` are scoped by ``require``, the
cross-reseller address list by ``restrict`` in the service.
"""

from __future__ import annotations

from fastapi import APIRouter

from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.roles import Role
from hub.shipping import service
from hub.shipping.models import LEVELS
from hub.shipping.schemas import (
    AddressCreate,
    AddressesPublic,
    AddressPublic,
    RegionPublic,
    TerritoriesPublic,
    TerritoryCreate,
    WarehouseCreate,
    WarehousePublic,
    WarehousesPublic,
)

router = APIRouter(tags=["shipping"])
STAFF_WRITE = (Role.OWNER, Role.OPERATIONS, Role.INVENTORY)


@router.get(
    "/api/v1/shipping/warehouses", response_model=WarehousesPublic, dependencies=[require()]
)
def list_warehouses(session: SessionDep) -> WarehousesPublic:
    """The hub's origins (warehouse codes are valid quote origins)."""
    data = [WarehousePublic.model_validate(w) for w in service.list_warehouses(session)]
    return WarehousesPublic(data=data, count=len(data))


@router.post(
    "/api/v1/shipping/warehouses",
    response_model=WarehousePublic,
    status_code=201,
    dependencies=[require(*STAFF_WRITE)],
)
def create_warehouse(
    body: WarehouseCreate, session: SessionDep, principal: CurrentPrincipal
) -> WarehousePublic:
    wh = service.add_warehouse(
        session, body.code, body.name, body.region_kode, body.address, principal
    )
    out = WarehousePublic.model_validate(wh)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return out


@router.get("/api/v1/shipping/addresses", response_model=AddressesPublic, dependencies=[require()])
def list_all_addresses(
    session: SessionDep, principal: CurrentPrincipal, reseller_id: str | None = None
) -> AddressesPublic:
    """Delivery addresses: staff see every reseller's (or one's), a reseller only its own."""
    rows = service.list_addresses(session, principal, reseller_id)
    data = [AddressPublic.model_validate(a) for a in rows]
    return AddressesPublic(data=data, count=len(data))


@router.get(
    "/api/v1/resellers/{reseller_id}/addresses",
    response_model=AddressesPublic,
    dependencies=[require()],
)
def list_reseller_addresses(
    reseller_id: str, session: SessionDep, principal: CurrentPrincipal
) -> AddressesPublic:
    rows = service.list_addresses(session, principal, reseller_id)
    data = [AddressPublic.model_validate(a) for a in rows]
    return AddressesPublic(data=data, count=len(data))


@router.post(
    "/api/v1/resellers/{reseller_id}/addresses",
    response_model=AddressPublic,
    status_code=201,
    dependencies=[require(*STAFF_WRITE)],
)
def create_address(
    reseller_id: str, body: AddressCreate, session: SessionDep, principal: CurrentPrincipal
) -> AddressPublic:
    """Add a delivery address; a BPS code or a postal code alone is stored as Kemendagri."""
    fields = body.model_dump(include={"label", "recipient", "phone", "street"})
    addr = service.add_address(
        session,
        reseller_id,
        region_kode=body.region_kode,
        scheme=body.scheme,
        postal_code=body.postal_code,
        is_default=body.is_default,
        principal=principal,
        **fields,
    )
    out = AddressPublic.model_validate(addr)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return out


@router.get(
    "/api/v1/resellers/{reseller_id}/territories",
    response_model=TerritoriesPublic,
    dependencies=[require()],
)
def list_territories(reseller_id: str, session: SessionDep) -> TerritoriesPublic:
    regions = service.territory_regions(session, reseller_id)
    data = [RegionPublic(kode=r.kode, name=r.name, level=LEVELS[r.level]) for r in regions]
    return TerritoriesPublic(reseller_id=reseller_id, data=data, count=len(data))


@router.post(
    "/api/v1/resellers/{reseller_id}/territories",
    response_model=TerritoriesPublic,
    status_code=201,
    dependencies=[require(Role.OWNER, Role.OPERATIONS)],
)
def add_territory(
    reseller_id: str, body: TerritoryCreate, session: SessionDep, principal: CurrentPrincipal
) -> TerritoriesPublic:
    """Assign a region (province, regency or district) to a reseller; returns all its territories."""
    service.assign_territory(session, reseller_id, body.region_kode, principal)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    return list_territories(reseller_id, session)
