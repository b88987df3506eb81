"""catalog: master products, reseller groups, price lists, promotions, SKU links and suggestions.

Revision ID: catalog_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "catalog_0001"
down_revision = None
branch_labels = ("catalog",)
depends_on = None

MONEY = sa.Numeric(14, 2)
QTY = sa.Numeric(12, 3)


def upgrade() -> None:
    op.create_table(
        "catalog_products",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("ean", sa.String(14), nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("specs", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("list_price", MONEY, nullable=False),
        sa.Column("weight_kg", QTY, nullable=True),
        sa.Column("length_cm", QTY, nullable=True),
        sa.Column("width_cm", QTY, nullable=True),
        sa.Column("height_cm", QTY, nullable=True),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("discontinued", sa.Boolean(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("sku", name=op.f("uq_catalog_products_sku")),
    )
    op.create_index("ix_catalog_products_ean", "catalog_products", ["ean"])
    op.create_table(
        "catalog_reseller_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("name", name=op.f("uq_catalog_reseller_groups_name")),
    )
    op.create_table(
        "catalog_reseller_group_members",
        sa.Column(
            "group_id",
            sa.Integer(),
            sa.ForeignKey("catalog_reseller_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("reseller_id", sa.String(63), primary_key=True),
    )
    op.create_table(
        "catalog_price_lists",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("reseller_id", sa.String(63), nullable=True),
        sa.Column(
            "group_id", sa.Integer(), sa.ForeignKey("catalog_reseller_groups.id"), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_catalog_price_lists_reseller_id", "catalog_price_lists", ["reseller_id"])
    op.create_table(
        "catalog_price_list_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "price_list_id",
            sa.Integer(),
            sa.ForeignKey("catalog_price_lists.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("catalog_products.id"), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.UniqueConstraint(
            "price_list_id", "product_id", "min_quantity", name="uq_catalog_price_list_items_break"
        ),
    )
    op.create_table(
        "catalog_promotions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("catalog_products.id"), nullable=False),
        sa.Column("reseller_id", sa.String(63), nullable=True),
        sa.Column(
            "group_id", sa.Integer(), sa.ForeignKey("catalog_reseller_groups.id"), nullable=True
        ),
        sa.Column("percent_off", sa.Numeric(5, 2), nullable=True),
        sa.Column("fixed_price", MONEY, nullable=True),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "catalog_sku_links",
        sa.Column("reseller_id", sa.String(63), primary_key=True),
        sa.Column("reseller_sku", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("catalog_products.id"), nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_catalog_sku_links_product", "catalog_sku_links", ["product_id"])
    op.create_table(
        "catalog_match_suggestions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("reseller_sku", sa.String(100), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("catalog_products.id"), nullable=False),
        sa.Column("score", sa.Numeric(5, 1), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "reseller_id", "reseller_sku", "product_id", name="uq_catalog_match_suggestions_pair"
        ),
    )
    op.create_index(
        "ix_catalog_match_suggestions_reseller_id", "catalog_match_suggestions", ["reseller_id"]
    )


def downgrade() -> None:
    for t in (
        "catalog_match_suggestions",
        "catalog_sku_links",
        "catalog_promotions",
        "catalog_price_list_items",
        "catalog_price_lists",
        "catalog_reseller_group_members",
        "catalog_reseller_groups",
        "catalog_products",
    ):
        op.drop_table(t)
