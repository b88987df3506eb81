"""Demo step: the resellers' own side of the hub, the portal used as a shop.

Through ``hub.portal``, as the portal's pages call it: finance asks the group "Grosir
Jabodetabek" for a 30 % down payment (``set_down_payment``); each reseller admin saves a
profile (the e-mail address a password reset goes to); toko-maju adds a branch to its
address book and puts its paid order in the cart again ("Order again", priced today);
ud-berkah fills its cart, saves it as the template "Stok mingguan", checks out with the
cheapest courier that reaches its shop — the order asks the down payment first — and
fills next week's cart from the template; cv-sinar leaves a cart for later. Carts reserve
nothing before checkout.
"""

from __future__ import annotations

from decimal import Decimal

from hub.core.db import transaction
from hub.core.i18n import Formatter
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.orders import CTX
from hub.demo.steps.people import admin_of, staff
from hub.portal import addressbook, profile
from hub.portal import cart as carts
from hub.portal.addressbook import NewAddress
from hub.portal.profile import ProfileForm

DOWN_PAYMENT = Decimal(30)  # percent of the order, paid first
DOMAINS = {
    "toko-maju": "tokomaju.example",
    "cv-sinar": "cvsinar.example",
    "ud-berkah": "udberkah.example",
}
BRANCH = NewAddress(
    label="Cabang Grogol",
    recipient="Ibu Lina",
    phone="0812-1000-2003",
    street="Jl. Kyai Tapa 20, Grogol",
    postal_code="11440",
)
WEEKLY = {"NW-0001": 24, "NW-0070": 24, "NW-0075": 48}  # ud-berkah's weekly restock
LATER = {"NW-0016": 12, "NW-0058": 6}  # cv-sinar's cart, not checked out
TEMPLATE = "Stok mingguan"


def seed(demo: Demo) -> str:
    group, reorder = demo.facts.get("group_id"), demo.facts.get("reorder")
    if group is None or reorder is None:
        raise RuntimeError("the pricing and orders steps make the group and the order used here")
    admins = {rid: demo.as_user(admin_of(rid)) for rid in demo.resellers}
    maju, sinar, berkah = (admins[rid] for rid in ("toko-maju", "cv-sinar", "ud-berkah"))
    with transaction(demo.factory) as s:
        carts.set_down_payment(s, demo.as_user(staff(Role.FINANCE)), int(str(group)), DOWN_PAYMENT)
        for rid, who in admins.items():
            profile.save(s, who, ProfileForm(f"admin@{DOMAINS[rid]}", "0812-0000-0000", "id"))
        addressbook.add(s, maju, BRANCH)
        again = carts.order_quantities(s, maju, int(str(reorder)))
        carts.fill_from(s, maju, again, CTX)
    with transaction(demo.factory) as s:
        carts.set_lines(s, berkah, {demo.products[k]: q for k, q in WEEKLY.items()}, CTX)
        template = carts.save_template(s, berkah, TEMPLATE)
        cart = carts.cart_of(s, berkah)
        home = next(a for a in carts.addresses(s, berkah) if a.is_default)
        if cart is None:
            raise RuntimeError("ud-berkah's cart was just filled")
        cheapest = carts.quotes(s, cart, home)[0]
        order = carts.checkout(
            s,
            berkah,
            CTX,
            address_id=home.id,
            courier=cheapest.courier,
            service_code=cheapest.service,
            note="Mohon dikirim sebelum Jumat",
        )
        placed, down = order.id, order.down_payment
        weekly = {int(x["product_id"]): int(x["quantity"]) for x in template.lines}
    with transaction(demo.factory) as s:
        carts.fill_from(s, berkah, weekly, CTX)  # next week's cart, from the template
        carts.set_lines(s, sinar, {demo.products[k]: q for k, q in LATER.items()}, CTX)
    return (
        f"down payment {DOWN_PAYMENT}% for the group; profiles of {len(admins)} reseller admins;"
        f" toko-maju's branch address and order #{reorder} in its cart again; ud-berkah's cart"
        f" saved as '{TEMPLATE}', checked out with {cheapest.courier} {cheapest.service} as order"
        f" #{placed} (down payment {Formatter('id').money(down or Decimal(0))}), next week's"
        f" cart filled from it; cv-sinar's cart left for later"
    )
