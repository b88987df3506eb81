"""`synchub backup` (write one encrypted archive; keygen; list) and `synchub restore`."""

from __future__ import annotations

from pathlib import Path

import click

from hub.backup import service
from hub.core.output import emit, json_option
from hub.core.runtime import open_hub
from hub.core.settings import load_settings


@click.group("backup", invoke_without_command=True)
@click.option(
    "--to",
    "to",
    type=click.Path(path_type=Path),
    default=None,
    help="folder for the archive (default: SYNCHUB_BACKUP_DIR or SYNCHUB_HOME/backups)",
)
@click.pass_context
def backup(ctx: click.Context, to: Path | None) -> None:
    """Write one encrypted archive of the whole hub, then keep only the newest
    SYNCHUB_BACKUP_KEEP (default 14). Runs nightly under `synchub serve` / the jobs unit.

    The archive holds the database (SQLite online backup or pg_dump custom format), the
    hub's keys, payment proofs, quarantine, snapshots not yet applied and the settings that
    shape the hub (no secrets), encrypted with age to SYNCHUB_BACKUP_RECIPIENT. Restore with
    `synchub restore ARCHIVE --identity KEYFILE` (docs/operations.md, "Backup and restore").
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    engine, _ = open_hub(settings)
    try:
        done = service.create(settings, engine, to=to)
    finally:
        engine.dispose()
    click.echo(f"wrote {done.path} ({done.files} files, {done.bytes:,} bytes, encrypted)")
    for old in done.pruned:
        click.echo(f"removed {old.name} (keeping the newest {settings.backup_keep})")


@backup.command("keygen")
@click.argument("identity_file", type=click.Path(path_type=Path))
def keygen(identity_file: Path) -> None:
    """Make the operator's key pair: the identity (private) goes to IDENTITY_FILE — keep it
    off the hub, with your other secrets; set SYNCHUB_BACKUP_RECIPIENT to the printed key."""
    public = service.keygen(identity_file)
    click.echo(f"identity written to {identity_file} (mode 0600): keep it safe and off the hub")
    click.echo(f"SYNCHUB_BACKUP_RECIPIENT={public}")


@backup.command("list")
@json_option
def list_(as_json: bool) -> None:
    """The archives in the backup folder, oldest first."""
    folder = service.backup_dir(load_settings())
    found = [{"path": str(p), "bytes": p.stat().st_size} for p in service.archives(folder)]

    def text() -> None:
        for a in found:
            click.echo(f"{a['path']}  {a['bytes']:,} bytes")
        if not found:
            click.echo(f"no backups in {folder}")

    emit(found, as_json, text)


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--identity",
    "identity_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="the age identity file whose public key the hub encrypts backups to",
)
def restore(archive: Path, identity_file: Path) -> None:
    """Rebuild a hub from ARCHIVE into an empty SYNCHUB_HOME (and, on PostgreSQL, an empty
    database at SYNCHUB_DATABASE_URL). Every file is checked before anything is written."""
    settings = load_settings()
    done = service.restore(archive, identity_file, settings)
    m = done.manifest
    click.echo(
        f"restored the hub of {m['created_at']} (version {m['hub_version']}, {m['database']}): "
        f"database and {done.files} files into {settings.home}"
    )
    click.echo("settings recorded in the backup (set them in your environment if they differ):")
    for key, value in sorted(m["settings"].items()):
        click.echo(f"  SYNCHUB_{key.upper()}={value}")
    click.echo(
        "secrets are not in backups: SYNCHUB_SECRET_KEY and the database password come "
        "from your env file. Then start the hub; resellers push as before."
    )
