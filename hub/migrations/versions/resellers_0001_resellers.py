"""resellers: the table of enrolled resellers and their public keys.

Revision ID: resellers_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "resellers_0001"
down_revision = None
branch_labels = ("resellers",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resellers",
        sa.Column("id", sa.String(31), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(13), nullable=True),
        sa.Column("platform", sa.String(40), nullable=True),
        sa.Column("ssh_public_key", sa.Text(), nullable=False),
        sa.Column("signing_public_key", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resellers")),
    )


def downgrade() -> None:
    op.drop_table("resellers")
