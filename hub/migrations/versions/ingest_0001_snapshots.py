"""ingest: snapshots ledger and per-reseller sync state

Revision ID: ingest_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "ingest_0001"
down_revision = None
branch_labels = ("ingest",)
# No foreign key to resellers on purpose: a file from an unknown or removed reseller
# must still be recorded (and quarantined), never dropped.
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_bytes", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("error_class", sa.String(100), nullable=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=True),
        sa.Column("applied_at", UTCDateTime, nullable=True),
        sa.Column("rows", sa.BigInteger, nullable=True),
        sa.Column("stats", sa.JSON, nullable=True),
        sa.Column("agent_version", sa.String(64), nullable=True),
        sa.Column("source_created_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_snapshots"),
        sa.UniqueConstraint("reseller_id", "file_sha256", name="uq_snapshots_reseller_sha"),
    )
    op.create_index("ix_snapshots_status_sequence", "snapshots", ["status", "sequence"])
    op.create_index("ix_snapshots_reseller_sequence", "snapshots", ["reseller_id", "sequence"])
    op.create_table(
        "reseller_sync",
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("last_applied_sequence", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_full_sequence", sa.BigInteger, nullable=True),
        sa.Column("last_success_at", UTCDateTime, nullable=True),
        sa.Column("last_snapshot_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("reseller_id", name="pk_reseller_sync"),
    )


def downgrade() -> None:
    op.drop_table("reseller_sync")
    op.drop_index("ix_snapshots_reseller_sequence", table_name="snapshots")
    op.drop_index("ix_snapshots_status_sequence", table_name="snapshots")
    op.drop_table("snapshots")
