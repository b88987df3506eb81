"""Campaigns without HTTP: create (checked), send now or at a time, cancel, retry what failed,
and the job that starts due campaigns and queues their messages at the configured rate.

Services never commit (docs/transactions.md); every staff action writes one audit row,
and the job one per campaign it starts or finishes. A recipient is queued at most once:
its row (campaign × contact × channel, unique) is created once and moves from waiting to
queued in the same transaction that puts its message in the outbox, so a second run, a
second job process or a retry cannot send it again. A retry only puts back the outbox
messages that failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.campaigns.audience import Fields, resolve, why_not
from hub.campaigns.messages import DEFAULTS, check_texts, compose, opt_out_token
from hub.campaigns.models import AUDIENCES, SOURCES, Campaign, OptOut, Recipient
from hub.catalog.models import Promotion, ResellerGroup
from hub.core.db import utcnow
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.core.settings import HubSettings
from hub.masterdata.fields import Invalid
from hub.notifications.models import Contact, OutboxMessage
from hub.notifications.service import CHANNELS, queue_one, retry_failed
from hub.resellers.models import Reseller
from shared.errors import Conflict, NotFound

Msg = tuple[str, dict[str, Any]]
TEXTS = ("subject_id", "body_id", "subject_en", "body_en")


def blank(source: str = "message") -> dict[str, Any]:
    """A new campaign's form: the built-in text of ``source`` in both languages."""
    source = source if source in SOURCES else "message"
    return {
        "name": "",
        "source": source,
        "promotion_id": "",
        "audience": "all",
        "group_id": "",
        "resellers": "",
        "channels": list(CHANNELS),
        "subject_id": DEFAULTS[source]["id"][0],
        "body_id": DEFAULTS[source]["id"][1],
        "subject_en": DEFAULTS[source]["en"][0],
        "body_en": DEFAULTS[source]["en"][1],
    }


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace("\n", ",").replace(" ", ",").split(",")
    return [str(v).strip() for v in value or [] if str(v).strip()]


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _check(session: Session, data: Mapping[str, Any]) -> tuple[dict[str, Msg], dict[str, Any]]:
    wrong: dict[str, Msg] = {}
    clean: dict[str, Any] = {"name": str(data.get("name") or "").strip()[:120]}
    if not clean["name"]:
        wrong["name"] = ("fill this in", {})
    source = str(data.get("source") or "message")
    if source not in SOURCES:
        wrong["source"] = ("unknown choice {value}", {"value": source})
        source = "message"
    clean["source"], clean["promotion_id"] = source, None
    if source == "promotion":
        promo = session.get(Promotion, _int(data.get("promotion_id")) or 0)
        if promo is None:
            wrong["promotion_id"] = ("choose a promotion", {})
        elif promo.kind != "standard":
            wrong["promotion_id"] = (
                "birthday and anniversary promotions reach each contact on their day by "
                "themselves (the celebrations job): choose a standard promotion",
                {},
            )
        elif not promo.active or promo.valid_to <= utcnow():
            wrong["promotion_id"] = ("this promotion is over or switched off", {})
        else:
            clean["promotion_id"] = promo.id
    audience = str(data.get("audience") or "all")
    clean["audience"], clean["group_id"], clean["resellers"] = audience, None, ""
    if audience not in AUDIENCES:
        wrong["audience"] = ("unknown choice {value}", {"value": audience})
    elif audience == "group" and source != "promotion":
        group = session.get(ResellerGroup, _int(data.get("group_id")) or 0)
        if group is None:
            wrong["group_id"] = ("choose a group", {})
        else:
            clean["group_id"] = group.id
    elif audience == "resellers" and source != "promotion":
        chosen = _as_list(data.get("resellers"))
        known = set(session.scalars(select(Reseller.id).where(Reseller.id.in_(chosen))))
        unknown = [r for r in chosen if r not in known]
        if not chosen:
            wrong["resellers"] = ("name at least one reseller", {})
        elif unknown:
            wrong["resellers"] = ("no reseller with id {id}", {"id": ", ".join(unknown)})
        clean["resellers"] = "," + ",".join(dict.fromkeys(chosen)) + ","
    channels = [c for c in CHANNELS if c in _as_list(data.get("channels"))]
    if not channels:
        wrong["channels"] = ("choose at least one channel", {})
    clean["channels"] = "," + ",".join(channels) + ","
    texts = {name: str(data.get(name) or "").replace("\r\n", "\n").strip() for name in TEXTS}
    wrong.update(check_texts(source, texts))
    clean.update(texts)
    clean["subject_id"], clean["subject_en"] = texts["subject_id"][:200], texts["subject_en"][:200]
    return wrong, clean


def _state(c: Campaign) -> dict[str, Any]:
    return {"status": c.status, "scheduled_at": c.scheduled_at}


def create(session: Session, principal: Principal | None, data: Mapping[str, Any]) -> Campaign:
    """A draft campaign; :class:`Invalid` names each wrong field."""
    wrong, clean = _check(session, data)
    if wrong:
        raise Invalid(wrong)
    campaign = Campaign(
        **clean, status="draft", created_by=principal.username if principal else "system"
    )
    session.add(campaign)
    session.flush()
    record(
        session,
        principal,
        "campaign.create",
        "campaign",
        campaign.id,
        None,
        {k: clean[k] for k in ("name", "source", "audience", "channels")},
    )
    return campaign


def get(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise translatable(NotFound, "no campaign #{id}", id=campaign_id)
    return campaign


def send(
    session: Session,
    principal: Principal | None,
    campaign_id: int,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Campaign:
    """Send a draft (or re-time a scheduled campaign): now — its recipients are listed at
    once and the job queues them at the rate — or at ``at``."""
    now = now or utcnow()
    campaign = get(session, campaign_id)
    if campaign.status not in ("draft", "scheduled"):
        raise translatable(
            Conflict,
            "campaign #{id} is {status}: only a draft or a scheduled campaign is sent",
            id=campaign_id,
            status=campaign.status,
        )
    before = _state(campaign)
    if at is not None and at > now:
        campaign.status, campaign.scheduled_at = "scheduled", at
    else:
        campaign.scheduled_at = now
        _start(session, campaign, now)
    record(session, principal, "campaign.send", "campaign", campaign.id, before, _state(campaign))
    return campaign


def _start(session: Session, campaign: Campaign, now: dt.datetime) -> None:
    campaign.status, campaign.started_at = "sending", now
    resolve(session, campaign, now)


def cancel(session: Session, principal: Principal | None, campaign_id: int) -> Campaign:
    """Stop a campaign: who is still waiting is skipped (messages already queued still go)."""
    campaign = get(session, campaign_id)
    if campaign.status in ("done", "cancelled"):
        raise translatable(
            Conflict,
            "campaign #{id} is {status}: nothing to cancel",
            id=campaign_id,
            status=campaign.status,
        )
    before = _state(campaign)
    waiting = session.scalars(
        select(Recipient).where(Recipient.campaign_id == campaign.id, Recipient.status == "waiting")
    ).all()
    for r in waiting:
        r.status, r.reason = "skipped", "cancelled"
    campaign.status, campaign.finished_at = "cancelled", utcnow()
    record(
        session,
        principal,
        "campaign.cancel",
        "campaign",
        campaign.id,
        before,
        {**_state(campaign), "skipped": len(waiting)},
    )
    return campaign


def failed_messages(session: Session, campaign_id: int) -> list[int]:
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .join(Recipient, Recipient.outbox_id == OutboxMessage.id)
            .where(Recipient.campaign_id == campaign_id, OutboxMessage.status == "failed")
        )
    )


def retry(session: Session, principal: Principal | None, campaign_id: int) -> int:
    """Send again to the recipients whose message failed, and to no one else."""
    campaign = get(session, campaign_id)
    failed = failed_messages(session, campaign_id)
    if not failed:
        raise translatable(
            Conflict, "campaign #{id} has no failed message to retry", id=campaign_id
        )
    before = _state(campaign)
    for message_id in failed:
        retry_failed(session, message_id)
    if campaign.status == "done":
        campaign.status, campaign.finished_at = "sending", None
    record(
        session,
        principal,
        "campaign.retry",
        "campaign",
        campaign.id,
        before,
        {**_state(campaign), "retried": len(failed)},
    )
    return len(failed)


@dataclass
class RunReport:
    started: int = 0
    queued: int = 0
    skipped: int = 0
    finished: int = 0
    room: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.started} campaign(s) started, {self.queued} message(s) queued, "
            f"{self.skipped} skipped, {self.finished} campaign(s) finished"
        )


def _room(session: Session, per_minute: int, now: dt.datetime) -> dict[str, int]:
    """How many more messages each channel may queue in the minute ending ``now``."""
    recent = dict(
        (k, v)
        for k, v in session.execute(
            select(Recipient.channel, func.count())
            .where(Recipient.queued_at > now - dt.timedelta(minutes=1))
            .group_by(Recipient.channel)
        )
    )
    return {ch: max(0, per_minute - int(recent.get(ch, 0))) for ch in CHANNELS}


def public_url(settings: HubSettings) -> str:
    """Where the opt-out links point: the configured public address, else the hub's own."""
    return settings.campaign_public_url.rstrip("/") or (
        f"http://{settings.http_host}:{settings.http_port}"
    )


def opt_out_url(base_url: str, secret_key: str, r: Recipient) -> str:
    token = opt_out_token(secret_key, r.contact_id, r.channel, r.campaign_id)
    return f"{base_url.rstrip('/')}/campaigns/opt-out/{token}"


def _queue(
    session: Session,
    r: Recipient,
    campaign: Campaign,
    fields: Fields,
    secret_key: str,
    base_url: str,
    now: dt.datetime,
) -> bool:
    """Queue ``r``'s message, or skip it if the contact no longer takes it (opted out since)."""
    contact = session.get(Contact, r.contact_id)
    opted_out = session.scalar(
        select(OptOut.id).where(OptOut.contact_id == r.contact_id, OptOut.channel == r.channel)
    )
    reason = "inactive" if contact is None or not contact.active else ""
    reason = reason or why_not(contact, r.channel, opted_out is not None)  # type: ignore[arg-type]
    if reason or contact is None:
        r.status, r.reason = "skipped", reason
        return False
    locale = contact.locale if contact.locale in ("id", "en") else "id"
    subject, body = compose(
        getattr(campaign, f"subject_{locale}"),
        getattr(campaign, f"body_{locale}"),
        locale,
        fields.of(contact, locale),
        r.channel,
        opt_out_url(base_url, secret_key, r),
    )
    r.address = getattr(contact, r.channel)
    msg = queue_one(
        session,
        r.reseller_id,
        r.channel,
        r.address,
        "campaign",
        locale,
        {"subject": subject, "body": body, "campaign": campaign.id},
    )
    r.status, r.outbox_id, r.queued_at = "queued", msg.id, now
    return True


def _finish(session: Session, report: RunReport, now: dt.datetime) -> None:
    for campaign in session.scalars(select(Campaign).where(Campaign.status == "sending")).all():
        open_ = session.scalar(
            select(func.count())
            .select_from(Recipient)
            .outerjoin(OutboxMessage, OutboxMessage.id == Recipient.outbox_id)
            .where(
                Recipient.campaign_id == campaign.id,
                (Recipient.status == "waiting")
                | ((Recipient.status == "queued") & (OutboxMessage.status == "pending")),
            )
        )
        if open_:
            continue
        before = _state(campaign)
        campaign.status, campaign.finished_at = "done", now
        record(session, None, "campaign.finish", "campaign", campaign.id, before, _state(campaign))
        report.finished += 1


def run_due(
    session: Session,
    per_minute: int,
    secret_key: str,
    base_url: str,
    now: dt.datetime | None = None,
) -> RunReport:
    """The job's work, in the caller's transaction: start the campaigns whose time came,
    queue waiting recipients within each channel's rate, close the campaigns that are over."""
    now = now or utcnow()
    report = RunReport()
    due = session.scalars(
        select(Campaign).where(Campaign.status == "scheduled", Campaign.scheduled_at <= now)
    ).all()
    for campaign in due:
        before = _state(campaign)
        _start(session, campaign, now)
        record(session, None, "campaign.start", "campaign", campaign.id, before, _state(campaign))
        report.started += 1
    report.room = _room(session, per_minute, now)
    fields: dict[int, Fields] = {}
    for channel, room in report.room.items():
        if room <= 0:
            continue
        stmt = (
            select(Recipient, Campaign)
            .join(Campaign, Campaign.id == Recipient.campaign_id)
            .where(
                Campaign.status == "sending",
                Recipient.status == "waiting",
                Recipient.channel == channel,
            )
            .order_by(Recipient.campaign_id, Recipient.id)
            .limit(room)
        )
        if session.get_bind().dialect.name != "sqlite":
            stmt = stmt.with_for_update(of=Recipient, skip_locked=True)
        for r, campaign in session.execute(stmt).all():
            if campaign.id not in fields:
                fields[campaign.id] = Fields(session, campaign, now)
            if _queue(session, r, campaign, fields[campaign.id], secret_key, base_url, now):
                report.queued += 1
            else:
                report.skipped += 1
    session.flush()
    _finish(session, report, now)
    return report
