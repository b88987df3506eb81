"""`/api/v1/resellers`: the registry (staff), and a reseller's own entry (scoped by the guard)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from hub.core.deps import SessionDep, require
from hub.core.roles import STAFF
from hub.resellers.schemas import ResellerPublic
from hub.resellers.service import get_reseller, list_resellers

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
