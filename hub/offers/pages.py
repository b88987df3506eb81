"""Offer pages: staff review (filter, bulk approve/drop, edit quantity, publish, conversion) and the reseller portal.

Every rule lives in :mod:`hub.offers.workflow`; the order-this-offer route belongs to the
orders capability's pages (orders imports offers, never the reverse). These handlers parse forms, call it, commit, and render. htmx requests get
the swapped fragment with status 200 (htmx swaps only 2xx answers), plain
form posts the whole page with the real status.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.models import Product
from hub.core import nav
from hub.core.db import utcnow
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, SettingsDep, require, reseller_filter
from hub.core.errors import describe, status_of
from hub.core.roles import RESELLER_ROLES, Principal, Role
from hub.core.templating import render
from hub.offers import workflow
from hub.offers.models import KINDS, STATUSES, Offer
from shared.errors import Conflict, DataError, NotFound, SyncHubError

router = APIRouter(include_in_schema=False)
VIEW = (Role.OWNER, Role.OPERATIONS, Role.MARKETING)  # marketing reads offers and conversion
EDIT = (Role.OWNER, Role.OPERATIONS)
Message = tuple[
    str, dict[str, Any]
]  # an English message id and its values, translated by the template

# The offer's numbers (hub.offers.compute) in words; unknown keys are shown as they are.
NUMBER_LABELS = {
    "sold": "Sold in the window",
    "window_days": "Window (days)",
    "daily": "Sold per day",
    "on_hand": "In stock at the shop",
    "cover_days": "Stock lasts (days)",
    "target_cover_days": "Target cover (days)",
    "needed": "Units needed",
    "pack_size": "Pack size",
    "hub_available": "Available at the hub",
    "peer_resellers": "Resellers selling it nearby",
    "peer_sold": "Units they sold",
    "per_shop_daily": "Per shop per day",
    "region": "Province code",
    "hub_cover_days": "Hub stock lasts (days)",
}

nav.register(nav.NavItem("Offers", "/offers", frozenset(VIEW), order=45))
nav.register(nav.NavItem("Conversion", "/offers/conversion", frozenset(VIEW), order=46))
nav.register(nav.NavItem("Offers", "/portal/offers", RESELLER_ROLES, order=15))


def _htmx(request: Request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _checked(value: str, known: Sequence[str], what: str) -> str:
    if value and value not in known:
        raise DataError(
            "unknown offer {what} {value}",
            hint="use one of {known}",
            what=what,
            value=repr(value),
            known=", ".join(known),
        )
    return value


def _with_products(session: Session, offers: list[Offer]) -> list[tuple[Offer, Product | None]]:
    ids = {o.product_id for o in offers}
    products = (
        {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
        if ids
        else {}
    )
    return [(o, products.get(o.product_id)) for o in offers]


def _review(
    request: Request,
    session: Session,
    principal: Principal,
    f: dict[str, str],
    *,
    message: Message | None = None,
    error: str | Exception = "",
    status: int = 200,
    fragment: bool = False,
) -> Response:
    offers = workflow.list_offers(
        session,
        principal,
        reseller_id=f["reseller_id"] or None,
        status=f["status"] or None,
        kind=f["kind"] or None,
    )
    ctx = {
        "rows": _with_products(session, offers),
        "f": f,
        "message": message,
        "error": error,
        "kinds": KINDS,
        "statuses": STATUSES,
        "labels": NUMBER_LABELS,
        "now": utcnow(),
        "can_edit": principal.role in EDIT,
        "resellers": list(
            session.scalars(select(Offer.reseller_id).distinct().order_by(Offer.reseller_id))
        ),
    }
    if fragment:
        return render(request, "_offers_table.html", ctx)
    return render(request, "offers_review.html", ctx, status_code=status)


@router.get("/offers", dependencies=[require(*VIEW)])
def review(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    reseller_id: str = Query("", max_length=63),
    kind: str = "",
    status: str = "",
) -> Response:
    """Offers to review: numbers, reason, price and why; filter by reseller, kind and status."""
    f = {
        "reseller_id": reseller_id,
        "kind": _checked(kind, KINDS, "kind"),
        "status": _checked(status, STATUSES, "status"),
    }
    return _review(request, session, principal, f)


@router.post("/offers/decide", dependencies=[require(*EDIT)])
def decide(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    ids: list[int] = Form([]),
    action: str = Form(""),
    reseller_id: str = Form(""),
    kind: str = Form(""),
    status: str = Form(""),
) -> Response:
    """Approve or drop the checked draft offers, all or nothing (htmx swaps the table)."""
    f = {
        "reseller_id": reseller_id,
        "kind": _checked(kind, KINDS, "kind"),
        "status": _checked(status, STATUSES, "status"),
    }
    try:
        if not ids:
            raise DataError("no offer selected", hint="tick the offers to approve or drop")
        if any(not 0 < i < 2**31 for i in ids):
            raise Conflict(
                "offer id(s) {ids} do not exist: nothing was changed",
                ids=", ".join(f"#{i}" for i in ids if not 0 < i < 2**31),
                hint="reload the list and select draft offers only",
            )
        done = workflow.decide(session, ids, action, principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        return _review(
            request,
            session,
            principal,
            f,
            error=exc,
            status=status_of(exc),
            fragment=_htmx(request),
        )
    text = "{n} offer(s) approved." if action == "approve" else "{n} offer(s) dropped."
    return _review(
        request, session, principal, f, message=(text, {"n": len(done)}), fragment=_htmx(request)
    )


@router.post("/offers/publish", dependencies=[require(*EDIT)])
def publish(
    request: Request, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> Response:
    """Publish every approved offer: portal, API and one signed offers file per reseller."""
    from hub.core.keys import HubKeys  # loads key files: only when publishing

    keys = HubKeys.load(settings.keys_dir)
    paths = workflow.publish(session, settings.sftp_root, keys.signing_key, principal)
    session.flush()  # the request's unit of work commits (docs/transactions.md)
    message = (
        (
            "Published: offers files written for {resellers}.",
            {"resellers": ", ".join(sorted(paths))},
        )
        if paths
        else ("Nothing to publish: approve draft offers first.", {})
    )
    f = {"reseller_id": "", "kind": "", "status": ""}
    return _review(request, session, principal, f, message=message)


@router.post("/offers/{offer_id}/quantity", dependencies=[require(*EDIT)])
def edit_quantity(
    offer_id: RowId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    quantity: str = Form(""),
) -> Response:
    """Change a draft's quantity; it is priced again (quantity breaks)."""
    if session.get(Offer, offer_id) is None:
        raise NotFound("no offer #{offer_id}", offer_id=offer_id)
    error = ""
    try:
        if not quantity.strip().isdigit() or not 0 < int(quantity) <= 1_000_000:
            raise DataError(
                "quantity {value} is not a whole number from 1 to 1000000",
                value=repr(quantity),
                hint="type the number of units",
            )
        workflow.edit(session, offer_id, int(quantity), principal)
        session.flush()  # the request's unit of work commits (docs/transactions.md)
    except SyncHubError as exc:
        session.rollback()  # the failed work is not committed (docs/transactions.md)
        error = describe(request, exc)
    if _htmx(request):
        offer = session.get(Offer, offer_id)
        assert offer is not None  # checked above; offers are never deleted by an edit
        return render(
            request,
            "_offer_row.html",
            {
                "o": offer,
                "p": session.get(Product, offer.product_id),
                "labels": NUMBER_LABELS,
                "row_error": error,
                "can_edit": True,
                "now": utcnow(),
            },
        )
    if error:
        f = {"reseller_id": "", "kind": "", "status": ""}
        return _review(request, session, principal, f, error=error, status=409)
    return RedirectResponse("/offers", 303)


# --- conversion --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    rate: Decimal  # 0..1
    detail: str  # "accepted / published"
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    plot_width: int


def bar_chart(
    items: Sequence[tuple[str, Decimal, str]],
    *,
    plot_width: int = 320,
    label_width: int = 200,
    bar: int = 18,
    gap: int = 6,
) -> BarChart:
    """Horizontal bars of rates on a fixed 0–100 % scale, so charts of different pages compare."""
    bars = [
        Bar(
            label,
            rate,
            detail,
            gap + i * (bar + gap),
            float(min(max(rate, Decimal(0)), Decimal(1))) * plot_width,
        )
        for i, (label, rate, detail) in enumerate(items)
    ]
    height = gap + len(bars) * (bar + gap)
    return BarChart(
        bars, label_width + plot_width + 70, max(height, bar + 2 * gap), label_width, plot_width
    )


def _ratio(accepted: int, published: int) -> Decimal:
    return (
        (Decimal(accepted) / Decimal(published)).quantize(Decimal("0.001"))
        if published
        else Decimal(0)
    )


@router.get("/offers/conversion", dependencies=[require(*VIEW)])
def conversion(request: Request, session: SessionDep) -> Response:
    """Accepted ÷ published offers, per offer kind and per reseller and kind."""
    rows = workflow.conversion(session)
    per_kind: dict[str, list[int]] = {}
    for r in rows:
        acc = per_kind.setdefault(r["kind"], [0, 0])
        acc[0] += r["published"]
        acc[1] += r["accepted"]
    kinds = [(k, _ratio(a, n), f"{a}/{n}") for k, (n, a) in sorted(per_kind.items())]
    by_reseller = [
        (f"{r['reseller_id']} · {r['kind']}", r["rate"], f"{r['accepted']}/{r['published']}")
        for r in rows
    ]
    return render(
        request,
        "offers_conversion.html",
        {"rows": rows, "kind_chart": bar_chart(kinds), "reseller_chart": bar_chart(by_reseller)},
    )


# --- reseller portal ---------------------------------------------------------------------


def render_portal(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    message: Message | None = None,
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    """The reseller's offers page, with a message or error (the orders pages re-render it after ordering)."""
    offers = workflow.list_offers(session, principal, reseller_id=reseller_filter(principal, None))
    return render(
        request,
        "offers_portal.html",
        {
            "rows": _with_products(session, offers),
            "labels": NUMBER_LABELS,
            "now": utcnow(),
            "message": message,
            "error": error,
        },
        status_code=status,
    )


@router.get("/portal/offers", dependencies=[require(*RESELLER_ROLES)])
def portal(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The reseller's published offers: reason, price and validity, each orderable."""
    return render_portal(request, session, principal)
