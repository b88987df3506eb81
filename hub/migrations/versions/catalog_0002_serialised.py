"""catalog: products carry a serialised flag (each unit has a serial number).

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_products") as batch:
        batch.add_column(
            sa.Column("serialised", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_products") as batch:
        batch.drop_column("serialised")
