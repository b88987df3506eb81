"""Opening the hub for an entry point (CLI command, server, worker) — and never creating one by accident.

A hub is a data directory (``SYNCHUB_HOME``) holding ``hub.json`` and the
hub's keys, paired with one database. ``synchub init`` makes it; every other
command opens it and refuses a directory without ``hub.json`` (a command run
without the production environment used to create a new, empty hub with new
keys in ``./synchub-data``) and a database other than the one ``hub.json``
names (``SYNCHUB_DATABASE_URL`` left out: a new SQLite file in the home).
Opening migrates the database to the newest schema under the migration lock
(:mod:`hub.core.migrate`), so every process started at once on a fresh or
older database comes up on the same schema.
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from shared.errors import ConfigError

if TYPE_CHECKING:  # the rest loads in the functions: `synchub data export` must start fast
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from hub.core.keys import HubKeys
    from hub.core.settings import HubSettings

T = TypeVar("T")
MARKER = "hub.json"


def database_name(url: str) -> str:
    """The database URL as recorded and shown: no password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class HubIdentity:
    hub_id: str
    database: str


def read_identity(settings: HubSettings) -> HubIdentity | None:
    return _read_identity(settings.home)


def _read_identity(home: Path) -> HubIdentity | None:
    path = home / MARKER
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return HubIdentity(str(doc["hub_id"]), str(doc["database"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            [(str(path), f"unreadable: {exc}")],
            hint="restore it from the backup of SYNCHUB_HOME",
        ) from None


def require_hub(settings: HubSettings) -> HubIdentity:
    """The hub living in ``settings.home`` on ``settings.db_url``; refuses anything else."""
    return _require(settings.home, settings.db_url)


def _require(home: Path, db_url: str) -> HubIdentity:
    home = home.resolve()
    ident = _read_identity(home)
    if ident is None:
        raise ConfigError(
            [("SYNCHUB_HOME", f"{home} holds no hub (no {MARKER})")],
            hint="load the hub's environment (production: `set -a; . /etc/synchub/env; set +a`), "
            "or create a new hub here with `synchub init`",
        )
    db = database_name(db_url)
    if db != ident.database:
        raise ConfigError(
            [("SYNCHUB_DATABASE_URL", f"is {db}, but the hub in {home} lives in {ident.database}")],
            hint="load the hub's environment (production: /etc/synchub/env); if the database "
            f"really moved, put its new URL (without password) in {home / MARKER}",
        )
    return ident


def init_hub(settings: HubSettings) -> tuple[HubIdentity, bool]:
    """Create the hub in ``settings.home`` (keys, ``hub.json``) for ``settings.db_url``.

    Returns ``(identity, created)``. Idempotent: on an existing hub it only checks
    the pairing. The database must be reachable; its schema is made by the first
    hub process that opens it (all of them may start at once: :mod:`hub.core.migrate`).
    """
    from hub.core.db import make_engine
    from hub.core.keys import HubKeys

    settings.home.mkdir(parents=True, exist_ok=True)  # SQLite's file lives there
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:
        raise ConfigError(
            [
                (
                    "SYNCHUB_DATABASE_URL",
                    f"cannot connect to {database_name(settings.db_url)}: {exc}",
                )
            ],
            hint="create the database and its user first (deploy/README.md, step 3)",
        ) from None
    finally:
        engine.dispose()
    ident = read_identity(settings)
    created = ident is None
    if ident is None:
        HubKeys.load_or_create(settings.keys_dir)
        ident = mark_hub(settings)
    require_hub(settings)
    return ident, created


def mark_hub(settings: HubSettings, hub_id: str | None = None) -> HubIdentity:
    """Write ``hub.json``: this home is a hub on ``settings.db_url`` (init, and restore)."""
    from hub.core.db import utcnow
    from shared import __version__
    from shared.atomic import write_atomic

    ident = HubIdentity(hub_id or uuid.uuid4().hex, database_name(settings.db_url))
    doc = {"hub_id": ident.hub_id, "database": ident.database, "created_at": utcnow()}
    doc |= {"created_by_version": __version__}
    text = json.dumps(doc, indent=2, default=str) + "\n"
    write_atomic(settings.home / MARKER, text.encode("utf-8"), mode=0o640)
    return ident


def open_hub(settings: HubSettings) -> tuple[Engine, sessionmaker[Session]]:
    """Check this is a hub, migrate its database (under the lock), return (engine, session factory)."""
    from hub.core.db import make_engine, session_factory
    from hub.core.migrate import upgrade

    require_hub(settings)
    engine = make_engine(settings.db_url, pool_size=settings.db_pool_size)
    upgrade(engine)
    return engine, session_factory(engine)


def hub_keys(settings: HubSettings) -> HubKeys:
    """The hub's keys; a hub's home always has them (``synchub init`` made them)."""
    from hub.core.keys import HubKeys

    require_hub(settings)
    return HubKeys.load(settings.keys_dir)


@contextmanager
def hub_transaction(settings: HubSettings | None = None) -> Iterator[Session]:
    """For one CLI command: the hub from the environment's settings, one unit of work.

    Commits when the block ends, rolls back if it raises (docs/transactions.md).
    """
    from hub.core.db import transaction
    from hub.core.settings import load_settings

    engine, factory = open_hub(settings or load_settings())
    try:
        with transaction(factory) as session:
            yield session
    finally:
        engine.dispose()


def with_hub_session(fn: Callable[[Session], T]) -> T:
    """For one CLI command: ``fn`` in one unit of work (committed if it returns)."""
    with hub_transaction() as session:
        return fn(session)


def with_hub_reader(fn: Callable[[Session], T]) -> T:
    """For a read-only CLI command: ``fn`` in a read-only session, started without loading the
    settings class, the hub's keys or Alembic (``hub.core.dburl``); the hub is checked as
    :func:`require_hub` does, and a database that needs migrating goes the ordinary way
    (:func:`with_hub_session`)."""
    from hub.core.db import make_engine, read_only_session_factory
    from hub.core.dburl import database_url, hub_home
    from hub.core.migrate import is_current

    url = database_url()
    _require(hub_home(), url)
    engine = make_engine(url)
    try:
        if not is_current(engine):
            engine.dispose()
            return with_hub_session(fn)
        with read_only_session_factory(engine)() as session:
            return fn(session)
    finally:
        engine.dispose()
