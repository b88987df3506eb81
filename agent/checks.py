"""``syncagent check`` beyond the file: can we read the source, and is the hub who it should be?"""

from __future__ import annotations

from agent.config import AgentConfig, DatasetSection
from agent.deliver import HubConnection
from agent.export import plan_all
from agent.source import mask_url, open_source
from connectors.base import Connector
from shared.errors import ConfigError, HostKeyMismatch, SyncHubError

Problems = list[tuple[str, str]]


def check_source(cfg: AgentConfig) -> tuple[Problems, list[str]]:
    """Problems with the source, and notes (tables found, fast path)."""
    notes: list[str] = []
    try:
        with open_source(cfg) as conn:
            plans = plan_all(conn, cfg)
            notes.append(
                f"source {mask_url(cfg.source.url)}: {conn.dialect.name}, {len(plans)} dataset(s) readable"
            )
            notes += [
                unindexed_cursor_note(p.section)
                for p in plans
                if _cursor_unindexed(conn, p.section)
            ]
    except ConfigError as exc:
        return [(p if p.startswith("[") else f"[source].{p}", m) for p, m in exc.problems], notes
    except SyncHubError as exc:
        return [("[source].url", str(exc))], notes
    return [], notes


def _cursor_unindexed(conn: Connector, d: DatasetSection) -> bool:
    if d.cursor is None or d.table is None:
        return (
            False  # a query's plan is the database's business; without a cursor, every run is full
        )
    try:
        leading = conn.leading_index_columns(d.table)
    except SyncHubError:  # the catalog is not readable with these rights: nothing to say
        return False
    return leading is not None and d.cursor not in leading


def unindexed_cursor_note(d: DatasetSection) -> str:
    assert d.table is not None and d.cursor is not None
    index = f"{d.table.rpartition('.')[2]}_{d.cursor}_idx"  # named: MySQL and SQLite require a name
    return (
        f"note: dataset {d.name}: no index of {d.table} begins with its cursor column {d.cursor}, so every "
        f"incremental reads the whole table to find the changed rows; an index at the source "
        f"(CREATE INDEX {index} ON {d.table} ({d.cursor})) lets it read only those"
    )


def check_hub(cfg: AgentConfig) -> tuple[Problems, list[str]]:
    where = f"{cfg.hub.host}:{cfg.hub.port}"
    try:
        with HubConnection(cfg.hub) as conn:
            inbox = conn.sftp.listdir("/inbox") if conn.sftp else []
            return [], [
                f"hub {where}: host key OK, logged in as {cfg.hub.username}, cipher {conn.cipher}, "
                f"{len(inbox)} file(s) in /inbox"
            ]
    except HostKeyMismatch as exc:
        return [("[hub].host_key", str(exc))], []
    except SyncHubError as exc:
        return [("[hub]", str(exc))], []
    except OSError as exc:
        return [("[hub]", f"cannot list /inbox on the hub: {exc}")], []
