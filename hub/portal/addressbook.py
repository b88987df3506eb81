"""The reseller's own address book: shipping's delivery addresses (``ResellerAddress``), kept by
the reseller's users from the portal.

No address model of its own: a new address goes through :func:`hub.shipping.service.add_address`
(the region resolved from its Kemendagri code or postal code, so checkout can quote couriers),
and orders copy the address when placed, so editing or removing one here changes no order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.portal.cart import address, addresses
from hub.shipping.models import ResellerAddress
from hub.shipping.service import add_address
from shared.errors import DataError


@dataclass(frozen=True)
class NewAddress:
    label: str
    recipient: str
    phone: str
    street: str
    postal_code: str
    region: str = ""  # a Kemendagri code; empty: found from the postal code
    is_default: bool = False

    def check(self) -> None:
        missing = [
            name
            for name, value in (
                ("recipient", self.recipient),
                ("phone", self.phone),
                ("street", self.street),
                ("postal code", self.postal_code),
            )
            if not value.strip()
        ]
        if missing:
            raise DataError(
                "fill in the recipient, phone, street and postal code",
                hint="the courier needs all four",
                problems=missing,
            )


def add(session: Session, principal: Principal, new: NewAddress) -> ResellerAddress:
    """A new delivery address of the caller's reseller; the first one becomes the default."""
    new.check()
    first = not addresses(session, principal)
    region, postal = new.region.strip(), new.postal_code.strip()
    try:
        made = add_address(
            session,
            str(principal.reseller_id),
            region_kode=region or None,
            postal_code=postal,
            is_default=new.is_default or first,
            principal=principal,  # shipping audits the new address (one row, like staff's)
            label=new.label.strip()[:100],
            recipient=new.recipient.strip()[:200],
            phone=new.phone.strip()[:40],
            street=new.street.strip()[:500],
        )
    except DataError as exc:  # shipping's message, in the reader's language
        if region:
            raise translatable(
                DataError,
                "no region has the code {code}",
                "leave the region code empty: the postal code finds it",
                code=region,
            ) from exc
        raise translatable(
            DataError,
            "no region has the postal code {code}",
            "check the 5 digits of the postal code",
            code=postal,
        ) from exc
    return made


def make_default(session: Session, principal: Principal, address_id: int) -> ResellerAddress:
    """Checkout preselects the default address (and the documents print it)."""
    chosen = address(session, principal, address_id)
    session.execute(
        update(ResellerAddress)
        .where(ResellerAddress.reseller_id == chosen.reseller_id)
        .values(is_default=False)
    )
    chosen.is_default = True
    session.flush()
    record(
        session,
        principal,
        "reseller_address.default",
        "reseller_address",
        chosen.id,
        None,
        {"reseller": chosen.reseller_id},
    )
    return chosen


def remove(session: Session, principal: Principal, address_id: int) -> None:
    """Remove an address; placed orders keep their copy. A removed default passes to the oldest."""
    gone = address(session, principal, address_id)
    was_default, reseller = gone.is_default, gone.reseller_id
    session.delete(gone)
    session.flush()
    record(
        session,
        principal,
        "reseller_address.remove",
        "reseller_address",
        address_id,
        {"reseller": reseller, "label": gone.label, "street": gone.street},
        None,
    )
    rest = addresses(session, principal)
    if was_default and rest:
        rest[0].is_default = True
        session.flush()
