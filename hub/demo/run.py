"""`synchub demo`: the whole spine on one machine, with real parts.

A hub on SQLite with its built-in SFTP server; three Jakarta resellers whose shop
databases are built from the Northwind samples shipped in ``hub/demo/data``, in
Rupiah with their sales history ending yesterday (:mod:`hub.demo.localize`): two
SQLite shops and one that only has a folder of CSV/XLSX exports. Each gets its own
``syncagent`` (config + keys made by ``syncagent init``, run as a separate process,
exactly as on a reseller's server) which pushes a sealed snapshot over SFTP. The
hub ingests, merges, maps to canonical entities and prints what it merged; one
upload damaged in transit lands in quarantine with its reason.

Then the commerce half (:mod:`hub.demo.steps`, one module per capability, each
through that capability's services): people, shipping, contacts, catalog, pricing,
purchasing, stock, offers, orders, warranty, then the outbox delivered to the demo's own
mail server (:mod:`hub.demo.mailbox`, loopback). It prints a login per role with what to
try, and keeps serving (SFTP, ingest, jobs, web, the mail server) until Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

import click

from hub.core.db import transaction
from hub.core.i18n import Formatter
from hub.core.runtime import init_hub
from hub.core.settings import HubSettings
from hub.demo.localize import localize
from hub.demo.logins import print_logins
from hub.demo.mailbox import SENDER, LocalMailServer
from hub.demo.quarantine import damaged_upload
from hub.demo.sample_data import northwind_files, northwind_sqlite
from hub.demo.steps import Demo, steps
from hub.demo.steps.shipping import load_regions
from hub.ingest.worker import run_once
from hub.mapping.ready import PROFILES
from hub.mapping.service import apply as apply_profile
from hub.mapping.service import entity_rows
from hub.merge.query import record_history
from hub.merge.store import list_datasets
from hub.resellers.schemas import ResellerCreate
from hub.resellers.service import add_reseller, find_reseller
from hub.serve import Background, background_services, run_web

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
    build_source: Callable[[Path, dt.date], str]  # makes the shop database, returns its URL


def _sqlite_shop(folder: Path, today: dt.date, keep_products: int | None = None) -> str:
    db = northwind_sqlite(folder / "shop.sqlite")
    localize(db, today, keep_products=keep_products)
    return f"sqlite:///{db.resolve()}"


def _spreadsheet_shop(folder: Path, today: dt.date) -> str:
    exports = folder / "exports"
    northwind_files(exports, fmt="mixed", prepare=lambda db: localize(db, today))
    return f"files://{exports.resolve()}"


# Three shops in Jakarta (one province: each sees what sells at the others, for range offers);
# the third sells a smaller range (products 1-60).
RESELLERS = [
    DemoReseller("toko-maju", "Toko Maju Komputer (SQLite shop)", "31.71", _sqlite_shop),
    DemoReseller("cv-sinar", "CV Sinar Jaya (CSV/XLSX exports)", "31.74", _spreadsheet_shop),
    DemoReseller(
        "ud-berkah",
        "UD Berkah Abadi (SQLite shop)",
        "31.75",
        partial(_sqlite_shop, keep_products=60),
    ),
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


def install_agent(bg: Background, reseller: DemoReseller, root: Path, today: dt.date) -> str:
    """Build the shop and `syncagent init` there (nothing written at the hub); returns its URL."""
    folder = root / "resellers" / reseller.id
    folder.mkdir(parents=True, exist_ok=True)
    url = reseller.build_source(folder, today)
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
    return url


def enrol_and_push(bg: Background, reseller: DemoReseller, root: Path, url: str) -> None:
    """Enrol the reseller's keys at the hub, then `syncagent push` (a sealed snapshot over SFTP)."""
    folder = root / "resellers" / reseller.id
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
        db.execute("UPDATE Products SET UnitPrice = UnitPrice + 15000 WHERE ProductID = 1")
    _agent(["push"], cwd=folder)
    damaged = damaged_upload(bg, RESELLERS[-1].id, root / "resellers" / RESELLERS[-1].id, _agent)
    report = run_once(bg.settings, bg.session_factory, bg.keys)
    click.echo(
        f"\na day later at {reseller.id} (stock sold, a price raised), and {damaged}"
        f" — ingest: {report.summary()}"
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
                f"    revenue Σ UnitPrice·Quantity·(1−Discount) = {Formatter('id').money(revenue)}"
            )


def _line_revenue(line: dict) -> Decimal:
    discount = Decimal(str(line["discount"] or 0))
    return Decimal(str(line["unit_price"])) * line["quantity"] * (1 - discount)


DEMO_MARKER = ".synchub-demo"


def _clear_demo_home(home: Path) -> None:
    """Wipe a folder an earlier demo made; refuse any other non-empty folder (it may be a real hub)."""
    if not home.exists():
        return
    if home.is_dir() and not any(home.iterdir()):
        return
    made_by_demo = (home / DEMO_MARKER).is_file() or _older_demo(home)
    if not made_by_demo:
        raise click.UsageError(
            f"{home} exists and was not made by synchub demo; the demo wipes its folder on every run. "
            "Pick an empty or new folder with --home, or remove this one yourself."
        )
    shutil.rmtree(home)


def _older_demo(home: Path) -> bool:
    """A demo folder from before the marker: its shops and catalog files beside the hub."""
    return all((home / name).exists() for name in ("hub.db", "resellers", "catalog"))


@click.command("demo")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=Path("synchub-demo"),
    show_default=True,
    help="Demo data directory, wiped and rebuilt on each run (only a folder an earlier demo made, or an empty one).",
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
    _clear_demo_home(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / DEMO_MARKER).write_text("made by synchub demo; the next run wipes this folder\n")
    with LocalMailServer(home / "mailbox") as mail:
        settings = HubSettings(
            home=home,
            environment="development",
            sftp_port=sftp_port,
            http_port=http_port,
            database_url="",
            notify_smtp_host=mail.host,
            notify_smtp_port=mail.port,
            notify_smtp_from=SENDER,
        )
        init_hub(settings)
        click.echo(
            f"mail: the demo's SMTP server on {mail.host}:{mail.port} keeps what it gets in {mail.folder}"
        )
        _build_and_serve(settings, home, http_port, no_serve)


def _build_and_serve(settings: HubSettings, home: Path, http_port: int, no_serve: bool) -> None:
    started, today = time.monotonic(), dt.date.today()
    click.echo(f"hub: SQLite in {home}/hub.db, built-in SFTP server")
    with background_services(settings, ingest=False) as bg:
        click.echo(
            f"  SFTP listening on {settings.sftp_host}:{bg.sftp.port} (host key {bg.keys.host_fingerprint})"
        )
        # Indonesia's regions load (one long write) while the agents are installed (no writes).
        with ThreadPoolExecutor(1) as pool:
            regions = pool.submit(load_regions, bg.session_factory)
            urls = [install_agent(bg, r, home, today) for r in RESELLERS]
            regions_loaded = regions.result()
        for reseller, url in zip(RESELLERS, urls):
            enrol_and_push(bg, reseller, home, url)
        report = run_once(settings, bg.session_factory, bg.keys)
        click.echo(f"\ningest: {report.summary()}")
        summarize(bg)
        a_day_later(bg, home)
        demo_hub = Demo(
            settings, bg.session_factory, bg.keys, home, [r.id for r in RESELLERS], today
        )
        demo_hub.regions = regions_loaded
        click.echo("\nthe commerce half, through each capability's services:")
        for name, step in steps():
            t0 = time.monotonic()
            line = step(demo_hub)
            click.echo(f"  {name:<13} {line}  ({time.monotonic() - t0:.1f} s)")
        click.echo(f"\ndemo hub ready in {time.monotonic() - started:.0f} s")
        print_logins(demo_hub, f"http://{settings.http_host}:{http_port}/")
        if no_serve:
            return
        bg.start_ingest()
        bg.start_jobs()
        click.echo("serving SFTP, ingest, the periodic jobs and web until Ctrl-C")
        run_web(settings)
