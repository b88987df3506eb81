"""The database part of a backup: a consistent copy out, and back into an empty database.

SQLite: the online backup API (a consistent copy while the hub keeps writing). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore`` (sequences, constraints and large tables the
way PostgreSQL itself restores them). Credentials go to the tools through libpq's
environment variables, never on a command line other users can read.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from shared.errors import ConfigError, DataError

SQLITE_NAME, PG_NAME = "hub.sqlite", "hub.pgdump"


def dialect_of(url: str) -> str:
    return make_url(url).get_backend_name()


def _libpq_env(url: str) -> dict[str, str]:
    u = make_url(url)
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", u.host or u.query.get("host")),
        ("PGPORT", u.port),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value:
            env[var] = str(value if not isinstance(value, tuple) else value[0])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            [(name, "is not installed")],
            hint=f"install the PostgreSQL client tools (Debian: apt-get install postgresql-client) for {name}",
        )
    return found


def dump(url: str, engine: Engine, into: Path) -> Path:
    """Write a consistent copy of the database into the folder ``into``; returns the file."""
    if dialect_of(url) == "sqlite":
        out = into / SQLITE_NAME
        db_path = make_url(url).database
        src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        dst = sqlite3.connect(out)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        return out
    if dialect_of(url) == "postgresql":
        out = into / PG_NAME
        argv = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        done = subprocess.run(
            [*argv, "--file", str(out)], env=_libpq_env(url), capture_output=True, text=True
        )
        if done.returncode != 0:
            raise DataError(
                "pg_dump failed: {reason}",
                reason=done.stderr.strip()[-500:],
                hint="check that the hub's database role may read every table; no archive was written",
            )
        return out
    raise ConfigError(
        [
            (
                "SYNCHUB_DATABASE_URL",
                f"backups support SQLite and PostgreSQL, not {url.split(':')[0]}",
            )
        ]
    )


def require_empty(url: str, engine: Engine) -> None:
    """Refuse to restore over data: the target database must have no tables."""
    tables = inspect(engine).get_table_names()
    if tables:
        raise DataError(
            "the target database is not empty ({count} tables, e.g. {table})",
            count=len(tables),
            table=tables[0],
            hint="restore into a new, empty database (createdb) or an empty SYNCHUB_HOME; "
            "nothing was changed",
        )


def load(url: str, dump_file: Path) -> None:
    """Put a dump back into the (empty) database named by ``url``."""
    kind = dialect_of(url)
    expected = SQLITE_NAME if kind == "sqlite" else PG_NAME
    if dump_file.name != expected:
        made = "SQLite" if dump_file.name == SQLITE_NAME else "PostgreSQL"
        raise DataError(
            "this backup holds a {made} database, the target is {kind}",
            made=made,
            kind=kind,
            hint="restore into the same kind of database the backup was made from "
            "(SQLite: leave SYNCHUB_DATABASE_URL unset; PostgreSQL: set it)",
        )
    if kind == "sqlite":
        target = Path(str(make_url(url).database))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump_file, target)
        os.chmod(target, 0o600)
        return
    env = _libpq_env(url)
    argv = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    done = subprocess.run(
        [*argv, "--single-transaction", "--dbname", env["PGDATABASE"], str(dump_file)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise DataError(
            "pg_restore failed: {reason}",
            reason=done.stderr.strip()[-500:],
            hint="the database was left as it was (one transaction); check the role may create tables",
        )
