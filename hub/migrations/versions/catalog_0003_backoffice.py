"""catalog: groups and promotions can be deactivated; birthday/anniversary promotion rules.

A promotion's ``kind`` is ``standard`` (it prices) or ``birthday``/``anniversary`` (a rule:
on a reseller contact's day the hub issues a ``standard`` promotion for that reseller,
``parent_id`` naming the rule and ``contact_id`` the contact, valid ``days`` days).

Revision ID: catalog_0003
Revises: catalog_0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0003"
down_revision = "catalog_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_reseller_groups") as t:
        t.add_column(sa.Column("description", sa.String(300), nullable=False, server_default=""))
        t.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("catalog_price_lists") as t:
        t.add_column(sa.Column("note", sa.String(300), nullable=False, server_default=""))
    with op.batch_alter_table("catalog_promotions") as t:
        t.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        t.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="standard"))
        t.add_column(sa.Column("days", sa.Integer(), nullable=False, server_default="1"))
        t.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        t.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        t.create_index("ix_catalog_promotions_parent", ["parent_id", "contact_id"])
    op.create_index("ix_catalog_price_lists_name", "catalog_price_lists", ["name"])


def downgrade() -> None:
    op.drop_index("ix_catalog_price_lists_name", "catalog_price_lists")
    with op.batch_alter_table("catalog_promotions") as t:
        t.drop_index("ix_catalog_promotions_parent")
        for name in ("contact_id", "parent_id", "days", "kind", "active"):
            t.drop_column(name)
    with op.batch_alter_table("catalog_price_lists") as t:
        t.drop_column("note")
    with op.batch_alter_table("catalog_reseller_groups") as t:
        t.drop_column("active")
        t.drop_column("description")
