"""inventory: stock and receipts name products that exist (foreign keys); a receipt is positive.

``POST /api/inventory/receipts`` once booked stock for any product id (issue #18). Such rows
are not deleted: they move to ``inventory_orphans`` with the time they moved, and the upgrade
logs how many and where, so the warehouse can book them again on the right product.

Revision ID: inventory_0003
Revises: inventory_0002
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "inventory_0003"
down_revision = "inventory_0002"
branch_labels = None
depends_on = None  # catalog_0001 through inventory_0002

log = logging.getLogger("hub.migrations")
RECEIPTS = (
    "NOT EXISTS (SELECT 1 FROM catalog_products p WHERE p.id = inventory_receipts.product_id)"
    " OR inventory_receipts.quantity <= 0"
)
STOCK = "NOT EXISTS (SELECT 1 FROM catalog_products p WHERE p.id = inventory_stock.product_id)"


def _move_orphans() -> None:
    op.create_table(
        "inventory_orphans",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(20), nullable=False),  # stock | receipt
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),  # receipt quantity, or on hand
        sa.Column("reference", sa.String(120), nullable=False, server_default=""),
        sa.Column("received_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("moved_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    )
    op.execute(
        "INSERT INTO inventory_orphans (source, product_id, quantity, reference, received_by) "
        "SELECT 'receipt', product_id, quantity, reference, received_by "
        f"FROM inventory_receipts WHERE {RECEIPTS}"
    )
    op.execute(
        "INSERT INTO inventory_orphans (source, product_id, quantity) "
        f"SELECT 'stock', product_id, on_hand FROM inventory_stock WHERE {STOCK}"
    )
    moved = op.get_bind().scalar(sa.text("SELECT count(*) FROM inventory_orphans"))
    if moved:
        op.execute(f"DELETE FROM inventory_receipts WHERE {RECEIPTS}")
        op.execute(f"DELETE FROM inventory_stock WHERE {STOCK}")
        log.warning(
            "inventory: %d stock row(s) and receipt(s) named a product that does not exist (or a "
            "quantity below 1); they were moved to the table inventory_orphans: book them again "
            "on the right product",
            moved,
        )


def upgrade() -> None:
    _move_orphans()
    with op.batch_alter_table("inventory_stock") as batch:
        batch.create_foreign_key(
            op.f("fk_inventory_stock_product_id_catalog_products"),
            "catalog_products",
            ["product_id"],
            ["id"],
        )
    with op.batch_alter_table("inventory_receipts") as batch:
        batch.create_foreign_key(
            op.f("fk_inventory_receipts_product_id_catalog_products"),
            "catalog_products",
            ["product_id"],
            ["id"],
        )
        batch.create_check_constraint(
            op.f("ck_inventory_receipts_quantity_positive"), "quantity > 0"
        )


def downgrade() -> None:
    with op.batch_alter_table("inventory_receipts") as batch:
        batch.drop_constraint(op.f("ck_inventory_receipts_quantity_positive"), type_="check")
        batch.drop_constraint(
            op.f("fk_inventory_receipts_product_id_catalog_products"), type_="foreignkey"
        )
    with op.batch_alter_table("inventory_stock") as batch:
        batch.drop_constraint(
            op.f("fk_inventory_stock_product_id_catalog_products"), type_="foreignkey"
        )
    op.drop_table("inventory_orphans")
