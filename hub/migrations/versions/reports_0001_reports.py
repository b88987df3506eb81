"""reports: reports frozen at a month's close, subscriptions to the monthly pack, deliveries.

Revision ID: reports_0001
Revises:
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "reports_0001"
down_revision = None
branch_labels = ("reports",)
depends_on = ("users_0001",)


def upgrade() -> None:
    op.create_table(
        "reports_frozen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reseller_id", sa.String(length=31), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_frozen")),
        sa.UniqueConstraint(
            "month", "version", "kind", "reseller_id", name="uq_reports_frozen_report"
        ),
    )
    op.create_table(
        "reports_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reports_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_subscriptions")),
    )
    op.create_index(op.f("ix_reports_subscriptions_user_id"), "reports_subscriptions", ["user_id"])
    op.create_table(
        "reports_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["reports_subscriptions.id"],
            name=op.f("fk_reports_deliveries_subscription_id_reports_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_deliveries")),
        sa.UniqueConstraint("subscription_id", "period", name="uq_reports_deliveries_once"),
    )
    op.create_index("ix_reports_deliveries_period", "reports_deliveries", ["period"])


def downgrade() -> None:
    op.drop_table("reports_deliveries")
    op.drop_table("reports_subscriptions")
    op.drop_table("reports_frozen")
