"""Helpers for the data-spine acceptance tests: a real hub, real agents, real sources.

A :class:`SpineHub` is the hub as ``synchub serve`` assembles it (migrated
SQLite database, its own keys, the embedded SFTP server on a free port) whose
inbox root can be pointed at the OpenSSH chroots of the ``sshd_server``
fixture, so one ingest sees uploads from both reception paths. A
:class:`SpineAgent` is a reseller's ``syncagent`` folder (keys + config)
made with the agent's own ``init`` pieces. The ``*_rows`` readers give both
sides as canonical COPY text, so "equal value for value" is an exact
comparison of the contract's canonical encoding.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.config import AgentConfig, load_config
from agent.runner import run_once as agent_run_once
from agent.setup import Handoff, ensure_keys, render_config
from connectors.base import ReadRequest
from connectors.registry import connect
from hub.core.db import transaction
from hub.core.keys import HubKeys
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.ingest.worker import IngestReport, run_once
from hub.merge import query
from hub.reception.server import SftpServer
from hub.resellers import service as resellers
from shared import keys as sk
from shared.copytext import format_line, parse_line
from shared.seal import open_snapshot
from shared.types import Column, decode_value, encode_value

REPO = Path(__file__).resolve().parents[2]
REVENUE = Decimal("1265793.04")
# Northwind tables without a declared primary key in some ports (or in files): their natural key;
# in a files source any other table is keyed by its first column (Northwind's id columns come first).
NATURAL_KEYS = {
    "orderdetails": ["OrderID", "ProductID"],
    "employeeterritories": ["EmployeeID", "TerritoryID"],
    "customercustomerdemo": ["CustomerID", "CustomerTypeID"],
}


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class SpineSettings(HubSettings):
    """Hub settings whose SFTP root may be the OpenSSH chroot root (production layout)."""

    sftp_root_dir: Optional[Path] = None

    @property
    def sftp_root(self) -> Path:
        return self.sftp_root_dir or self.home / "sftp"


@dataclass
class SpineHub:
    settings: SpineSettings
    engine: Engine
    factory: sessionmaker[Session]
    keys: HubKeys
    server: SftpServer

    def enrol(self, reseller_id: str, handoff: Handoff, platform: str = "") -> None:
        with transaction(self.factory) as s:
            resellers.add_reseller(
                s,
                {
                    "id": reseller_id,
                    "name": f"Toko {reseller_id}",
                    "ssh_public_key": handoff.ssh_public_key,
                    "signing_public_key": handoff.signing_public_key,
                    **({"platform": platform} if platform else {}),
                },
            )

    def ingest(self) -> IngestReport:
        report = run_once(self.settings, self.factory, self.keys)
        assert not report.errors, report.errors
        return report

    def rows(
        self, reseller_id: str, dataset: str, at: dt.datetime | None = None
    ) -> tuple[list[str], list[str]]:
        """(column names, sorted canonical lines) of the merged dataset, current or as of ``at``."""
        with self.factory() as s:
            columns, it = query.iter_rows(s, reseller_id, dataset, at=at)
            return [c.name for c in columns], sorted(canonical(columns, r) for r in it)


@contextmanager
def spine_hub(
    home: Path, sftp_root: Path | None = None, database_url: str = ""
) -> Iterator[SpineHub]:
    """A migrated hub under ``home`` (SQLite there unless ``database_url``) with its embedded
    SFTP server running."""
    settings = SpineSettings(
        home=home,
        sftp_host="127.0.0.1",
        sftp_port=0,
        sftp_root_dir=sftp_root,
        environment="test",
        database_url=database_url,
    )
    init_hub(settings)
    engine, factory = open_hub(settings)
    keys = HubKeys.load(settings.keys_dir)
    server = SftpServer(settings, factory, keys.host_key).start()
    try:
        yield SpineHub(settings, engine, factory, keys, server)
    finally:
        server.stop()
        engine.dispose()


def canonical(columns: list[Column], values: tuple[Any, ...]) -> str:
    return format_line([encode_value(c.type, v) for c, v in zip(columns, values)])[:-1]


# --------------------------------------------------------------------------- sources


def source_datasets(url: str) -> list[dict[str, Any]]:
    """One ``[[datasets]]`` entry per table the source has, keyed by its primary (or natural) key."""
    out = []
    with connect(url) as conn:
        for table in conn.list_tables():
            key = conn.primary_key(table)
            if not key:
                names = [c.name for c in conn.describe(ReadRequest(table=table))]
                cols = {norm(n): n for n in names}
                natural = NATURAL_KEYS.get(norm(table), [])
                key = [cols[norm(k)] for k in natural if norm(k) in cols]
                if (
                    not key and conn.dialect.name == "files"
                ):  # views of SQL sources stay out, like init
                    key = names[:1]
            if key:
                out.append(
                    {"name": re.sub(r"[^A-Za-z0-9_.-]+", "_", table), "table": table, "key": key}
                )
    return out


def source_rows(url: str, table: str) -> tuple[list[str], list[str]]:
    """(column names, sorted canonical lines) read straight from the source by its connector."""
    with connect(url) as conn:
        req = ReadRequest(table=table)
        columns = conn.describe(req)
        lines = b"".join(conn.read(req)).decode("utf-8").split("\n")[:-1]
    return [c.name for c in columns], sorted(recanonical(columns, line) for line in lines)


def recanonical(columns: list[Column], line: str) -> str:
    """A COPY line decoded by the column types and encoded again: equal lines = equal values."""
    fields = parse_line(line)
    assert len(fields) == len(columns), (line, [c.name for c in columns])
    return canonical(columns, tuple(decode_value(c.type, f) for c, f in zip(columns, fields)))


def revenue(lines: Any) -> Decimal:
    """Σ unit_price·quantity·(1−discount), exact, rounded to cents."""
    total = sum((Decimal(p) * int(q) * (1 - Decimal(d)) for p, q, d in lines), Decimal(0))
    return total.quantize(Decimal("0.01"), ROUND_HALF_UP)


# --------------------------------------------------------------------------- agents


def datasets_toml(datasets: list[dict[str, Any]]) -> str:
    import json

    return "\n".join(
        "[[datasets]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in d.items())
        for d in datasets
    )


@dataclass
class SpineAgent:
    reseller_id: str
    url: str  # with the password, for reading the source directly
    dir: Path
    config_path: Path
    handoff: Handoff

    def config(self) -> AgentConfig:
        return load_config(self.config_path)

    def push(self, *, full: bool = False) -> dict[str, Any]:
        return agent_run_once(self.config(), full=full, deliver=True)

    def export(self, *, full: bool = False) -> dict[str, Any]:
        return agent_run_once(self.config(), full=full, deliver=False)

    @property
    def signing_public(self) -> Any:
        return sk.load_signing_key(self.dir / "keys" / "signing_ed25519.pem").public_key()


def make_agent(
    base: Path,
    reseller_id: str,
    url: str,
    *,
    host: str,
    port: int,
    username: str,
    host_key: str,
    hub: HubKeys,
    datasets: list[dict[str, Any]] | None = None,
    password: str | None = None,
    extra: str = "",
) -> SpineAgent:
    """An agent folder like ``syncagent init`` writes, with every table of ``url`` as a dataset.

    A database password goes into ``password_file`` (never into the URL), as docs/agent.md says.
    """
    d = base / reseller_id
    d.mkdir(parents=True)
    handoff = ensure_keys(d / "keys", reseller_id)
    full_url = url
    if password:
        from agent.source import with_password

        full_url = with_password(url, password)
    text = render_config(
        reseller_id=reseller_id,
        state_dir="state",
        url=url,
        hub_host=host,
        hub_port=port,
        hub_username=username,
        host_key=host_key,
        seal_key=hub.seal_public_b64,
        signing_key=hub.signing_public_b64,
        datasets=datasets_toml(datasets if datasets is not None else source_datasets(full_url)),
    )
    if password:
        (d / "db-password.txt").write_text(password + "\n")
        text = text.replace(
            '# password_file = "db-password.txt"', 'password_file = "db-password.txt"'
        )
    cfg = d / "syncagent.toml"
    cfg.write_text(text + extra)
    return SpineAgent(reseller_id, full_url, d, cfg, handoff)


def open_sealed_file(path: Path, hub: HubKeys, signer: Any, dest: Path) -> Any:
    """The hub's reader on a sealed snapshot file (signature, decryption, hashes all checked)."""
    return open_snapshot(
        path, hub_private_key=hub.seal_key, signer_public_key=signer, dest_dir=dest
    )


def snapshot_lines(reader: Any, dataset: str) -> list[str]:
    """Sorted canonical lines of one dataset of an opened snapshot (newlines stripped)."""
    return sorted(line.decode("utf-8")[:-1] for line in reader.iter_lines(dataset))


def run_cli(
    program: str,
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``syncagent`` / ``synchub`` as a user would: the installed console script, in a subprocess."""
    exe = Path(sys.executable).parent / program
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --------------------------------------------------------------------------- Northwind on every platform


@dataclass
class Source:
    platform: str
    url: str  # as the agent's config has it (no password)
    password: str | None = None

    @property
    def read_url(self) -> str:
        from agent.source import with_password

        return with_password(self.url, self.password)


def run_sql(src: Source, statements: list[str]) -> None:
    """Run SQL at the source with its own driver (as the shop's software would change it)."""
    if src.platform == "sqlite":
        import sqlite3

        with sqlite3.connect(src.url.removeprefix("sqlite:///")) as c:
            for s in statements:
                c.execute(s)
    elif src.platform == "postgresql":
        import psycopg

        with psycopg.connect(src.url) as pg:
            for s in statements:
                pg.execute(s)  # type: ignore[arg-type]
    else:
        from urllib.parse import urlsplit

        import pymysql

        u = urlsplit(src.url)
        c = pymysql.connect(
            host=u.hostname,
            port=u.port,
            user=u.username,
            password=src.password,
            database=u.path[1:],
            autocommit=True,
        )
        with c, c.cursor() as cur:
            for s in statements:
                cur.execute(s)


@contextmanager
def northwind_sources(
    base: Path,
    postgres: Any,
    mariadb: Any,
    platforms: tuple[str, ...] = ("sqlite", "postgresql", "mysql", "files"),
) -> Iterator[dict[str, Source]]:
    """Fresh Northwind databases (and a CSV/XLSX folder) per platform; dropped afterwards."""
    from hub.demo import sample_data

    out: dict[str, Source] = {}
    pg_db = my_db = None
    try:
        if "sqlite" in platforms:
            out["sqlite"] = Source(
                "sqlite", f"sqlite:///{sample_data.northwind_sqlite(base / 'northwind.db')}"
            )
        if "postgresql" in platforms:
            dsn = postgres.create_database()
            pg_db = dsn.rsplit("/", 1)[1]
            sample_data.load_northwind_postgres(dsn)
            out["postgresql"] = Source("postgresql", dsn)
        if "mysql" in platforms:
            my_db = mariadb.create_database()
            sample_data.load_northwind_mysql(
                mariadb.host, mariadb.port, mariadb.user, mariadb.password, my_db
            )
            url = f"mysql://{mariadb.user}@{mariadb.host}:{mariadb.port}/{my_db}"
            out["mysql"] = Source("mysql", url, mariadb.password)
        if "files" in platforms:
            sample_data.northwind_files(base / "exports", "mixed")
            out["files"] = Source("files", f"files://{base / 'exports'}")
        yield out
    finally:
        if pg_db:
            postgres.drop_database(pg_db)
        if my_db:
            mariadb.drop_database(my_db)
