"""Acceptance (3): password reset through a real SMTP server (aiosmtpd on loopback).

From the user's seat: the e-mail is set on the profile page; the forgot form answers the same
for a known and an unknown address (and mails only the known one); the link from the mail sets
a new password once; a used, superseded or expired link is refused; sessions end.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hub.core.db import transaction, utcnow
from hub.core.roles import Role
from hub.notifications.senders import senders_from
from hub.notifications.service import deliver_due
from hub.portal.models import PasswordReset
from tests.hub.notifications.mailkit import Inbox, smtp  # noqa: F401  (fixture)
from tests.hub.web.webkit import PASSWORD, Seeded, login_form, seed

NEW = "kopi susu gula aren"


@pytest.fixture
def hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path, public_url="https://hub.example.test")


def _anon(hub: Seeded) -> TestClient:
    return TestClient(hub.app, base_url="http://testserver", follow_redirects=False)


def _post_form(c: TestClient, url: str, data: dict[str, str]) -> Any:
    """GET the form (its CSRF token), then POST it, like a browser."""
    page = c.get(url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return c.post(url, data={**data, "csrf_token": token.group(1)})


def _deliver(hub: Seeded, port: int) -> int:
    settings = hub.app.state.hub.settings.model_copy(
        update={
            "notify_smtp_host": "127.0.0.1",
            "notify_smtp_port": port,
            "notify_smtp_from": "hub@example.test",
        }
    )
    return deliver_due(hub.app.state.hub.session_factory, senders_from(settings.notify)).sent


def _link(inbox: Inbox, n: int = -1) -> str:
    """The reset link of the n-th mail received (the path; the host is the hub's public URL)."""
    msg = email.message_from_bytes(inbox.messages[n].content, policy=email.policy.default)
    body = msg.get_body().get_content()  # type: ignore[union-attr]
    found = re.search(r"https://hub\.example\.test(/password/reset/\S+)", body)
    assert found, body
    return found.group(1)


def _answer(page: str) -> str:
    """The page as a visitor sees it, less the per-request CSRF token and the typed address."""
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", page)
    page = re.sub(r'"X-CSRF-Token": "[^"]+"', "", page)
    return re.sub(r'name="email" value="[^"]*"', "", page)


def test_reset_by_mail_single_use_expiring_no_enumeration(hub: Seeded, smtp: Any) -> None:  # noqa: F811
    inbox, port = smtp
    me = hub.client(Role.RESELLER)
    r = me.post(
        "/account/profile", data={"email": "Budi@Toko.test", "phone": "0812", "locale": "id"}
    )
    assert r.status_code == 200 and "Profil tersimpan" in r.text
    other = hub.client(Role.RESELLER, "r2")
    r = other.post(
        "/account/profile", data={"email": "budi@toko.test", "phone": "", "locale": "id"}
    )
    assert r.status_code == 409 and "alamat akun lain" in r.text  # one address, one account
    r = other.post("/account/profile", data={"email": "budi@", "phone": "", "locale": "id"})
    assert r.status_code == 422 and "budi@" in r.text

    anon = _anon(hub)
    assert 'href="/password/forgot"' in anon.get("/login").text
    known = _post_form(anon, "/password/forgot", {"email": "budi@toko.test"})
    unknown = _post_form(_anon(hub), "/password/forgot", {"email": "nobody@toko.test"})
    assert known.status_code == unknown.status_code == 200
    assert "Jika ada akun dengan alamat e-mail ini" in known.text
    assert _answer(known.text) == _answer(unknown.text)  # nothing tells them apart
    assert _post_form(anon, "/password/forgot", {"email": "bukan-email"}).status_code == 200

    assert _deliver(hub, port) == 1  # only the known address got mail
    assert inbox.messages[0].rcpt_tos == ["budi@toko.test"]
    link = _link(inbox)
    token = link.rsplit("/", 1)[1]
    with hub.app.state.hub.session_factory() as s:
        stored = s.scalars(select(PasswordReset)).all()
        assert [x.token_hash for x in stored] == [hashlib.sha256(token.encode()).hexdigest()]

    page = anon.get(link)
    assert page.status_code == 200 and 'id="reset-form"' in page.text
    r = _post_form(anon, link, {"new": NEW, "repeat": NEW + "!"})
    assert r.status_code == 422 and "kedua kata sandi berbeda" in r.text
    r = _post_form(anon, link, {"new": "pendek", "repeat": "pendek"})
    assert r.status_code == 422 and "minimal 10 karakter" in r.text
    r = _post_form(anon, link, {"new": NEW, "repeat": NEW})
    assert r.status_code == 200 and "Kata sandi Anda sudah diganti" in r.text

    assert me.get("/portal").status_code in (303, 401)  # the old session ended
    assert login_form(_anon(hub), "reseller-r1", PASSWORD).status_code == 401
    assert login_form(_anon(hub), "reseller-r1", NEW).status_code == 303

    # single use
    assert anon.get(link).status_code == 410
    r = _post_form(anon, "/password/forgot", {"email": "budi@toko.test"})  # a fresh form...
    r = anon.post(link, data={"new": NEW, "repeat": NEW, "csrf_token": "x"})
    assert r.status_code == 403  # ...and no form without its token

    # a newer link spends the older one; an expired link is refused
    _post_form(_anon(hub), "/password/forgot", {"email": "budi@toko.test"})
    assert _deliver(hub, port) == 2  # the one asked for above, and this one
    older, newer = _link(inbox, -2), _link(inbox)
    assert anon.get(older).status_code == 410 and anon.get(newer).status_code == 200
    with transaction(hub.app.state.hub.session_factory) as s:
        s.execute(update(PasswordReset).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    page = anon.get(newer)
    assert page.status_code == 410 and "sudah tidak berlaku" in page.text
