"""``syncagent check`` beyond the file: can we read the source, how is each dataset's change
detection chosen (and is its cursor trustworthy), and is the hub who it should be?"""

from __future__ import annotations

import json

from agent.config import AgentConfig, DatasetSection
from agent.deliver import HubConnection
from agent.export import plan_all
from agent.modes import choose
from agent.source import mask_url, open_source
from agent.state import AgentState
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
            with AgentState(cfg.agent.state_dir) as state:
                notes += [line for p in plans for line in mode_notes(p.section, state)]
            notes += [
                unindexed_cursor_note(p.section)
                for p in plans
                if choose(p.section).mode == "cursor" and _cursor_unindexed(conn, p.section)
            ]
    except ConfigError as exc:
        return [(p if p.startswith("[") else f"[source].{p}", m) for p, m in exc.problems], notes
    except SyncHubError as exc:
        return [("[source].url", str(exc))], notes
    return [], notes


def mode_notes(d: DatasetSection, state: AgentState) -> list[str]:
    """How the dataset's changes are found and why; a warning for a cursor that looks like a creation
    date (by its name, or because no existing row's cursor moved over the pushes seen so far)."""
    choice = choose(d)
    out = [f"dataset {d.name}: {choice.mode} — {choice.why}"]
    if choice.mode == "cursor" and choice.creation_like:
        out.append(
            f"warning: dataset {d.name}: cursor {d.cursor!r} looks like a creation date: an edit to "
            'an old row does not move it and would never be sent; use mode = "rowhash" unless '
            "the table is append-only"
        )
    if choice.mode == "cursor":
        try:
            probe = json.loads(state.get_meta(f"probe:{d.name}") or "{}")
        except ValueError:
            probe = {}
        pushes, moved = int(probe.get("pushes", 0)), int(probe.get("moved", 0))
        if pushes >= 2 and moved == 0:
            out.append(
                f"warning: dataset {d.name}: over the last {pushes} pushes the cursor {d.cursor!r} "
                "never moved for a row that already existed: it behaves like a creation date. "
                'If rows are ever edited, their edits are missed: use mode = "rowhash" '
                "(keep cursor only for an append-only table)"
            )
    return out


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
