"""payments: transfer confirmations with proof and review.

Revision ID: payments_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "payments_0001"
down_revision = None
branch_labels = ("payments",)
depends_on = ("orders_0001",)

M = sa.Numeric(16, 2)


def upgrade() -> None:
    op.create_table(
        "payment_confirmations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=False),
        sa.Column("invoice_number", sa.String(24), nullable=False),
        sa.Column("bank", sa.String(60), nullable=False),
        sa.Column("account_holder", sa.String(120), nullable=False),
        sa.Column("transfer_date", sa.Date(), nullable=False),
        sa.Column("amount", M, nullable=False),
        sa.Column("received_amount", M, nullable=True),
        sa.Column("proof_name", sa.String(80), nullable=False),
        sa.Column("proof_type", sa.String(40), nullable=False),
        sa.Column("proof_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("reviewed_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payment_confirmations_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_confirmations")),
    )
    op.create_index("ix_payment_confirmations_order_id", "payment_confirmations", ["order_id"])
    op.create_index(
        "ix_payment_confirmations_reseller_id", "payment_confirmations", ["reseller_id"]
    )
    op.create_index("ix_payment_confirmations_status", "payment_confirmations", ["status", "id"])


def downgrade() -> None:
    op.drop_table("payment_confirmations")
