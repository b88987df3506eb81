"""`synchub purchasing`: suppliers and their price lists, reorder plan, stock value, payables.

Everyday work (orders, receipts, invoices) is in the web pages and the API; these commands
cover the bulk and scripted parts: load a supplier's price list from CSV, print the reorder
plan for a cron mail, the stock value and the payables ageing for accounting.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Optional

import click

from hub.core.db import transaction
from hub.core.runtime import open_hub
from hub.core.settings import load_settings
from hub.purchasing.schemas import SupplierIn, SupplierProductIn
from shared.errors import DataError


@click.group("purchasing")
def purchasing() -> None:
    """Buying from suppliers: suppliers, price lists, reorder plan, stock value, payables."""


def _factory() -> Any:
    return open_hub(load_settings())[1]


@purchasing.command("add-supplier")
@click.option("--code", required=True, help="short code printed on documents, e.g. ACME")
@click.option("--name", "legal_name", required=True, help="legal name, e.g. 'PT Acme Indonesia'")
@click.option("--npwp", default="", help="tax number, with or without dots (15 or 16 digits)")
@click.option("--email", default="", help="where purchase orders are e-mailed")
@click.option("--phone", default="")
@click.option("--address", default="")
@click.option(
    "--terms",
    "terms",
    type=click.IntRange(0, 365),
    default=30,
    show_default=True,
    help="days from invoice to due date",
)
@click.option(
    "--lead",
    "lead",
    type=click.IntRange(0, 365),
    default=7,
    show_default=True,
    help="days from order to arrival",
)
def add_supplier(
    code: str,
    legal_name: str,
    npwp: str,
    email: str,
    phone: str,
    address: str,
    terms: int,
    lead: int,
) -> None:
    """Add a supplier."""
    from hub.purchasing.suppliers import create_supplier

    data = SupplierIn(
        code=code,
        legal_name=legal_name,
        npwp=npwp,
        email=email,
        phone=phone,
        address=address,
        payment_terms_days=terms,
        lead_time_days=lead,
    )
    with transaction(_factory()) as s:
        sup = create_supplier(s, None, data)
        click.echo(f"supplier #{sup.id} {sup.code}: {sup.legal_name}")


@purchasing.command("suppliers")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def list_suppliers(as_json: bool) -> None:
    """List suppliers (code, name, terms, lead time, e-mail)."""
    from hub.purchasing.suppliers import list_suppliers as rows_of

    with _factory()() as s:
        rows, _ = rows_of(s, limit=500)
        out = [
            {
                "id": r.id,
                "code": r.code,
                "legal_name": r.legal_name,
                "terms_days": r.payment_terms_days,
                "lead_days": r.lead_time_days,
                "email": r.email,
                "active": r.active,
            }
            for r in rows
        ]
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for r in out:
        click.echo(
            f"{r['code']:<12} {r['legal_name']:<40} {r['terms_days']:>3} d terms {r['lead_days']:>3} d lead  {r['email']}"
        )
    click.echo(f"{len(out)} supplier(s)")


def _int(row: dict[str, str], key: str, default: int) -> int:
    raw = (row.get(key) or "").strip()
    return int(raw) if raw else default


@purchasing.command("price-list")
@click.argument("supplier_code")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check every row, change nothing")
def price_list(supplier_code: str, csv_file: Path, dry_run: bool) -> None:
    """Load a supplier's products from CSV: columns sku, unit_cost, and optionally
    supplier_code, min_order_qty, order_multiple, lead_time_days, preferred (yes/no).

    Every row is checked first; one bad row stops the load and every problem is listed
    with its line number.
    """
    from sqlalchemy import select

    from hub.purchasing.models import Supplier
    from hub.purchasing.suppliers import set_products

    text = csv_file.read_text(encoding="utf-8-sig")
    sample = text[:2048]
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    items, problems = [], []
    for n, row in enumerate(csv.DictReader(io.StringIO(text), dialect=dialect), start=2):
        try:
            items.append(
                SupplierProductIn(
                    sku=(row.get("sku") or "").strip(),
                    supplier_code=(row.get("supplier_code") or "").strip(),
                    unit_cost=Decimal((row.get("unit_cost") or "").strip().replace(",", ".")),
                    min_order_qty=_int(row, "min_order_qty", 1),
                    order_multiple=_int(row, "order_multiple", 1),
                    lead_time_days=_int(row, "lead_time_days", -1)
                    if (row.get("lead_time_days") or "").strip()
                    else None,
                    preferred=(row.get("preferred") or "").strip().lower()
                    in ("1", "yes", "ya", "true", "y"),
                )
            )
        except (ValueError, InvalidOperation) as exc:
            problems.append(f"line {n}: {str(exc).splitlines()[0]}")
    if problems:
        raise click.ClickException(
            "\n".join(problems) + "\nnothing was loaded: fix these lines and run again"
        )
    with transaction(_factory()) as s:
        sid = s.scalar(select(Supplier.id).where(Supplier.code == supplier_code.strip().upper()))
        if sid is None:
            raise click.ClickException(
                f"no supplier {supplier_code!r} (see `synchub purchasing suppliers`)"
            )
        try:
            rows = set_products(s, None, sid, items)
        except DataError as exc:
            raise click.ClickException(f"{exc}\nnothing was loaded") from None
        if dry_run:
            s.rollback()
            click.echo(f"{len(rows)} row(s) are fine (dry run: nothing changed)")
            return
    click.echo(f"{len(rows)} product(s) of {supplier_code.upper()} loaded")


@purchasing.command("reorder")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option(
    "--window",
    type=click.IntRange(1, 365),
    default=28,
    show_default=True,
    help="days of sell-through",
)
@click.option(
    "--safety", type=click.IntRange(0, 365), default=7, show_default=True, help="safety days"
)
@click.option(
    "--cover",
    type=click.IntRange(1, 365),
    default=30,
    show_default=True,
    help="days one order should last",
)
def reorder(as_json: bool, window: int, safety: int, cover: int) -> None:
    """Print what to buy now, per supplier, with the reason of each line."""
    from hub.purchasing.reorder import Policy
    from hub.purchasing.replenish import plan

    with _factory()() as s:
        p = plan(s, policy=Policy(window, safety, cover))
    lines: list[dict[str, Any]] = [
        {
            "sku": ln.sku,
            "warehouse_id": ln.warehouse_id,
            "quantity": ln.quantity,
            "supplier": ln.source.supplier_code if ln.source else None,
            "reasons": ln.reasons,
        }
        for ln in p.lines + p.unsourced
    ]
    if as_json:
        click.echo(json.dumps(lines, indent=2))
        return
    for ln in lines:
        who = ln["supplier"] or "NO SUPPLIER"
        click.echo(
            f"{who:<12} {ln['sku']:<20} {ln['quantity']:>7} -> warehouse #{ln['warehouse_id']}"
        )
        for r in ln["reasons"]:
            click.echo(f"    {r}")
    if p.unsourced:
        click.echo(
            f"{len(p.unsourced)} product(s) need stock but no supplier supplies them: add one on the supplier's page",
            err=True,
        )
    if p.no_warehouse:
        click.echo(
            "the hub has no active warehouse: sell-through needs are not planned (add a warehouse)",
            err=True,
        )
    click.echo(f"{len(p.lines)} line(s) to order")


@purchasing.command("valuation")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def valuation(as_json: bool) -> None:
    """Stock on hand at moving average cost."""
    from hub.purchasing.costing import stock_valuation

    with _factory()() as s:
        val = stock_valuation(s)
    rows = [
        {
            "sku": r.sku,
            "on_hand": r.on_hand,
            "average_cost": None if r.average_cost is None else str(r.average_cost),
            "value": None if r.value is None else str(r.value),
        }
        for r in val.rows
    ]
    if as_json:
        click.echo(
            json.dumps(
                {"rows": rows, "total": str(val.total), "uncosted": len(val.uncosted)}, indent=2
            )
        )
        return
    for r in rows:
        click.echo(
            f"{r['sku']:<20} {r['on_hand']:>8} x {r['average_cost'] or '?':>14} = {r['value'] or 'unknown':>16}"
        )
    click.echo(f"total {val.total}")
    if val.uncosted:
        click.echo(
            f"{len(val.uncosted)} product(s) on hand were never received at a cost: their value is unknown",
            err=True,
        )


@purchasing.command("ageing")
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="day to age on (default today)"
)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def ageing(as_of: Optional[dt.datetime], as_json: bool) -> None:
    """What is owed to each supplier, by days past the due date."""
    from hub.core.db import utcnow
    from hub.core.i18n import DISPLAY_TZ
    from hub.purchasing.payables import BUCKETS
    from hub.purchasing.payables import ageing as ageing_of

    day = as_of.date() if as_of else utcnow().astimezone(DISPLAY_TZ).date()
    with _factory()() as s:
        lines = ageing_of(s, day)
    rows = [
        {
            "supplier": ln.supplier,
            **{b: str(ln.amounts[b]) for b in BUCKETS},
            "total": str(ln.total),
            "unapplied_credit": str(ln.unapplied_credit),
        }
        for ln in lines
    ]
    if as_json:
        click.echo(json.dumps({"as_of": day.isoformat(), "rows": rows}, indent=2))
        return
    click.echo(f"{'supplier':<30} " + " ".join(f"{b:>12}" for b in (*BUCKETS, "total")))
    for r in rows:
        click.echo(
            f"{r['supplier'][:30]:<30} " + " ".join(f"{r[b]:>12}" for b in (*BUCKETS, "total"))
        )
