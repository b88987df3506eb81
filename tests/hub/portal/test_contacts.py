"""The shop's contacts from the reseller admin's seat: add the people the hub writes to, typed as
people type them, fix a refused form, change a language, stop writing to someone — each change
audited, and another reseller's contacts out of reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core.roles import Role
from hub.core.security import LANG_COOKIE
from hub.notifications.models import Contact
from tests.hub.web.webkit import Seeded, audit_count, last_audit, seed

ANI = {
    "name": "Ani",
    "email": "ani@toko1.test",
    "whatsapp": "0812-3456-789",
    "roles": ["orders", "shipping"],
    "email_opt_in": "yes",
    "whatsapp_opt_in": "yes",
    "locale": "id",
}


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)


def _contacts(hub: Seeded, reseller: str) -> list[Contact]:
    with hub.app.state.hub.session_factory() as s:
        rows = list(s.scalars(select(Contact).where(Contact.reseller_id == reseller)))
        s.expunge_all()
        return rows


def test_a_reseller_admin_adds_changes_and_stops_a_contact(hub: Seeded) -> None:
    admin = hub.client(Role.RESELLER_ADMIN, "r1")
    page = admin.get("/portal/contacts").text
    assert 'href="/portal/contacts"' in page and "Belum ada kontak" in page  # in the menu
    count = audit_count(hub)
    added = admin.post("/portal/contacts", data=ANI, follow_redirects=False)
    assert added.status_code == 303
    (ani,) = _contacts(hub, "r1")
    assert (ani.whatsapp, ani.roles, ani.email_opt_in) == (
        "+628123456789",
        ",orders,shipping,",
        True,
    )
    assert audit_count(hub) == count + 1 and last_audit(hub).action == "contact.create"
    listed = admin.get(added.headers["location"]).text
    assert "Tersimpan." in listed and "+628123456789" in listed and "Pesanan" in listed

    form = admin.get(f"/portal/contacts/{ani.id}").text
    assert "Ubah Ani" in form and 'value="ani@toko1.test"' in form
    changed = admin.post(f"/portal/contacts/{ani.id}", data={**ANI, "locale": "en"})
    assert changed.status_code == 303 and _contacts(hub, "r1")[0].locale == "en"
    assert last_audit(hub).action == "contact.update"
    admin.post(f"/portal/contacts/{ani.id}/active", data={"active": "false"})
    assert _contacts(hub, "r1")[0].active is False
    assert (
        last_audit(hub).action == "contact.deactivate"
        and last_audit(hub).actor == "reseller_admin-r1"
    )
    # the distributor's staff see the same person in the back office
    assert (
        "Ani"
        in hub.client(Role.OWNER).get("/contacts", params={"reseller": "r1", "status": "all"}).text
    )


def test_a_refused_form_says_what_to_fix_and_keeps_what_was_typed(hub: Seeded) -> None:
    admin = hub.client(Role.RESELLER_ADMIN, "r1")
    bad = admin.post(
        "/portal/contacts",
        data={**ANI, "email": "ani-at-toko", "whatsapp": "", "name": "Ani Wijaya"},
    )
    assert bad.status_code == 422 and _contacts(hub, "r1") == []
    assert 'id="error-email"' in bad.text and "bukan alamat e-mail" in bad.text
    assert 'id="error-whatsapp"' in bad.text  # agreed to WhatsApp, but no number
    assert 'value="ani-at-toko"' in bad.text and 'value="Ani Wijaya"' in bad.text
    admin.cookies.set(LANG_COOKIE, "en")
    english = admin.post("/portal/contacts", data={**ANI, "email": "ani-at-toko"}).text
    assert "is not an e-mail address" in english


def test_another_resellers_contacts_are_out_of_reach(hub: Seeded) -> None:
    hub.client(Role.RESELLER_ADMIN, "r1").post("/portal/contacts", data=ANI)
    (ani,) = _contacts(hub, "r1")
    other = hub.client(Role.RESELLER_ADMIN, "r2")
    assert "Ani" not in other.get("/portal/contacts").text
    assert other.get(f"/portal/contacts/{ani.id}").status_code == 404
    assert other.post(f"/portal/contacts/{ani.id}", data=ANI).status_code == 404
    assert (
        other.post(f"/portal/contacts/{ani.id}/active", data={"active": "false"}).status_code == 404
    )
    assert _contacts(hub, "r1")[0].active is True
    # a reseller named in the form is ignored: the contact is the signed-in reseller's
    other.post("/portal/contacts", data={**ANI, "reseller": "r1", "name": "Budi"})
    assert [c.name for c in _contacts(hub, "r2")] == ["Budi"]
    assert [c.name for c in _contacts(hub, "r1")] == ["Ani"]
    # the shop's other users do not manage its contacts
    assert hub.client(Role.RESELLER, "r1").get("/portal/contacts").status_code == 403
