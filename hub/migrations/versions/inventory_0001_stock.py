"""inventory: stock per product and stock receipts.

Revision ID: inventory_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "inventory_0001"
down_revision = None
branch_labels = ("inventory",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inventory_stock",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_inventory_stock_on_hand_nonneg")),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand", name=op.f("ck_inventory_stock_reserved_within")
        ),
        sa.CheckConstraint("shipped >= 0", name=op.f("ck_inventory_stock_shipped_nonneg")),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_inventory_stock")),
    )
    op.create_table(
        "inventory_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("received_by", sa.String(100), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_receipts")),
    )
    op.create_index("ix_inventory_receipts_product_id", "inventory_receipts", ["product_id"])


def downgrade() -> None:
    op.drop_table("inventory_receipts")
    op.drop_table("inventory_stock")
