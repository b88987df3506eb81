"""Suppliers, their contacts, and the products they supply (their codes, our costs, order sizes).

Staff only: supplier costs never reach a reseller (the routes say who; nothing here is
scoped by reseller). Every change is audited in the caller's transaction.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.purchasing.models import Supplier, SupplierContact, SupplierProduct
from hub.purchasing.query import paged
from hub.purchasing.schemas import SupplierIn, SupplierProductIn
from shared.errors import Conflict, DataError, NotFound

_EDITABLE = (
    "legal_name",
    "address",
    "email",
    "phone",
    "payment_terms_days",
    "lead_time_days",
    "note",
    "active",
)


def npwp_digits(text: str) -> str:
    """An NPWP typed with or without its dots and dash: 15 digits (old) or 16 (NIK-based)."""
    digits = re.sub(r"[\s.\-]", "", text or "")
    if digits and (not digits.isdigit() or len(digits) not in (15, 16)):
        raise translatable(
            DataError,
            "NPWP {value} is not 15 or 16 digits",
            "type it as printed, e.g. 01.234.567.8-901.000 or its 16-digit form",
            value=repr(text),
        )
    return digits


def format_npwp(digits: str) -> str:
    """``012345678901000`` → ``01.234.567.8-901.000`` (16-digit numbers are shown bare)."""
    if len(digits) != 15:
        return digits
    d = digits
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:]}"


def _check_email(email: str) -> str:
    email = email.strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise translatable(
            DataError,
            "{value} is not an e-mail address",
            "e.g. sales@supplier.co.id",
            value=repr(email),
        )
    return email


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(
            "no supplier #{supplier_id}", hint="see the suppliers list", supplier_id=supplier_id
        )
    return supplier


def _fields(data: SupplierIn) -> dict[str, object]:
    return {
        "legal_name": data.legal_name.strip(),
        "npwp": npwp_digits(data.npwp),
        "address": data.address.strip(),
        "email": _check_email(data.email),
        "phone": data.phone.strip(),
        "payment_terms_days": data.payment_terms_days,
        "lead_time_days": data.lead_time_days,
        "note": data.note,
        "active": data.active,
    }


def _contacts(data: SupplierIn) -> list[SupplierContact]:
    return [
        SupplierContact(
            name=c.name.strip(), role=c.role.strip(), email=_check_email(c.email), phone=c.phone
        )
        for c in data.contacts
    ]


def snapshot(s: Supplier) -> dict[str, object]:
    return {"code": s.code, **{k: getattr(s, k) for k in ("npwp", *_EDITABLE)}}


def create_supplier(session: Session, principal: Optional[Principal], data: SupplierIn) -> Supplier:
    code = data.code.strip().upper()
    if session.scalar(select(Supplier.id).where(Supplier.code == code)) is not None:
        raise translatable(
            Conflict, "supplier code {code} is taken", "choose another code", code=code
        )
    supplier = Supplier(code=code, **_fields(data))
    supplier.contacts = _contacts(data)
    session.add(supplier)
    session.flush()
    record(session, principal, "supplier.create", "supplier", supplier.id, None, snapshot(supplier))
    return supplier


def update_supplier(
    session: Session, principal: Optional[Principal], supplier_id: int, data: SupplierIn
) -> Supplier:
    """Replace the supplier's details and contacts (its code stays: documents carry it)."""
    supplier = get_supplier(session, supplier_id)
    before = snapshot(supplier)
    for name, value in _fields(data).items():
        setattr(supplier, name, value)
    supplier.contacts = _contacts(data)
    session.flush()
    record(
        session, principal, "supplier.update", "supplier", supplier.id, before, snapshot(supplier)
    )
    return supplier


def list_suppliers(
    session: Session,
    *,
    q: str = "",
    active: Optional[bool] = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[Supplier], int]:
    stmt = select(Supplier)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(Supplier.legal_name).like(like), func.lower(Supplier.code).like(like))
        )
    if active is not None:
        stmt = stmt.where(Supplier.active.is_(active))
    return paged(session, stmt, [Supplier.code], limit, offset)


def resolve_products(session: Session, refs: Sequence[tuple[Optional[int], str]]) -> list[int]:
    """Product ids for (id, sku) references; every unknown one is reported at once."""
    ids = {pid for pid, _ in refs if pid}
    skus = {sku.strip() for pid, sku in refs if not pid and sku.strip()}
    known_ids = (
        set(session.scalars(select(Product.id).where(Product.id.in_(ids)))) if ids else set()
    )
    by_sku = (
        dict(session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all())
        if skus
        else {}
    )
    out, problems = [], []
    for n, (pid, sku) in enumerate(refs, 1):
        if pid:
            if pid not in known_ids:
                problems.append(f"line {n}: no product #{pid}")
            out.append(pid)
        elif sku.strip() in by_sku:
            out.append(by_sku[sku.strip()])
        else:
            problems.append(
                f"line {n}: no product with SKU {sku.strip()!r}"
                if sku.strip()
                else f"line {n}: give a product id or SKU"
            )
            out.append(0)
    if problems:
        raise DataError(
            "; ".join(problems), hint="use the hub's SKUs (see the catalog)", problems=problems
        )
    return out


def set_products(
    session: Session,
    principal: Optional[Principal],
    supplier_id: int,
    items: Iterable[SupplierProductIn],
) -> list[SupplierProduct]:
    """Add or update the products a supplier supplies (by product); others are kept."""
    supplier = get_supplier(session, supplier_id)
    items = list(items)
    pids = resolve_products(session, [(i.product_id, i.sku) for i in items])
    existing = {
        sp.product_id: sp
        for sp in session.scalars(
            select(SupplierProduct).where(SupplierProduct.supplier_id == supplier.id)
        )
    }
    out = []
    for pid, item in zip(pids, items):
        sp = existing.get(pid) or SupplierProduct(supplier_id=supplier.id, product_id=pid)
        sp.supplier_code = item.supplier_code.strip()
        sp.unit_cost = item.unit_cost
        sp.min_order_qty, sp.order_multiple = item.min_order_qty, item.order_multiple
        sp.lead_time_days, sp.preferred = item.lead_time_days, item.preferred
        session.add(sp)
        out.append(sp)
    session.flush()
    record(
        session,
        principal,
        "supplier.products",
        "supplier",
        supplier.id,
        None,
        [{"product_id": sp.product_id, "unit_cost": sp.unit_cost} for sp in out],
    )
    return out


def remove_product(
    session: Session, principal: Optional[Principal], supplier_id: int, product_id: int
) -> None:
    sp = session.scalar(
        select(SupplierProduct).where(
            SupplierProduct.supplier_id == supplier_id, SupplierProduct.product_id == product_id
        )
    )
    if sp is None:
        raise NotFound(
            "supplier #{supplier_id} does not supply product #{product_id}",
            supplier_id=supplier_id,
            product_id=product_id,
        )
    session.delete(sp)
    record(session, principal, "supplier.product_remove", "supplier", supplier_id, product_id, None)


def products_of(session: Session, supplier_id: int) -> list[tuple[SupplierProduct, Product]]:
    get_supplier(session, supplier_id)
    return list(
        session.execute(
            select(SupplierProduct, Product)
            .join(Product, Product.id == SupplierProduct.product_id)
            .where(SupplierProduct.supplier_id == supplier_id)
            .order_by(Product.sku)
        ).all()
    )
