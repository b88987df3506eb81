"""Who a campaign reaches: the contacts of its resellers who take promotions ("marketing"
role), once per channel, and what each of them reads in its fields.

A contact not reached on a channel is still listed, as skipped with the reason (opted out
through a link, never agreed, no address), so the staff see who was left out and why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.campaigns.models import Campaign, OptOut, Recipient
from hub.catalog.models import Product, Promotion, ResellerGroupMember
from hub.catalog.promotions import day_of
from hub.core.i18n import Formatter
from hub.notifications.models import Contact
from hub.offers.models import Offer
from hub.resellers.models import Reseller

TOPIC = ",marketing,"
ADDRESS = {"email": Contact.email, "whatsapp": Contact.whatsapp}
AGREED = {"email": "email_opt_in", "whatsapp": "whatsapp_opt_in"}


def live_offers(session: Session, now: dt.datetime) -> Any:
    return select(Offer.reseller_id).where(Offer.status == "published", Offer.valid_to > now)


def reseller_ids(session: Session, campaign: Campaign, now: dt.datetime) -> list[str]:
    """The enabled resellers the campaign is for (a promotion's: the promotion's own scope;
    offers: only those with published offers still valid)."""
    stmt = select(Reseller.id).where(Reseller.enabled.is_(True))
    audience, group_id, chosen = campaign.audience, campaign.group_id, campaign.reseller_list()
    if campaign.source == "promotion":
        promo = session.get(Promotion, campaign.promotion_id or 0)
        if promo is None:  # removed since the campaign was made: tell no one about it
            return []
        audience = "resellers" if promo.reseller_id else "group" if promo.group_id else "all"
        group_id, chosen = promo.group_id, [promo.reseller_id or ""]
    if audience == "group":
        stmt = stmt.where(
            Reseller.id.in_(
                select(ResellerGroupMember.reseller_id).where(
                    ResellerGroupMember.group_id == group_id
                )
            )
        )
    elif audience == "resellers":
        stmt = stmt.where(Reseller.id.in_(chosen))
    if campaign.source == "offers":
        stmt = stmt.where(Reseller.id.in_(live_offers(session, now)))
    return list(session.scalars(stmt.order_by(Reseller.id)))


def why_not(contact: Contact, channel: str, opted_out: bool) -> str:
    """Why ``contact`` gets nothing on ``channel`` ("" when it does)."""
    if not getattr(contact, AGREED[channel]):
        return "opted_out" if opted_out else "no_consent"
    if not getattr(contact, channel):
        return "no_address"
    return ""


def resolve(session: Session, campaign: Campaign, now: dt.datetime) -> int:
    """Add a recipient row per contact × channel not yet there (waiting, or skipped with its
    reason); rows already there are kept as they are. Returns how many were added."""
    rids = reseller_ids(session, campaign, now)
    have = set(
        session.execute(
            select(Recipient.contact_id, Recipient.channel).where(
                Recipient.campaign_id == campaign.id
            )
        )
    )
    contacts = session.scalars(
        select(Contact)
        .where(
            Contact.reseller_id.in_(rids),
            Contact.active.is_(True),
            Contact.roles.like(f"%{TOPIC}%"),
        )
        .order_by(Contact.reseller_id, Contact.id)
    ).all()
    opted_out = set(
        session.execute(
            select(OptOut.contact_id, OptOut.channel).where(
                OptOut.contact_id.in_([c.id for c in contacts])
            )
        )
    )
    added = 0
    for contact in contacts:
        for channel in campaign.channel_list():
            if (contact.id, channel) in have:
                continue
            reason = why_not(contact, channel, (contact.id, channel) in opted_out)
            session.add(
                Recipient(
                    campaign_id=campaign.id,
                    contact_id=contact.id,
                    channel=channel,
                    reseller_id=contact.reseller_id,
                    address=getattr(contact, channel),
                    status="skipped" if reason else "waiting",
                    reason=reason,
                )
            )
            added += 1
    session.flush()
    return added


class Fields:
    """The fields of a campaign's text for each recipient, looked up once per reseller."""

    def __init__(self, session: Session, campaign: Campaign, now: dt.datetime) -> None:
        self.session, self.campaign, self.now = session, campaign, now
        self._names: dict[str, str] = {}
        self._offers: dict[str, list[tuple[Offer, Product]]] = defaultdict(list)
        if campaign.source == "offers":
            rows = session.execute(
                select(Offer, Product)
                .join(Product, Product.id == Offer.product_id)
                .where(Offer.status == "published", Offer.valid_to > now)
                .order_by(Offer.reseller_id, Offer.kind, Offer.rank)
            )
            for offer, product in rows:
                self._offers[offer.reseller_id].append((offer, product))
        self._promotion = (
            session.get(Promotion, campaign.promotion_id) if campaign.promotion_id else None
        )
        self._product = (
            session.get(Product, self._promotion.product_id) if self._promotion else None
        )

    def _reseller(self, rid: str) -> str:
        if rid not in self._names:
            self._names[rid] = (
                self.session.scalar(select(Reseller.name).where(Reseller.id == rid)) or rid
            )
        return self._names[rid]

    def of(self, contact: Contact, locale: str) -> dict[str, str]:
        fmt = Formatter(locale)
        out = {"name": contact.name, "reseller": self._reseller(contact.reseller_id)}
        promo = self._promotion
        if promo is not None:
            product = self._product
            label = f"{product.sku} {product.name}" if product else "?"
            off = (
                f"{fmt.number(promo.percent_off)}%"
                if promo.percent_off is not None
                else fmt.money(promo.fixed_price)
            )
            out["promotion"] = f"{label} {off}"
            out["until"] = fmt.date(day_of(promo.valid_to) - dt.timedelta(days=1))
        if self.campaign.source == "offers":
            offers = self._offers.get(contact.reseller_id, [])
            out["count"] = fmt.number(len(offers))
            out["offers"] = "\n".join(
                f"- {p.sku} {p.name}: {fmt.number(o.quantity)} × {fmt.money(o.unit_price)}"
                for o, p in offers[:20]
            )
        return out
