"""A reseller's own contacts, kept from the portal: the people at the shop the hub writes to,
about which messages (topics), on the channels they agreed to, in their language.

The back office's contact record (:data:`hub.notifications.records.CONTACTS`) checks the values
and audits each change; here every read and write is the signed-in reseller's own — another
reseller's contact does not exist (404) — and the reseller is never taken from the form.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.core.i18n import translatable
from hub.core.roles import Principal, can_see_reseller, restrict
from hub.masterdata.fields import parse_values
from hub.notifications.models import Contact
from hub.notifications.records import CONTACTS
from shared.errors import NotFound

FIELDS = tuple(f for f in CONTACTS.fields if f.name != "reseller")


def own(session: Session, principal: Principal) -> list[Contact]:
    """The reseller's contacts, active first, by name."""
    mine = restrict(select(Contact), principal, Contact.reseller_id)
    return list(session.scalars(mine.order_by(Contact.active.desc(), Contact.name)))


def get_own(session: Session, principal: Principal, contact_id: int) -> Contact:
    row = session.get(Contact, contact_id)
    if row is None or not can_see_reseller(principal, row.reseller_id):
        raise translatable(NotFound, "no contact #{id}", "go back to your contacts", id=contact_id)
    return row


def save(
    session: Session,
    principal: Principal,
    form: Mapping[str, list[str]],
    lang: str,
    contact_id: int | None = None,
) -> Contact:
    """Add a contact or change one (``Invalid`` names each field to fix)."""
    values = {
        **parse_values(FIELDS, form, lang, session=session),
        "reseller": principal.reseller_id,
    }
    if contact_id is None:
        return CONTACTS.create(session, principal, values)
    return CONTACTS.update(session, principal, get_own(session, principal, contact_id), values)


def set_active(session: Session, principal: Principal, contact_id: int, active: bool) -> Contact:
    """Stop (or resume) writing to a contact; the record and its history stay."""
    return CONTACTS.set_active(session, principal, get_own(session, principal, contact_id), active)
