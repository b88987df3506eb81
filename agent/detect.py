"""One dataset into the snapshot by its change-detection mode (agent/modes.py chooses it).

* ``full`` — every row, every time; the hub closes any key not among them.
* ``rowhash`` — the whole table is read and compared with the row ledger
  (agent/changes.py): only inserted and changed rows are written, deleted keys
  go in the deleted part. Without a usable ledger (first run, config changed,
  folder deleted) the dataset goes whole (mode ``full``) and the ledger is
  built.
* ``cursor`` — the rows whose cursor moved (agent/datasets.py), then a read of
  the key and cursor columns compared with the key ledger: deleted keys, and
  keys the cursor read missed (a row inserted with an older cursor value, a
  cursor moved backwards) whose rows are then fetched. Without a usable
  ledger the whole key list goes along (the hub closes what it lacks).

Every mode adds the key-set digest of every key read. When the digest the
ledger predicts differs from the one read (the ledger was wrong), or the hub
asked for this dataset's keys, the whole key list goes along as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from itertools import compress
from pathlib import Path
from typing import Any, Callable, Optional

from agent import ledger
from agent.changes import Diff, Outcome, digest_after
from agent.datasets import Plan, ReadResult, RowProgress, chunks, read_full, read_incremental
from agent.modes import choose
from agent.state import AgentState, DatasetAdvance
from agent.transform import field_value, key_projector, minus_overlap, whole_lines
from connectors.base import Connector, ReadRequest
from shared import keyset
from shared.snapshot import DatasetWriter, SnapshotWriter
from shared.types import encode_value

BATCH = 1 << 20


@dataclass
class Context:
    """What every dataset's read shares within one export."""

    conn: Connector
    state: AgentState
    state_dir: Path
    kind: str  # full | incremental
    sequence: int
    salt: bytes
    on_rows: Optional[RowProgress] = None
    keys_asked: set[str] = field(default_factory=set)  # datasets the hub asked the key list of
    notes: list[str] = field(default_factory=list)  # for the run's summary


def read(ctx: Context, plan: Plan, snap: SnapshotWriter) -> tuple[int, DatasetAdvance]:
    """The dataset into ``snap`` by its mode; the advance to commit with the snapshot."""
    mode = choose(plan.section).mode
    if mode == "rowhash":
        return _rowhash(ctx, plan, snap)
    if mode == "cursor":
        return _cursor(ctx, plan, snap)
    d = plan.section
    writer = snap.dataset(d.name, plan.columns, d.key, cursor_column=d.cursor, mode="full")
    with _warnings(ctx, writer):
        result = read_full(ctx.conn, plan, writer, ctx.salt, ctx.on_rows)
    writer.close()
    return result.rows, result.advance


class _warnings:
    """Adds the connector's value warnings of one dataset's reads to its manifest entry."""

    def __init__(self, ctx: Context, writer: DatasetWriter) -> None:
        self.conn, self.writer = ctx.conn, writer

    def __enter__(self) -> None:
        self.before = dict(self.conn.warnings.counts)

    def __exit__(self, *exc: object) -> None:
        now, before = self.conn.warnings.counts, self.before
        self.writer.warn({k: v - before.get(k, 0) for k, v in now.items() if v != before.get(k, 0)})


def _ledger(ctx: Context, plan: Plan, what: str) -> tuple[str, Optional[ledger.Ledger]]:
    """The fingerprint of this read's ledger, and the previous ledger to compare with (incrementals).

    A ledger recorded but not trusted (an agent upgrade, a new salt, lost files)
    makes this push bigger: the operator is told why, once, in the run's notes.
    """
    fp = ledger.fingerprint(plan.digest, ctx.salt, what)
    if ctx.kind != "incremental":
        return fp, None
    name = plan.section.name
    old, why = ledger.inspect(ctx.state, ctx.state_dir, name, fp)
    if why:
        sent = "its rows" if what == "rows" else "its key list"
        ctx.notes.append(
            f"{name}: the key ledger of the last push is not used ({why}); this push sends {sent} "
            "whole, once, and the next ones compare again"
        )
    return fp, old


def _key_sink(writer: DatasetWriter, old: Optional[ledger.Ledger]) -> Callable[[bytes], None]:
    """Where the key lines read go: the snapshot's key-set digest when there is no ledger to derive
    it from (then an empty table still gets a key set: empty), else nowhere."""
    if old is not None:
        return lambda _lines: None
    writer.add_keys(b"")
    return writer.add_keys


def _deleted(writer: DatasetWriter, keys: set[bytes]) -> None:
    batch: list[bytes] = []
    for k in sorted(keys):
        batch.append(k)
        if len(batch) >= 10_000:
            writer.add_deleted(b"\n".join(batch) + b"\n")
            batch = []
    if batch:
        writer.add_deleted(b"\n".join(batch) + b"\n")


def _settle_keys(
    ctx: Context,
    writer: DatasetWriter,
    book: ledger.LedgerWriter,
    old: Optional[ledger.Ledger],
    out: Outcome,
) -> str:
    """Finish the ledger with the key set's digest; send the whole key list when the ledger did not
    add up, when there was none to compare with (cursor mode), or when the hub asked.

    With a ledger the digest is derived (before + inserted − deleted: exact, since every line
    read was matched to the ledger or sent) instead of hashing every key again; a ledger whose
    count does not add up to the lines read was damaged: its digest is computed from the keys.
    """
    name = writer.name
    reason = ""
    if old is not None:
        count = old.count + len(out.inserted) - len(out.deleted)
        digest = digest_after(old.digest, out.inserted, out.deleted)
        record = book.finish(digest)
        if count != book.count:
            reason = "the key ledger did not add up to the keys read"
            ctx.notes.append(f"{name}: {reason}; the whole key list is sent, the hub reconciles")
            writer.warn({"(key ledger): did not add up, whole key list sent": 1})
            count, digest = book.count, _digest_of(book.keys_path)
            record = book.record(digest)
        elif keyset.algorithm_of(digest) != keyset.DEFAULT:
            # a ledger of an agent before XXH3-128 key digests: its keys file gives the new one, once
            digest = _digest_of(book.keys_path)
            record = book.record(digest)
        writer.set_key_digest(count, digest)
    else:
        _count, digest = writer.keyset_digest()
        record = book.finish(digest)
    if old is None and ctx.kind == "incremental" and writer.mode == "cursor":
        reason = "no key ledger to compare with"
    if old is not None and name in ctx.keys_asked:
        reason = reason or "the hub asked for the key list"
    if reason and ctx.kind == "incremental":
        writer.attach_keys_part(ledger.iter_key_chunks(book.keys_path))
    return record


def _digest_of(keys_path: Path) -> str:
    d = keyset.KeySetDigest()
    for chunk in ledger.iter_key_chunks(keys_path):
        d.add_lines(chunk)
    return d.hexdigest()


def _rowhash(ctx: Context, plan: Plan, snap: SnapshotWriter) -> tuple[int, DatasetAdvance]:
    d = plan.section
    fp, old = _ledger(ctx, plan, "rows")
    mode = "rowhash" if old is not None else "full"
    writer = snap.dataset(d.name, plan.columns, d.key, mode=mode)  # type: ignore[arg-type]
    book = ledger.LedgerWriter(ctx.state_dir, d.name, ctx.sequence, fp)
    rows = 0
    try:
        with _warnings(ctx, writer):
            sink = _key_sink(writer, old)
            names = list(plan.request.columns or [])
            diff = Diff(old, names, d.key, book, sink, d.name, key_unique=plan.key_unique)
            for data in whole_lines(chunks(ctx.conn, plan.request, plan, ctx.salt)):
                changed = diff.feed(data)
                if changed:
                    rows += writer.write(b"\n".join(changed) + b"\n")
                    if ctx.on_rows:
                        ctx.on_rows(d.name, rows)
            out = diff.finish()
        if mode == "rowhash":
            _deleted(writer, out.deleted)
        record = _settle_keys(ctx, writer, book, old, out)
    except BaseException:
        book.discard()
        raise
    writer.close()
    return rows, DatasetAdvance(None, None, plan.digest, {}, ledger=record)


def _cursor(ctx: Context, plan: Plan, snap: SnapshotWriter) -> tuple[int, DatasetAdvance]:
    d = plan.section
    assert d.cursor is not None and plan.cursor_type is not None
    cur = ctx.state.cursor(d.name)
    incremental = ctx.kind == "incremental" and cur is not None and cur.cursor_max is not None
    fp, old = _ledger(ctx, plan, "keys")
    since = None
    if incremental:
        assert cur is not None and cur.cursor_max is not None
        since = minus_overlap(cur.cursor_max, plan.cursor_type, d.overlap)
    mode = "cursor" if incremental else "full"
    writer = snap.dataset(
        d.name,
        plan.columns,
        d.key,
        cursor_column=d.cursor,
        since=since,
        mode=mode,  # type: ignore[arg-type]
    )
    book = ledger.LedgerWriter(ctx.state_dir, d.name, ctx.sequence, fp)
    try:
        with _warnings(ctx, writer):
            if incremental:
                assert cur is not None and cur.cursor_max is not None
                result = read_incremental(
                    ctx.conn,
                    plan,
                    writer,
                    ctx.salt,
                    cur.cursor_max,
                    ctx.state.window(d.name),
                    ctx.on_rows,
                )
                out, changed = _key_read(ctx, plan, writer, book, old)
            else:
                result, out, changed = _full_with_keys(ctx, plan, writer, book, old)
            rows = result.rows
            probe = None
            if incremental and old is not None:
                _deleted(writer, out.deleted)
                missed = out.changed_keys - set(result.key_lines or ())
                rows += _fetch_missed(ctx, plan, writer, changed, missed)
                probe = _probe(ctx, d.name, len(out.updated))
        record = _settle_keys(ctx, writer, book, old, out)
    except BaseException:
        book.discard()
        raise
    writer.close()
    return rows, replace(result.advance, ledger=record, probe=probe)


def _full_with_keys(
    ctx: Context,
    plan: Plan,
    writer: DatasetWriter,
    book: ledger.LedgerWriter,
    old: Optional[ledger.Ledger],
) -> tuple[ReadResult, Outcome, list[bytes]]:
    """Every row, and the key ledger of their key and cursor values.

    With no ledger to compare with, those lines are cut out of the rows as they
    are written (agent/transform.py: no Python per row) instead of read from the
    source a second time: the ledger and the key-set digest then describe the
    very rows sent. The two reads were two transactions, so a row inserted with
    an older cursor value, or deleted, between them was in one and not the
    other (the first never sent, the second a key-list round with the hub).
    Time is the same on two cores (the second scan ran beside the first's
    processing); the source is read once.
    """
    d = plan.section
    assert d.cursor is not None
    cut = key_projector(list(plan.request.columns or []), _key_names(plan))
    if old is not None or cut is None:  # compare with a ledger, or the cursor is not exported
        result = read_full(ctx.conn, plan, writer, ctx.salt, ctx.on_rows, with_keys=False)
        out, changed = _key_read(ctx, plan, writer, book, old)
        return result, out, changed
    diff = _key_diff(plan, writer, book, old)
    result = read_full(
        ctx.conn,
        plan,
        writer,
        ctx.salt,
        ctx.on_rows,
        with_keys=False,
        each_chunk=lambda chunk: diff.feed(cut(chunk)),
    )
    return result, diff.finish(), []


def _key_names(plan: Plan) -> list[str]:
    """The columns of the key ledger's lines: the key, then the cursor."""
    d = plan.section
    assert d.cursor is not None
    return [*d.key, d.cursor]


def _key_diff(
    plan: Plan, writer: DatasetWriter, book: ledger.LedgerWriter, old: Optional[ledger.Ledger]
) -> Diff:
    d = plan.section
    sink = _key_sink(writer, old)
    return Diff(old, _key_names(plan), d.key, book, sink, d.name, key_unique=plan.key_unique)


def _key_read(
    ctx: Context,
    plan: Plan,
    writer: DatasetWriter,
    book: ledger.LedgerWriter,
    old: Optional[ledger.Ledger],
) -> tuple[Outcome, list[bytes]]:
    """Every key with its cursor value, compared with the key ledger; the changed (key, cursor) lines."""
    d = plan.section
    req = ReadRequest(
        table=d.table, query=d.query, columns=_key_names(plan), batch_rows=plan.request.batch_rows
    )
    diff = _key_diff(plan, writer, book, old)
    changed: list[bytes] = []
    for data in whole_lines(chunks(ctx.conn, req, plan, ctx.salt)):
        lines = diff.feed(data)
        if old is not None:  # without a ledger every line is "changed": nothing to keep
            changed.extend(lines)
    return diff.finish(), changed


def _fetch_missed(
    ctx: Context, plan: Plan, writer: DatasetWriter, changed: list[bytes], missed: set[bytes]
) -> int:
    """Rows whose key is new or whose cursor moved, yet the cursor read did not carry them.

    A row inserted with an older cursor value (a back-dated invoice), a cursor
    moved backwards, or a row written between the two reads: read again from
    the lowest of their cursor values (the whole table if one is NULL) and sent.
    """
    if not missed:
        return 0
    d = plan.section
    assert d.cursor is not None and plan.cursor_type is not None
    width = len(d.key)
    cursors = [
        line.split(b"\t")[width]
        for line in changed
        if b"\t".join(line.split(b"\t")[:width]) in missed
    ]
    values = [field_value(plan.cursor_type, c) for c in cursors]
    request = plan.request
    if values and None not in values:
        low = encode_value(plan.cursor_type, min(values))
        request = replace(request, cursor_column=d.cursor, cursor_from=low)
    project = key_projector(list(request.columns or []), d.key)
    assert project is not None
    n = 0
    for data in whole_lines(chunks(ctx.conn, request, plan, ctx.salt)):
        keys = project(data).split(b"\n")
        lines = data.split(b"\n")
        lines.pop()
        found = list(compress(lines, map(missed.__contains__, keys)))
        if found:
            n += writer.write(b"\n".join(found) + b"\n")
    ctx.notes.append(
        f"{d.name}: {n} row(s) not found by the cursor {d.cursor} (inserted with an older value, "
        'or the cursor moved back) were read and sent; if this is common, use mode = "rowhash"'
    )
    writer.warn({f"{d.cursor}: rows the cursor did not find, sent by key": n})
    return n


def _probe(ctx: Context, dataset: str, moved: int) -> str:
    """Count the pushes and how many existing keys' cursors moved (``syncagent check`` reads it)."""
    raw = ctx.state.get_meta(f"probe:{dataset}")
    try:
        seen: dict[str, Any] = json.loads(raw) if raw else {}
    except ValueError:
        seen = {}
    return json.dumps(
        {"pushes": int(seen.get("pushes", 0)) + 1, "moved": int(seen.get("moved", 0)) + moved}
    )
