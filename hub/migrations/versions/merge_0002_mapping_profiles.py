"""merge: the mapping profile applied per reseller.

Revision ID: merge_0002
Revises: merge_0001
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "merge_0002"
down_revision = "merge_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mapping_profiles",
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reseller_id", name=op.f("pk_mapping_profiles")),
    )


def downgrade() -> None:
    op.drop_table("mapping_profiles")
