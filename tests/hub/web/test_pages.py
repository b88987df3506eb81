"""Pages: reseller text escaped everywhere, languages and locale formats, dashboard alerts, explorer."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hub.core.i18n import Formatter
from hub.core.roles import Role
from tests.hub.web.webkit import XSS, Seeded, login_form

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_reseller_text_is_escaped_on_every_page(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    pages = ["/dashboard", "/quarantine", "/resellers/r1", "/data/r1", "/data", "/audit"]
    for path in pages:
        html = owner.get(path).text
        assert XSS not in html, f"{path} shows raw reseller markup"
    assert ESCAPED in owner.get("/data/r1").text  # the product name, shown as text
    assert ESCAPED in owner.get("/quarantine").text  # a reason quoting reseller input
    assert ESCAPED in owner.get("/dashboard").text  # a reseller's name
    portal = hub.client(Role.RESELLER, "r1").get("/portal").text
    assert XSS not in portal and ESCAPED in portal


def test_language_switch_is_remembered_in_cookie_and_profile(fresh_hub: Seeded) -> None:
    from fastapi.testclient import TestClient

    c = TestClient(fresh_hub.app, follow_redirects=False)
    login_form(c, "operations")
    assert "Kesehatan sinkronisasi" in c.get("/dashboard").text  # Indonesian by default
    r = c.get("/lang/en", params={"next": "/dashboard"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    assert "Sync health" in c.get("/dashboard").text
    other = TestClient(
        fresh_hub.app, follow_redirects=False
    )  # another browser: the profile remembers
    login_form(other, "operations")
    assert "Sync health" in other.get("/dashboard").text
    assert c.get("/lang/xx").status_code == 404
    assert c.get("/lang/en", params={"next": "https://evil.example/"}).headers["location"] == "/"


def test_locale_formats() -> None:
    idn, en = Formatter("id"), Formatter("en")
    assert idn.money(Decimal("1234567")) == "Rp 1.234.567"
    assert en.money(Decimal("1234567.40")) == "Rp 1,234,567"
    assert idn.number(Decimal("1234.5")) == "1.234,5" and en.number(Decimal("1234.5")) == "1,234.5"
    when = dt.datetime(2024, 3, 3, 1, 0, tzinfo=dt.timezone.utc)  # 08:00 WIB
    assert "08.00" in idn.datetime(when) and "8:00" in en.datetime(when)
    assert idn.gettext("Sign in") == "Masuk" and en.gettext("Sign in") == "Sign in"


def test_dashboard_alerts_missed_nightly_sync(hub: Seeded) -> None:
    html = hub.client(Role.OPERATIONS).get("/dashboard").text
    assert 'id="missed-alert"' in html and "r1" in html and "r2" in html  # last success 30 h ago
    assert "syncagent 0.1" in html


def test_explorer_as_of_and_csv(hub: Seeded) -> None:
    owner = hub.client(Role.OWNER)
    html = owner.get("/data/r1", params={"dataset": "products"}).text
    assert "Laptop r1" in html and "1234567.00" in html
    before = owner.get("/data/r1", params={"dataset": "products", "as_of": "2000-01-01"}).text
    assert "Laptop r1" not in before
    csv = owner.get("/api/v1/resellers/r1/datasets/products/rows.csv")
    assert csv.status_code == 200 and "Laptop r1" in csv.text and "Laptop r2" not in csv.text
    assert hub.client(Role.RESELLER, "r1").get("/data/r2").status_code == 404


def test_unauthenticated_pages_redirect_to_sign_in(hub: Seeded) -> None:
    from fastapi.testclient import TestClient

    r = TestClient(hub.app, follow_redirects=False).get("/dashboard")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert TestClient(hub.app).get("/api/v1/me").status_code == 401


def test_retry_from_the_quarantine_page_is_audited(fresh_hub: Seeded) -> None:
    owner = fresh_hub.client(Role.OWNER)
    sid = fresh_hub.snapshot_ids["r1"]["quarantined"]
    r = owner.post(f"/quarantine/{sid}/retry", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "retried" in r.text
    assert owner.post(f"/quarantine/{sid}/retry").status_code == 409
    audit = owner.get("/api/v1/audit", params={"action": "snapshot.retry"}).json()
    assert audit["count"] == 1 and audit["data"][0]["entity_id"] == str(sid)


def test_explorer_as_of_is_an_instant_in_the_viewers_zone_and_history_shows_wib(
    hub: Seeded,
) -> None:
    from hub.merge.query import every_version

    owner = hub.client(Role.OWNER)
    with hub.app.state.hub.session_factory() as s:
        t0 = min(v.valid_from for _, v in every_version(s, "r1", "products")[1])
    assert t0 is not None
    wib = dt.timezone(dt.timedelta(hours=7))
    just_before = (t0 - dt.timedelta(minutes=1)).astimezone(wib).strftime("%Y-%m-%dT%H:%M:%S")
    q = {"dataset": "products", "as_of": just_before}
    assert "Laptop r1" not in owner.get("/data/r1", params={**q, "tz": "Asia/Jakarta"}).text
    # the same wall-clock time read in UTC is seven hours later: the row was there by then
    assert "Laptop r1" in owner.get("/data/r1", params={**q, "tz": "UTC"}).text
    bad = owner.get("/data/r1", params={"dataset": "products", "as_of": "kemarin"})
    assert (
        bad.status_code == 200
        and "bukan tanggal dan jam" in bad.text
        and 'value="kemarin"' in bad.text
    )

    page = owner.get("/data/r1", params={"dataset": "products"}).text
    link = re.search(r'href="(/data/r1/products/history\?key=1&(?:amp;)?tz=[^"]+)"', page)
    assert link is not None
    history = owner.get(link.group(1).replace("&amp;", "&")).text
    assert "Laptop r1" in history and "terkini" in history
    assert Formatter("id", "Asia/Jakarta").datetime(t0) in history  # reseller's time, in WIB
    assert owner.get("/data/r1/products/history", params={"key": "404"}).status_code == 404
