"""Reseller groups, price lists and their quantity breaks as master data (no HTTP).

What a fresh hub needs before it can sell: an order refuses any product outside the
reseller's price lists (see :mod:`hub.catalog.pricing` for which list wins). Records are
named by what people know — a group and a list by name, a product by SKU, a reseller by
id — so a file exported here imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub.catalog.models import PriceList, PriceListItem, Product, ResellerGroup
from hub.core.roles import Role
from hub.masterdata.fields import Field, Invalid, Msg
from hub.masterdata.kind import RecordKind
from hub.resellers.models import Reseller

VIEW = frozenset({Role.OWNER, Role.OPERATIONS, Role.MARKETING})
EDIT = frozenset({Role.OWNER, Role.OPERATIONS})


def group_choices(session: Session) -> list[tuple[str, str]]:
    names = session.scalars(
        select(ResellerGroup.name)
        .where(ResellerGroup.active.is_(True))
        .order_by(ResellerGroup.name)
    )
    return [(n, n) for n in names]


def price_list_choices(session: Session) -> list[tuple[str, str]]:
    names = session.scalars(select(PriceList.name).order_by(PriceList.name).distinct())
    return [(n, n) for n in names]


def group_id(session: Session, name: str | None, field: str = "group") -> int | None:
    """The id of the group called ``name`` (None for none); an unknown name names the field."""
    if not name:
        return None
    found = session.scalar(select(ResellerGroup.id).where(ResellerGroup.name == name))
    if found is None:
        raise Invalid({field: ("no reseller group named {name}", {"name": name})})
    return found


def reseller_known(
    session: Session, reseller_id: str | None, field: str = "reseller"
) -> str | None:
    if not reseller_id:
        return None
    if session.get(Reseller, reseller_id) is None:
        raise Invalid({field: ("no reseller with id {id}", {"id": reseller_id})})
    return reseller_id


def product_id(session: Session, sku: str | None, field: str = "sku") -> int:
    found = session.scalar(select(Product.id).where(Product.sku == sku)) if sku else None
    if found is None:
        raise Invalid({field: ("no product with SKU {sku}", {"sku": sku or ""})})
    return found


def _unique(session: Session, model: Any, row: Any, name: str, msg: Msg) -> None:
    clash = session.scalar(
        select(model.id).where(func.lower(model.name) == name.lower(), model.id != (row.id or 0))
    )
    if clash is not None:
        raise Invalid({"name": msg})


class ResellerGroups(RecordKind[ResellerGroup]):
    slug = "reseller-groups"
    entity = "reseller_group"
    title = "Reseller groups"
    singular = "reseller group"
    help = "Resellers in a group share its price lists and promotions; a reseller joins groups on its profile."
    model = ResellerGroup
    fields = (
        Field("name", "Name", required=True, max_length=100),
        Field("description", "Description", max_length=300),
    )
    key = ("name",)
    searched = (ResellerGroup.name, ResellerGroup.description)
    order_by = (ResellerGroup.name,)
    view_roles = VIEW
    edit_roles = EDIT

    def assign(
        self, session: Session, row: ResellerGroup, values: Mapping[str, Any], creating: bool
    ) -> None:
        name = str(values["name"]).strip()
        _unique(session, ResellerGroup, row, name, ("a group named {name} exists", {"name": name}))
        row.name, row.description = name, values.get("description") or ""


class PriceLists(RecordKind[PriceList]):
    slug = "price-lists"
    entity = "price_list"
    title = "Price lists"
    singular = "price list"
    help = "A list for one reseller beats its groups' lists, which beat the lists for everyone."
    model = PriceList
    fields = (
        Field("name", "Name", required=True, max_length=100),
        Field("group", "For the group", kind="choice", choices=group_choices),
        Field("reseller", "For the reseller (id)", max_length=31, suggest="/resellers/suggest"),
        Field("note", "Note", max_length=300),
    )
    key = ("name",)
    searched = (PriceList.name, PriceList.reseller_id, PriceList.note)
    order_by = (PriceList.name,)
    view_roles = VIEW
    edit_roles = EDIT

    def links(self, row: PriceList, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [("Prices", "/price-list-items?" + urlencode({"price_list": row.name}))]

    def values(self, session: Session, rows: Sequence[PriceList]) -> list[dict[str, Any]]:
        groups = dict(session.execute(select(ResellerGroup.id, ResellerGroup.name)).all())
        return [
            {
                "name": r.name,
                "group": groups.get(r.group_id) if r.group_id else None,
                "reseller": r.reseller_id,
                "note": r.note,
            }
            for r in rows
        ]

    def assign(
        self, session: Session, row: PriceList, values: Mapping[str, Any], creating: bool
    ) -> None:
        name = str(values["name"]).strip()
        _unique(session, PriceList, row, name, ("a price list named {name} exists", {"name": name}))
        if values.get("group") and values.get("reseller"):
            raise Invalid(
                {"reseller": ("a list is for one reseller or for one group, not both", {})}
            )
        row.name = name
        row.group_id = group_id(session, values.get("group"))
        row.reseller_id = reseller_known(session, values.get("reseller"))
        row.note = values.get("note") or ""
        if creating:
            row.active = True


class PriceListItems(RecordKind[PriceListItem]):
    """Quantity breaks: from ``min_quantity`` units on, each costs ``unit_price``."""

    slug = "price-list-items"
    entity = "price_list_item"
    title = "Prices and quantity breaks"
    singular = "price"
    help = "From the minimum quantity on, each unit costs the unit price; the largest break that fits the order applies."
    model = PriceListItem
    fields = (
        Field("price_list", "Price list", kind="choice", required=True, choices=price_list_choices),
        Field("sku", "SKU", required=True, max_length=64),
        Field("min_quantity", "From quantity", kind="int", minimum=Decimal(1), default=1),
        Field("unit_price", "Unit price", kind="money", required=True, minimum=Decimal("0.01")),
    )
    key = ("price_list", "sku", "min_quantity")
    searched = (Product.sku, Product.name)
    # the unique index's order: a page of a big list is read from the index, not sorted
    order_by = (PriceListItem.price_list_id, PriceListItem.product_id, PriceListItem.min_quantity)
    scopes = ("price_list",)
    deletable = True
    view_roles = VIEW
    edit_roles = EDIT

    def base(self) -> Select[Any]:
        return (
            select(PriceListItem)
            .join(Product, Product.id == PriceListItem.product_id)
            .join(PriceList, PriceList.id == PriceListItem.price_list_id)
        )

    def narrow(self, session: Session, stmt: Select[Any], scope: Mapping[str, str]) -> Select[Any]:
        if scope.get("price_list"):
            stmt = stmt.where(PriceList.name == scope["price_list"])
        return stmt

    def values(self, session: Session, rows: Sequence[PriceListItem]) -> list[dict[str, Any]]:
        lists = dict(
            session.execute(
                select(PriceList.id, PriceList.name).where(
                    PriceList.id.in_({r.price_list_id for r in rows})
                )
            ).all()
        )
        skus = dict(
            session.execute(
                select(Product.id, Product.sku).where(Product.id.in_({r.product_id for r in rows}))
            ).all()
        )
        return [
            {
                "price_list": lists.get(r.price_list_id),
                "sku": skus.get(r.product_id),
                "min_quantity": r.min_quantity,
                "unit_price": r.unit_price,
            }
            for r in rows
        ]

    def _list_id(self, session: Session, name: str | None) -> int:
        found = session.scalar(select(PriceList.id).where(PriceList.name == name)) if name else None
        if found is None:
            raise Invalid({"price_list": ("no price list named {name}", {"name": name or ""})})
        return found

    def find(self, session: Session, values: Mapping[str, Any]) -> PriceListItem | None:
        return session.scalars(
            select(PriceListItem).where(
                PriceListItem.price_list_id == self._list_id(session, values.get("price_list")),
                PriceListItem.product_id == product_id(session, values.get("sku")),
                PriceListItem.min_quantity == (values.get("min_quantity") or 1),
            )
        ).first()

    def assign(
        self, session: Session, row: PriceListItem, values: Mapping[str, Any], creating: bool
    ) -> None:
        list_id = self._list_id(session, values.get("price_list"))
        pid = product_id(session, values.get("sku"))
        qty = int(values.get("min_quantity") or 1)
        clash = session.scalar(
            select(PriceListItem.id).where(
                PriceListItem.price_list_id == list_id,
                PriceListItem.product_id == pid,
                PriceListItem.min_quantity == qty,
                PriceListItem.id != (row.id or 0),
            )
        )
        if clash is not None:
            raise Invalid(
                {
                    "min_quantity": (
                        "this product already has a price from {n} units in this list",
                        {"n": qty},
                    )
                }
            )
        row.price_list_id, row.product_id, row.min_quantity = list_id, pid, qty
        row.unit_price = values["unit_price"]


GROUPS, PRICE_LISTS, PRICE_LIST_ITEMS = ResellerGroups(), PriceLists(), PriceListItems()
