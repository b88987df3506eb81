"""Campaigns API: list, create (a draft), read with the recipients' statuses, send, cancel,
retry. The same rules and roles as the pages (hub.campaigns.pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hub.campaigns import service, views
from hub.campaigns.pages import SEND, VIEW
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


class CampaignIn(BaseModel):
    name: str = Field(max_length=120)
    source: str = "message"
    promotion_id: int | None = None
    audience: str = "all"
    group_id: int | None = None
    resellers: list[str] = Field(default_factory=list, max_length=10_000)
    channels: list[str] = Field(default_factory=lambda: ["email", "whatsapp"], max_length=2)
    subject_id: str = Field(max_length=200)
    body_id: str = Field(max_length=5000)
    subject_en: str = Field(max_length=200)
    body_en: str = Field(max_length=5000)


class SendIn(BaseModel):
    at: dt.datetime | None = None  # with its zone; none or past: now


class CampaignOut(BaseModel):
    id: int
    name: str
    source: str
    audience: str
    channels: list[str]
    status: str
    scheduled_at: dt.datetime | None
    counts: dict[str, int]


class RecipientOut(BaseModel):
    contact: str
    reseller_id: str
    channel: str
    address: str
    status: str
    reason: str


def _out(session: Any, c: Any) -> CampaignOut:
    return CampaignOut(
        id=c.id,
        name=c.name,
        source=c.source,
        audience=c.audience,
        channels=c.channel_list(),
        status=c.status,
        scheduled_at=c.scheduled_at,
        counts=views.counts(session, c.id),
    )


@router.get("", dependencies=[require(*VIEW)])
def list_campaigns(
    session: SessionDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> list[CampaignOut]:
    """Campaigns, newest first, with totals per recipient status."""
    return [_out(session, c) for c, _ in views.listing(session, offset, limit)]


@router.post("", dependencies=[require(*SEND)], status_code=201)
def create_campaign(
    body: CampaignIn, session: SessionDep, principal: CurrentPrincipal
) -> CampaignOut:
    """A draft campaign (fields checked; nothing is sent until ``/send``)."""
    return _out(session, service.create(session, principal, body.model_dump()))


@router.get("/{campaign_id}", dependencies=[require(*VIEW)])
def get_campaign(campaign_id: RowId, session: SessionDep) -> CampaignOut:
    return _out(session, service.get(session, campaign_id))


@router.get("/{campaign_id}/recipients", dependencies=[require(*VIEW)])
def recipients(
    campaign_id: RowId,
    session: SessionDep,
    status: str | None = Query(None, pattern="^(sent|failed|queued|waiting|skipped)$"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> list[RecipientOut]:
    """Each contact × channel: sent, failed (reason: the channel's error), queued, waiting
    (the rate) or skipped (reason: opted_out, no_consent, no_address, inactive, cancelled)."""
    service.get(session, campaign_id)
    return [
        RecipientOut.model_validate(r, from_attributes=True)
        for r in views.rows(session, campaign_id, status, offset, limit)
    ]


@router.post("/{campaign_id}/send", dependencies=[require(*SEND)])
def send_campaign(
    campaign_id: RowId, body: SendIn, session: SessionDep, principal: CurrentPrincipal
) -> CampaignOut:
    return _out(session, service.send(session, principal, campaign_id, body.at))


@router.post("/{campaign_id}/cancel", dependencies=[require(*SEND)])
def cancel_campaign(
    campaign_id: RowId, session: SessionDep, principal: CurrentPrincipal
) -> CampaignOut:
    return _out(session, service.cancel(session, principal, campaign_id))


@router.post("/{campaign_id}/retry", dependencies=[require(*SEND)])
def retry_campaign(
    campaign_id: RowId, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, int]:
    """Queue again the messages that failed (only those); how many."""
    return {"retried": service.retry(session, principal, campaign_id)}
