"""Tables of the merged database: every version of every record, and each dataset's schema history.

``record_versions`` is the "dynamic DBMS": one row per (reseller, dataset, key)
*version*, with the interval ``[valid_from, valid_to)`` in source time, the
snapshot that brought it and when the hub received it. The current row of a
key is the one with ``valid_to IS NULL`` (at most one, enforced by a partial
unique index); closed versions have their own partial index, so readers query
the two halves separately (see :mod:`hub.merge.query`). Values are a JSON array of canonical texts (see
:mod:`shared.types`) laid out by the dataset's *layout* — every column name
ever seen, in order of first appearance — so old versions stay readable after
columns are added or dropped. On PostgreSQL the table keeps 10 % free space per
page (``merge_0006``): closing a version rewrites its tuple on the same page;
``row_key`` has collation "C" (``merge_0007``): keys are compared as bytes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime

ID = BigInteger().with_variant(
    Integer(), "sqlite"
)  # SQLite autoincrements INTEGER PRIMARY KEY only


class RecordVersion(Base):
    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(63))
    dataset: Mapped[str] = mapped_column(String(64))
    # the key columns as a COPY line (no newline), compared byte by byte (merge_0007; SQLite: always)
    row_key: Mapped[str] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"))
    row_values: Mapped[str] = mapped_column(Text)  # JSON array of canonical texts, by layout
    # hash of the source fields and the layout mapping (see hub.merge.rowsql): equal hash = unchanged row
    row_hash: Mapped[str | None] = mapped_column(String(32), nullable=True)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    snapshot_id: Mapped[int] = mapped_column(Integer)  # ingest's snapshot row id (no FK: decoupled)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index(
            "uq_record_versions_current",
            "reseller_id",
            "dataset",
            "row_key",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        # closed versions only (merge_0005): a new current version costs one index entry less, and
        # readers take current rows from the index above, earlier ones from this one
        Index(
            "ix_record_versions_closed",
            "reseller_id",
            "dataset",
            "row_key",
            "valid_from",
            sqlite_where=text("valid_to IS NOT NULL"),
            postgresql_where=text("valid_to IS NOT NULL"),
        ),
    )


class DatasetSchema(Base):
    """One version of a dataset's columns; a new version whenever the source's schema drifts."""

    __tablename__ = "dataset_schemas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reseller_id: Mapped[str] = mapped_column(String(63))
    dataset: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    columns: Mapped[str] = mapped_column(Text)  # JSON list of Column.to_dict()
    key: Mapped[str] = mapped_column(Text)  # JSON list of key column names
    layout: Mapped[str] = mapped_column(
        Text
    )  # JSON list: storage position of every column ever seen
    changes: Mapped[str] = mapped_column(Text, default="")  # drift log, one change per line
    snapshot_id: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # source time of that snapshot
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("uq_dataset_schemas_version", "reseller_id", "dataset", "version", unique=True),
    )


class MergedDataset(Base):
    """Per reseller and dataset: the newest schema version, the last merge and the current key set's digest."""

    __tablename__ = "merged_datasets"

    reseller_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    last_snapshot_id: Mapped[int] = mapped_column(Integer)
    last_source_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    current_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    # shared.keyset digest of the current keys, kept up to date by every merge (None: not yet computed)
    key_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the source time and snapshot of the merge whose key-set check first failed (merge_0008), until a
    # later merge proves the key sets equal: keys found missing at the source are closed at that time
    keys_mismatch_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    keys_mismatch_snapshot_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
