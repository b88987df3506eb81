"""offers: an offer's reason and price rule also kept as phrases (message ids and values), so
each reader sees them in their own language; offers made before keep their English text.

Revision ID: offers_0002
Revises: offers_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "offers_0002"
down_revision = "offers_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("reason_phrases", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("price_rule_phrases", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("price_rule_phrases")
        batch.drop_column("reason_phrases")
