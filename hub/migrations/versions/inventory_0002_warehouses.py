"""inventory: stock per warehouse, receipts into a warehouse with a reason, adjustments.

``inventory_stock`` stays the hub-wide total (what orders reserve against); a warehouse's
share lives in ``inventory_locations`` (with its reorder point); receipts and adjustments
made since name their warehouse. Stock received before warehouses existed has none: the
stock page shows it as "no warehouse" until an adjustment moves it.

Revision ID: inventory_0002
Revises: inventory_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "inventory_0002"
down_revision = "inventory_0001"
branch_labels = None
depends_on = ("shipping_0001",)


def upgrade() -> None:
    op.create_table(
        "inventory_locations",
        sa.Column(
            "warehouse_id", sa.Integer(), sa.ForeignKey("shipping_warehouses.id"), nullable=False
        ),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reorder_point", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("warehouse_id", "product_id"),
        sa.CheckConstraint("on_hand >= 0", name="location_on_hand_nonneg"),
        sa.CheckConstraint("reorder_point >= 0", name="location_reorder_nonneg"),
    )
    op.create_index("ix_inventory_locations_product", "inventory_locations", ["product_id"])
    with op.batch_alter_table("inventory_receipts") as t:
        t.add_column(sa.Column("warehouse_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("reason", sa.String(24), nullable=False, server_default="purchase"))
        t.add_column(sa.Column("note", sa.String(300), nullable=False, server_default=""))
    op.create_table(
        "inventory_adjustments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "warehouse_id", sa.Integer(), sa.ForeignKey("shipping_warehouses.id"), nullable=False
        ),
        sa.Column("product_id", sa.Integer(), nullable=False, index=True),
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
        t.drop_column("warehouse_id")
    op.drop_index("ix_inventory_locations_product", "inventory_locations")
    op.drop_table("inventory_locations")
