"""Make a Northwind shop Indonesian and current: prices in Rupiah, history ending yesterday.

Northwind keeps US-dollar prices and 1996–1998 dates, so as shipped a hub finds no
recent sales (no offers) and prints revenue without a currency. The demo's shops are
rewritten once, at build time, in their own database (the reseller's side): every
price × :data:`RUPIAH_PER_DOLLAR` (whole Rupiah: Northwind prices have at most two
decimals, so the product is exact), and every order date moved by the same number of
days so that the last sale was yesterday. Quantities, discounts and weekdays' spacing
stay as they were, so the totals remain Northwind's, times the rate.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

RUPIAH_PER_DOLLAR = 15_000
NORTHWIND_REVENUE = Decimal("1265793.0395")  # Σ UnitPrice·Quantity·(1−Discount), US$ (1,265,793.04)
ORDER_DATES = ("OrderDate", "RequiredDate", "ShippedDate")


def last_sale(con: sqlite3.Connection) -> dt.date:
    value = con.execute("SELECT max(OrderDate) FROM Orders").fetchone()[0]
    return dt.date.fromisoformat(str(value)[:10])


def localize(db: Path, today: dt.date, *, keep_products: int | None = None) -> int:
    """Rewrite the Northwind SQLite shop at ``db`` in Rupiah, its last sale on ``today - 1``.

    ``keep_products`` (optional) keeps only products 1..n and the orders' lines of those,
    for a shop with a smaller range. Returns the number of days the history moved.
    """
    with sqlite3.connect(db) as con:
        if keep_products is not None:
            con.execute('DELETE FROM "Order Details" WHERE ProductID > ?', (keep_products,))
            con.execute("DELETE FROM Products WHERE ProductID > ?", (keep_products,))
            con.execute(
                'DELETE FROM Orders WHERE OrderID NOT IN (SELECT OrderID FROM "Order Details")'
            )
        shift = (today - dt.timedelta(days=1) - last_sale(con)).days
        for table in ("Products", "Order Details"):
            con.execute(
                f'UPDATE "{table}" SET UnitPrice = CAST(ROUND(UnitPrice * ?) AS INTEGER)',
                (RUPIAH_PER_DOLLAR,),
            )
        for column in ORDER_DATES:
            con.execute(
                f"UPDATE Orders SET {column} = strftime('%Y-%m-%d %H:%M:%f', {column}, ?)"
                f" WHERE {column} IS NOT NULL",
                (f"{shift:+d} days",),
            )
    return shift
