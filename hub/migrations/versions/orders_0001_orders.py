"""orders: orders, lines, idempotency keys, invoice counters.

Revision ID: orders_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "orders_0001"
down_revision = None
branch_labels = ("orders",)
depends_on = ("resellers_0001",)

M = sa.Numeric(16, 2)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal", M, nullable=False),
        sa.Column("shipping_fee", M, nullable=False),
        sa.Column("shipping_courier", sa.String(40), nullable=False),
        sa.Column("shipping_service", sa.String(40), nullable=False),
        sa.Column("shipping_note", sa.String(200), nullable=False),
        sa.Column("unique_code", sa.Integer(), nullable=False),
        sa.Column("paid_amount", M, nullable=False),
        sa.Column("pending_proofs", sa.Integer(), nullable=False),
        sa.Column("payment_reference", sa.String(32), nullable=True),
        sa.Column("invoice_number", sa.String(24), nullable=True),
        sa.Column("waybill", sa.String(60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("placed_at", UTCDateTime(), nullable=True),
        sa.Column("payment_due_at", UTCDateTime(), nullable=True),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reseller_id"], ["resellers.id"], name=op.f("fk_orders_reseller_id_resellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("payment_reference", name=op.f("uq_orders_payment_reference")),
        sa.UniqueConstraint("invoice_number", name=op.f("uq_orders_invoice_number")),
    )
    op.create_index("ix_orders_reseller_state", "orders", ["reseller_id", "state"])
    op.create_index("ix_orders_state_due", "orders", ["state", "payment_due_at"])
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", M, nullable=False),
        sa.Column("price_rule", sa.String(120), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            ondelete="CASCADE",
            name=op.f("fk_order_lines_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("scope", "owner", "key", name="uq_idempotency_keys_scope_owner_key"),
    )
    op.create_table(
        "invoice_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_invoice_counters")),
    )


def downgrade() -> None:
    for table in ("invoice_counters", "idempotency_keys", "order_lines", "orders"):
        op.drop_table(table)
