"""One export run: every dataset into a snapshot, sealed into the outbox.

The snapshot's sequence and the cursors it advanced are committed to the
state database only after the sealed file is in the outbox (fsynced and
renamed), so a crash at any point either loses the whole run (it is redone
next time from the old cursors) or keeps it whole.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from agent import __version__, ledger
from agent.config import WEEKDAYS, AgentConfig
from agent.datasets import (
    Plan,
    RowProgress,
    config_digest,
    key_lines_exported,
    plan_dataset,
    read_full,
    read_incremental,
    write_keys,
)
from agent.keydigest import SplitKeySetDigest
from agent.outbox import Outbox, snapshot_name
from agent.source import open_source
from agent.state import AgentState, DatasetAdvance
from agent.transform import load_salt, minus_overlap
from connectors.base import Connector, ReadRequest
from shared import keys
from shared.errors import ConfigError, SourceObjectMissing
from shared.manifest import Kind, Manifest
from shared.seal import seal_snapshot
from shared.snapshot import SnapshotWriter

# zstd level 1: about twice level 3's speed for a few % more bytes, and compression is a large share
# of an export's CPU. Worker threads (zstd threads >= 1) did not help on a 2-core box whose other core
# runs the database (bench/bench_export.py).
ZSTD_LEVEL = 1
ZSTD_THREADS = 0


@dataclass
class ExportResult:
    path: Path
    sequence: int
    kind: str
    manifest: Manifest


@dataclass
class Preview:
    name: str
    mode: str  # "full" or "incremental since …"
    columns: list[tuple[str, str, str]]  # name, portable type, native type
    rows: int


def choose_kind(
    cfg: AgentConfig, state: AgentState, force_full: bool, today: Optional[dt.date] = None
) -> Kind:
    """Full when asked, when a dataset is new or changed, or when the schedule says so."""
    if force_full:
        return "full"
    cursors = state.cursors()
    for d in cfg.datasets:
        c = cursors.get(d.name)
        if c is None or c.config_digest != config_digest(d):
            return "full"
    since_full = state.snapshots_since_full()
    if since_full is None:
        return "full"
    every = cfg.schedule.full_every
    if isinstance(every, int):
        return "full" if since_full + 1 >= every else "incremental"
    today = today or dt.date.today()
    return "full" if WEEKDAYS[today.weekday()] == every.lower()[:3] else "incremental"


def plan_all(conn: Connector, cfg: AgentConfig) -> list[Plan]:
    plans, missing = [], []
    for i, d in enumerate(cfg.datasets, start=1):
        try:
            plans.append(plan_dataset(conn, d))
        except SourceObjectMissing as exc:
            missing.append((f"[[datasets]][{i}].{'table' if d.table else 'query'}", str(exc)))
    if missing:
        raise ConfigError(
            missing,
            source=str(cfg.path),
            hint="fix the dataset definitions (see `syncagent check`)",
        )
    return plans


def _read(
    conn: Connector,
    plan: Plan,
    snap: SnapshotWriter,
    state: AgentState,
    kind: str,
    salt: bytes,
    on_rows: Optional[RowProgress],
    sequence: int,
    state_dir: Path,
) -> tuple[int, DatasetAdvance]:
    """One dataset into the snapshot; a cursor dataset also gets its key ledger (agent/ledger.py)."""
    d = plan.section
    cur = state.cursor(d.name)
    incremental = (
        kind == "incremental"
        and d.cursor is not None
        and cur is not None
        and cur.cursor_max is not None
    )
    with_ledger = d.cursor is not None and key_lines_exported(plan)
    fp = ledger.fingerprint(plan.digest, salt)
    old = ledger.load(state, state_dir, d.name, fp) if with_ledger and incremental else None
    # count FIRST: a row inserted between count and read makes the count too small -> full key read
    count_now = conn.count(ReadRequest(table=d.table, query=d.query)) if old is not None else None
    since = None
    if incremental:
        assert cur is not None and cur.cursor_max is not None and plan.cursor_type is not None
        since = minus_overlap(cur.cursor_max, plan.cursor_type, d.overlap)
    writer = snap.dataset(d.name, plan.columns, d.key, cursor_column=d.cursor, since=since)
    before = dict(conn.warnings.counts)
    book: Optional[ledger.LedgerWriter] = None
    try:
        if incremental:
            assert cur is not None and cur.cursor_max is not None
            result = read_incremental(
                conn, plan, writer, salt, cur.cursor_max, state.window(d.name), on_rows
            )
            changed = set(result.key_lines or ())
            present = (
                old.present(changed) if old is not None else None
            )  # None: no ledger, or damaged
            new = changed - present if present is not None else set()
            if (
                old is not None and present is not None and count_now == old.count + len(new)
            ):  # none deleted
                writer.set_key_count(count_now)
                book = ledger.LedgerWriter(state_dir, d.name, sequence, fp, base=old)
                book.add(b"".join(k + b"\n" for k in new))
                result.keys_done = True
            elif with_ledger:
                book = ledger.LedgerWriter(state_dir, d.name, sequence, fp)
        else:  # every row, with the key-set digest (and, inside an incremental, the keys part)
            book = ledger.LedgerWriter(state_dir, d.name, sequence, fp) if with_ledger else None
            result = read_full(conn, plan, writer, salt, on_rows, sink=book.add if book else None)
        if not result.keys_done:
            write_keys(conn, plan, writer, salt, sink=book.add if book else None)
        if book is not None:
            result.advance.ledger = book.finish()
    except BaseException:
        if book is not None:
            book.discard()
        raise
    writer.warn(
        {k: v - before.get(k, 0) for k, v in conn.warnings.counts.items() if v != before.get(k, 0)}
    )
    writer.close()
    return result.rows, result.advance


def export(
    cfg: AgentConfig,
    state: AgentState,
    *,
    full: bool = False,
    on_rows: Optional[RowProgress] = None,
) -> ExportResult:
    """Export every dataset into a sealed snapshot in the outbox; commit sequence and cursors."""
    outbox = Outbox(cfg.agent.state_dir)
    signing_key = keys.load_signing_key(cfg.signing.key)
    hub_key = keys.sealing_public_key_from_b64(
        cfg.hub.seal_public_key, source="[hub].seal_public_key"
    )
    salt = load_salt(cfg.agent.state_dir)
    sequence = state.next_sequence(outbox.highest_sequence())
    kind = choose_kind(cfg, state, full)
    name = snapshot_name(cfg.agent.reseller_id, sequence, kind)
    workdir = outbox.work / f"snapshot-{sequence:012d}"
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        with open_source(cfg) as conn:
            plans = plan_all(conn, cfg)
            snap = SnapshotWriter(
                workdir,
                cfg.agent.reseller_id,
                sequence,
                kind,
                __version__,
                conn.dialect.name,
                level=ZSTD_LEVEL,
                threads=ZSTD_THREADS,
                digest_factory=SplitKeySetDigest,
                format=1,
            )
            advances, rows = {}, 0
            for plan in plans:
                n, advances[plan.section.name] = _read(
                    conn, plan, snap, state, kind, salt, on_rows, sequence, cfg.agent.state_dir
                )
                rows += n
        manifest = snap.finish()
        tmp = outbox.temp_path(name)
        seal_snapshot(snap, tmp, signing_key=signing_key, hub_public_key=hub_key)
        path = outbox.commit(tmp, name)
        state.commit_snapshot(sequence, name, kind, rows, path.stat().st_size, advances)
        ledger.prune(state, cfg.agent.state_dir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return ExportResult(path, sequence, kind, manifest)


def preview(
    cfg: AgentConfig, state: AgentState, *, full: bool = False
) -> tuple[str, list[Preview]]:
    """What ``export`` would do (``--dry-run``): datasets, columns, types and row counts; writes nothing."""
    kind = choose_kind(cfg, state, full)
    out = []
    with open_source(cfg) as conn:
        for plan in plan_all(conn, cfg):
            cur = state.cursor(plan.section.name)
            request, mode = plan.request, "full"
            if (
                kind == "incremental"
                and plan.section.cursor
                and cur
                and cur.cursor_max
                and plan.cursor_type
            ):
                since = minus_overlap(cur.cursor_max, plan.cursor_type, plan.section.overlap)
                request = replace(request, cursor_column=plan.section.cursor, cursor_from=since)
                mode = f"incremental since {since} (before de-duplication)"
            cols = [(c.name, c.type.value, c.native) for c in plan.columns]
            out.append(Preview(plan.section.name, mode, cols, conn.count(request)))
    return kind, out
