"""Shop pages: catalog (search, categories), product page (variants, my price and why), cart
(edit, templates, reorder with a confirmation), checkout (address, courier from live quotes with
ETD, cheapest preselected, note).

Rules live in :mod:`hub.portal.shop` and :mod:`hub.portal.cart`; each handler runs one use case
in its own transaction (:func:`hub.orders.pages.write`) and re-renders with the message and
what was typed when the use case refuses.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from hub.core import nav
from hub.core.deps import CurrentPrincipal, RowId, SessionDep, require
from hub.core.i18n import parse_int
from hub.core.roles import RESELLER_ROLES, Principal
from hub.core.templating import language, render
from hub.orders.http import order_context
from hub.orders.pages import write
from hub.orders.service import OrderNotFound
from hub.portal import cart as carts
from hub.portal import shop
from hub.portal.statement import statement
from shared.errors import DataError, SyncHubError

router = APIRouter(include_in_schema=False)
RESELLER = require(*RESELLER_ROLES)

nav.register(nav.NavItem("Catalog", "/portal/catalog", RESELLER_ROLES, order=12))
nav.register(nav.NavItem("Cart", "/portal/cart", RESELLER_ROLES, order=14))
nav.register(nav.NavItem("Statement", "/portal/statement", RESELLER_ROLES, order=17))


def _reseller(principal: Principal) -> str:
    return str(principal.reseller_id)


@router.get("/portal/catalog", dependencies=[RESELLER])
def catalog(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    q: str = Query("", max_length=200),
    category: str = Query("", max_length=100),
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    """Search the catalog by words or SKU, or browse a category; my price on every card."""
    cards, total = shop.browse(session, _reseller(principal), q, category, page)
    return render(
        request,
        "portal_catalog.html",
        {
            "cards": cards,
            "total": total,
            "q": q,
            "category": category,
            "page": page,
            "pages": max(1, -(-total // shop.PAGE)),
            "categories": shop.categories(session),
        },
    )


def _product(
    request: Request,
    session: Session,
    principal: Principal,
    product_id: int,
    *,
    error: str | Exception = "",
    typed: Optional[dict[int, str]] = None,
    status: int = 200,
) -> Response:
    card = shop.product(session, _reseller(principal), product_id)
    return render(
        request,
        "portal_product.html",
        {"card": card, "error": error, "typed": typed or {}},
        status_code=status,
    )


@router.get("/portal/catalog/{product_id}", dependencies=[RESELLER])
def product_page(
    product_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Photos, specifications, variants with stock, my price with its breaks and promotions."""
    return _product(request, session, principal, product_id)


def _wanted(form: Any, lang: str) -> tuple[dict[int, int], dict[int, str]]:
    """``qty-<product id>`` fields → quantities (blank = 0); every bad one named at once."""
    typed = {
        int(k[4:]): str(v).strip()
        for k, v in form.items()
        if k.startswith("qty-") and k[4:].isdigit()
    }
    wanted, problems = {}, []
    for pid, raw in typed.items():
        if not raw:
            continue
        try:
            qty = parse_int(raw, lang)
        except SyncHubError:
            problems.append(raw)
            continue
        if qty < 0:
            problems.append(raw)
            continue
        wanted[pid] = qty
    if problems:
        raise DataError(
            "not a quantity: {typed}",
            typed=", ".join(problems),
            hint="type whole numbers, 0 to remove",
            problems=problems,
        )
    return wanted, typed


@router.post("/portal/catalog/{product_id}/cart", dependencies=[RESELLER])
async def add_to_cart(
    product_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Add the quantities typed for each variant to the cart."""
    form = await request.form()
    typed: dict[int, str] = {}
    try:
        wanted, typed = _wanted(form, language(request))
        allowed = {
            o.product.id for o in shop.product(session, _reseller(principal), product_id).offers
        }
        wanted = {pid: q for pid, q in wanted.items() if pid in allowed and q > 0}
        if not wanted:
            raise DataError("type how many you want of at least one variant", hint="e.g. 2")
        write(request, session, lambda s: carts.add(s, principal, wanted, order_context(request)))
    except SyncHubError as exc:
        return _product(request, session, principal, product_id, error=exc, typed=typed, status=422)
    return RedirectResponse("/portal/cart?added=1", 303)


# --- cart ----------------------------------------------------------------------------------


def _cart(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    message: str = "",
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "portal_cart.html",
        {
            "cart": carts.cart_of(session, principal),
            "templates": carts.templates(session, principal),
            "message": message,
            "error": error,
        },
        status_code=status,
    )


@router.get("/portal/cart", dependencies=[RESELLER])
def cart_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    added: int = 0,
    reorder: int = 0,
) -> Response:
    """The cart: quantities to edit, templates, checkout."""
    message = ""
    if added:
        message = "Added to your cart."
    elif reorder:
        message = "The products of that order are in your cart at today's prices: check them, then check out."
    return _cart(request, session, principal, message=message)


@router.post("/portal/cart", dependencies=[RESELLER])
async def update_cart(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Set the cart's quantities (0 removes a line)."""
    form = await request.form()
    try:
        wanted, _ = _wanted(form, language(request))
        write(
            request,
            session,
            lambda s: carts.set_lines(s, principal, wanted, order_context(request)),
        )
    except SyncHubError as exc:
        return _cart(request, session, principal, error=exc, status=422)
    return _cart(request, session, principal, message="Cart updated.")


@router.post("/portal/cart/template", dependencies=[RESELLER])
async def save_template(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Save the cart under a name, to order the same again later."""
    name = str((await request.form()).get("name", ""))
    try:
        write(request, session, lambda s: carts.save_template(s, principal, name))
    except SyncHubError as exc:
        return _cart(request, session, principal, error=exc, status=422)
    return _cart(request, session, principal, message="Template saved.")


@router.post("/portal/cart/templates/{template_id}", dependencies=[RESELLER])
def use_template(
    template_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Put a template's products into the cart."""
    try:
        t = carts.template(session, principal, template_id)
        wanted = {int(x["product_id"]): int(x["quantity"]) for x in t.lines}
        write(
            request,
            session,
            lambda s: carts.fill_from(s, principal, wanted, order_context(request)),
        )
    except SyncHubError as exc:
        return _cart(request, session, principal, error=exc, status=422)
    return RedirectResponse("/portal/cart?added=1", 303)


@router.post("/portal/cart/reorder/{order_id}", dependencies=[RESELLER])
def reorder(
    order_id: RowId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """ "Order again": the order's products go into the cart; nothing is placed before checkout."""
    try:
        wanted = carts.order_quantities(session, principal, order_id)
    except OrderNotFound:
        raise HTTPException(404, f"no order #{order_id}") from None
    try:
        write(
            request,
            session,
            lambda s: carts.fill_from(s, principal, wanted, order_context(request)),
        )
    except SyncHubError as exc:
        return _cart(request, session, principal, error=exc, status=409)
    return RedirectResponse("/portal/cart?reorder=1", 303)


# --- checkout ------------------------------------------------------------------------------


def _checkout(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    address_id: Optional[int] = None,
    form: Optional[dict[str, str]] = None,
    error: str | Exception = "",
    status: int = 200,
) -> Response:
    cart = carts.cart_of(session, principal)
    addresses = carts.addresses(session, principal)
    chosen = next((a for a in addresses if a.id == address_id), addresses[0] if addresses else None)
    options: list[Any] = []
    quote_error: str | Exception = ""
    if cart is not None and cart.lines and chosen is not None:
        try:
            options = carts.quotes(session, cart, chosen)
        except SyncHubError as exc:
            quote_error = exc
    return render(
        request,
        "portal_checkout.html",
        {
            "cart": cart,
            "addresses": addresses,
            "chosen": chosen,
            "options": options,
            "quote_error": quote_error,
            "form": form or {},
            "error": error,
            "down_payment": carts.down_payment_percent(session, _reseller(principal)),
        },
        status_code=status,
    )


@router.get("/portal/checkout", dependencies=[RESELLER])
def checkout_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    address: Optional[int] = Query(None, ge=1),
) -> Response:
    """Where to deliver, by which courier (cheapest preselected), a note; then order."""
    return _checkout(request, session, principal, address_id=address)


@router.post("/portal/checkout", dependencies=[RESELLER])
async def checkout(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Place the cart: stock reserved, invoice numbered, shipping fee quoted now."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    address_id: Optional[int] = None
    try:
        address_id = parse_int(form.get("address_id", ""), language(request))
        courier, _, service_code = form.get("shipping", "").partition("|")
        if not courier or not service_code:
            raise DataError("choose a courier and service", hint="pick one of the options listed")
        order_id = write(
            request,
            session,
            lambda s: (
                carts.checkout(
                    s,
                    principal,
                    order_context(request),
                    address_id=int(address_id or 0),
                    courier=courier,
                    service_code=service_code,
                    note=form.get("note", ""),
                ).id
            ),
        )
    except SyncHubError as exc:
        return _checkout(
            request, session, principal, address_id=address_id, form=form, error=exc, status=422
        )
    return RedirectResponse(f"/portal/orders/{order_id}?placed=1", 303)


@router.get("/portal/statement", dependencies=[RESELLER])
def statement_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Invoices, confirmed payments and what is owed after each, oldest first."""
    return render(request, "portal_statement.html", {"st": statement(session, principal)})
