"""Reseller contacts as master data: the people the hub tells about orders, payments,
shipments and promotions, on the channels they agreed to.

A WhatsApp number is kept as E.164 (``+628123456789``); ``0812-3456-789`` and
``62 812 3456 789`` are accepted as people write them. Nobody gets a message on a channel
they did not opt in to; the roles pick which messages (:data:`~hub.notifications.templates.TOPICS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from hub.core.roles import STAFF, Role
from hub.masterdata.fields import Field, Invalid
from hub.masterdata.kind import RecordKind
from hub.notifications.models import Contact
from hub.notifications.templates import ROLES
from hub.resellers.models import Reseller

EDIT = frozenset({Role.OWNER, Role.OPERATIONS, Role.MARKETING})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def whatsapp_number(text: str) -> str:
    """E.164 of an Indonesian (or already international) mobile number; Invalid otherwise."""
    digits = re.sub(r"[\s\-().]", "", text or "")
    if not digits:
        return ""
    if digits.startswith("0"):
        digits = "+62" + digits[1:]
    elif digits.startswith("62"):
        digits = "+" + digits
    if not re.fullmatch(r"\+\d{9,15}", digits):
        raise Invalid(
            {"whatsapp": ("write a mobile number like 0812 3456 789 or +62 812 3456 789", {})}
        )
    return digits


class Contacts(RecordKind[Contact]):
    slug = "contacts"
    entity = "contact"
    title = "Reseller contacts"
    singular = "contact"
    help = "The people at each reseller the hub writes to: which messages (roles), on which channels they agreed to, and their days for birthday and anniversary promotions."
    model = Contact
    fields = (
        Field(
            "reseller", "Reseller (id)", required=True, max_length=31, suggest="/resellers/suggest"
        ),
        Field("name", "Name", required=True, max_length=120),
        Field("email", "E-mail", max_length=200),
        Field("whatsapp", "WhatsApp", max_length=30),
        Field(
            "roles",
            "Tell them about",
            kind="multi",
            options=tuple((r, f"topic:{r}") for r in ROLES),
            default=list(ROLES),
        ),
        Field("email_opt_in", "Agreed to e-mail", kind="bool"),
        Field("whatsapp_opt_in", "Agreed to WhatsApp", kind="bool"),
        Field("birthday", "Birthday", kind="date", listed=False),
        Field("anniversary", "Anniversary (e.g. partner since)", kind="date", listed=False),
        Field(
            "locale",
            "Language",
            kind="choice",
            options=(("id", "Indonesian"), ("en", "English")),
            default="id",
            listed=False,
        ),
    )
    key = ("reseller", "name")
    searched = (Contact.reseller_id, Contact.name, Contact.email, Contact.whatsapp)
    order_by = (Contact.reseller_id, Contact.name)
    scopes = ("reseller",)
    view_roles = STAFF
    edit_roles = EDIT

    def narrow(self, session: Session, stmt: Select[Any], scope: Mapping[str, str]) -> Select[Any]:
        if scope.get("reseller"):
            stmt = stmt.where(Contact.reseller_id == scope["reseller"])
        return stmt

    def values(self, session: Session, rows: Sequence[Contact]) -> list[dict[str, Any]]:
        return [
            {
                "reseller": r.reseller_id,
                "name": r.name,
                "email": r.email,
                "whatsapp": r.whatsapp,
                "roles": [x for x in r.roles.split(",") if x],
                "email_opt_in": r.email_opt_in,
                "whatsapp_opt_in": r.whatsapp_opt_in,
                "birthday": r.birthday,
                "anniversary": r.anniversary,
                "locale": r.locale,
            }
            for r in rows
        ]

    def find(self, session: Session, values: Mapping[str, Any]) -> Contact | None:
        return (
            session.query(Contact)
            .filter_by(reseller_id=values.get("reseller"), name=values.get("name"))
            .first()
        )

    def assign(
        self, session: Session, row: Contact, values: Mapping[str, Any], creating: bool
    ) -> None:
        wrong: dict[str, tuple[str, dict[str, Any]]] = {}
        reseller = values.get("reseller")
        if not reseller or session.get(Reseller, reseller) is None:
            wrong["reseller"] = ("no reseller with id {id}", {"id": reseller or ""})
        email = str(values.get("email") or "").strip()
        if email and not _EMAIL.match(email):
            wrong["email"] = ("{value} is not an e-mail address", {"value": email})
        try:
            whatsapp = whatsapp_number(str(values.get("whatsapp") or ""))
        except Invalid as exc:
            wrong.update(exc.fields)
            whatsapp = ""
        if values.get("email_opt_in") and not email:
            wrong["email"] = ("give the e-mail address they agreed to", {})
        if values.get("whatsapp_opt_in") and not whatsapp and "whatsapp" not in wrong:
            wrong["whatsapp"] = ("give the WhatsApp number they agreed to", {})
        if wrong:
            raise Invalid(wrong)
        row.reseller_id, row.name = reseller, str(values["name"]).strip()  # type: ignore[assignment]
        row.email, row.whatsapp = email, whatsapp
        row.roles = "," + ",".join(r for r in ROLES if r in (values.get("roles") or [])) + ","
        row.email_opt_in = bool(values.get("email_opt_in"))
        row.whatsapp_opt_in = bool(values.get("whatsapp_opt_in"))
        row.birthday, row.anniversary = values.get("birthday"), values.get("anniversary")
        row.locale = values.get("locale") or "id"
        if creating:
            row.active = True


CONTACTS = Contacts()
