"""Who stands on an order's papers: the seller from the settings, the buyer from the reseller's
profile and address book, the bank from the payment terms; in the reader's language."""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.settings import HubSettings
from hub.documents.builder import Party
from hub.documents.parties import distributor
from hub.orders.documents import Bank, Papers
from hub.orders.models import Order
from hub.resellers.models import Reseller


def address_text(session: Session, address: Any) -> str:
    """A delivery address on one paragraph: street, region path, postal code."""
    from hub.shipping.regions import path_name

    region = path_name(session, address.region_kode) if address.region_kode else ""
    return ", ".join(p for p in (address.street, region, address.postal_code) if p)


def default_address(session: Session, reseller_id: str) -> Optional[Any]:
    from hub.shipping.models import ResellerAddress

    stmt = (
        select(ResellerAddress)
        .where(ResellerAddress.reseller_id == reseller_id)
        .order_by(ResellerAddress.is_default.desc(), ResellerAddress.id)
        .limit(1)
    )
    return session.execute(stmt).scalar()


def buyer(session: Session, reseller_id: str) -> Party:
    """The reseller as its papers name it: legal name and NPWP from its profile (the back office
    keeps them), address from its default delivery address."""
    reseller = session.get(Reseller, reseller_id)
    name = reseller.name if reseller is not None else reseller_id
    legal = getattr(reseller, "legal_name", "") or name
    address = default_address(session, reseller_id)
    return Party(
        legal_name=legal,
        address=address_text(session, address) if address is not None else "",
        npwp=getattr(reseller, "npwp", "") or "",
        extra=(("Reseller", reseller_id),),
    )


def papers_for(session: Session, order: Order, settings: HubSettings, lang: str = "id") -> Papers:
    bank = settings.bank
    return Papers(
        seller=distributor(settings),
        buyer=buyer(session, order.reseller_id),
        pkp=settings.seller_pkp,
        ppn_rate=settings.ppn_rate,
        bank=Bank(bank.name, bank.account_number, bank.account_holder),
        lang=lang,
    )
