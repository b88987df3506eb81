"""periods: each month's close state and the log of closes, reopens and owner's changes.

Revision ID: periods_0001
Revises:
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "periods_0001"
down_revision = None
branch_labels = ("periods",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "periods_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.Column("reopened_at", UTCDateTime(), nullable=True),
        sa.Column("reopened_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_periods_months")),
    )
    op.create_table(
        "periods_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods_events")),
    )
    op.create_index(op.f("ix_periods_events_month"), "periods_events", ["month"])


def downgrade() -> None:
    op.drop_table("periods_events")
    op.drop_table("periods_months")
