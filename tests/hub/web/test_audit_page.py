"""The audit log page: filters that never answer a raw error, days in WIB, pages of 100,
actions and states in the reader's language; and the users form that no longer
defaults to the owner role nor takes a reseller id as free text."""

from __future__ import annotations

import datetime as dt

from hub.audit.service import record
from hub.core.roles import Role
from tests.hub.web.webkit import Seeded, english


def _entries(hub: Seeded, n: int) -> None:
    with hub.app.state.hub.session_factory() as s:
        for i in range(n):
            record(
                s,
                None,
                "order.request_payment",
                "order",
                i,
                {"state": "placed"},
                {"state": "awaiting_payment"},
            )
        s.commit()


def test_blank_or_wrong_dates_never_answer_a_raw_error(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    blank = owner.get("/audit", params={"actor": "", "since": "", "until": "", "page": ""})
    assert blank.status_code == 200 and 'id="audit"' in blank.text
    wrong = owner.get("/audit", params={"since": "kemarin", "page": "x"})
    assert wrong.status_code == 422 and "bukan tanggal" in wrong.text
    assert (
        wrong.headers["content-type"].startswith("text/html") and 'id="audit-filters"' in wrong.text
    )
    typed = owner.get("/audit", params={"since": "1/1/2020", "until": "31/12/2099"})
    assert typed.status_code == 200


def test_pages_of_a_hundred_and_translated_actions_and_states(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    _entries(hub, 130)
    owner = hub.client(Role.OWNER)
    first = owner.get("/audit", params={"entity": "order"})
    assert "130 entri" in first.text and 'rel="next"' in first.text
    assert first.text.count("<tr><td>") == 100
    second = owner.get("/audit", params={"entity": "order", "page": "2"})
    assert second.text.count("<tr><td>") == 30 and 'rel="prev"' in second.text
    assert "menunggu pembayaran" in first.text and "awaiting_payment" not in first.text
    assert "request_payment" not in first.text.split('id="audit"')[1].replace(
        'title="order.request_payment"', ""
    )
    today = dt.date.today()
    tomorrow = english(hub).get(
        "/audit", params={"since": (today + dt.timedelta(days=2)).isoformat()}
    )
    assert 'id="count">0 entries' in tomorrow.text


def test_users_form_asks_for_a_role_and_suggests_enrolled_resellers(hub: Seeded) -> None:
    page = english(hub).get("/users").text
    form = page.split('action="/users"')[1]
    assert '<option value="">— choose a role —</option>' in form
    assert "selected" not in form.split('name="role"')[1].split("</select>")[0]
    field = form.split('name="reseller_id"')[1].split(">")[0]
    assert 'hx-get="/resellers/suggest"' in field and 'list="dl-reseller_id"' in field
    typed = english(hub).get(
        "/resellers/suggest", params={"field": "reseller_id", "reseller_id": "r"}
    )
    assert '<option value="r1">' in typed.text
    unknown = english(hub).post(
        "/users",
        data={
            "username": "kasir",
            "password": "correct horse battery 2",
            "role": "reseller",
            "reseller_id": "r404",
        },
    )
    assert unknown.status_code == 404 and "r404" in unknown.text.split('class="error"')[1]
    assert 'value="r404"' in unknown.text and 'value="kasir"' in unknown.text
    bad = english(hub).post(
        "/users",
        data={
            "username": "kasir",
            "password": "correct horse battery 2",
            "role": "reseller",
            "reseller_id": "",
        },
    )
    assert bad.status_code == 422 and 'value="kasir"' in bad.text
    assert '<option value="reseller" selected>' in bad.text
