"""Mapping profiles over HTTP (part of the read API): the ready-made ones, a reseller's applied one, preview, apply."""

from __future__ import annotations

from fastapi import APIRouter

from hub.core.deps import CurrentPrincipal, SessionDep, require
from hub.core.roles import Role
from hub.data.schemas import json_value
from hub.mapping import service
from hub.mapping.profiles import Profile
from hub.mapping.ready import PROFILES
from hub.mapping.schemas import (
    AppliedProfilePublic,
    ApplyRequest,
    EntityPreviewPublic,
    PreviewPublic,
    ProfilePublic,
    ProfilesPublic,
)
from shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["mapping"])
MAPPERS = (Role.OWNER, Role.OPERATIONS)


def _public(p: Profile) -> ProfilePublic:
    return ProfilePublic(
        name=p.name,
        description=p.description,
        entities={k: v.model_dump() for k, v in p.entities.items()},
    )


def _profile(name: str) -> Profile:
    if name not in PROFILES:
        raise NotFound(
            "no mapping profile {name}",
            hint="ready-made: {profiles}",
            name=repr(name),
            profiles=", ".join(PROFILES),
        )
    return PROFILES[name]


def _preview(session: SessionDep, reseller_id: str, profile: Profile) -> PreviewPublic:
    result = service.preview(session, reseller_id, profile)
    entities = {
        e: EntityPreviewPublic(
            dataset=p.dataset,
            fields=p.fields,
            count=p.count,
            problems=p.problems,
            sample=[[json_value(v) for v in row] for row in p.rows],
        )
        for e, p in result.items()
    }
    return PreviewPublic(
        reseller_id=reseller_id,
        profile=profile.name,
        entities=entities,
        ok=not any(p.problems for p in entities.values()),
    )


@router.get("/mapping/profiles", dependencies=[require(*MAPPERS)])
def list_profiles() -> ProfilesPublic:
    """The ready-made mapping profiles (e.g. Northwind-like shops)."""
    data = [_public(p) for p in PROFILES.values()]
    return ProfilesPublic(data=data, count=len(data))


@router.get("/resellers/{reseller_id}/mapping", dependencies=[require()])
def applied(reseller_id: str, session: SessionDep) -> AppliedProfilePublic:
    """The profile that turns this reseller's tables into canonical entities (null if none yet)."""
    profile = service.applied_profile(session, reseller_id)
    return AppliedProfilePublic(
        reseller_id=reseller_id, profile=_public(profile) if profile else None
    )


@router.get("/resellers/{reseller_id}/mapping/preview", dependencies=[require(*MAPPERS)])
def preview(reseller_id: str, profile: str, session: SessionDep) -> PreviewPublic:
    """What a profile would give on this reseller's current data: sample rows and problems per entity."""
    return _preview(session, reseller_id, _profile(profile))


@router.post("/resellers/{reseller_id}/mapping/preview", dependencies=[require(*MAPPERS)])
def preview_custom(reseller_id: str, body: Profile, session: SessionDep) -> PreviewPublic:
    """What a profile of one's own would give (the body is the profile, as saved as a file)."""
    return _preview(session, reseller_id, body)


@router.post("/resellers/{reseller_id}/mapping", dependencies=[require(*MAPPERS)])
def apply(
    reseller_id: str, body: ApplyRequest, session: SessionDep, principal: CurrentPrincipal
) -> PreviewPublic:
    """Apply a ready-made (``profile``) or own (``custom``) profile after its preview shows no
    problem (422 with the problems otherwise)."""
    profile = body.custom or _profile(body.profile or "")
    # the mapping and the audit entry are committed together by the request's unit of work
    service.apply_audited(session, principal, reseller_id, profile)
    return _preview(session, reseller_id, profile)
