"""orders: the warehouse an order shipped from, why it was cancelled, when it was delivered.

Revision ID: orders_0003
Revises: orders_0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "orders_0003"
down_revision = "orders_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as t:
        t.add_column(sa.Column("shipped_from", sa.String(32), nullable=True))
        t.add_column(sa.Column("cancel_reason", sa.String(300), nullable=True))
        t.add_column(sa.Column("delivered_at", UTCDateTime(), nullable=True))
    op.create_index("ix_orders_state_id", "orders", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_orders_state_id", "orders")
    with op.batch_alter_table("orders") as t:
        t.drop_column("delivered_at")
        t.drop_column("cancel_reason")
        t.drop_column("shipped_from")
