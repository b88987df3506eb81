"""Staff screen for the down-payment rule: which reseller groups pay a share of an order first.

The share is set on each order at checkout (the highest among the reseller's groups), with
its own proforma; changing a rule changes no order already placed. Owner and finance only.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.models import ResellerGroup
from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.i18n import parse_decimal
from hub.core.roles import Role
from hub.core.templating import language, render
from hub.orders.pages import write
from hub.portal.cart import set_down_payment
from hub.portal.models import DownPaymentRule
from shared.errors import NotFound, SyncHubError

router = APIRouter(include_in_schema=False)
FINANCE = (Role.OWNER, Role.FINANCE)

nav.register(nav.NavItem("Down payments", "/down-payments", frozenset(FINANCE), order=52))


def _page(
    request: Request,
    session: Session,
    *,
    message: tuple[str, dict[str, object]] | None = None,
    error: str | Exception = "",
    typed: tuple[int, str] | None = None,
    status: int = 200,
) -> Response:
    groups = session.scalars(select(ResellerGroup).order_by(ResellerGroup.name)).all()
    rules = dict(session.execute(select(DownPaymentRule.group_id, DownPaymentRule.percent)).all())
    return render(
        request,
        "down_payments.html",
        {"groups": groups, "rules": rules, "message": message, "error": error, "typed": typed},
        status_code=status,
    )


@router.get("/down-payments", dependencies=[require(*FINANCE)])
def rules_page(request: Request, session: SessionDep) -> Response:
    """Every reseller group with the share it pays first (none: pays after ordering, in full)."""
    return _page(request, session)


@router.post("/down-payments/{group_id}", dependencies=[require(*FINANCE)])
def set_rule(
    group_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    percent: str = Form("", max_length=20),
) -> Response:
    """Set the group's share in percent (0 or empty: no down payment)."""
    try:
        value = parse_decimal(percent.strip().rstrip("%") or "0", language(request))
        write(request, session, lambda s: set_down_payment(s, principal, group_id, value))
    except NotFound:
        raise
    except SyncHubError as exc:
        return _page(request, session, error=exc, typed=(group_id, percent), status=422)
    return _page(request, session, message=("Down payment of group #{id} saved.", {"id": group_id}))
