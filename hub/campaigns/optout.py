"""Opting out through a campaign's link: no sign-in, the signed token names the contact and
the channel. The contact's opt-in flag is switched off — the one every sender reads, so
order notices on that channel stop too, and birthday promotions — with a proof row and an
audit row; recipients of running campaigns still waiting on that channel are skipped."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.campaigns.audience import AGREED
from hub.campaigns.messages import read_opt_out_token
from hub.campaigns.models import OptOut, Recipient
from hub.core.i18n import translatable
from hub.core.roles import Principal, Role
from hub.notifications.models import Contact
from shared.errors import NotFound


@dataclass(frozen=True)
class Target:
    contact: Contact
    channel: str
    campaign_id: int

    @property
    def opted_in(self) -> bool:
        return bool(getattr(self.contact, AGREED[self.channel]))

    @property
    def masked(self) -> str:
        """The address, partly hidden (the page is public: whoever holds the link sees it)."""
        address = getattr(self.contact, self.channel) or ""
        if self.channel == "email":
            user, _, domain = address.partition("@")
            return f"{user[:2]}***@{domain}"
        return f"{address[:5]}***{address[-3:]}"


def target(session: Session, secret_key: str, token: str) -> Target:
    found = read_opt_out_token(secret_key, token)
    contact = session.get(Contact, found[0]) if found else None
    if found is None or contact is None:
        raise translatable(NotFound, "this link is not valid (or the contact was removed)")
    return Target(contact, found[1], found[2])


def opt_out(session: Session, secret_key: str, token: str) -> Target:
    """Record the opt-out; a second click changes nothing (and writes nothing)."""
    t = target(session, secret_key, token)
    if not t.opted_in:
        return t
    c = t.contact
    setattr(c, AGREED[t.channel], False)
    session.add(OptOut(contact_id=c.id, channel=t.channel, campaign_id=t.campaign_id))
    waiting = session.scalars(
        select(Recipient).where(
            Recipient.contact_id == c.id,
            Recipient.channel == t.channel,
            Recipient.status == "waiting",
        )
    ).all()
    for r in waiting:
        r.status, r.reason = "skipped", "opted_out"
    who = Principal(
        role=Role.RESELLER, username=f"contact:{c.id} (opt-out link)", reseller_id=c.reseller_id
    )
    record(
        session,
        who,
        "contact.opt_out",
        "contact",
        c.id,
        {AGREED[t.channel]: True},
        {AGREED[t.channel]: False, "campaign": t.campaign_id},
    )
    return t
