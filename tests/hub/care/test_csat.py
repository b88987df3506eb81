"""CSAT = satisfied ÷ responses × 100 on a fixed set of tickets, counted by hand: per month
(by the day the answer was given, in WIB), per category and per staff member credited with the
resolution; a resolved ticket nobody rated is not a response. The same figures on the API,
the CSAT page (Indonesian number format) and the report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Optional

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hub.care import service
from hub.care.csat import csat
from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.periods.calendar import Period
from hub.reports.kinds import Params, build
from hub.reports.kinds_care import pct
from shared.errors import Conflict, Forbidden
from tests.hub.care.kit import UTC, CareDb, factory, ticket, who
from tests.hub.web.webkit import Seeded

MARCH, APRIL = Period.month(2026, 3), Period.month(2026, 4)
OPENED = dt.datetime(2026, 2, 27, 2, 0, tzinfo=UTC)
IN_MARCH = dt.datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
# 1 March 06:00 WIB is still 28 February in UTC: it counts in March
MARCH_FIRST_WIB = dt.datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
# 1 April 00:30 WIB is 31 March in UTC: it counts in April
APRIL_FIRST_WIB = dt.datetime(2026, 3, 31, 17, 30, tzinfo=UTC)

# (category, assigned to, resolved by, satisfied (None: not answered), answered at)
FIXED: list[tuple[str, Optional[Role], Role, Optional[bool], dt.datetime]] = [
    ("billing", Role.OPERATIONS, Role.OPERATIONS, True, IN_MARCH),
    ("billing", Role.OPERATIONS, Role.OWNER, True, MARCH_FIRST_WIB),  # credited to the assignee
    ("billing", Role.REPAIR, Role.REPAIR, False, IN_MARCH),
    ("delivery", Role.REPAIR, Role.REPAIR, True, IN_MARCH),
    ("delivery", None, Role.MARKETING, False, IN_MARCH),  # unassigned: whoever resolved it
    ("delivery", Role.OPERATIONS, Role.OPERATIONS, False, IN_MARCH),
    ("technical", Role.OPERATIONS, Role.OPERATIONS, None, IN_MARCH),  # resolved, not rated
    ("technical", Role.REPAIR, Role.REPAIR, True, APRIL_FIRST_WIB),
]


def load_fixed(
    factory: sessionmaker[Session], who: Callable[..., Principal], user_id: Callable[[Role], int]
) -> None:
    r1 = who(Role.RESELLER)
    with transaction(factory) as s:
        for category, assignee, resolver, satisfied, at in FIXED:
            t = service.open_ticket(s, r1, ticket(category=category), OPENED)
            if assignee is not None:
                service.assign(s, who(Role.OWNER), t.id, user_id(assignee))
            service.resolve(s, who(resolver), t.id, "Selesai.", OPENED + dt.timedelta(hours=5))
            if satisfied is not None:
                service.survey(s, r1, t.id, satisfied, at)


@pytest.fixture
def rated(hub: Seeded) -> Seeded:
    load_fixed(factory(hub), lambda role: who(hub, role), lambda role: hub.users[role.value].id)
    return hub


@pytest.fixture
def rated_db(db: CareDb) -> CareDb:
    load_fixed(db.factory, db.who, lambda role: db.users[role.value].id)
    return db


def _rows(rows: list) -> dict[str, tuple[int, int, Optional[Decimal]]]:  # type: ignore[type-arg]
    return {r.label: (r.satisfied, r.responses, pct(r.csat)) for r in rows}


def test_csat_per_period_category_and_staff_member_by_hand(rated_db: CareDb) -> None:
    with transaction(rated_db.factory) as s:
        march, april, year = csat(s, MARCH), csat(s, APRIL), csat(s, Period.year(2026))
    # March: 6 answers, 3 satisfied -> 3 / 6 x 100 = 50
    assert (march.total.satisfied, march.total.responses) == (3, 6)
    assert march.total.csat == Decimal(50)
    assert _rows(march.by_category) == {
        "Billing and payments": (2, 3, Decimal("66.7")),  # 2 / 3 x 100 = 66.67
        "Delivery": (1, 3, Decimal("33.3")),  # 1 / 3 x 100 = 33.33
    }
    assert march.by_category[0].csat == Decimal(200) / Decimal(3)  # exact, rounded only shown
    assert _rows(march.by_staff) == {
        "marketing": (0, 1, Decimal("0.0")),
        "operations": (2, 3, Decimal("66.7")),  # tickets 1, 2 (resolved by the owner), 6
        "repair": (1, 2, Decimal("50.0")),
    }
    assert (april.total.satisfied, april.total.responses) == (1, 1)
    assert _rows(april.by_category) == {"Technical": (1, 1, Decimal("100.0"))}
    # the year: 4 of 7 -> 57.142857...
    assert (year.total.satisfied, year.total.responses) == (4, 7)
    assert pct(year.total.csat) == Decimal("57.1")
    # a month with no answer has no CSAT (not 0 %)
    with transaction(rated_db.factory) as s:
        assert csat(s, Period.month(2026, 5)).total.csat is None


def test_the_api_the_page_and_the_report_show_the_same_figures(rated: Seeded) -> None:
    owner = rated.client(Role.OWNER)
    api = owner.get("/api/v1/care/csat", params={"period": "2026-03"}).json()
    assert api["total"] == {
        "key": "all",
        "label": "All tickets",
        "satisfied": 3,
        "responses": 6,
        "csat": "50",
    }
    assert [(r["label"], r["satisfied"], r["responses"]) for r in api["by_staff"]] == [
        ("marketing", 0, 1),
        ("operations", 2, 3),
        ("repair", 1, 2),
    ]
    page = owner.get("/care/csat", params={"period": "2026-03"}).text  # Indonesian by default
    assert "Maret 2026" in page and "50,0 %" in page and "66,7 %" in page and "33,3 %" in page
    assert "Tagihan dan pembayaran" in page and "Billing and payments" not in page
    with transaction(factory(rated)) as s:
        report = build(s, "csat", Params(MARCH))
    by_category = report.section("Satisfaction by category")
    assert by_category.rows == [
        ["Billing and payments", 2, 3, Decimal("66.7")],
        ["Delivery", 1, 3, Decimal("33.3")],
    ]
    assert by_category.total == ["Total", 3, 6, Decimal("50.0")]
    by_staff = report.section("Satisfaction by staff member")
    assert [r[0] for r in by_staff.rows] == ["marketing", "operations", "repair"]
    assert owner.get("/api/v1/care/csat", params={"period": "March"}).status_code == 422


def test_the_survey_is_the_resellers_once_after_resolution(db: CareDb) -> None:
    r1, ops = db.who(Role.RESELLER), db.who(Role.OPERATIONS)
    with transaction(db.factory) as s:
        t = service.open_ticket(s, r1, ticket(), OPENED)
        with pytest.raises(Conflict, match="not resolved yet"):
            service.survey(s, r1, t.id, True, IN_MARCH)
        service.resolve(s, ops, t.id, "", IN_MARCH)
        with pytest.raises(Forbidden):
            service.survey(s, ops, t.id, True, IN_MARCH)
        service.survey(s, r1, t.id, False, IN_MARCH)
        with pytest.raises(Conflict, match="already rated"):
            service.survey(s, r1, t.id, True, IN_MARCH)
        assert csat(s, MARCH).total.responses == 1
