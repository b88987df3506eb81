"""Acceptance 2: every write path — web, API, CLI, jobs — refuses to change a closed month
for managers; the owner's change and reopen are audited; after reopening managers can."""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.cli import cli
from hub.core.db import transaction
from hub.core.roles import Role
from hub.jobs import default_jobs, run_as_leader
from hub.orders.models import Order
from hub.payments import proofs
from hub.payments import service as payments
from tests.hub.reports import dataset
from tests.hub.reports.web import App, open_app
from tests.hub.web.webkit import settings


def _state(web: App, order_id: int) -> str:
    with web.hub.factory() as s:
        return s.get(Order, order_id).state


def _proof(web: App, order_id: int, day: dt.date, tmp: Path) -> int:
    """r2 sends a transfer proof (before the month is closed); finance has not seen it yet."""
    with transaction(web.hub.factory) as s:
        order = s.get(Order, order_id)
        claim = payments.TransferClaim(
            order.invoice_number, "BCA", "Toko r2", day, Decimal("300003")
        )
        stored = proofs.store(io.BytesIO(b"%PDF-1.4 proof"), tmp / "proofs")
        return payments.submit(s, dataset.R2, order_id, claim, stored).id


def test_every_write_path_refuses_a_closed_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    web = open_app(tmp_path, monkeypatch)
    unpaid = dataset._order(web.hub, dataset.R1, "r1", {"RAM": 1}, dataset.at(30))
    proof = _proof(web, 3, dt.date(2026, 1, 31), tmp_path)

    closed = web.client(Role.FINANCE).post("/api/v1/periods/2026-01/close")
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and closed.json()["frozen_reports"] == 12
    # still open in January: #3 (partly paid) and the order just placed on the 30th; r2's proof
    assert closed.json()["unpaid_orders"] == 2 and closed.json()["pending_transfers"] == 1

    # API: operations cancels a January order
    r = web.client(Role.OPERATIONS).post(
        f"/api/v1/orders/{unpaid}/events/cancel", json={"reason": "reseller asked"}
    )
    assert r.status_code == 409, r.text
    assert (
        r.json()["message"]
        == f"Periode 2026-01 sudah ditutup: pesanan #{unpaid} bertanggal 2026-01-30 tidak dapat diubah lagi"
    )
    assert "minta pemilik membuka kembali 2026-01" in r.json()["hint"]
    # web: finance confirms the transfer dated 31 January from the review page
    page = web.client(Role.FINANCE).post(f"/payments/{proof}/confirm", data={"received_amount": ""})
    assert page.status_code == 409 and "2026-01" in page.text and "ditutup" in page.text
    # API: the same through the API
    r = web.client(Role.FINANCE).post(f"/api/v1/payments/{proof}/confirm", json={})
    assert r.status_code == 409 and "2026-01" in r.json()["message"]
    # CLI: the expiry command
    monkeypatch.setenv("SYNCHUB_HOME", str(tmp_path / "hub"))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")
    out = CliRunner().invoke(cli, ["orders", "expire"], catch_exceptions=False)
    # February's unpaid #6 expires; January's unpaid order stays as it is
    assert out.exit_code == 0 and "expired 1 order(s): 6\n" in out.output
    # job: the scheduled expiry
    job = next(j for j in default_jobs() if j.name == "orders-expiry")
    with caplog.at_level(logging.WARNING, logger="hub.orders.expiry"):
        run_as_leader(job, web.app.state.hub.session_factory, settings(tmp_path))
    assert f"order #{unpaid} not expired: 2026-01 is closed" in caplog.text
    assert _state(web, unpaid) == "awaiting_payment" and _state(web, 3) == "partially_paid"
    assert _state(web, 6) == "expired"

    # the owner may: the change goes through and is logged against the month
    r = web.client(Role.OWNER).post(
        f"/api/v1/orders/{unpaid}/events/cancel", json={"reason": "reseller asked"}
    )
    assert r.status_code == 200, r.text
    # the owner reopens, with a reason; then finance confirms the transfer
    assert (
        web.client(Role.OWNER)
        .post("/api/v1/periods/2026-01/reopen", json={"reason": "  "})
        .status_code
        == 422
    )
    r = web.client(Role.OWNER).post(
        "/api/v1/periods/2026-01/reopen", json={"reason": "transfer of 31 January arrived late"}
    )
    assert (
        r.status_code == 200 and r.json()["state"] == "open" and r.json()["reopened_by"] == "owner"
    )
    r = web.client(Role.FINANCE).post(f"/api/v1/payments/{proof}/confirm", json={})
    assert r.status_code == 200, r.text
    with web.hub.factory() as s:
        audit = {
            (a.action, a.actor): a
            for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("period.%")))
        }
    assert set(audit) == {
        ("period.close", "finance"),
        ("period.override", "owner"),
        ("period.reopen", "owner"),
    }
    assert audit[("period.override", "owner")].entity_id == str(unpaid)
    assert audit[("period.reopen", "owner")].after == {
        "reason": "transfer of 31 January arrived late"
    }
    listing = CliRunner().invoke(cli, ["periods", "list", "--count", "12"], catch_exceptions=False)
    assert "2026-01  open" in listing.output
