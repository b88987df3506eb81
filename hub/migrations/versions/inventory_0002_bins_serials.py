"""inventory: stock per warehouse (bins with low-stock levels), receipts into a warehouse, serials.

Existing stock lands in the first active warehouse's bin when there is one (orders ship from
it); without any warehouse it stays unassigned (on hand - sum of bins).

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
depends_on = ("shipping_0001", "catalog_0001")


def upgrade() -> None:
    with op.batch_alter_table("inventory_receipts") as batch:
        batch.add_column(sa.Column("warehouse_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_inventory_receipts_warehouse_id_shipping_warehouses",
            "shipping_warehouses",
            ["warehouse_id"],
            ["id"],
        )
    op.create_table(
        "inventory_bins",
        sa.Column("warehouse_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.Column("reorder_up_to", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_inventory_bins_on_hand_nonneg")),
        sa.CheckConstraint(
            "reorder_point >= 0 AND reorder_up_to >= 0",
            name=op.f("ck_inventory_bins_levels_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["shipping_warehouses.id"],
            name=op.f("fk_inventory_bins_warehouse_id_shipping_warehouses"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_inventory_bins_product_id_catalog_products"),
        ),
        sa.PrimaryKeyConstraint("warehouse_id", "product_id", name=op.f("pk_inventory_bins")),
    )
    op.create_index("ix_inventory_bins_product_id", "inventory_bins", ["product_id"])
    op.create_table(
        "inventory_serials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(80), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=True),
        sa.Column("received_ref", sa.String(40), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("reseller_id", sa.String(31), nullable=True),
        sa.Column("shipped_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_inventory_serials_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["shipping_warehouses.id"],
            name=op.f("fk_inventory_serials_warehouse_id_shipping_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_serials")),
        sa.UniqueConstraint("product_id", "serial", name="uq_inventory_serials_product_serial"),
    )
    op.create_index("ix_inventory_serials_serial", "inventory_serials", ["serial"])
    op.create_index("ix_inventory_serials_reseller_id", "inventory_serials", ["reseller_id"])
    op.create_table(
        "inventory_serial_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("serial_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(60), nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["serial_id"],
            ["inventory_serials.id"],
            name=op.f("fk_inventory_serial_events_serial_id_inventory_serials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_serial_events")),
    )
    op.create_index(
        "ix_inventory_serial_events_serial_id", "inventory_serial_events", ["serial_id"]
    )
    # Stock already on hand sits in the first active warehouse (where orders ship from), if any.
    op.execute(
        """
        INSERT INTO inventory_bins (warehouse_id, product_id, on_hand, reorder_point, reorder_up_to)
        SELECT w.id, s.product_id, s.on_hand, 0, 0
          FROM inventory_stock s
          JOIN catalog_products p ON p.id = s.product_id
          JOIN (SELECT min(id) AS id FROM shipping_warehouses WHERE active) w ON w.id IS NOT NULL
         WHERE s.on_hand > 0
        """
    )


def downgrade() -> None:
    op.drop_table("inventory_serial_events")
    op.drop_table("inventory_serials")
    op.drop_table("inventory_bins")
    with op.batch_alter_table("inventory_receipts") as batch:
        batch.drop_constraint(
            "fk_inventory_receipts_warehouse_id_shipping_warehouses", type_="foreignkey"
        )
        batch.drop_column("warehouse_id")
