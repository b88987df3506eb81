"""warranty: a claim's shipment names an order that exists (foreign key; a claim may have none).

Revision ID: warranty_0002
Revises: warranty_0001
"""

from __future__ import annotations

from alembic import op

from hub.core.migrate import refuse_dangling

revision = "warranty_0002"
down_revision = "warranty_0001"
branch_labels = None
depends_on = ("orders_0001",)

FK = "fk_warranty_claims_order_id_orders"


def upgrade() -> None:
    refuse_dangling("warranty_claims", "order_id", "orders")
    with op.batch_alter_table("warranty_claims") as batch:
        batch.create_foreign_key(op.f(FK), "orders", ["order_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("warranty_claims") as batch:
        batch.drop_constraint(op.f(FK), type_="foreignkey")
