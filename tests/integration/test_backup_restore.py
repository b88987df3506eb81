"""Issue #17 acceptance 2: backup → wipe → restore → the next push applies, SQLite and PostgreSQL.

Follows docs/operations.md ("Backup and restore") with the real commands: a real agent
pushes through the built-in SFTP server, a garbage upload is quarantined, `synchub backup`
writes the encrypted archive, the hub's directory (and database) are wiped, `synchub
restore` rebuilds it into an empty directory (and an empty database), every table is
compared value for value with the hub before the wipe, and the agent's next push — sequence
2 — is applied on the restored hub.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from hub.cli import cli
from hub.core.db import Base
from hub.merge.tables import CURRENT_PREFIX, HISTORY_PREFIX
from tests.integration.spine_kit import make_agent, spine_hub

RID = "toko-backup"


def _source(path: Path) -> str:
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price NUMERIC(12,2));
        INSERT INTO products VALUES (1, 'Laptop Asus 14"', 7499000.00), (2, 'Mouse ñ 🖱', 99000.50),
                                    (3, NULL, 0);
        """
    )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def _everything(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every hub table, in a stable order: "value for value"."""
    engine = create_engine(url)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            if table.name not in names:
                continue
            cols = ", ".join(f'"{c.name}"' for c in table.columns)
            rows = conn.execute(text(f'SELECT {cols} FROM "{table.name}"')).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        merged = sorted(n for n in names if n.startswith((CURRENT_PREFIX, HISTORY_PREFIX)))
        assert merged, "the merged rows live in each dataset's own tables (hub.merge.tables)"
        for name in merged:
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    engine.dispose()
    return out


def _invoke(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(the hub's database URL, an empty one to restore into); empty strings mean SQLite in home."""
    if request.param == "sqlite":
        yield "", ""
        return
    server = request.getfixturevalue("postgres_server")
    first, second = server.create_database(), server.create_database()
    as_sa = lambda dsn: dsn.replace("postgresql://", "postgresql+psycopg://", 1)  # noqa: E731
    yield as_sa(first), as_sa(second)
    for dsn in (first, second):
        server.drop_database(dsn.rsplit("/", 1)[1])


def test_backup_wipe_restore_then_next_push_applies(tmp_path: Path, databases) -> None:  # type: ignore[no-untyped-def]
    first_url, restore_url = databases
    home = tmp_path / "hub"
    identity = tmp_path / "operator" / "backup.key"
    identity.parent.mkdir()
    env = {
        "SYNCHUB_HOME": str(home),
        "SYNCHUB_DATABASE_URL": first_url,
        "SYNCHUB_ENVIRONMENT": "test",
    }
    recipient = re.search(
        r"SYNCHUB_BACKUP_RECIPIENT=(age1\w+)", _invoke(env, "backup", "keygen", str(identity))
    )
    assert recipient is not None
    env["SYNCHUB_BACKUP_RECIPIENT"] = recipient.group(1)
    source = _source(tmp_path / "shop.db")

    with spine_hub(home, database_url=first_url) as hub:
        agent = make_agent(
            tmp_path / "agents",
            RID,
            source,
            hub=hub.keys,
            host="127.0.0.1",
            port=hub.server.port,
            username=RID,
            host_key=hub.keys.host_key_line,
        )
        hub.enrol(RID, agent.handoff)
        assert agent.push()["kind"] == "full"
        junk = f"{RID}-{7:012d}-full.snap"  # a well-named upload that is no snapshot
        (hub.settings.sftp_root / RID / "inbox" / junk).write_bytes(b"not a snapshot")
        statuses = sorted(o.status for o in hub.ingest().outcomes)
        assert statuses == ["applied", "quarantined"]
        before = _everything(hub.settings.db_url)
        keys_before = {p.name: p.read_bytes() for p in hub.settings.keys_dir.iterdir()}
        quarantined = sorted(p.name for p in hub.settings.quarantine_dir.rglob("*") if p.is_file())
        assert quarantined
        hub.engine.dispose()

    out = _invoke(env, "backup", "--to", str(tmp_path / "backups"))
    archive = Path(re.search(r"wrote (\S+)", out).group(1))  # type: ignore[union-attr]
    assert b"Laptop" not in archive.read_bytes() and archive.stat().st_mode & 0o077 == 0

    shutil.rmtree(home)  # the disk is gone
    env["SYNCHUB_DATABASE_URL"] = restore_url  # and, on PostgreSQL, the database too: a new one
    out = _invoke(env, "restore", str(archive), "--identity", str(identity))
    assert "restored the hub" in out

    db_url = restore_url or f"sqlite:///{(home / 'hub.db').resolve()}"
    assert _everything(db_url) == before
    assert {p.name: p.read_bytes() for p in (home / "keys").iterdir()} == keys_before
    assert sorted(p.name for p in (home / "quarantine").rglob("*") if p.is_file()) == quarantined

    # Restoring again over the restored hub is refused, and changes nothing.
    again = CliRunner().invoke(cli, ["restore", str(archive), "--identity", str(identity)], env=env)
    assert again.exit_code != 0 and "not empty" in str(again.exception or again.output)

    con = sqlite3.connect(tmp_path / "shop.db")
    con.execute("UPDATE products SET price = 7199000.00 WHERE id = 1")
    con.commit()
    con.close()
    with spine_hub(home, database_url=restore_url) as hub:
        cfg = agent.config_path.read_text()
        agent.config_path.write_text(re.sub(r"(?m)^port = \d+", f"port = {hub.server.port}", cfg))
        assert agent.push()["kind"] == "incremental"
        outcomes = hub.ingest().outcomes
        assert [(o.sequence, o.status) for o in outcomes] == [(2, "applied")]
        _cols, rows = hub.rows(RID, "products")
        assert rows == ['1\tLaptop Asus 14"\t7199000', "2\tMouse ñ 🖱\t99000.5", "3\t\\N\t0"]
        hub.engine.dispose()
