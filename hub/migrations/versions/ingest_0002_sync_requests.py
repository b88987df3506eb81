"""ingest: what the hub asked a reseller's agent for (a full snapshot, or every key of some datasets)

Revision ID: ingest_0002
Revises: ingest_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "ingest_0002"
down_revision = "ingest_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("what", sa.String(8), nullable=False),
        sa.Column("datasets", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("since_sequence", sa.BigInteger, nullable=True),
        sa.Column("answered_snapshot_id", sa.Integer, nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_sync_requests_reseller_open", "sync_requests", ["reseller_id", "answered_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_sync_requests_reseller_open", "sync_requests")
    op.drop_table("sync_requests")
