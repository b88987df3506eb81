"""Merged Northwind resellers for catalog and offer tests (SQLite, PostgreSQL and MySQL sources)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connectors.base import ReadRequest
from connectors.registry import connect
from hub.core.db import transaction
from hub.mapping import service as mapping
from hub.mapping.profiles import NORTHWIND
from hub.merge import merge_snapshot
from shared.snapshot import SnapshotWriter
from shared.snapshot_reader import SnapshotReader

T1 = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
TABLES = ("Products", "Order Details", "Orders", "Customers")


def snapshot_from(url: str, reseller_id: str, workdir: Path, platform: str) -> Path:
    """A full snapshot of the four Northwind tables of ``url``, read by the real connector."""
    w = SnapshotWriter(
        workdir / reseller_id, reseller_id, 1, "full", "test", platform, created_at=T1
    )
    with connect(url) as con:
        names = {n.lower().replace(" ", "_"): n for n in con.list_tables()}
        for table in TABLES:
            real = names[table.lower().replace(" ", "_")]
            req = ReadRequest(table=real)
            ds = w.dataset(
                real.replace(" ", "_"),
                con.describe(req),
                con.primary_key(real)
                or (["order_id", "product_id"] if "_" in real else ["OrderID", "ProductID"]),
            )
            for chunk in con.read(req):
                ds.write(chunk)
    w.finish()
    return workdir / reseller_id


def merge_and_map(db: sessionmaker[Session], reseller_id: str, snap: Path) -> None:
    reader = SnapshotReader.from_directory(snap)
    with transaction(db) as s:
        merge_snapshot(
            s,
            reseller_id=reseller_id,
            snapshot_id=1,
            manifest=reader.manifest,
            reader=reader,
            received_at=T1,
        )
    with db() as s, s.begin():
        mapping.apply(s, reseller_id, NORTHWIND)
