"""Bookkeeping of the merged database: each dataset's schema history and its merge state.

The rows themselves live in two tables per dataset, current and history
(:mod:`hub.merge.tables`, created by the merge, not mapped here). Values are
canonical texts (see :mod:`shared.types`) in columns laid out by the dataset's
*layout* — every column name ever seen, in order of first appearance — so old
versions stay readable after columns are added or dropped.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.core.db import Base, UTCDateTime


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
