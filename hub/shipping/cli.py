"""`synchub shipping ...`: import regions and rate cards, export rate cards, quote."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from hub.audit.service import cli_principal
from hub.core.db import transaction
from hub.core.output import json_option
from hub.core.runtime import open_hub
from hub.core.settings import load_settings
from hub.shipping import ratecards, regiondata
from hub.shipping.regionimport import load_audited
from hub.shipping.routes import quote_public
from hub.shipping.rules import Item
from hub.shipping.service import add_warehouse, quote_shipment


@click.group("shipping")
def shipping() -> None:
    """Regions, courier rate cards and shipping quotes."""


@shipping.group("regions")
def regions() -> None:
    """Indonesian regions (Kemendagri codes, postal codes, BPS mapping)."""


@regions.command("import")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=regiondata.DEFAULT_DIR,
    show_default="bundled data",
    help="folder laid out like hub/shipping/data (plain or .gz files)",
)
def regions_import(source: Path) -> None:
    """Load or refresh regions, postal codes and the BPS code mapping (idempotent)."""
    engine, _factory = open_hub(load_settings())
    try:
        with engine.begin() as conn:
            report = load_audited(conn, cli_principal(), source)
    finally:
        engine.dispose()
    click.echo("\n".join(report.lines()))


@shipping.group("ratecard")
def ratecard() -> None:
    """Courier rate cards (CSV or XLSX)."""


@ratecard.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def ratecard_import(file: Path) -> None:
    """Validate FILE and apply it as the new tariff from its effective date on."""
    engine, factory = open_hub(load_settings())
    try:
        with transaction(factory) as session:
            starts, _ = ratecards.import_audited(
                session, cli_principal(), file.read_bytes(), file.name
            )
    finally:
        engine.dispose()
    for (courier, service), start in sorted(starts.items()):
        click.echo(f"{courier} {service}: new tariff from {start}")


@ratecard.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option(
    "--on",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="only the cards effective on this date",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def ratecard_export(fmt: str, on: dt.datetime | None, output: Path | None) -> None:
    """Write the rate cards in the import format (stdout by default)."""
    engine, factory = open_hub(load_settings())
    try:
        with factory() as session:
            data = ratecards.export_bytes(session, fmt, on.date() if on else None)
    finally:
        engine.dispose()
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@shipping.command("warehouse-add")
@click.argument("code")
@click.argument("region")
@click.option("--name", default="")
def warehouse_add(code: str, region: str, name: str) -> None:
    """Register a warehouse (origin) CODE in Kemendagri REGION."""
    engine, factory = open_hub(load_settings())
    try:
        with transaction(factory) as session:
            add_warehouse(session, code, name or code, region, principal=cli_principal())
    finally:
        engine.dispose()
    click.echo(f"warehouse {code} added")


def _item(text: str) -> Item:
    """``WEIGHT[xQTY][@LxWxH]``, e.g. ``1.3x2@30x20x10``."""
    try:
        head, _, dims = text.partition("@")
        weight, _, qty = head.partition("x")
        l_, w_, h_ = (Decimal(d) for d in dims.split("x")) if dims else (Decimal(0),) * 3
        return Item(Decimal(weight), l_, w_, h_, int(qty or 1))
    except (InvalidOperation, ValueError):
        raise click.BadParameter(
            f"{text!r}: expected WEIGHT[xQTY][@LxWxH], e.g. 1.3x2@30x20x10 (kg, cm)"
        ) from None


@shipping.command("quote")
@click.option("--origin", required=True, help="warehouse code or Kemendagri region code")
@click.option("--to", "destination", default=None, help="destination region code")
@click.option("--scheme", default="kemendagri", help="code set of --to (kemendagri, bps…)")
@click.option("--postal-code", default=None)
@click.option(
    "--item",
    "items",
    multiple=True,
    required=True,
    help="WEIGHT[xQTY][@LxWxH] in kg and cm; repeat per line",
)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--sort", type=click.Choice(["price", "speed"]), default="price")
@json_option
def quote(
    origin: str,
    destination: str | None,
    scheme: str,
    postal_code: str | None,
    items: tuple[str, ...],
    day: dt.datetime | None,
    sort: str,
    as_json: bool,
) -> None:
    """Print every courier option for an ad-hoc shipment."""
    engine, factory = open_hub(load_settings())
    try:
        with factory() as session:
            result = quote_shipment(
                session,
                origin=origin,
                destination=destination,
                scheme=scheme,
                postal_code=postal_code,
                items=[_item(i) for i in items],
                day=day.date() if day else None,
                sort=sort,
            )
    finally:
        engine.dispose()
    if as_json:  # the API's shape (POST /api/v1/shipping/quote)
        click.echo(quote_public(result).model_dump_json(indent=2))
        return
    click.echo(
        f"{result.origin.name} → {result.destination.name} ({result.destination.kode}),"
        f" tariff of {result.day}"
    )
    for o in result.options:
        click.echo(
            f"  {o.courier:5} {o.service:4} Rp {o.total:>10}  {o.chargeable_weight} kg"
            f"  {o.etd_min}-{o.etd_max} days"
        )
        for line in o.breakdown:
            click.echo(f"        {line}")
    for notice in result.notices:
        click.echo(f"  note: {notice}")
