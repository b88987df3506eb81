"""API bodies and answers of customer care (pydantic). A reseller's answer never carries the
internal notes: :func:`hub.care.service.visible_messages` leaves them out before this is built."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["complaint", "question", "suggestion", "repair_visit", "installation_visit"]
Category = Literal["billing", "delivery", "product", "technical", "service", "other"]
Priority = Literal["low", "normal", "high", "urgent"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketCreate(Strict):
    kind: Kind
    category: Category = "other"
    priority: Priority = "normal"
    subject: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=3, max_length=10_000)
    reseller_id: Optional[str] = Field(
        default=None, max_length=31, description="staff opening a ticket for a reseller (a call)"
    )


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=10_000)


class ResolveIn(Strict):
    note: str = Field(default="", max_length=10_000, description="what was done, to the reseller")


class AssignIn(Strict):
    user_id: Optional[int] = Field(default=None, ge=1, description="a staff user; null unassigns")


class TriageIn(Strict):
    category: Category
    priority: Priority


class SurveyIn(Strict):
    satisfied: bool


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    author: str
    staff: bool
    internal: bool
    event: str
    body: str


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    mime: str
    size: int
    uploaded_by: str
    at: dt.datetime


class TimerPublic(BaseModel):
    name: str
    due: dt.datetime
    done_at: Optional[dt.datetime]
    state: str
    seconds_left: int
    escalated_at: Optional[dt.datetime]


class TicketPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    reseller_id: str
    kind: str
    category: str
    priority: str
    subject: str
    state: str
    assignee_id: Optional[int]
    opened_by: str
    created_at: dt.datetime
    first_response_at: Optional[dt.datetime]
    resolved_at: Optional[dt.datetime]
    satisfied: Optional[bool]
    timers: list[TimerPublic] = []
    messages: list[MessagePublic] = []
    attachments: list[AttachmentPublic] = []


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int


class CsatRowPublic(BaseModel):
    key: str
    label: str
    satisfied: int
    responses: int
    csat: Optional[str]  # percent as exact text (Decimal), None without a response


class CsatPublic(BaseModel):
    period: str
    total: CsatRowPublic
    by_category: list[CsatRowPublic]
    by_staff: list[CsatRowPublic]
