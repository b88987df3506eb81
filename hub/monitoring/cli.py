"""`synchub alerts`: who is told about missed syncs, quarantine, held snapshots and failed jobs."""

from __future__ import annotations

import click
from sqlalchemy import select

from hub.core.output import emit, json_option
from hub.core.runtime import hub_transaction
from hub.core.settings import load_settings
from hub.monitoring import service
from hub.monitoring.models import KINDS
from hub.users.models import User


@click.group("alerts")
def alerts() -> None:
    """Alerts to the distributor's staff (e-mail / WhatsApp through the notification outbox).

    Kinds: missed_sync (a reseller sent nothing for longer than its schedule plus grace),
    quarantine, held (a snapshot waits for missing ones), job_failed. Each episode is
    sent once, to every subscription that asked for its kind.
    """


@alerts.command("subscribe")
@click.argument("username")
@click.option(
    "--channel", type=click.Choice(["email", "whatsapp"]), default="email", show_default=True
)
@click.option("--address", required=True, help="e-mail address or E.164 phone number (+62...)")
@click.option(
    "--kinds", default="all", show_default=True, help=f"comma-separated: {', '.join(KINDS)}"
)
@click.option("--locale", type=click.Choice(["id", "en"]), default=None, help="default: the user's")
def subscribe(username: str, channel: str, address: str, kinds: str, locale: str | None) -> None:
    """Subscribe a staff user, e.g. `synchub alerts subscribe ops --address ops@toko.id`."""
    with hub_transaction() as session:
        user = session.scalar(select(User).where(User.username == username.lower()))
        if user is None:
            raise click.ClickException(f"no user {username!r} (see `synchub user list`)")
        sub = service.subscribe(session, user, channel, address, kinds, locale)
        click.echo(f"subscription #{sub.id}: {username} gets {sub.kinds} by {channel} at {address}")


@alerts.command("subscriptions")
@json_option
def subscriptions(as_json: bool) -> None:
    """List every subscription."""
    with hub_transaction() as session:
        names = dict(session.execute(select(User.id, User.username)).tuples().all())
        rows = [
            {
                "id": s.id,
                "user": names.get(s.user_id, "?"),
                "channel": s.channel,
                "address": s.address,
                "kinds": s.kinds,
            }
            for s in service.subscriptions(session)
        ]

    def text() -> None:
        for s in rows:
            click.echo(f"#{s['id']}  {s['user']}  {s['channel']} {s['address']}  {s['kinds']}")
        if not rows:
            click.echo("no subscriptions: nobody is told about alerts (`synchub alerts subscribe`)")

    emit(rows, as_json, text)


@alerts.command("unsubscribe")
@click.argument("subscription_id", type=int)
def unsubscribe(subscription_id: int) -> None:
    """Remove a subscription by its number (see `synchub alerts subscriptions`)."""
    with hub_transaction() as session:
        service.unsubscribe(session, subscription_id)
    click.echo(f"subscription #{subscription_id} removed")


@alerts.command("schedule")
@click.argument("reseller_id")
@click.option("--every-hours", type=int, required=True, help="a snapshot is expected this often")
@click.option(
    "--grace-hours", type=int, default=2, show_default=True, help="slack before it is missed"
)
def schedule(reseller_id: str, every_hours: int, grace_hours: int) -> None:
    """Set a reseller's expected sync schedule (default: SYNCHUB_SYNC_EVERY_HOURS, 24 h)."""
    with hub_transaction() as session:
        service.set_schedule(session, reseller_id, every_hours, grace_hours)
    click.echo(f"{reseller_id}: a snapshot expected every {every_hours} h (+{grace_hours} h grace)")


@alerts.command("check")
def check() -> None:
    """Run the checks now (the `alerts` job runs them every minute under `synchub serve`)."""
    settings = load_settings()
    with hub_transaction(settings) as session:
        default = service.Expectation(settings.sync_every_hours, settings.sync_grace_hours)
        click.echo(service.check_all(session, default))
