"""What the staff see of a campaign: each recipient's status (the outbox's, once queued) and
the totals per status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hub.campaigns.models import Campaign, Recipient
from hub.notifications.models import Contact, OutboxMessage

# waiting: not queued yet (the rate); queued: in the outbox; sent; failed (with the reason);
# skipped (with the reason: opted_out, no_consent, no_address, inactive, cancelled)
SHOWN = ("sent", "failed", "queued", "waiting", "skipped")
effective = case(
    (Recipient.status != "queued", Recipient.status),
    (OutboxMessage.status == "sent", "sent"),
    (OutboxMessage.status == "failed", "failed"),
    else_="queued",
)


@dataclass(frozen=True)
class Row:
    id: int
    contact: str
    reseller_id: str
    channel: str
    address: str
    status: str
    reason: str  # a skip's reason code, or the channel's last error
    sent_at: object


def counts(session: Session, campaign_id: int) -> dict[str, int]:
    got: dict[str, int] = dict(
        (k, v)
        for k, v in session.execute(
            select(effective, func.count())
            .select_from(Recipient)
            .outerjoin(OutboxMessage, OutboxMessage.id == Recipient.outbox_id)
            .where(Recipient.campaign_id == campaign_id)
            .group_by(effective)
        )
    )
    return {s: int(got.get(s, 0)) for s in SHOWN}


def rows(
    session: Session, campaign_id: int, status: str | None, offset: int, limit: int
) -> list[Row]:
    stmt = (
        select(Recipient, Contact.name, effective, OutboxMessage.last_error, OutboxMessage.sent_at)
        .outerjoin(OutboxMessage, OutboxMessage.id == Recipient.outbox_id)
        .outerjoin(Contact, Contact.id == Recipient.contact_id)
        .where(Recipient.campaign_id == campaign_id)
        .order_by(Recipient.reseller_id, Recipient.contact_id, Recipient.channel)
    )
    if status:
        stmt = stmt.where(effective == status)
    out = []
    for r, name, shown, error, sent_at in session.execute(stmt.offset(offset).limit(limit)):
        out.append(
            Row(
                r.id,
                name or f"#{r.contact_id}",
                r.reseller_id,
                r.channel,
                r.address,
                shown,
                r.reason if shown == "skipped" else (error or ""),
                sent_at,
            )
        )
    return out


def listing(session: Session, offset: int, limit: int) -> list[tuple[Campaign, dict[str, int]]]:
    campaigns = session.scalars(
        select(Campaign).order_by(Campaign.id.desc()).offset(offset).limit(limit)
    ).all()
    return [(c, counts(session, c.id)) for c in campaigns]
