"""Warehouses (where the hub ships from) and resellers' delivery addresses as master data.

Both name their region by Kemendagri code (``31.71.01``); :func:`hub.shipping.regions.resolve`
checks it, so a typo is refused next to the field instead of breaking a quote later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.core.roles import STAFF, Role
from hub.masterdata.fields import Field, Invalid
from hub.masterdata.kind import RecordKind
from hub.resellers.models import Reseller
from hub.shipping.cache import forget_cached
from hub.shipping.models import ResellerAddress, Warehouse
from hub.shipping.regions import resolve
from shared.errors import DataError

OPS = frozenset({Role.OWNER, Role.OPERATIONS})
STOCK = frozenset({Role.OWNER, Role.OPERATIONS, Role.INVENTORY})
REGION_HELP = "A Kemendagri code (31.71.01): type a name or a postal code to find it."


def region_kode(session: Session, code: str | None, field: str = "region") -> str:
    try:
        return resolve(session, code or None).kode
    except DataError:
        raise Invalid({field: ("no region with code {code}", {"code": code or ""})}) from None


class Warehouses(RecordKind[Warehouse]):
    slug = "warehouses"
    entity = "warehouse"
    title = "Warehouses"
    singular = "warehouse"
    help = "Where the hub keeps stock and ships from; shipping fees are computed from its region."
    model = Warehouse
    fields = (
        Field("code", "Code", required=True, max_length=32),
        Field("name", "Name", required=True),
        Field(
            "region",
            "Region",
            required=True,
            max_length=13,
            help=REGION_HELP,
            suggest="/regions/suggest",
        ),
        Field("address", "Address", kind="textarea", max_length=500, listed=False),
    )
    key = ("code",)
    searched = (Warehouse.code, Warehouse.name, Warehouse.address)
    order_by = (Warehouse.code,)
    view_roles = STAFF
    edit_roles = STOCK

    def values(self, session: Session, rows: Sequence[Warehouse]) -> list[dict[str, Any]]:
        return [
            {"code": r.code, "name": r.name, "region": r.region_kode, "address": r.address}
            for r in rows
        ]

    def assign(
        self, session: Session, row: Warehouse, values: Mapping[str, Any], creating: bool
    ) -> None:
        code = str(values["code"]).strip()
        clash = session.scalar(
            select(Warehouse.id).where(
                func.lower(Warehouse.code) == code.lower(), Warehouse.id != (row.id or 0)
            )
        )
        if clash is not None:
            raise Invalid({"code": ("a warehouse with code {code} exists", {"code": code})})
        row.code, row.name = code, str(values["name"]).strip()
        row.region_kode = region_kode(session, values.get("region"))
        row.address = values.get("address") or ""
        if creating:
            row.active = True
        forget_cached()  # quotes cache the origins


class ResellerAddresses(RecordKind[ResellerAddress]):
    slug = "reseller-addresses"
    entity = "reseller_address"
    title = "Delivery addresses"
    singular = "delivery address"
    help = "Where orders of a reseller are delivered; the default one is used unless the order names another."
    model = ResellerAddress
    fields = (
        Field(
            "reseller", "Reseller (id)", required=True, max_length=31, suggest="/resellers/suggest"
        ),
        Field(
            "label", "Address label", required=True, max_length=100, placeholder="e.g. Main shop"
        ),
        Field("recipient", "Recipient"),
        Field("phone", "Phone", max_length=40),
        Field("street", "Street", kind="textarea", max_length=500, listed=False),
        Field(
            "region",
            "Region",
            required=True,
            max_length=13,
            help=REGION_HELP,
            suggest="/regions/suggest",
        ),
        Field("postal_code", "Postal code", max_length=5),
        Field("is_default", "Default address", kind="bool"),
    )
    key = ("reseller", "label")
    searched = (
        ResellerAddress.reseller_id,
        ResellerAddress.label,
        ResellerAddress.recipient,
        ResellerAddress.street,
    )
    order_by = (ResellerAddress.reseller_id, ResellerAddress.label)
    scopes = ("reseller",)
    deletable = True
    view_roles = STAFF
    edit_roles = OPS

    def narrow(self, session: Session, stmt: Any, scope: Mapping[str, str]) -> Any:
        if scope.get("reseller"):
            stmt = stmt.where(ResellerAddress.reseller_id == scope["reseller"])
        return stmt

    def values(self, session: Session, rows: Sequence[ResellerAddress]) -> list[dict[str, Any]]:
        return [
            {
                "reseller": r.reseller_id,
                "label": r.label,
                "recipient": r.recipient,
                "phone": r.phone,
                "street": r.street,
                "region": r.region_kode,
                "postal_code": r.postal_code,
                "is_default": r.is_default,
            }
            for r in rows
        ]

    def find(self, session: Session, values: Mapping[str, Any]) -> ResellerAddress | None:
        return session.scalars(
            select(ResellerAddress).where(
                ResellerAddress.reseller_id == values.get("reseller"),
                ResellerAddress.label == values.get("label"),
            )
        ).first()

    def assign(
        self, session: Session, row: ResellerAddress, values: Mapping[str, Any], creating: bool
    ) -> None:
        reseller = values.get("reseller")
        if not reseller or session.get(Reseller, reseller) is None:
            raise Invalid({"reseller": ("no reseller with id {id}", {"id": reseller or ""})})
        postal = str(values.get("postal_code") or "").strip()
        if postal and not (len(postal) == 5 and postal.isdigit()):
            raise Invalid({"postal_code": ("a postal code has five digits", {})})
        row.reseller_id = reseller
        for name in ("label", "recipient", "phone", "street"):
            setattr(row, name, values.get(name) or "")
        row.region_kode = region_kode(session, values.get("region"))
        row.postal_code = postal
        row.is_default = bool(values.get("is_default"))
        if row.is_default:  # one default per reseller
            session.execute(
                update(ResellerAddress)
                .where(ResellerAddress.reseller_id == reseller, ResellerAddress.id != (row.id or 0))
                .values(is_default=False)
            )


WAREHOUSES, ADDRESSES = Warehouses(), ResellerAddresses()
