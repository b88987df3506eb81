"""offers: sales/stock facts per reseller and master product, offer runs and offers.

Revision ID: offers_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "offers_0001"
down_revision = None
branch_labels = ("offers",)
depends_on = "catalog_0001"


def upgrade() -> None:
    op.create_table(
        "offer_sales_daily",
        sa.Column("reseller_id", sa.String(63), primary_key=True),
        sa.Column("product_id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
    )
    op.create_index("ix_offer_sales_daily_day", "offer_sales_daily", ["day"])
    op.create_table(
        "offer_stock",
        sa.Column("reseller_id", sa.String(63), primary_key=True),
        sa.Column("product_id", sa.Integer(), primary_key=True),
        sa.Column("on_hand", sa.Integer(), nullable=False),
    )
    op.create_table(
        "offer_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("offer_runs.id"), nullable=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("catalog_products.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(14, 2), nullable=False),
        sa.Column("price_rule", sa.Text(), nullable=False),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_offers_reseller_status", "offers", ["reseller_id", "status"])


def downgrade() -> None:
    for t in ("offers", "offer_runs", "offer_stock", "offer_sales_daily"):
        op.drop_table(t)
