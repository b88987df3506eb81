"""`synchub demo`: the whole spine on one machine, with real parts.

A hub on SQLite with its built-in SFTP server; demo resellers whose shop
databases are built from the Northwind samples shipped in ``hub/demo/data``
(one on SQLite, one that only has a folder of CSV/XLSX exports); each gets its
own ``syncagent`` (config + keys made by ``syncagent init``, run as a separate
process, exactly as on a reseller's server) which pushes a sealed snapshot
over SFTP. The hub ingests, merges, maps to canonical entities and prints
what it merged; then it keeps serving (SFTP, ingest, web) until Ctrl-C.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import click

from hub.core.db import transaction
from hub.core.runtime import init_hub
from hub.core.settings import HubSettings
from hub.demo.sample_data import northwind_files, northwind_sqlite
from hub.ingest.worker import run_once
from hub.mapping.ready import PROFILES
from hub.mapping.service import apply as apply_profile
from hub.mapping.service import entity_rows
from hub.merge.query import record_history
from hub.merge.store import list_datasets
from hub.resellers.schemas import ResellerCreate
from hub.resellers.service import add_reseller, find_reseller
from hub.serve import Background, background_services, run_web
from hub.users.service import create_user

# Northwind tables a spreadsheet shop shares, with their keys (files have no declared keys).
FILE_DATASETS = {
    "Products": ["ProductID"],
    "Orders": ["OrderID"],
    "Order Details": ["OrderID", "ProductID"],
    "Customers": ["CustomerID"],
    "Categories": ["CategoryID"],
    "Suppliers": ["SupplierID"],
}


@dataclass(frozen=True)
class DemoReseller:
    id: str
    name: str
    region: str  # Kemendagri regency code
    build_source: Callable[[Path], str]  # makes the shop database, returns the source URL


def _sqlite_shop(folder: Path) -> str:
    db = northwind_sqlite(folder / "shop.sqlite")
    return f"sqlite:///{db.resolve()}"


def _spreadsheet_shop(folder: Path) -> str:
    exports = folder / "exports"
    northwind_files(exports, fmt="mixed")
    return f"files://{exports.resolve()}"


RESELLERS = [
    DemoReseller("toko-maju", "Toko Maju Komputer (SQLite shop)", "31.71", _sqlite_shop),
    DemoReseller("cv-sinar", "CV Sinar Jaya (CSV/XLSX exports)", "32.73", _spreadsheet_shop),
]


def _agent(args: list[str], cwd: Path) -> str:
    """Run syncagent as its own process, as on a reseller server."""
    exe = Path(sys.executable).with_name("syncagent")
    cmd = [str(exe) if exe.exists() else "syncagent", *args]
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(
            f"`syncagent {' '.join(args)}` failed:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def _file_datasets_toml() -> str:
    blocks = []
    for table, key in FILE_DATASETS.items():
        keys = ", ".join(f'"{k}"' for k in key)
        blocks.append(
            f'\n[[datasets]]\nname = "{table.replace(" ", "_")}"\ntable = "{table}"\nkey = [{keys}]\n'
        )
    return "".join(blocks)


def enrol_and_push(bg: Background, reseller: DemoReseller, root: Path) -> None:
    """Build the shop, `syncagent init`, enrol at the hub, `syncagent push`."""
    folder = root / "resellers" / reseller.id
    folder.mkdir(parents=True, exist_ok=True)
    url = reseller.build_source(folder)
    keys = bg.keys
    _agent(
        [
            "init",
            "--reseller-id",
            reseller.id,
            "--source-url",
            url,
            "--hub-host",
            bg.settings.sftp_host,
            "--hub-port",
            str(bg.sftp.port),
            "--hub-host-key",
            keys.host_key_line,
            "--hub-seal-key",
            keys.seal_public_b64,
            "--hub-signing-key",
            keys.signing_public_b64,
            "--state-dir",
            "state",
            "--force",
        ],
        cwd=folder,
    )
    config = folder / "syncagent.toml"
    if url.startswith("files:"):
        with config.open("a", encoding="utf-8") as f:
            f.write(_file_datasets_toml())
    ssh_line = (folder / "keys" / "ssh_ed25519.pub").read_text().strip()
    signing = (folder / "keys" / "signing_ed25519.pub").read_text().strip()
    with transaction(bg.session_factory) as session:
        if find_reseller(session, reseller.id) is None:
            add_reseller(
                session,
                ResellerCreate(
                    id=reseller.id,
                    name=reseller.name,
                    region_code=reseller.region,
                    platform=url.split(":", 1)[0],
                    ssh_public_key=ssh_line,
                    signing_public_key=signing,
                ),
            )
    click.echo(f"  {reseller.id}: enrolled; pushing with syncagent …")
    _agent(["push"], cwd=folder)


def a_day_later(bg: Background, root: Path) -> None:
    """The SQLite shop sells and restocks; its agent pushes again: the hub keeps both versions."""
    reseller = RESELLERS[0]
    folder = root / "resellers" / reseller.id
    with sqlite3.connect(folder / "shop.sqlite") as db:
        db.execute(
            "UPDATE Products SET UnitsInStock = MAX(UnitsInStock - 7, 0) WHERE ProductID <= 10"
        )
        db.execute("UPDATE Products SET UnitPrice = UnitPrice + 1 WHERE ProductID = 1")
    _agent(["push"], cwd=folder)
    report = run_once(bg.settings, bg.session_factory, bg.keys)
    click.echo(
        f"\na day later at {reseller.id} (stock sold, a price raised) — ingest: {report.summary()}"
    )
    with bg.session_factory() as session:
        columns, versions = record_history(session, reseller.id, "Products", "1")
    names = [c.name for c in columns]
    for v in versions:
        row = dict(zip(names, v.values))
        click.echo(
            f"    Products #1 {row['ProductName']}: price {row['UnitPrice']}, stock {row['UnitsInStock']}"
            f"  (valid {v.valid_from:%Y-%m-%d %H:%M:%S} → {f'{v.valid_to:%H:%M:%S}' if v.valid_to else 'now'})"
        )


def summarize(bg: Background) -> None:
    """Print what the hub merged: rows per dataset and revenue per reseller."""
    profile = PROFILES["northwind"]
    with bg.session_factory() as session:
        for reseller in RESELLERS:
            apply_profile(session, reseller.id, profile)
            session.commit()
            datasets = {d.dataset: d.current_rows for d in list_datasets(session, reseller.id)}
            fields, lines = entity_rows(session, reseller.id, "sale_line")
            revenue = sum(
                (_line_revenue(dict(zip(fields, line))) for line in lines),
                Decimal(0),
            )
            click.echo(f"\n  {reseller.id} — {reseller.name}")
            for name, n in sorted(datasets.items()):
                click.echo(f"    {name:<22} {n:>6} rows")
            click.echo(
                f"    revenue Σ UnitPrice·Quantity·(1−Discount) = {revenue.quantize(Decimal('0.01')):,}"
            )


def _line_revenue(line: dict) -> Decimal:  # type: ignore[type-arg]
    discount = Decimal(str(line["discount"] or 0))
    return Decimal(str(line["unit_price"])) * line["quantity"] * (1 - discount)


@click.command("demo")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=Path("synchub-demo"),
    show_default=True,
    help="Demo data directory (wiped and rebuilt on each run).",
)
@click.option("--http-port", default=8000, show_default=True)
@click.option("--sftp-port", default=0, help="Built-in SFTP server port (0: any free port).")
@click.option(
    "--no-serve", is_flag=True, help="Exit after the push and merge instead of serving the web UI."
)
def demo(home: Path, http_port: int, sftp_port: int, no_serve: bool) -> None:
    """Run the whole spine locally: hub + built-in SFTP + demo resellers pushing real snapshots."""
    # syncagent init checks the hub before the demo has enrolled its keys: expected refusals, not news.
    logging.getLogger("hub.reception").setLevel(logging.ERROR)
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    if home.exists():
        shutil.rmtree(home)
    settings = HubSettings(
        home=home,
        environment="development",
        sftp_port=sftp_port,
        http_port=http_port,
        database_url="",
    )
    init_hub(settings)
    click.echo(f"hub: SQLite in {home}/hub.db, built-in SFTP server")
    with background_services(settings, ingest=False) as bg:
        click.echo(
            f"  SFTP listening on {settings.sftp_host}:{bg.sftp.port} (host key {bg.keys.host_fingerprint})"
        )
        for reseller in RESELLERS:
            enrol_and_push(bg, reseller, home)
        report = run_once(settings, bg.session_factory, bg.keys)
        click.echo(f"\ningest: {report.summary()}")
        summarize(bg)
        a_day_later(bg, home)
        password = secrets.token_urlsafe(12)
        with transaction(bg.session_factory) as session:
            create_user(session, None, username="owner", password=password, role="owner")
        click.echo(
            f"\nweb UI: http://{settings.http_host}:{http_port}/   login: owner / {password}"
        )
        if no_serve:
            return
        bg.start_ingest()
        bg.start_jobs()
        click.echo("serving SFTP, ingest, the periodic jobs and web until Ctrl-C")
        run_web(settings)
