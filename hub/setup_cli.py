"""``synchub init`` (create a hub here) and ``synchub db upgrade|status`` (its schema)."""

from __future__ import annotations

import click

from hub.core.db import make_engine
from hub.core.keys import HubKeys
from hub.core.migrate import pending, script_heads, upgrade
from hub.core.output import emit, json_option
from hub.core.runtime import database_name, init_hub, require_hub
from hub.core.settings import load_settings


@click.command("init")
def init() -> None:
    """Create a new hub in SYNCHUB_HOME for SYNCHUB_DATABASE_URL: its keys and hub.json.

    Run once per hub, before anything else (every other command refuses a
    directory without a hub). The database must exist; the first hub process
    to open it creates the schema (all may start at once). Running it again on
    an existing hub changes nothing; it never replaces keys.
    """
    settings = load_settings()
    ident, created = init_hub(settings)
    home = settings.home.resolve()
    if created:
        click.echo(f"created hub {ident.hub_id} in {home} on {ident.database}")
    else:
        click.echo(f"hub {ident.hub_id} already in {home} on {ident.database}: nothing changed")
    click.echo(f"keys in {settings.keys_dir.resolve()} (back them up: new keys lock resellers out)")
    click.echo("next: `synchub user add` (the first owner), `synchub keys`, `synchub reseller add`")


@click.group("db")
def db() -> None:
    """The hub database's schema: upgrade it after installing a new version, or check it."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to this version's schema (idempotent; safe while the hub runs).

    Every hub process also does this at start, one at a time (PostgreSQL
    advisory lock), so restarting the services after an upgrade is enough;
    run it first to see migration errors before the services restart.
    """
    settings = load_settings()
    require_hub(settings)
    engine = make_engine(settings.db_url)
    try:
        applied = upgrade(engine)
    finally:
        engine.dispose()
    name = database_name(settings.db_url)
    if applied:
        click.echo(f"{name}: upgraded to {', '.join(sorted(script_heads()))}")
    else:
        click.echo(f"{name}: already at {', '.join(sorted(script_heads()))}; nothing to do")


@db.command("status")
@json_option
def db_status(as_json: bool) -> None:
    """Say whether the database is at this version's schema (exit 1 if not)."""
    settings = load_settings()
    require_hub(settings)
    HubKeys.load(settings.keys_dir)
    engine = make_engine(settings.db_url)
    try:
        missing = pending(engine)
    finally:
        engine.dispose()
    heads = sorted(script_heads())
    doc = {"database": database_name(settings.db_url), "heads": heads, "pending": sorted(missing)}

    def text() -> None:
        if missing:
            click.echo(
                f"behind: {len(missing)} migration head(s) to apply; run `synchub db upgrade`"
            )
        else:
            click.echo(f"up to date ({len(heads)} migration heads)")

    emit(doc, as_json, text)
    if missing:
        raise SystemExit(1)
