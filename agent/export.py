"""One export run: every dataset into a snapshot, sealed into the outbox.

The snapshot's sequence and the cursors it advanced are committed to the
state database only after the sealed file is in the outbox (fsynced and
renamed), so a crash at any point either loses the whole run (it is redone
next time from the old cursors) or keeps it whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from agent import __version__, ledger
from agent.config import WEEKDAYS, AgentConfig
from agent.datasets import Plan, RowProgress, config_digest, plan_dataset
from agent.detect import Context, read
from agent.modes import choose
from agent.outbox import Outbox, snapshot_name
from agent.source import open_source
from agent.state import AgentState
from agent.transform import load_salt, minus_overlap
from connectors.base import Connector
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
    notes: list[str] = field(default_factory=list)  # what the run found worth telling the operator


@dataclass
class Preview:
    name: str
    mode: str  # "full" or "incremental since …"
    columns: list[tuple[str, str, str]]  # name, portable type, native type
    rows: int


def choose_kind(
    cfg: AgentConfig, state: AgentState, force_full: bool, today: Optional[dt.date] = None
) -> Kind:
    """Full when asked (here or by the hub), after a re-base, when a dataset is new or changed,
    or when the schedule says so."""
    if force_full or state.get_meta("rebase") or any(r["what"] == "full" for r in requests(state)):
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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed (the hub names the file it acknowledges by this)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def requests(state: AgentState) -> list[dict[str, object]]:
    """The hub's open requests this agent took (agent/hubmail.py stores them), oldest first."""
    out = []
    for key, raw in state.meta_items("request:"):
        try:
            req = json.loads(raw)
        except ValueError:
            continue
        out.append({"id": key[len("request:") :], **req})
    return sorted(out, key=lambda r: str(r["id"]))


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
    asked = requests(state)
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
                answers=[str(r["id"]) for r in asked],
            )
            ctx = Context(
                conn,
                state,
                cfg.agent.state_dir,
                kind,
                sequence,
                salt,
                on_rows,
                keys_asked={str(d) for r in asked for d in r.get("datasets") or []},  # type: ignore[attr-defined]
            )
            advances, rows = {}, 0
            for plan in plans:
                n, advances[plan.section.name] = read(ctx, plan, snap)
                rows += n
        manifest = snap.finish()
        tmp = outbox.temp_path(name)
        seal_snapshot(snap, tmp, signing_key=signing_key, hub_public_key=hub_key)
        sha = file_sha256(tmp)
        path = outbox.commit(tmp, name)
        state.commit_snapshot(
            sequence,
            name,
            kind,
            rows,
            path.stat().st_size,
            advances,
            sha256=sha,
            answered=tuple(manifest.answers),
        )
        ledger.prune(state, cfg.agent.state_dir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return ExportResult(path, sequence, kind, manifest, ctx.notes)


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
            chosen = choose(plan.section).mode
            if kind == "incremental" and chosen == "rowhash":
                mode = "row hash: reads every row, sends the changed ones"
            elif (
                kind == "incremental"
                and chosen == "cursor"
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
