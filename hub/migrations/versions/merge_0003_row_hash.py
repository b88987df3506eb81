"""merge: a hash of each version's source fields, so unchanged rows are skipped without rebuilding JSON.

Revision ID: merge_0003
Revises: merge_0002
Create Date: 2025-01-02

Nullable: versions written before this revision have none, and the next merge
compares their values once (then stores the hash).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "merge_0003"
down_revision = "merge_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("record_versions", sa.Column("row_hash", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_versions") as batch:
        batch.drop_column("row_hash")
