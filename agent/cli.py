"""``syncagent``: export your shop database as sealed snapshots and deliver them to the hub.

Every command reads the config file (``--config``, ``$SYNCAGENT_CONFIG``,
``./syncagent.toml`` or ``/etc/syncagent/syncagent.toml``). Errors are printed
as one message saying what is wrong and what to do — never a traceback —
with exit code 2 for configuration problems and 1 for the rest.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import click

from agent import __version__, startup

startup.prepare()  # before the config's pydantic models and paramiko are imported

from agent.config import (  # noqa: E402
    AgentConfig,
    check_config,
    default_config_path,
    load_config,
)
from shared.errors import ConfigError, FatalError, SyncHubError, format_problems  # noqa: E402

EXIT_CONFIG = 2


def _fail(exc: SyncHubError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_CONFIG if isinstance(exc, ConfigError) else 1)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into a message and an exit code."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SyncHubError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


def _config(ctx: click.Context) -> AgentConfig:
    return load_config(ctx.obj["config"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "-c",
    type=click.Path(path_type=Path),
    default=None,
    help="Config file (default: $SYNCAGENT_CONFIG, ./syncagent.toml, /etc/syncagent/syncagent.toml).",
)
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@click.version_option(__version__, prog_name="syncagent")
@click.pass_context
def main(ctx: click.Context, config: Optional[Path], verbose: bool) -> None:
    """Share agreed tables of your shop database with the distributor's hub.

    Typical first run: `syncagent init`, send the printed keys to the hub
    operator, then `syncagent check` and `syncagent push`. Install
    `syncagent run` as a service for the nightly schedule.
    """
    from agent.logs import setup_logging

    setup_logging(verbose)
    ctx.obj = {"config": config or default_config_path()}


@main.command()
@click.option(
    "--from",
    "hub_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The hub's file (syncagent-hub-<id>.toml, downloaded from the reseller's page): "
    "reseller id, hub address and keys, and the one-time enrolment code.",
)
@click.option(
    "--enrolment",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The hub's enrolment file (synchub reseller enrolment): fills in the reseller id, "
    "hub host, port, SFTP login and the hub's keys.",
)
@click.option("--reseller-id", default=None, help="Your id at the hub (or from --enrolment).")
@click.option(
    "--source-url",
    required=True,
    help="Database URL, e.g. mysql://shop@127.0.0.1/toko (no password).",
)
@click.option("--hub-host", default=None, help="The hub's SFTP host name (or from --enrolment).")
@click.option("--hub-port", default=None, type=int, help="The hub's SFTP port (default 22).")
@click.option(
    "--hub-username", default=None, help="SFTP login (from --enrolment; else the reseller id)."
)
@click.option(
    "--hub-host-key", default="", help="The hub's SSH host key line or SHA256: fingerprint."
)
@click.option("--hub-seal-key", default="", help="The hub's seal public key (base64 X25519).")
@click.option(
    "--hub-signing-key", default="", help="The hub's signing public key (base64 Ed25519)."
)
@click.option(
    "--state-dir", default="state", show_default=True, help="Outbox, cursors and history."
)
@click.option(
    "--force", is_flag=True, help="Overwrite an existing config file (keys are always kept)."
)
@click.pass_context
@_guard
def init(
    ctx: click.Context,
    hub_file: Optional[Path],
    enrolment: Optional[Path],
    reseller_id: Optional[str],
    source_url: str,
    hub_host: Optional[str],
    hub_port: Optional[int],
    hub_username: Optional[str],
    hub_host_key: str,
    hub_seal_key: str,
    hub_signing_key: str,
    state_dir: str,
    force: bool,
) -> None:
    """Create keys and a commented config file; print what to give the hub operator.


    Easiest with the hub's file: syncagent init --from FILE --source-url URL (the file from
    the reseller's page enrols this agent with its one-time code too), or with the hub's
    enrolment file: syncagent init --enrolment FILE --source-url URL. Options given as well
    override the file's values.
    """
    from agent.setup import run_init
    from shared.enrolment import Enrolment

    hub = None
    if hub_file is not None:
        from agent.enrol import read_hub_file

        hub = read_hub_file(hub_file)
        e: Optional[Enrolment] = hub.enrolment()
    else:
        e = Enrolment.load(enrolment) if enrolment else None
    reseller_id = reseller_id or (e.reseller_id if e else None)
    hub_host = hub_host or (e.hub_host if e else None)
    if not reseller_id or not hub_host:
        raise click.UsageError(
            "give --from FILE or --enrolment FILE, or both --reseller-id and --hub-host"
        )
    handoff = run_init(
        Path(ctx.obj["config"]),
        force=force,
        reseller_id=reseller_id,
        url=source_url,
        hub_host=hub_host,
        hub_port=hub_port or (e.hub_port if e else 22),
        hub_username=hub_username or (e.hub_username if e else None),
        host_key=hub_host_key or (e.host_key if e else ""),
        seal_key=hub_seal_key or (e.seal_public_key if e else ""),
        signing_key=hub_signing_key or (e.signing_public_key if e else ""),
        state_dir=state_dir,
        quiet_handoff=hub is not None and bool(hub.code),
    )
    if hub is not None and hub.code:
        _enrol(hub, handoff)


def _enrol(hub: Any, handoff: Any) -> None:
    from agent.enrol import enrol

    answer = enrol(hub, handoff)
    click.echo(
        f"enrolled at the hub as {answer.get('reseller_id')} "
        f"(SSH {answer.get('ssh_fingerprint')}, signing {answer.get('signing_fingerprint')})"
    )
    click.echo(
        "Next: edit [[datasets]] in the config if needed, then `syncagent check` and `syncagent push`."
    )


@main.command("enrol")
@click.option(
    "--from",
    "hub_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The hub's file with the enrolment code (syncagent-hub-<id>.toml).",
)
@click.pass_context
@_guard
def enrol_command(ctx: click.Context, hub_file: Path) -> None:
    """Enrol this agent (keys made by `syncagent init`) with the hub's one-time code."""
    from agent.enrol import read_hub_file
    from agent.setup import ensure_keys

    hub = read_hub_file(hub_file)
    base = Path(ctx.obj["config"]).absolute().parent
    _enrol(hub, ensure_keys(base / "keys", hub.reseller_id))


@main.command()
@click.option("--offline", is_flag=True, help="Only check the file, not the database or the hub.")
@click.pass_context
@_guard
def check(ctx: click.Context, offline: bool) -> None:
    """Check the config (every problem at once), the database, and the hub's host key."""
    path = Path(ctx.obj["config"])
    problems = check_config(path)
    notes: list[str] = []
    if not problems and not offline:
        from agent.checks import check_hub, check_source

        cfg = load_config(path)
        for probe in (check_source, check_hub):
            p, n = probe(cfg)
            problems += p
            notes += n
    for note in notes:
        click.echo(note)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {path}:\n{format_problems(problems)}", err=True)
        sys.exit(EXIT_CONFIG)
    click.echo(f"{path}: OK")


@main.command()
@click.option(
    "--dry-run", is_flag=True, help="List datasets, columns, types and row counts; write nothing."
)
@click.option(
    "--full", is_flag=True, help="Force a full snapshot (otherwise the schedule decides)."
)
@click.pass_context
@_guard
def export(ctx: click.Context, dry_run: bool, full: bool) -> None:
    """Write a sealed snapshot into the local outbox (not delivered: see `push`)."""
    cfg = _config(ctx)
    from agent.state import AgentState

    if dry_run:
        from agent.export import preview

        with AgentState(cfg.agent.state_dir) as state:
            kind, items = preview(cfg, state, full=full)
        click.echo(f"next snapshot would be {kind}")
        for it in items:
            click.echo(f"{it.name}: {it.rows} row(s), {it.mode}")
            for name, ptype, native in it.columns:
                click.echo(f"    {name:<30} {ptype:<12} {native}")
        return
    from agent.logs import progress_bars
    from agent.runner import run_once

    with progress_bars() as (rows, _):
        summary = run_once(cfg, full=full, deliver=False, on_rows=rows)
    click.echo(json.dumps(summary))


@main.command()
@click.option("--full", is_flag=True, help="Force a full snapshot.")
@click.option("--no-export", is_flag=True, help="Only deliver what is already in the outbox.")
@click.pass_context
@_guard
def push(ctx: click.Context, full: bool, no_export: bool) -> None:
    """Export, then deliver every snapshot in the outbox to the hub, in order.

    Then reads the hub's answers: a conflict (the hub applied another file under
    one of our sequence numbers, e.g. after this state folder was lost) or a
    request (a full snapshot, a key list) is answered at once by one more
    snapshot; a quarantined snapshot makes the command fail with the hub's reason.
    """
    cfg = _config(ctx)
    from agent.logs import progress_bars

    with progress_bars() as (rows, upload):
        if no_export:
            from agent.push import deliver_pending
            from agent.runner import run_lock
            from agent.state import AgentState

            with run_lock(cfg.agent.state_dir), AgentState(cfg.agent.state_dir) as st:
                r = deliver_pending(cfg, st, progress=upload)
            summary: dict[str, Any] = {
                "delivered": r.delivered,
                "messages": r.messages,
                "orders_sent": r.orders.sent,
                "orders_invalid": sorted(r.orders.invalid),
                "order_results": r.orders.results,
            }
            if r.mail.conflict is not None or r.mail.quarantined:
                click.echo(json.dumps(summary))
                bad = r.mail.conflict or r.mail.quarantined[0]
                raise FatalError(
                    f"the hub answered {bad.status} for snapshot {bad.sequence}: {bad.reason}",
                    hint="run `syncagent push` (it re-bases and sends a full snapshot after a "
                    "conflict); after a quarantine fix the cause first",
                )
        else:
            from agent.runner import run_once

            summary = run_once(cfg, full=full, on_rows=rows, upload_progress=upload)
    click.echo(json.dumps(summary))


@main.command()
@click.option("--now", is_flag=True, help="Also run once immediately at start.")
@click.pass_context
@_guard
def run(ctx: click.Context, now: bool) -> None:
    """Run as a daemon on the [schedule] (nightly by default); one run at a time."""
    cfg = _config(ctx)
    from agent.runner import make_scheduler, next_run, scheduled_run

    if now:
        scheduled_run(cfg)
    click.echo(
        f"syncagent scheduled with cron {cfg.schedule.cron!r} (+ up to {cfg.schedule.jitter_seconds}s "
        f"jitter); next run {next_run(cfg)}",
        err=True,
    )
    make_scheduler(cfg).start()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@_guard
def status(ctx: click.Context, as_json: bool) -> None:
    """Last runs, outbox content, cursors and the next scheduled run."""
    cfg = _config(ctx)
    from agent.status import collect, render

    doc = collect(cfg)
    click.echo(json.dumps(doc, indent=2, default=str) if as_json else render(doc))


@main.command()
@click.option("--fetch/--no-fetch", default=True, help="Download new messages from the hub first.")
@click.option(
    "--write-table",
    "table",
    default=None,
    metavar="TABLE",
    help="Also upsert the newest verified offers into TABLE of your database (created if missing).",
)
@click.option(
    "--url",
    default=None,
    help="Database URL for --write-table (default: [offers].write_url; "
    "password from $SYNCAGENT_OFFERS_PASSWORD).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@_guard
def offers(
    ctx: click.Context, fetch: bool, table: Optional[str], url: Optional[str], as_json: bool
) -> None:
    """Download and verify the hub's signed messages; list the offers received."""
    cfg = _config(ctx)
    from agent.status import list_offers, messages

    if fetch:
        from agent.push import deliver_pending
        from agent.state import AgentState

        # delivering first keeps the outbox order guarantee; it is a no-op when the outbox is empty
        with AgentState(cfg.agent.state_dir) as st:
            deliver_pending(cfg, st)
    if as_json:
        click.echo(json.dumps(messages(cfg), indent=2, default=str))
    else:
        for line in list_offers(cfg):
            click.echo(line)
    if table:
        from agent.offers_table import latest_offers, write_offers
        from agent.outbox import Outbox

        target = url or cfg.offers.write_url
        if not target:
            raise ConfigError(
                [
                    (
                        "[offers].write_url",
                        "not set: add it (a user allowed to CREATE/INSERT/UPDATE "
                        "the table, not the export user) or pass --url",
                    )
                ]
            )
        name, items = latest_offers(Outbox(cfg.agent.state_dir).inbox, cfg.hub.signing_public_key)
        r = write_offers(target, table, items, name, password=cfg.offers_password())
        click.echo(f"{table}: {r.inserted} offer(s) added, {r.updated} updated from {name}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@_guard
def orders(ctx: click.Context, as_json: bool) -> None:
    """Order files: waiting in the drop folder (or invalid), sent, and the hub's answers."""
    cfg = _config(ctx)
    from agent.orders import OrderFolder, order_status

    folder = OrderFolder(cfg.orders_dir)
    rows = order_status(folder)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"drop folder: {folder.dir}")
    for r in rows:
        click.echo(f"{r['where']:<8} {r['file']}: {r['status']}")
    if not rows:
        click.echo(
            "no order files (drop order-<id>.json files into the folder; `syncagent push` sends them)"
        )


if __name__ == "__main__":  # pragma: no cover
    main()
