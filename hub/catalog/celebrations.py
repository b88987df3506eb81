"""Birthday and anniversary promotions: on a reseller contact's day, a promotion of its own.

A promotion of kind ``birthday`` (or ``anniversary``) is a rule, valid over a period, for
everyone, a group or a reseller. Every morning :func:`issue_due` looks for active
contacts of the resellers a rule covers whose birthday (anniversary) is today in WIB, and
for each issues a ``standard`` promotion — same product, discount and minimum quantity,
for that contact's reseller only, from today for the rule's ``days`` — and writes to the
contact (if they agreed to promotions). Issued promotions name their rule and contact,
so a day is never issued twice (the job may run again, or on another worker). A
29 February birthday is celebrated on 28 February in other years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.service import record
from hub.catalog.models import Product, Promotion, ResellerGroupMember
from hub.catalog.promotions import ONE_DAY, start_of
from hub.core.db import transaction, utcnow
from hub.core.i18n import DISPLAY_TZ
from hub.notifications.models import Contact
from hub.notifications.service import notify_contact
from hub.resellers.models import Reseller

FIELD = {"birthday": Contact.birthday, "anniversary": Contact.anniversary}


@dataclass
class CelebrationReport:
    issued: int = 0
    told: int = 0

    def __str__(self) -> str:
        return f"{self.issued} celebration promotion(s) issued, {self.told} contact(s) told"


def _days(today: dt.date) -> list[tuple[int, int]]:
    days = [(today.month, today.day)]
    if (today.month, today.day) == (2, 28) and not _leap(today.year):
        days.append((2, 29))
    return days


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _covered(session: Session, rule: Promotion) -> list[str] | None:
    """The resellers a rule covers (None: every reseller)."""
    if rule.reseller_id:
        return [rule.reseller_id]
    if rule.group_id:
        return list(
            session.scalars(
                select(ResellerGroupMember.reseller_id).where(
                    ResellerGroupMember.group_id == rule.group_id
                )
            )
        )
    return None


def issue_for(session: Session, today: dt.date) -> CelebrationReport:
    """Issue today's celebration promotions in the caller's transaction."""
    report = CelebrationReport()
    now = start_of(today)
    rules = session.scalars(
        select(Promotion).where(
            Promotion.kind.in_(list(FIELD)),
            Promotion.active.is_(True),
            Promotion.valid_from <= now,
            Promotion.valid_to > now,
        )
    ).all()
    for rule in rules:
        column = FIELD[rule.kind]
        covered = _covered(session, rule)
        stmt = (
            select(Contact)
            .join(Reseller, Reseller.id == Contact.reseller_id)
            .where(Contact.active.is_(True), Reseller.enabled.is_(True), column.is_not(None))
        )
        if covered is not None:
            stmt = stmt.where(Contact.reseller_id.in_(covered))
        for contact in session.scalars(stmt):
            day = getattr(contact, rule.kind)
            if (day.month, day.day) not in _days(today):
                continue
            already = session.scalar(
                select(Promotion.id).where(
                    Promotion.parent_id == rule.id,
                    Promotion.contact_id == contact.id,
                    Promotion.valid_from == now,
                )
            )
            if already is not None:
                continue
            issued = Promotion(
                name=f"{rule.name}: {contact.name}"[:100],
                product_id=rule.product_id,
                reseller_id=contact.reseller_id,
                percent_off=rule.percent_off,
                fixed_price=rule.fixed_price,
                min_quantity=rule.min_quantity,
                valid_from=now,
                valid_to=start_of(today + rule.days * ONE_DAY),
                active=True,
                kind="standard",
                days=rule.days,
                parent_id=rule.id,
                contact_id=contact.id,
            )
            session.add(issued)
            session.flush()
            record(
                session,
                None,
                "promotion.celebrate",
                "promotion",
                issued.id,
                None,
                {"rule": rule.id, "contact": contact.id, "reseller": contact.reseller_id},
            )
            report.issued += 1
            sku = session.scalar(select(Product.sku).where(Product.id == rule.product_id))
            off = (
                f"{rule.percent_off}%" if rule.percent_off is not None else f"Rp {rule.fixed_price}"
            )
            report.told += notify_contact(
                session,
                contact.id,
                f"{rule.kind}_promotion",
                {
                    "name": contact.name,
                    "reseller": contact.reseller_id,
                    "promotion": f"{sku} {off}",
                    "until": (today + (rule.days - 1) * ONE_DAY).isoformat(),
                },
            )
    return report


def issue_due(factory: sessionmaker[Session], now: dt.datetime | None = None) -> CelebrationReport:
    """The daily job: today's (WIB) celebration promotions, in one transaction."""
    today = (now or utcnow()).astimezone(DISPLAY_TZ).date()
    with transaction(factory) as session:
        return issue_for(session, today)


__all__ = ["CelebrationReport", "issue_due", "issue_for"]
