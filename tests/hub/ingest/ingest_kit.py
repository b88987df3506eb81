"""A throw-away hub (SQLite or a real PostgreSQL) plus resellers that seal real snapshots.

Snapshots are built with ``shared.snapshot`` and sealed with ``shared.seal``
exactly as an agent would, so the pipeline under test sees real files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.core.keys import HubKeys
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.ingest.models import ResellerSync, Snapshot
from hub.ingest.worker import IngestReport, run_once
from hub.merge.query import iter_rows
from hub.resellers.service import add_reseller
from shared import keys as sk
from shared.manifest import snapshot_filename
from shared.seal import seal_snapshot
from shared.snapshot import SnapshotWriter
from shared.types import Column, PortableType

COLUMNS = [
    Column("id", PortableType.INTEGER, False),
    Column("name", PortableType.TEXT),
    Column("price", PortableType.DECIMAL),
]
T0 = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)


def ssh_line() -> str:
    pub = Ed25519PrivateKey.generate().public_key()
    return pub.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()


Rows = dict[int, tuple[str, ...]]  # key -> the other columns' canonical texts


def rows_text(rows: Rows) -> bytes:
    return "".join("\t".join([str(k), *vals]) + "\n" for k, vals in sorted(rows.items())).encode()


@dataclass
class Reseller:
    hub: Hub
    id: str
    signing_key: Ed25519PrivateKey = field(default_factory=sk.generate_signing_key)

    def seal(
        self,
        sequence: int,
        kind: str,
        rows: Rows,
        *,
        columns: Sequence[Column] = COLUMNS,
        name_as: str | None = None,
        signing_key: Ed25519PrivateKey | None = None,
        keys: Sequence[int] | None = None,
        mode: str | None = None,
        answers: Sequence[str] = (),
        key_list: bool = False,
    ) -> Path:
        """A sealed snapshot file in a private folder; ``rows`` is the content (full) or the changes.

        ``keys`` (incrementals): every key now at the source, so the hub can close deleted rows.
        """
        work = self.hub.tmp / "agent" / f"{self.id}-{sequence}-{kind}-{os.urandom(3).hex()}"
        w = SnapshotWriter(
            work,
            name_as or self.id,
            sequence,
            kind,
            "test-agent 1.0",
            "sqlite",
            created_at=T0 + dt.timedelta(hours=sequence),
            answers=answers,
        )
        ds = w.dataset(
            "products",
            list(columns),
            ["id"],
            keys_part=keys is not None and (mode is None or key_list),
            mode=mode,  # type: ignore[arg-type]
        )
        ds.write(rows_text(rows))
        if keys is not None:
            ds.add_keys(b"".join(f"{k}\n".encode() for k in sorted(keys)))
        out = work.parent / snapshot_filename(name_as or self.id, sequence, kind)
        seal_snapshot(
            w,
            out,
            signing_key=signing_key or self.signing_key,
            hub_public_key=self.hub.keys.seal_key.public_key(),
        )
        shutil.rmtree(work)
        return out

    def upload(self, sealed: Path, *, inbox_of: str | None = None) -> Path:
        """Like the SFTP reception: write ``<name>.part``, then rename to the final name."""
        inbox = self.hub.settings.sftp_root / (inbox_of or self.id) / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        part = inbox / (sealed.name + ".part")
        shutil.copyfile(sealed, part)
        final = inbox / sealed.name
        os.replace(part, final)
        return final

    def push(self, sequence: int, kind: str, rows: Rows, **kw: object) -> Path:
        return self.upload(self.seal(sequence, kind, rows, **kw))  # type: ignore[arg-type]


@dataclass
class Hub:
    tmp: Path
    settings: HubSettings
    engine: Engine
    factory: sessionmaker[Session]
    keys: HubKeys

    def reseller(self, reseller_id: str) -> Reseller:
        r = Reseller(self, reseller_id)
        with transaction(self.factory) as s:
            add_reseller(
                s,
                {
                    "id": reseller_id,
                    "name": f"Toko {reseller_id}",
                    "ssh_public_key": ssh_line(),
                    "signing_public_key": sk.public_b64(r.signing_key),
                },
            )
        (self.settings.sftp_root / reseller_id / "inbox").mkdir(parents=True, exist_ok=True)
        return r

    def ingest(self) -> IngestReport:
        return run_once(self.settings, self.factory, self.keys)

    def snapshots(self, reseller_id: str | None = None) -> list[Snapshot]:
        with self.factory() as s:
            stmt = select(Snapshot).order_by(Snapshot.id)
            if reseller_id:
                stmt = stmt.where(Snapshot.reseller_id == reseller_id)
            return list(s.scalars(stmt))

    def sync(self, reseller_id: str) -> ResellerSync | None:
        with self.factory() as s:
            return s.get(ResellerSync, reseller_id)

    def products(self, reseller_id: str) -> Rows:
        """The hub's current merged rows of the reseller's ``products`` dataset."""
        with self.factory() as s:
            try:
                columns, rows = iter_rows(s, reseller_id, "products")
            except Exception:  # no schema yet: nothing merged
                return {}
            return {int(r[0]): tuple(str(v) for v in r[1:]) for r in rows}

    def version_count(self, reseller_id: str) -> int:
        from hub.merge.query import every_version
        from hub.merge.store import list_datasets

        with self.factory() as s:
            return sum(
                len(every_version(s, reseller_id, md.dataset)[1])
                for md in list_datasets(s, reseller_id)
            )

    def files_everywhere(self) -> list[Path]:
        """Every file under the hub's home except the database and keys (for "nothing lost")."""
        skip = {self.settings.keys_dir}
        return sorted(
            p
            for p in self.settings.home.rglob("*")
            if p.is_file()
            and not any(s in p.parents for s in skip)
            and not p.name.startswith("hub.db")
        )


def make_hub(tmp: Path, database_url: str = "") -> Hub:
    home = tmp / "home"
    settings = HubSettings(home=home, database_url=database_url, environment="test")
    init_hub(settings)
    engine, factory = open_hub(settings)
    return Hub(tmp, settings, engine, factory, HubKeys.load(settings.keys_dir))
