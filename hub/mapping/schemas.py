"""API shapes of mapping profiles and their previews."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel


class ProfilePublic(BaseModel):
    name: str
    description: str
    entities: dict[str, Any]


class ProfilesPublic(BaseModel):
    data: list[ProfilePublic]
    count: int


class AppliedProfilePublic(BaseModel):
    reseller_id: str
    profile: Optional[ProfilePublic]


class EntityPreviewPublic(BaseModel):
    dataset: Optional[str]
    fields: list[str]
    sample: list[list[Any]]
    count: int
    problems: list[str]


class PreviewPublic(BaseModel):
    reseller_id: str
    profile: str
    entities: dict[str, EntityPreviewPublic]
    ok: bool


class ApplyRequest(BaseModel):
    profile: str
