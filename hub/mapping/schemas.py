"""API shapes of mapping profiles and their previews."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, model_validator

from hub.mapping.profiles import Profile


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
    """A ready-made profile by name, or a profile of one's own (e.g. saved by the mapping editor)."""

    profile: Optional[str] = None
    custom: Optional[Profile] = None

    @model_validator(mode="after")
    def _one(self) -> ApplyRequest:
        if (self.profile is None) == (self.custom is None):
            raise ValueError("give exactly one of `profile` (a ready-made name) or `custom`")
        return self
