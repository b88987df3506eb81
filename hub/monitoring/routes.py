"""``/healthz``, ``/readyz``, ``/metrics`` and the staff's alert API (``/api/v1/alerts``)."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from hub.core.deps import CurrentPrincipal, HubDep, SessionDep, public, require
from hub.core.roles import STAFF, Role
from hub.core.security import same
from hub.monitoring import health, service
from hub.monitoring.metrics import exposition
from hub.monitoring.service import Expectation
from hub.users.models import User
from shared.errors import Forbidden

router = APIRouter(tags=["monitoring"])
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class CheckPublic(BaseModel):
    name: str
    ok: bool
    detail: str


class ReadinessPublic(BaseModel):
    ready: bool
    checks: list[CheckPublic]


@router.get("/healthz", include_in_schema=False, dependencies=[public()])
async def healthz() -> dict[str, str]:
    """The process answers (nothing else is checked: see ``/readyz``)."""
    return {"status": "ok"}


@router.get(
    "/readyz", include_in_schema=False, response_model=ReadinessPublic, dependencies=[public()]
)
async def readyz(hub: HubDep, response: Response) -> ReadinessPublic:
    """Database reachable, migrations at head, SFTP reception up: 200 when all hold, else 503."""
    checks = await run_in_threadpool(health.readiness, hub.settings, hub.engine)
    ready = all(c.ok for c in checks)
    response.status_code = 200 if ready else 503
    return ReadinessPublic(
        ready=ready, checks=[CheckPublic(name=c.name, ok=c.ok, detail=c.detail) for c in checks]
    )


def _may_scrape(request: Request, token: str) -> bool:
    if token:
        auth = request.headers.get("authorization", "")
        return same(auth.removeprefix("Bearer ").strip(), token)
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", include_in_schema=False, dependencies=[public()])
async def metrics(request: Request, hub: HubDep) -> Response:
    """Prometheus text: per-reseller snapshots and sync lag, merge/job/HTTP durations.

    With ``SYNCHUB_METRICS_TOKEN`` set, send it as ``Authorization: Bearer``; without one,
    only clients on this machine may scrape (the figures name resellers).
    """
    if not _may_scrape(request, hub.settings.metrics_token.get_secret_value()):
        raise Forbidden(
            "metrics are for this machine's Prometheus, or for callers with SYNCHUB_METRICS_TOKEN"
        )
    default = Expectation(hub.settings.sync_every_hours, hub.settings.sync_grace_hours)
    body = await run_in_threadpool(exposition, hub.read_factory, default)
    return Response(body, media_type=PROMETHEUS_TEXT)


# --- alerts: staff subscribe themselves; owner and operations see what was raised -----------

STAFF_ROLES = tuple(sorted(STAFF, key=lambda r: r.value))


class SubscriptionCreate(BaseModel):
    channel: str = Field(description="email or whatsapp")
    address: str = Field(max_length=200, description="e-mail address or E.164 phone number")
    kinds: list[str] | None = Field(
        default=None, description="missed_sync, quarantine, held, job_failed (default: all)"
    )
    locale: str | None = Field(default=None, pattern="^(id|en)$")


class SubscriptionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel: str
    address: str
    kinds: str
    locale: str


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    reseller_id: str | None
    message: str
    raised_at: str
    queued: int


@router.get(
    "/api/v1/alerts/subscriptions",
    response_model=list[SubscriptionPublic],
    dependencies=[require(*STAFF_ROLES)],
)
def my_subscriptions(session: SessionDep, principal: CurrentPrincipal) -> list[SubscriptionPublic]:
    """Your alert subscriptions."""
    rows = service.subscriptions(session, principal.user_id)
    return [SubscriptionPublic.model_validate(r) for r in rows]


@router.post(
    "/api/v1/alerts/subscriptions",
    response_model=SubscriptionPublic,
    status_code=201,
    dependencies=[require(*STAFF_ROLES)],
)
def subscribe(
    body: SubscriptionCreate, session: SessionDep, principal: CurrentPrincipal
) -> SubscriptionPublic:
    """Be told about alerts (missed syncs, quarantine, held snapshots, failed jobs)."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise Forbidden("alerts are for signed-in staff users")
    sub = service.subscribe(session, user, body.channel, body.address, body.kinds, body.locale)
    return SubscriptionPublic.model_validate(sub)


@router.delete(
    "/api/v1/alerts/subscriptions/{subscription_id}",
    status_code=204,
    dependencies=[require(*STAFF_ROLES)],
)
def unsubscribe(subscription_id: int, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Stop one of your subscriptions."""
    service.unsubscribe(session, subscription_id, principal.user_id)
    return Response(status_code=204)


@router.get(
    "/api/v1/alerts",
    response_model=list[AlertPublic],
    dependencies=[require(Role.OWNER, Role.OPERATIONS)],
)
def alerts(session: SessionDep) -> list[AlertPublic]:
    """The latest alerts raised, newest first."""
    return [
        AlertPublic(
            id=a.id,
            kind=a.kind,
            reseller_id=a.reseller_id,
            message=a.message,
            raised_at=a.raised_at.isoformat(),
            queued=a.queued,
        )
        for a in service.recent_alerts(session)
    ]
