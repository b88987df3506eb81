"""`synchub catalog`: import/export the master catalog and match resellers' products to it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.core.db import transaction
from hub.core.runtime import open_hub
from hub.core.settings import load_settings


@click.group("catalog")
def catalog() -> None:
    """Master catalog: products, import/export, reseller SKU matching."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--preview", is_flag=True, help="only report what would change and every row error")
def import_cmd(file: Path, preview: bool) -> None:
    """Import a CSV or XLSX catalog (all or nothing; rows matched by SKU)."""
    from hub.catalog.transfer import import_catalog

    _, factory = open_hub(load_settings())
    with transaction(factory) as s:
        r = import_catalog(s, str(file), preview=preview)
    for e in r.errors:
        click.echo(f"  {e}", err=True)
    verb = "would create" if preview else "created"
    click.echo(
        f"{verb} {len(r.created)}, updated {len(r.updated)}, unchanged {len(r.unchanged)}, "
        f"{len(r.errors)} error(s)"
    )


@catalog.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_cmd(fmt: str, output: Path | None) -> None:
    """Export every product (stdout by default)."""
    from hub.catalog.transfer import export_catalog

    _, factory = open_hub(load_settings())
    with factory() as s:
        data = export_catalog(s, fmt)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@catalog.command("match")
@click.argument("reseller_id", required=False)
def match_cmd(reseller_id: str | None) -> None:
    """Link resellers' products to the catalog (all mapped resellers by default)."""
    from sqlalchemy import select

    from hub.catalog.matching import match_reseller
    from hub.mapping.models import MappingProfile

    _, factory = open_hub(load_settings())
    with factory() as s:
        ids = [reseller_id] if reseller_id else list(s.scalars(select(MappingProfile.reseller_id)))
    for rid in ids:
        with transaction(factory) as s:
            m = match_reseller(s, rid)
        click.echo(
            f"{rid}: {m.seen} products, {sum(m.linked.values())} newly linked {m.linked}, "
            f"{m.suggested} new suggestions, {len(m.unmatched)} unmatched"
        )
