"""`synchub offers`: compute draft offers on demand and publish approved ones."""

from __future__ import annotations

import click

from hub.core.db import transaction
from hub.core.runtime import open_hub
from hub.core.settings import load_settings


@click.group("offers")
def offers() -> None:
    """Offers from resellers' own sales: compute, review (web/API), publish."""


@offers.command("compute")
@click.option("--reseller", "reseller_id", default=None, help="only this reseller (default: all)")
@click.option(
    "--refresh/--no-refresh", default=True, help="first rebuild sales/stock facts from merged data"
)
def compute_cmd(reseller_id: str | None, refresh: bool) -> None:
    """Replace draft offers (approved and published ones are kept)."""
    from hub.offers.service import compute, refresh_facts

    _, factory = open_hub(load_settings())
    if refresh and reseller_id:
        with transaction(factory) as s:
            refresh_facts(s, reseller_id)
    elif refresh:
        from hub.offers.service import run_nightly

        summary = run_nightly(factory)
        click.echo(
            f"{summary.total} draft offers for {summary.resellers} resellers {summary.offers}"
        )
        return
    with transaction(factory) as s:
        summary = compute(s, reseller_ids=[reseller_id] if reseller_id else None)
    click.echo(
        f"{summary.total} draft offers for {summary.resellers} resellers {summary.offers}, "
        f"{summary.unpriced} without a price"
    )


@offers.command("publish")
def publish_cmd() -> None:
    """Publish approved offers: portal/API and a signed offers file in each reseller's outbox."""
    from hub.core.keys import HubKeys
    from hub.offers.workflow import publish

    settings = load_settings()
    _, factory = open_hub(settings)
    keys = HubKeys.load(settings.keys_dir)
    with transaction(factory) as s:
        paths = publish(s, settings.sftp_root, keys.signing_key)
    for rid, path in sorted(paths.items()):
        click.echo(f"{rid}: {path}")
    click.echo(f"published offers for {len(paths)} reseller(s)")
