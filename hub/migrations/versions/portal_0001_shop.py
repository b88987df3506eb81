"""portal: variants on catalog products, the order's down payment and ship-to, the option on
order lines; cart templates, wishlist, profiles, password resets, down-payment rules.

The catalog and order columns belong to those capabilities' models; they are added here
because the portal is what fills them (variants to choose, an address and a down payment at
checkout), and one branch keeps this change mergeable with the other chains.

Revision ID: portal_0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "portal_0001"
down_revision = None
branch_labels = ("portal",)
depends_on = ("catalog_0002", "orders_0001", "users_0001")


def _add_model_id() -> None:
    """A variant's model: a column with its foreign key, added in place. On SQLite a batch
    rebuild of ``catalog_products`` would drop the table, which with foreign keys on is refused
    as soon as an order line names a product (orders_0002); SQLite adds a referencing column
    whose default is NULL without a rebuild."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE catalog_products ADD COLUMN model_id INTEGER "
            "CONSTRAINT fk_catalog_products_model_id REFERENCES catalog_products (id)"
        )
        return
    op.add_column("catalog_products", sa.Column("model_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_catalog_products_model_id", "catalog_products", "catalog_products", ["model_id"], ["id"]
    )


def upgrade() -> None:
    _add_model_id()
    op.add_column(
        "catalog_products",
        sa.Column("option_values", sa.JSON(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_catalog_products_model_id", "catalog_products", ["model_id"])
    with op.batch_alter_table("orders") as t:
        t.add_column(
            sa.Column("down_payment", sa.Numeric(16, 2), nullable=False, server_default="0")
        )
        t.add_column(sa.Column("ship_to_name", sa.String(200), nullable=False, server_default=""))
        t.add_column(sa.Column("ship_to_phone", sa.String(40), nullable=False, server_default=""))
        t.add_column(sa.Column("ship_to_address", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("order_lines") as t:
        t.add_column(sa.Column("options", sa.String(200), nullable=False, server_default=""))

    op.create_table(
        "portal_cart_templates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reseller_id"], ["resellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_portal_cart_templates_reseller_id", "portal_cart_templates", ["reseller_id"]
    )
    op.create_table(
        "portal_wishlist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("price_seen", sa.Numeric(14, 2), nullable=True),
        sa.Column("in_stock_seen", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["catalog_products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "product_id", name="uq_portal_wishlist"),
    )
    op.create_index("ix_portal_wishlist_user_id", "portal_wishlist", ["user_id"])
    op.create_index("ix_portal_wishlist_reseller_id", "portal_wishlist", ["reseller_id"])
    op.create_table(
        "portal_profiles",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("timezone", sa.String(40), nullable=False),
        sa.Column("notify_orders", sa.Boolean(), nullable=False),
        sa.Column("notify_wishlist", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_portal_profiles_email", "portal_profiles", ["email"])
    op.create_table(
        "portal_password_resets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_portal_password_resets_user_id", "portal_password_resets", ["user_id"])
    op.create_table(
        "portal_down_payment_rules",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("percent", sa.Numeric(5, 2), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["catalog_reseller_groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id"),
    )


def downgrade() -> None:
    for table in (
        "portal_down_payment_rules",
        "portal_password_resets",
        "portal_profiles",
        "portal_wishlist",
        "portal_cart_templates",
    ):
        op.drop_table(table)
    with op.batch_alter_table("order_lines") as t:
        t.drop_column("options")
    with op.batch_alter_table("orders") as t:
        for name in ("ship_to_address", "ship_to_phone", "ship_to_name", "down_payment"):
            t.drop_column(name)
    with op.batch_alter_table("catalog_products") as t:
        t.drop_constraint("fk_catalog_products_model_id", type_="foreignkey")
        t.drop_index("ix_catalog_products_model_id")
        t.drop_column("option_values")
        t.drop_column("model_id")
