"""`synchub data …`: list a reseller's merged datasets, export rows (current or as-of) as CSV, map entities."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from typing import Callable, Iterator

import click
from sqlalchemy.orm import Session

from hub.core.output import emit, json_option
from hub.core.runtime import with_hub_session
from hub.data.export import csv_lines
from hub.data.progress import row_progress
from hub.mapping import service as mapping
from hub.mapping.profiles import PROFILES
from hub.merge import query, store
from shared.errors import ConfigError


def _as_of(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            [("--as-of", f"{value!r} is not an ISO 8601 time")],
            hint="e.g. 2024-03-03 or 2024-03-03T12:00:00+07:00 (no zone = UTC)",
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def _filters(where: tuple[str, ...]) -> dict[str, str]:
    bad = [w for w in where if "=" not in w]
    if bad:
        raise ConfigError([("--where", f"{w!r} is not COLUMN=VALUE") for w in bad])
    return dict(w.split("=", 1) for w in where)


@click.group("data")
def data() -> None:
    """Read the merged data: datasets, rows (current or as-of), CSV export, entity mapping."""


@data.command("datasets")
@click.argument("reseller_id")
@json_option
def datasets(reseller_id: str, as_json: bool) -> None:
    """List RESELLER_ID's merged datasets."""
    rows = with_hub_session(lambda s: store.list_datasets(s, reseller_id))
    if as_json:
        fields = ("dataset", "current_rows", "schema_version", "last_snapshot_id", "last_source_at")
        emit([{f: getattr(d, f) for f in fields} for d in rows], True, lambda: None)
        return
    if not rows:
        click.echo(f"no merged data for reseller {reseller_id!r} yet")
        return
    click.echo(f"{'dataset':<30} {'rows':>10} {'schema':>6}  last source time")
    for d in rows:
        click.echo(
            f"{d.dataset:<30} {d.current_rows:>10} {'v' + str(d.schema_version):>6}  "
            f"{d.last_source_at.isoformat()}"
        )


@contextlib.contextmanager
def _quiet() -> Iterator[Callable[[int], None]]:  # CSV on stdout: no bar in the way
    yield lambda n: None


@data.command("export")
@click.argument("reseller_id")
@click.argument("dataset")
@click.option(
    "--as-of", "as_of", help="rows as the source had them then (ISO 8601; default: current)"
)
@click.option("--where", multiple=True, help="COLUMN=VALUE filter (repeatable)")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, writable=True),
    help="write here (default: stdout)",
)
def export(
    reseller_id: str, dataset: str, as_of: str | None, where: tuple[str, ...], csv_file: str | None
) -> None:
    """Export DATASET of RESELLER_ID as CSV (canonical texts, NULL = empty cell)."""
    at, filters = _as_of(as_of), _filters(where)

    def run(session: Session) -> int:
        total = query.count_rows(session, reseller_id, dataset, at=at, filters=filters)
        columns, rows = query.iter_rows(session, reseller_id, dataset, at=at, filters=filters)
        n = -1
        with (
            (
                open(csv_file, "w", encoding="utf-8", newline="")
                if csv_file
                else contextlib.nullcontext(sys.stdout)
            ) as out,
            row_progress(f"export {dataset}", total) if csv_file else _quiet() as advance,
        ):
            for chunk in csv_lines(columns, rows):
                out.write(chunk)
                lines = chunk.count("\n")
                n += lines
                advance(lines)
        return n

    n = with_hub_session(run)
    if csv_file:
        click.echo(f"{n} rows written to {csv_file}", err=True)


@data.command("map")
@click.argument("reseller_id")
@click.argument("profile", type=click.Choice(sorted(PROFILES)))
@click.option(
    "--apply", "do_apply", is_flag=True, help="store the profile if the preview shows no problem"
)
def map_(reseller_id: str, profile: str, do_apply: bool) -> None:
    """Preview (and with --apply, store) a ready-made mapping PROFILE for RESELLER_ID."""
    p = PROFILES[profile]
    result = with_hub_session(
        lambda s: (mapping.apply if do_apply else mapping.preview)(s, reseller_id, p)
    )
    for entity, pv in result.items():
        click.echo(f"{entity}: dataset {pv.dataset or '?'}, {pv.count} rows")
        for problem in pv.problems:
            click.echo(f"  problem: {problem}")
        for row in pv.rows[:3]:
            click.echo("  " + " | ".join("" if v is None else str(v) for v in row))
    if do_apply:
        click.echo(f"profile {profile!r} applied to {reseller_id}")
