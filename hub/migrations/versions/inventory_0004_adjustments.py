"""inventory: receipts with a reason and a note; stock adjustments with their reason.

Where stock sits per warehouse is ``inventory_bins`` (inventory_0002); receipts name their
warehouse since then. Here the back office's simple (non-PO) receipts get a reason
(purchase, return, transfer, other) and a note, and counted corrections of a warehouse's
stock are kept append-only in ``inventory_adjustments``.

Revision ID: inventory_0004
Revises: inventory_0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "inventory_0004"
down_revision = "inventory_0003"
branch_labels = None
depends_on = ("shipping_0001", "catalog_0001")


def upgrade() -> None:
    with op.batch_alter_table("inventory_receipts") as t:
        t.add_column(sa.Column("reason", sa.String(24), nullable=False, server_default="purchase"))
        t.add_column(sa.Column("note", sa.String(300), nullable=False, server_default=""))
    op.create_table(
        "inventory_adjustments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "warehouse_id", sa.Integer(), sa.ForeignKey("shipping_warehouses.id"), nullable=False
        ),
        sa.Column(
            "product_id",
            sa.Integer(),
            sa.ForeignKey("catalog_products.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("note", sa.String(300), nullable=False, server_default=""),
        sa.Column("adjusted_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("adjusted_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("inventory_adjustments")
    with op.batch_alter_table("inventory_receipts") as t:
        t.drop_column("note")
        t.drop_column("reason")
