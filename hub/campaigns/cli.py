"""`synchub campaigns`: the campaigns with their totals, and one run of the campaigns job now."""

from __future__ import annotations

import click

from hub.campaigns import service, views
from hub.core.output import emit, json_option
from hub.core.runtime import hub_transaction
from hub.core.settings import load_settings


@click.group("campaigns")
def campaigns() -> None:
    """Campaigns to the reseller contacts who take promotions (docs/campaigns.md).

    They are made and sent on the Campaigns page (or /api/v1/campaigns); the jobs process
    (`synchub jobs` or `synchub serve`) starts them and queues their messages every minute.
    """


@campaigns.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@json_option
def list_(limit: int, as_json: bool) -> None:
    """The newest campaigns with their recipients per status."""
    with hub_transaction() as session:
        rows = [
            {"id": c.id, "name": c.name, "status": c.status, "when": c.scheduled_at, **n}
            for c, n in views.listing(session, 0, limit)
        ]

    def text() -> None:
        for r in rows:
            counts = "  ".join(f"{s} {r[s]}" for s in views.SHOWN)
            click.echo(f"#{r['id']}  {r['status']:<9}  {r['name']}  ({counts})")
        if not rows:
            click.echo("no campaign yet: make one on the Campaigns page (/campaigns/new)")

    emit(rows, as_json, text)


@campaigns.command("run")
def run() -> None:
    """What the campaigns job does every minute, now: start the campaigns whose time came and
    queue messages within SYNCHUB_CAMPAIGN_PER_MINUTE per channel. The notifications job (or
    `synchub orders notify`) then delivers them."""
    settings = load_settings()
    with hub_transaction(settings) as session:
        report = service.run_due(
            session,
            settings.campaign_per_minute,
            settings.secret_key.get_secret_value(),
            service.public_url(settings),
        )
    click.echo(str(report))
    if not settings.campaign_public_url:
        click.echo(
            f"note: opt-out links point at {service.public_url(settings)}; set "
            "SYNCHUB_CAMPAIGN_PUBLIC_URL to the address resellers reach"
        )
