"""`synchub data …`: list a reseller's merged datasets, export rows (current or as-of) as CSV, map entities.

Imports what a command needs when it runs: an export starts about as fast as
Python with SQLAlchemy and click (bench/bench_cli_start.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import click

from hub.core.output import emit, json_option
from hub.core.runtime import with_hub_reader, with_hub_session
from shared.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from hub.mapping.profiles import Profile


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
    from hub.merge import store

    rows = with_hub_reader(lambda s: store.list_datasets(s, reseller_id))
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
    from hub.data.export import csv_lines
    from hub.data.progress import row_progress
    from hub.merge import query

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

    n = with_hub_reader(run)
    if csv_file:
        click.echo(f"{n} rows written to {csv_file}", err=True)


def load_profile(name_or_file: str) -> Profile:
    """A ready-made profile by name, or a profile file (JSON, as the mapping editor downloads it)."""
    from pydantic import ValidationError

    from hub.mapping.profiles import Profile
    from hub.mapping.ready import PROFILES

    if name_or_file in PROFILES:
        return PROFILES[name_or_file]
    path = Path(name_or_file)
    if not path.is_file():
        raise ConfigError(
            [("PROFILE", f"{name_or_file!r} is neither a ready-made profile nor a file")],
            hint=f"ready-made: {', '.join(PROFILES)}; or the path of a profile .json file",
        )
    try:
        return Profile.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ConfigError(
            [(f"{path}: {'.'.join(map(str, e['loc']))}", e["msg"]) for e in exc.errors()],
            hint="a profile file is what the mapping editor's download gives (docs: README)",
        ) from None


@data.command("map")
@click.argument("reseller_id")
@click.argument("profile")
@click.option(
    "--apply", "do_apply", is_flag=True, help="store the profile if the preview shows no problem"
)
@click.option(
    "--save",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="also write the profile to this file (JSON), to edit and map with later",
)
def map_(reseller_id: str, profile: str, do_apply: bool, save: Path | None) -> None:
    """Preview (and with --apply, store) a mapping PROFILE for RESELLER_ID.

    PROFILE is a ready-made profile (northwind, woocommerce, opencart) or a profile file
    (JSON, e.g. downloaded from the mapping editor at /mapping/RESELLER_ID).
    """
    from hub.mapping import service as mapping

    p = load_profile(profile)
    if save is not None:
        save.write_text(p.model_dump_json(indent=1, exclude_none=True) + "\n", encoding="utf-8")
        click.echo(f"profile {p.name!r} written to {save}", err=True)
    from hub.audit.service import cli_principal

    result = with_hub_session(
        lambda s: (
            mapping.apply_audited(s, cli_principal(), reseller_id, p)  # audited as cli:<user>
            if do_apply
            else mapping.preview(s, reseller_id, p)
        )
    )
    for entity, pv in result.items():
        click.echo(f"{entity}: dataset {pv.dataset or '?'}, {pv.count} rows")
        for problem in pv.problems:
            click.echo(f"  problem: {problem}")
        for row in pv.rows[:3]:
            click.echo("  " + " | ".join("" if v is None else str(v) for v in row))
    if do_apply:
        click.echo(f"profile {p.name!r} applied to {reseller_id}")
