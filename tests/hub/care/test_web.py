"""Care over HTTP, from the seats of a reseller and of the staff: a reseller sees only its own
tickets (API, token and portal; another reseller's ticket is not found on every route),
internal notes never reach it, every action writes one audit row, a bad form keeps what was
typed, and every page renders in Indonesian with every string translated."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from hub.audit.models import AuditEntry
from hub.care import pages, sla, words
from hub.core.deps import declared_access, iter_routes
from hub.core.i18n import catalogue
from hub.core.roles import Role
from tests.hub.care.kit import factory
from tests.hub.purchasing.errortexts import fixed_texts
from tests.hub.purchasing.msgids import HUB, missing, template_ids
from tests.hub.web.webkit import Seeded

API = "/api/v1/care/tickets"
SHAPE = {"error", "message", "hint", "problems"}


def _open(client: TestClient, subject: str, **kw: str) -> int:
    body = {
        "kind": "complaint",
        "category": "delivery",
        "subject": subject,
        "body": "Tolong dicek.",
    }
    r = client.post(API, json={**body, **kw})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found, page
    return found.group(1)


def _audit(hub: Seeded, action: str) -> int:
    with factory(hub)() as s:
        return s.query(AuditEntry).filter(AuditEntry.action == action).count()


@pytest.mark.parametrize("how", ["reseller", "reseller_admin", "token"])
def test_a_reseller_sees_only_its_own_tickets(hub: Seeded, how: str) -> None:
    mine = _open(hub.client(Role.RESELLER, "r1"), "Tiket r1")
    theirs = _open(hub.token_client("r2"), "Tiket r2")
    client = hub.token_client("r1") if how == "token" else hub.client(Role(how), "r1")
    listed = client.get(API, params={"reseller_id": "r2"}).json()
    assert [t["id"] for t in listed["data"]] == [mine] and listed["count"] == 1
    assert client.get(f"{API}/{mine}").status_code == 200
    # every route that names a ticket, with the other reseller's id: 404 in the one shape
    leaks, walked = [], 0
    role = Role.RESELLER if how == "token" else Role(how)
    for route in iter_routes(hub.app.routes):
        if "{ticket_id}" not in getattr(route, "path", ""):
            continue
        if role not in (declared_access(route) or ()):
            continue  # refused by role: the role matrix checks those
        for method in sorted((getattr(route, "methods", None) or set()) - {"HEAD"}):
            path = route.path.replace("{ticket_id}", str(theirs)).replace("{action}", "reply")
            if path.startswith("/care/"):
                continue  # staff pages: refused by role (the role matrix)
            bodies = {"replies": {"body": "x"}, "survey": {"satisfied": True}}
            kw = {"json": bodies[path.rsplit("/", 1)[1]]} if path.endswith(tuple(bodies)) else {}
            if path.endswith("/attachments"):
                kw = {"files": {"upload": ("a.png", PNG, "image/png")}}
            path = path.replace("{attachment_id}", "1")
            if not path.startswith("/api/") and method == "POST":
                if how == "token":
                    continue  # pages are for signed-in users
                kw = {"data": {"body": "x", "csrf_token": _csrf(client, "/portal/care")}}
            r = client.request(method, path, **kw)
            walked += 1
            if r.status_code != 404:
                leaks.append(f"{method} {path}: {r.status_code} {r.text[:80]}")
            elif path.startswith("/api/") and set(r.json()) != SHAPE:
                leaks.append(f"{method} {path}: not the error shape")
    assert walked >= (5 if how == "token" else 6) and not leaks, "\n".join(leaks)
    if how != "token":
        portal = client.get("/portal/care").text
        assert "Tiket r1" in portal and "Tiket r2" not in portal
    # staff see both
    staff = hub.client(Role.OPERATIONS).get(API).json()
    assert {t["id"] for t in staff["data"]} == {mine, theirs}


def test_internal_notes_never_reach_the_reseller(hub: Seeded) -> None:
    tid = _open(hub.client(Role.RESELLER, "r1"), "Printer rusak", kind="repair_visit")
    ops = hub.client(Role.OPERATIONS)
    assert (
        ops.post(f"{API}/{tid}/notes", json={"body": "pelanggan sering telat bayar"}).status_code
        == 200
    )
    assert (
        ops.post(f"{API}/{tid}/replies", json={"body": "Teknisi datang besok"}).status_code == 200
    )
    reseller = hub.client(Role.RESELLER, "r1")
    seen = [m["body"] for m in reseller.get(f"{API}/{tid}").json()["messages"]]
    assert seen == ["Tolong dicek.", "Teknisi datang besok"]
    assert "pelanggan sering telat bayar" not in reseller.get(f"/portal/care/{tid}").text
    staff_page = ops.get(f"/care/tickets/{tid}").text
    assert "pelanggan sering telat bayar" in staff_page and "catatan internal" in staff_page
    # a reseller cannot write a note, assign, triage, resolve or reopen
    for action in ("notes", "assign", "triage", "resolve", "reopen"):
        r = reseller.post(f"{API}/{tid}/{action}", json={})
        assert r.status_code == 403, (action, r.status_code)


def test_a_ticket_through_the_pages_one_audit_row_per_action(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    token = _csrf(reseller, "/portal/care")
    r = reseller.post(
        "/portal/care",
        data={
            "csrf_token": token,
            "kind": "installation_visit",
            "category": "technical",
            "priority": "high",
            "subject": "Pasang jaringan kantor",
            "body": "Mohon teknisi datang minggu ini.",
        },
    )
    assert r.status_code == 303, r.text
    tid = int(r.headers["location"].split("/")[3].split("?")[0])
    page = reseller.get(r.headers["location"]).text
    assert "Tiket terkirim" in page and "Tanggapan pertama" in page and "Berjalan" in page

    staff = hub.client(Role.REPAIR)
    steps = [
        ("assign", {"user_id": str(hub.users["repair"].id)}),
        ("triage", {"category": "technical", "priority": "urgent"}),
        ("note", {"body": "bawa kabel 50 m"}),
        ("reply", {"body": "Teknisi kami datang Kamis pukul 10.00."}),
        ("resolve", {"body": "Jaringan terpasang dan diuji."}),
    ]
    for action, form in steps:
        csrf = _csrf(staff, f"/care/tickets/{tid}")
        r = staff.post(f"/care/tickets/{tid}/{action}", data={**form, "csrf_token": csrf})
        assert r.status_code == 303, (action, r.text[:300])
    desk = staff.get(f"/care/tickets/{tid}").text
    assert "Selesai" in desk and "repair" in desk and "Mendesak" in desk

    csrf = _csrf(reseller, f"/portal/care/{tid}")
    r = reseller.post(f"/portal/care/{tid}/survey", data={"satisfied": "yes", "csrf_token": csrf})
    assert r.status_code == 303
    assert "Jawaban Anda: puas" in reseller.get(f"/portal/care/{tid}").text
    csrf = _csrf(reseller, f"/portal/care/{tid}")
    assert reseller.post(f"/portal/care/{tid}/close", data={"csrf_token": csrf}).status_code == 303
    for action in ("open", "assign", "triage", "note", "reply", "resolve", "survey", "close"):
        assert _audit(hub, f"care.{action}") == 1, action
    # closed: a reply is refused with the reason, in Indonesian, and nothing is lost
    csrf = _csrf(reseller, f"/portal/care/{tid}")
    r = reseller.post(f"/portal/care/{tid}/reply", data={"body": "satu lagi", "csrf_token": csrf})
    assert r.status_code == 409 and "sudah ditutup" in r.text and _audit(hub, "care.reply") == 1


def test_a_bad_form_keeps_what_was_typed(hub: Seeded) -> None:
    reseller = hub.client(Role.RESELLER, "r1")
    data = {
        "csrf_token": _csrf(reseller, "/portal/care"),
        "kind": "question",
        "subject": "ab",
        "body": "Berapa lama garansi printer?",
    }
    r = reseller.post("/portal/care", data=data)
    assert r.status_code == 422
    assert "tiketnya belum lengkap" in r.text and "Berapa lama garansi printer?" in r.text
    assert _audit(hub, "care.open") == 0
    staff = hub.client(Role.OPERATIONS)
    data = {
        "csrf_token": _csrf(staff, "/care"),
        "reseller_id": "nobody",
        "kind": "question",
        "subject": "Telepon masuk",
        "body": "Menanyakan harga.",
    }
    r = staff.post("/care", data=data)
    assert r.status_code == 422 and "Telepon masuk" in r.text and "reseller tidak ada" in r.text


def test_every_string_of_the_care_pages_is_translated_and_every_page_renders(hub: Seeded) -> None:
    ids = template_ids("care") | fixed_texts(*(HUB / "care").glob("*.py"))
    for table in (words.KINDS, words.CATEGORIES, words.PRIORITIES, words.STATES):
        ids |= set(table.values())
    ids |= set(sla.TIMER_WORDS.values()) | set(sla.TIMER_STATE_WORDS.values())
    ids |= set(pages.DONE.values()) | {"Customer care", "All tickets"}
    id_catalogue = catalogue("id")
    assert missing(ids, id_catalogue) == []

    tid = _open(hub.client(Role.RESELLER, "r1"), "Tagihan ganda")
    hub.client(Role.OPERATIONS).post(f"{API}/{tid}/notes", json={"body": "cek"})
    visits = [
        (hub.client(Role.RESELLER, "r1"), ["/portal/care", f"/portal/care/{tid}"]),
        (hub.client(Role.OWNER), ["/care", "/care?mine=1", f"/care/tickets/{tid}", "/care/csat"]),
    ]
    plain = {
        i for i in ids if "{" not in i and id_catalogue.get(i, i) != i and len(i) > 8 and " " in i
    }
    for client, paths in visits:
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200, path
            text = html.unescape(r.text)
            english = sorted(i for i in plain if i in text)
            assert not english, f"{path} shows English: {english}"
            client.get("/lang/en")
            assert client.get(path).status_code == 200
            client.get("/lang/id")


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_attachments_are_checked_by_content_and_scoped(hub: Seeded) -> None:
    r1 = hub.client(Role.RESELLER, "r1")
    tid = _open(r1, "Layar retak")
    r = r1.post(f"{API}/{tid}/attachments", files={"upload": ("layar.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    [att] = r.json()["attachments"]
    assert att["filename"] == "layar.png" and att["mime"] == "image/png"
    url = f"{API}/{tid}/attachments/{att['id']}"
    assert r1.get(url).content == PNG and hub.client(Role.REPAIR).get(url).content == PNG
    assert hub.client(Role.RESELLER, "r2").get(url).status_code == 404
    assert hub.token_client("r2").get(url).status_code == 404
    other = _open(hub.client(Role.RESELLER, "r2"), "Tiket r2")
    assert r1.get(f"{API}/{other}/attachments/{att['id']}").status_code == 404
    # a text file named .png is refused by its content; nothing is kept
    bad = r1.post(f"{API}/{tid}/attachments", files={"upload": ("x.png", b"hello", "image/png")})
    assert bad.status_code == 422 and "PNG, JPEG or PDF" in bad.json()["message"]
    assert len(r1.get(f"{API}/{tid}").json()["attachments"]) == 1
    stored = list((hub.app.state.hub.settings.home / "private" / "care-attachments").iterdir())
    assert len(stored) == 1
    # through the portal's form, with the page's CSRF token
    csrf = _csrf(r1, f"/portal/care/{tid}")
    r = r1.post(
        f"/portal/care/{tid}/attach",
        data={"csrf_token": csrf},
        files={"upload": ("nota.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert r.status_code == 303, r.text
    page = r1.get(r.headers["location"]).text
    assert "Berkas terlampir." in page and "nota.pdf" in page and "layar.png" in page
    assert _audit(hub, "care.attach") == 2
