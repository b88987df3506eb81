"""The shipped Northwind ports load on all three engines and agree on the published totals."""

from __future__ import annotations

import csv
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

import psycopg
import pytest
from openpyxl import load_workbook

from hub.demo import sample_data

PRODUCTS, ORDERS, LINES, REVENUE = 77, 830, 2155, Decimal("1265793.04")


def revenue(rows) -> Decimal:
    """Σ UnitPrice·Quantity·(1−Discount), exact in Decimal, rounded to cents."""
    total = sum(Decimal(str(p)) * int(q) * (1 - Decimal(str(d))) for p, q, d in rows)
    return Decimal(total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_sqlite_port(tmp_path):
    db = sample_data.northwind_sqlite(tmp_path / "nw.sqlite")
    con = sqlite3.connect(db)
    count = lambda t: con.execute(f"select count(*) from [{t}]").fetchone()[0]  # noqa: E731
    assert (count("Products"), count("Orders"), count("Order Details")) == (PRODUCTS, ORDERS, LINES)
    assert (
        revenue(con.execute("select UnitPrice, Quantity, Discount from [Order Details]")) == REVENUE
    )


def test_postgres_port(pg_database):
    sample_data.load_northwind_postgres(pg_database)
    with psycopg.connect(pg_database) as con:
        count = lambda t: con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: E731
        assert (count("products"), count("orders"), count("order_details")) == (
            PRODUCTS,
            ORDERS,
            LINES,
        )
        rows = con.execute(
            "select unit_price::numeric, quantity, discount::numeric from order_details"
        )
        assert revenue(rows.fetchall()) == REVENUE


def test_mysql_port(mariadb_server, mariadb_database):
    m = mariadb_server
    sample_data.load_northwind_mysql(m.host, m.port, m.user, m.password, mariadb_database)
    with m.connect(mariadb_database) as con, con.cursor() as cur:
        counts = []
        for t in ("Products", "Orders", "`Order Details`"):
            cur.execute(f"select count(*) from {t}")
            counts.append(cur.fetchone()[0])
        assert counts == [PRODUCTS, ORDERS, LINES]
        cur.execute("select UnitPrice, Quantity, Discount from `Order Details`")
        assert revenue(cur.fetchall()) == REVENUE  # fails (1,354,458.59) without the REAL fix
        cur.execute("show procedure status where Db = %s", (mariadb_database,))
        assert cur.rowcount > 0  # DELIMITER blocks were split correctly


def test_mysql_splitter_respects_quotes_comments_and_delimiter():
    script = (
        "# c1; x\nINSERT INTO t VALUES ('a;b', \"c;d\", `e;f`); -- trailing; comment\n"
        "/* block; */ SELECT 1;\nDELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END $$\n"
        "DELIMITER ;\nSELECT 'it''s';"
    )
    assert list(sample_data.mysql_statements(script)) == [
        "INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)",
        "SELECT 1",
        "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
        "SELECT 'it''s'",
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "mixed"])
def test_spreadsheet_reseller_files(tmp_path, fmt):
    files = sample_data.northwind_files(tmp_path, fmt)
    by_name = {f.stem: f for f in files}
    assert {f.suffix for f in files} == ({".csv", ".xlsx"} if fmt == "mixed" else {f".{fmt}"})
    assert not list(tmp_path.glob("*.sqlite"))

    def rows(table: str) -> list[dict]:
        f = by_name[table]
        if f.suffix == ".csv":
            with open(f, newline="", encoding="utf-8") as fh:
                return list(csv.DictReader(fh))
        ws = load_workbook(f, read_only=True).active
        it = ws.iter_rows(values_only=True)
        header = next(it)
        return [dict(zip(header, r)) for r in it]

    lines = rows("Order Details")
    assert (
        len(rows("Products")) == PRODUCTS and len(rows("Orders")) == ORDERS and len(lines) == LINES
    )
    assert revenue((r["UnitPrice"], r["Quantity"], r["Discount"]) for r in lines) == REVENUE
    assert "Picture" not in rows("Categories")[0]  # BLOB columns are left out
