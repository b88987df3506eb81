"""`/api/v1/resellers`: the registry (staff), and a reseller's own entry (scoped by the guard)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.core.deps import CurrentPrincipal, SessionDep, SettingsDep, public, require
from hub.core.roles import STAFF, Role
from hub.resellers import accounts, enrolment, profile
from hub.resellers.schemas import ResellerPublic
from hub.resellers.service import get_reseller, get_row, list_resellers
from shared.errors import ConfigError, DataError

router = APIRouter(prefix="/api/v1/resellers", tags=["resellers"])


class ResellersPublic(BaseModel):
    data: list[ResellerPublic]
    count: int


@router.get("", dependencies=[require(*STAFF)])
def get_resellers(session: SessionDep) -> ResellersPublic:
    rows = list_resellers(session)
    return ResellersPublic(data=rows, count=len(rows))


@router.get("/{reseller_id}", dependencies=[require()])
def get_one(reseller_id: str, session: SessionDep) -> ResellerPublic:
    """One reseller; a reseller user or token sees only its own (others answer 404)."""
    return get_reseller(session, reseller_id)


class EnrolRequest(BaseModel):
    """What ``syncagent init --from`` sends: the code from its configuration and its public keys."""

    reseller_id: str = Field(max_length=31)
    code: str = Field(max_length=40)
    ssh_public_key: str = Field(max_length=2000)
    signing_public_key: str = Field(max_length=200)
    platform: str | None = Field(default=None, max_length=40)


class EnrolPublic(BaseModel):
    reseller_id: str
    ssh_fingerprint: str
    signing_fingerprint: str


enrol_router = APIRouter(prefix="/api/v1", tags=["resellers"])


@enrol_router.post("/enrol", status_code=201, dependencies=[public()])
def enrol(body: EnrolRequest, session: SessionDep, settings: SettingsDep) -> EnrolPublic:
    """An agent enrols its reseller with the one-time code the hub operator gave (403 when the
    code is wrong, used, expired or locked — the same answer for an unknown id)."""
    try:
        done = enrolment.redeem(
            session,
            body.reseller_id,
            body.code,
            body.ssh_public_key,
            body.signing_public_key,
            body.platform,
        )
    except ConfigError as exc:  # a key the agent sent is not a key
        raise DataError(exc.message, hint=exc.hint, problems=exc.problems) from None
    accounts.follow(settings, session, done.id)  # the OpenSSH login, when that reception
    return EnrolPublic(
        reseller_id=done.id,
        ssh_fingerprint=done.ssh_fingerprint,
        signing_fingerprint=done.signing_fingerprint,
    )


class ProfileUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    legal_name: str | None = Field(default=None, max_length=200)
    npwp: str | None = Field(default=None, max_length=30)
    region: str | None = Field(default=None, max_length=13)
    platform: str | None = Field(default=None, max_length=40)
    timezone: str | None = Field(default=None, max_length=40)
    notes: str | None = Field(default=None, max_length=2000)
    groups: list[str] | None = None


class ProfilePublic(BaseModel):
    id: str
    enabled: bool
    name: str
    legal_name: str
    npwp: str
    region: str
    platform: str
    timezone: str
    groups: list[str]
    notes: str


def _profile(session: Any, reseller_id: str) -> ProfilePublic:
    row = get_row(session, reseller_id)
    return ProfilePublic(id=row.id, enabled=row.enabled, **profile.profile_values(session, row))


@router.get("/{reseller_id}/profile", dependencies=[require(*STAFF)])
def get_profile(reseller_id: str, session: SessionDep) -> ProfilePublic:
    """Legal name, NPWP, region, time zone, groups and notes."""
    return _profile(session, reseller_id)


@router.patch("/{reseller_id}/profile", dependencies=[require(Role.OWNER, Role.OPERATIONS)])
def patch_profile(
    reseller_id: str, body: ProfileUpdate, session: SessionDep, principal: CurrentPrincipal
) -> ProfilePublic:
    """Change the fields sent (one audit entry)."""
    profile.update_profile(session, principal, reseller_id, body.model_dump(exclude_unset=True))
    return _profile(session, reseller_id)


@router.post("/{reseller_id}/disable", dependencies=[require(Role.OWNER, Role.OPERATIONS)])
def disable(
    reseller_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ProfilePublic:
    """Refuse the reseller's agent from now on (its data stays)."""
    profile.set_enabled(session, principal, reseller_id, False)
    accounts.follow(settings, session, reseller_id)
    return _profile(session, reseller_id)


@router.post("/{reseller_id}/enable", dependencies=[require(Role.OWNER, Role.OPERATIONS)])
def enable(
    reseller_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ProfilePublic:
    profile.set_enabled(session, principal, reseller_id, True)
    accounts.follow(settings, session, reseller_id)
    return _profile(session, reseller_id)
