"""resellers: the profile (legal name, NPWP, time zone, notes) and pending agent enrolments.

An enrolment is an id reserved for a reseller whose agent has not sent its keys yet: the
hub gives a one-time code (kept until used or replaced, then wiped); the agent presents it
with its public keys and only then does the reseller row exist.

Revision ID: resellers_0002
Revises: resellers_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "resellers_0002"
down_revision = "resellers_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resellers") as t:
        t.add_column(sa.Column("legal_name", sa.String(200), nullable=False, server_default=""))
        t.add_column(sa.Column("npwp", sa.String(20), nullable=False, server_default=""))
        t.add_column(
            sa.Column("timezone", sa.String(40), nullable=False, server_default="Asia/Jakarta")
        )
        t.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "reseller_enrolments",
        sa.Column("reseller_id", sa.String(31), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("legal_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("region_code", sa.String(13), nullable=True),
        sa.Column("code", sa.String(40), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("reseller_enrolments")
    with op.batch_alter_table("resellers") as t:
        for name in ("notes", "timezone", "npwp", "legal_name"):
            t.drop_column(name)
