"""Acceptance 1: the report figures equal what was worked out by hand from the data set
(tests/hub/reports/dataset.py): returns, cancellations, partial payments, promotions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hub.periods.calendar import Period
from hub.reports.kinds import Params, build
from hub.reports.sales import Filters
from tests.hub.orders.helpers import Hub
from tests.hub.reports import dataset

D = Decimal
JAN = Period.month(2026, 1)


@pytest.fixture
def data(hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hub:
    return dataset.build(hub, tmp_path / "proofs", monkeypatch)


def _rows(report, title):
    section = report.section(title)
    return [[v for i, v in enumerate(r) if i in section.shown] for r in section.rows], section


def test_sales_by_reseller_category_group_and_region(data: Hub) -> None:
    with data.factory() as s:
        r = build(s, "sales", Params(JAN))
        rows, section = _rows(r, "Sales by reseller")
        assert rows == [
            [
                "Toko r1 (r1)",
                1,
                3,
                D("2050000.00"),
                D("0.00"),
                D("1400000.00"),
                D("600000.00"),
                D("30.0"),
                D("50000.00"),
            ],
            [
                "Toko r2 (r2)",
                2,
                4,
                D("1600000.00"),
                D("600000.00"),
                D("1240000.00"),
                D("360000.00"),
                D("22.5"),
                D("0.00"),
            ],
        ]
        assert section.total[:9] == [
            "Total",
            3,
            7,
            D("3650000.00"),
            D("600000.00"),
            D("2640000.00"),
            D("960000.00"),
            D("26.7"),
            D("50000.00"),
        ]
        assert _rows(r, "Orders")[0] == [
            ["Orders placed (goods)", 3, D("3650000.00")],
            ["Shipping fees billed", None, D("0.00")],
            ["Placed in the period, since cancelled or expired", 2, D("1250000.00")],
        ]
        by_cat, _ = _rows(build(s, "sales", Params(JAN, by="category")), "Sales by category")
        assert by_cat == [
            [
                "Accessories",
                1,
                1,
                D("50000.00"),
                D("0.00"),
                D("0.00"),
                D("0.00"),
                None,
                D("50000.00"),
            ],
            [
                "Memory",
                1,
                3,
                D("600000.00"),
                D("600000.00"),
                D("540000.00"),
                D("60000.00"),
                D("10.0"),
                D("0.00"),
            ],
            [
                "Storage",
                2,
                3,
                D("3000000.00"),
                D("0.00"),
                D("2100000.00"),
                D("900000.00"),
                D("30.0"),
                D("0.00"),
            ],
        ]
        groups = build(s, "sales", Params(JAN, by="group"))
        g_rows, g = _rows(groups, "Sales by group")
        assert [(x[0], x[3]) for x in g_rows] == [
            ("Gold", D("3650000.00")),
            ("Silver", D("1600000.00")),
        ]
        assert g.total[3] == D("3650000.00")  # every sale once
        regions, _ = _rows(build(s, "sales", Params(JAN, by="region")), "Sales by region")
        assert [(x[0], x[3]) for x in regions] == [
            ("Dki Jakarta", D("2050000.00")),
            ("Jawa Timur", D("1600000.00")),
        ]
        only_r2 = build(s, "sales", Params(JAN, Filters(reseller="r2"), by="product"))
        assert [(x[0], x[2], x[3]) for x in _rows(only_r2, "Sales by product")[0]] == [
            ("RAM Produk RAM", 3, D("600000.00")),
            ("SSD Produk SSD", 1, D("1000000.00")),
        ]
        year, _ = _rows(build(s, "sales", Params(Period.year(2026))), "Sales by month")
        assert [(x[0], x[1], x[3]) for x in year] == [
            ("2026-01", 3, D("3650000.00")),
            ("2026-02", 1, D("250000.00")),
        ]


def test_payments_outstanding_and_statements(data: Hub) -> None:
    with data.factory() as s:
        pays, section = _rows(build(s, "payments", Params(JAN)), "Payments received")
        assert [(str(x[0]), x[1][-6:], x[2], x[4]) for x in pays] == [
            ("2026-01-09", "000002", "r2", D("250002.00")),
            ("2026-01-10", "000001", "r1", D("2050001.00")),
            ("2026-01-20", "000003", "r2", D("300000.00")),
        ]
        assert section.total[4] == D("2600003.00")

        owed, section = _rows(build(s, "outstanding", Params(JAN)), "Outstanding invoices")
        assert [(x[1], x[4], x[5], x[6]) for x in owed] == [
            ("r2", D("600003.00"), D("300000.00"), D("300003.00")),
            ("r2", D("1000005.00"), D("0.00"), D("1000005.00")),
        ]
        assert section.total[6] == D("1300008.00")

        overview, _ = _rows(build(s, "statement", Params(JAN)), "Reseller statements")
        assert overview == [
            ["r1", D("0.00"), D("3050005.00"), D("2050001.00"), D("1000004.00"), D("0.00")],
            ["r2", D("0.00"), D("1850010.00"), D("550002.00"), D("250002.00"), D("1050006.00")],
        ]
        r2, section = _rows(build(s, "statement", Params(JAN, Filters(reseller="r2"))), "Statement")
        assert [(str(x[0]), x[1], x[3], x[4], x[5]) for x in r2] == [
            ("None", "Opening balance", None, None, D("0.00")),
            ("2026-01-08", "Invoice", D("250002.00"), None, D("250002.00")),
            ("2026-01-09", "Payment received", None, D("250002.00"), D("0.00")),
            ("2026-01-12", "Invoice", D("600003.00"), None, D("600003.00")),
            ("2026-01-20", "Payment received", None, D("300000.00"), D("300003.00")),
            ("2026-01-25", "Invoice", D("1000005.00"), None, D("1300008.00")),
            ("2026-01-28", "Invoice withdrawn", None, D("250002.00"), D("1050006.00")),
        ]
        assert section.total[-1] == D("1050006.00")
        feb, _ = _rows(
            build(s, "statement", Params(Period.month(2026, 2), Filters(reseller="r2"))),
            "Statement",
        )
        assert feb[0][-1] == D("1050006.00") and feb[-1][-1] == D("50001.00")


def test_customers_and_orders(data: Hub) -> None:
    with data.factory() as s:
        customers, _ = _rows(build(s, "customers", Params(JAN)), "Customers")
        assert [(x[0], x[3], x[4], x[5], x[6], x[7]) for x in customers] == [
            ("Toko r1 (r1)", 1, D("2050000.00"), D("600000.00"), D("2050001.00"), D("0.00")),
            ("Toko r2 (r2)", 2, D("1600000.00"), D("360000.00"), D("550002.00"), D("1300008.00")),
        ]
        orders, section = _rows(build(s, "orders", Params(JAN)), "Orders")
        assert [(x[1], x[4], x[8], x[9]) for x in orders] == [
            ("1", "paid", D("2050001.00"), D("0.00")),
            ("2", "cancelled", D("250002.00"), None),
            ("3", "partially paid", D("600003.00"), D("300003.00")),
            ("4", "cancelled", D("1000004.00"), None),
            ("5", "paid", D("1000005.00"), D("1000005.00")),  # paid 2 Feb: owed on 31 Jan
        ]
        assert section.total[8] == D("3650009.00") and section.total[9] == D("1300008.00")
        ram = build(s, "orders", Params(JAN, Filters(category="Memory")))
        assert [x[1] for x in _rows(ram, "Orders")[0]] == ["2", "3"]
