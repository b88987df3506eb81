"""ingest: a snapshot's reason (quarantined, held, superseded, conflict) also kept as phrases
(message ids and values), so the operator reads it in their language; older rows keep their
English text.

Revision ID: ingest_0003
Revises: ingest_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ingest_0003"
down_revision = "ingest_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("reason_phrases", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("reason_phrases")
