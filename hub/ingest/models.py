"""Ingest tables: one row per received file (``snapshots``) and one per reseller (``reseller_sync``).

``snapshots`` is the ledger that makes ingest exactly-once: a file is registered
once (unique reseller + SHA-256, so a double upload is recognised), and its
status only moves forward inside the same transaction that merges its rows.
``reseller_sync`` is the per-reseller high-water mark; workers lock its row to
apply one reseller's sequence strictly in order.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime, utcnow


class Status(str, Enum):
    RECEIVED = "received"  # registered, waiting for a worker
    PROCESSING = "processing"  # only ever visible inside the claiming transaction
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # sequence already applied: no-op
    HELD = "held"  # a gap before it: waits until the missing sequences arrive
    QUARANTINED = "quarantined"  # something is wrong; `reason` says what, retry after a fix
    SUPERSEDED = "superseded"  # made obsolete by a later full snapshot (held, or arriving after it)
    # another file was already applied under this (reseller, sequence): nothing applied, the agent
    # re-bases (lost state folder, or two agents with one key) — never taken for a duplicate
    CONFLICT = "conflict"


PENDING = (Status.RECEIVED.value, Status.HELD.value)
TERMINAL = (
    Status.APPLIED.value,
    Status.DUPLICATE.value,
    Status.SUPERSEDED.value,
    Status.CONFLICT.value,
)


class Snapshot(Base):
    __tablename__ = "snapshots"
    __table_args__ = (
        UniqueConstraint("reseller_id", "file_sha256", name="uq_snapshots_reseller_sha"),
        Index("ix_snapshots_status_sequence", "status", "sequence"),
        Index("ix_snapshots_reseller_sequence", "reseller_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The inbox the file came from (the uploader), which may differ from the name's reseller.
    reseller_id: Mapped[str] = mapped_column(String(63))
    sequence: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=Status.RECEIVED.value)
    reason: Mapped[str | None] = mapped_column(Text, default=None)  # English: API, agent
    # the same as phrases (hub.core.phrases), shown in the reader's language; None before ingest_0003
    reason_phrases: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    error_class: Mapped[str | None] = mapped_column(String(100), default=None)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    rows: Mapped[int | None] = mapped_column(BigInteger, default=None)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    agent_version: Mapped[str | None] = mapped_column(String(64), default=None)
    source_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)

    def __repr__(self) -> str:
        return f"<Snapshot #{self.id} {self.reseller_id} seq={self.sequence} {self.kind} {self.status}>"


class ResellerSync(Base):
    __tablename__ = "reseller_sync"

    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    last_applied_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    last_full_sequence: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_snapshot_id: Mapped[int | None] = mapped_column(Integer, default=None)


class SyncRequest(Base):
    """Something the hub asked a reseller's agent for, in a signed ``request-r<id>.json`` message.

    ``what="full"``: a full snapshot (an operator asked, or the hub lacks rows);
    ``what="keys"``: every key of ``datasets`` (the hub's key set differed after
    ``since_sequence``). Answered by the snapshot that lists it in its manifest's
    ``answers`` — or, for any request, by an applied full snapshot.
    """

    __tablename__ = "sync_requests"
    __table_args__ = (Index("ix_sync_requests_reseller_open", "reseller_id", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(63))
    what: Mapped[str] = mapped_column(String(8))
    datasets: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")  # English, or as an operator typed it
    # the hub's own reasons as phrases (hub.core.phrases), shown in the reader's language
    reason_phrases: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    since_sequence: Mapped[int | None] = mapped_column(BigInteger, default=None)
    answered_snapshot_id: Mapped[int | None] = mapped_column(Integer, default=None)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def wire_id(self) -> str:
        """The id in the message and in the manifest's ``answers``."""
        return f"r{self.id}"
