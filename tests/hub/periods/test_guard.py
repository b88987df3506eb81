"""Closing a month locks what is dated in it, in the one flush listener every write goes through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.audit.models import AuditEntry
from hub.core.acting import act_for
from hub.core.db import transaction
from hub.orders.expiry import expire_due
from hub.orders.models import Order, OrderLine
from hub.orders.service import OrderPolicy, apply_event, book_payment, get_order
from hub.periods import guard
from hub.periods import service as periods
from hub.periods.guard import PeriodClosed
from hub.periods.models import PeriodEvent
from shared.errors import DataError, Forbidden
from tests.hub.orders.helpers import Hub
from tests.hub.periods.kit import FEB, FIN, IN_FEB, JAN, OPS, OWNER, close, place, seeded


def _state(hub: Hub, order_id: int) -> str:
    with hub.factory() as s:
        return s.get(Order, order_id).state


def test_a_closed_month_refuses_voiding_and_fact_changes_but_not_later_progress(hub: Hub) -> None:
    seeded(hub)
    jan, feb = place(hub, 2), place(hub, 1, IN_FEB)
    close(hub)
    with pytest.raises(PeriodClosed) as refused, transaction(hub.factory) as s:
        act_for(s, OPS)
        apply_event(s, OPS, get_order(s, OPS, jan), "cancel")
    assert f"2026-01 is closed: order #{jan} dated 2026-01-20" in str(refused.value)
    assert "ask the owner to reopen 2026-01" in (refused.value.hint or "")
    assert _state(hub, jan) == "awaiting_payment"

    for change in (
        lambda o: setattr(o, "shipping_fee", Decimal("1")),
        lambda o: setattr(o, "placed_at", IN_FEB),  # moving it out of January is a change too
        lambda o: o.lines[0].__setattr__("quantity", 9),
    ):
        with pytest.raises(PeriodClosed), transaction(hub.factory) as s:
            change(s.get(Order, jan))
            s.flush()
    with pytest.raises(PeriodClosed), transaction(hub.factory) as s:
        s.delete(s.scalars(select(OrderLine).where(OrderLine.order_id == jan)).first())
        s.flush()

    # later events of a January order are February's: paid and packed go through
    with transaction(hub.factory) as s:
        order = get_order(s, FIN, jan)
        book_payment(s, FIN, order, order.transfer_amount)
    assert _state(hub, jan) == "paid"
    # and February is open
    with transaction(hub.factory) as s:
        apply_event(s, OPS, get_order(s, OPS, feb), "cancel")
    assert _state(hub, feb) == "cancelled"


def test_the_owner_changes_a_closed_month_and_it_is_logged(hub: Hub) -> None:
    seeded(hub)
    jan = place(hub)
    close(hub)
    with transaction(hub.factory) as s:
        act_for(s, OWNER)
        apply_event(s, OWNER, get_order(s, OWNER, jan), "cancel")
    assert _state(hub, jan) == "cancelled"
    with hub.factory() as s:
        ev = s.scalars(select(PeriodEvent).where(PeriodEvent.action == "override")).one()
        assert (ev.month, ev.actor, ev.reason) == (JAN.start, "direktur", f"order #{jan}")
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "period.override")).one()
        assert (audit.actor, audit.entity, audit.entity_id) == ("direktur", "orders", str(jan))


def test_a_session_that_names_nobody_is_refused_like_a_manager(hub: Hub) -> None:
    """CLI commands and jobs name no principal: the most restricted caller."""
    seeded(hub)
    jan = place(hub)
    close(hub)
    with pytest.raises(PeriodClosed), transaction(hub.factory) as s:
        apply_event(s, None, get_order(s, None, jan), "expire")


def test_the_expiry_job_leaves_a_closed_months_order_and_says_why(hub: Hub, caplog) -> None:
    seeded(hub)
    jan, feb = place(hub), place(hub, when=IN_FEB)
    close(hub)
    late = IN_FEB + dt.timedelta(days=30)
    assert expire_due(hub.factory, OrderPolicy(), late) == [feb]
    assert _state(hub, jan) == "awaiting_payment"
    assert f"order #{jan} not expired: 2026-01 is closed" in caplog.text
    assert "ask the owner to reopen 2026-01" in caplog.text


def test_reopen_is_the_owners_with_a_reason_then_managers_change_again(hub: Hub) -> None:
    seeded(hub)
    jan = place(hub)
    close(hub)
    with pytest.raises(Forbidden), transaction(hub.factory) as s:
        periods.reopen(s, FIN, JAN, "finance wants to fix an order")
    with (
        pytest.raises(DataError, match="say why 2026-01 is reopened"),
        transaction(hub.factory) as s,
    ):
        periods.reopen(s, OWNER, JAN, "  fix  ")
    with transaction(hub.factory) as s:
        periods.reopen(s, OWNER, JAN, "order booked to the wrong reseller")
    with transaction(hub.factory) as s:
        apply_event(s, OPS, get_order(s, OPS, jan), "cancel")
    with hub.factory() as s:
        actions = [(e.action, e.actor, e.reason) for e in periods.events(s, JAN.start)]
        assert actions == [
            ("close", "fina", ""),
            ("reopen", "direktur", "order booked to the wrong reseller"),
        ]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "period.reopen")).one()
        assert audit.after == {"reason": "order booked to the wrong reseller"}


def test_only_ended_months_close_and_not_twice(hub: Hub) -> None:
    seeded(hub)
    with pytest.raises(DataError, match="has not ended yet"), transaction(hub.factory) as s:
        periods.close(s, FIN, periods.Period.containing(dt.datetime.now(dt.timezone.utc)))
    close(hub, FEB)
    with pytest.raises(Exception, match="already closed"), transaction(hub.factory) as s:
        periods.close(s, OWNER, FEB)
    with pytest.raises(Forbidden), transaction(hub.factory) as s:
        periods.close(s, OPS, JAN)


def test_the_listener_is_installed_once() -> None:
    guard.install()
    guard.install()
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    assert event.contains(Session, "before_flush", guard.check_flush)


@pytest.mark.parametrize("entry", ["hub.app", "hub.cli", "hub.jobs", "hub.serve"])
def test_every_entry_point_installs_the_lock(entry: str) -> None:
    """A fresh process that imports only an entry point has the listener on every session."""
    import subprocess
    import sys

    code = (
        f"import {entry}\n"
        "from sqlalchemy import event\nfrom sqlalchemy.orm import Session\n"
        "from hub.periods.guard import check_flush\n"
        "assert event.contains(Session, 'before_flush', check_flush)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
