"""Demo step: the people at each reseller the hub writes to, with what they agreed to.

Through the back office's contact records (``hub.notifications.records.CONTACTS``, the form of
/master/contacts), entered by marketing: each contact has the messages they take (orders,
payments, shipping, marketing) and an opt-in per channel — a number without its opt-in
gets nothing on WhatsApp. One e-mail address is mistyped (``.exmaple``): the demo's mail
server refuses it, and the outbox shows that failure with what to do. Made before the
orders, so every order, payment and shipment that follows queues its messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff
from hub.notifications.records import CONTACTS
from hub.notifications.templates import ROLES


@dataclass(frozen=True)
class Person:
    name: str
    email: str = ""
    whatsapp: str = ""
    roles: tuple[str, ...] = ROLES
    email_opt_in: bool = False
    whatsapp_opt_in: bool = False
    birthday: dt.date | None = None


MISTYPED = "agus@cvsinar.exmaple"
PEOPLE = {
    "toko-maju": (
        Person(
            "Hendra Gunawan",
            "hendra@tokomaju.example",
            "0812-1000-2001",
            email_opt_in=True,
            whatsapp_opt_in=True,
            birthday=dt.date(1979, 3, 14),
        ),
        Person(  # a number on file, but no WhatsApp opt-in: e-mail only
            "Rina Kartika",
            "rina@tokomaju.example",
            "0812-1000-2002",
            ("payments",),
            email_opt_in=True,
        ),
    ),
    "cv-sinar": (
        Person("Sari Wulandari", "sari@cvsinar.example", email_opt_in=True),
        Person("Agus Salim", MISTYPED, roles=("shipping",), email_opt_in=True),
    ),
    "ud-berkah": (
        Person(
            "Yusuf Hidayat",
            "yusuf@udberkah.example",
            roles=("orders", "payments", "shipping"),
            email_opt_in=True,
        ),
        Person(
            "Dewi Lestari",
            whatsapp="0813-2000-3002",
            roles=("marketing",),
            whatsapp_opt_in=True,
            birthday=dt.date(1990, 12, 1),
        ),
    ),
}


def seed(demo: Demo) -> str:
    marketing = demo.as_user(staff(Role.MARKETING))
    people = [(rid, p) for rid in demo.resellers for p in PEOPLE[rid]]
    with transaction(demo.factory) as s:
        for rid, p in people:
            CONTACTS.create(
                s,
                marketing,
                {
                    "reseller": rid,
                    "name": p.name,
                    "email": p.email,
                    "whatsapp": p.whatsapp,
                    "roles": list(p.roles),
                    "email_opt_in": p.email_opt_in,
                    "whatsapp_opt_in": p.whatsapp_opt_in,
                    "birthday": p.birthday,
                    "locale": "id",
                },
            )
    email = sum(p.email_opt_in for _, p in people)
    whatsapp = sum(p.whatsapp_opt_in for _, p in people)
    return (
        f"{len(people)} contacts at {len(demo.resellers)} resellers ({email} agreed to e-mail,"
        f" {whatsapp} to WhatsApp); {MISTYPED} mistyped on purpose"
    )
