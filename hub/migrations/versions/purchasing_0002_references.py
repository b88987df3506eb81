"""purchasing: an average cost move names a product that exists (foreign key).

A move whose product is gone would make the cost history unreadable, and moving ledger
rows elsewhere would change the averages, so the upgrade refuses (nothing changed) and says
how to find such rows, rather than dropping them.

Revision ID: purchasing_0002
Revises: purchasing_0001
"""

from __future__ import annotations

from alembic import op

from hub.core.migrate import refuse_dangling

revision = "purchasing_0002"
down_revision = "purchasing_0001"
branch_labels = None
depends_on = None  # catalog_0002 through purchasing_0001

FK = "fk_purchasing_cost_moves_product_id_catalog_products"


def upgrade() -> None:
    refuse_dangling("purchasing_cost_moves", "product_id", "catalog_products")
    with op.batch_alter_table("purchasing_cost_moves") as batch:
        batch.create_foreign_key(op.f(FK), "catalog_products", ["product_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("purchasing_cost_moves") as batch:
        batch.drop_constraint(op.f(FK), type_="foreignkey")
