"""ingest: the hub's own reason for a request to an agent ("after snapshot 7 the hub lacks rows
of items") also kept as phrases, so the operator reads it in their language; an operator's typed
reason stays as typed.

Revision ID: ingest_0004
Revises: ingest_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ingest_0004"
down_revision = "ingest_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_requests") as batch:
        batch.add_column(sa.Column("reason_phrases", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_requests") as batch:
        batch.drop_column("reason_phrases")
