"""merge: each merged dataset's key-set digest, so an incremental without deletes skips delete detection.

Revision ID: merge_0004
Revises: merge_0003
Create Date: 2025-01-03

Nullable: datasets merged before this revision have none; the next merge
computes it once from the current keys (then keeps it up to date).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "merge_0004"
down_revision = "merge_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("merged_datasets", sa.Column("key_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("merged_datasets") as batch:
        batch.drop_column("key_digest")
