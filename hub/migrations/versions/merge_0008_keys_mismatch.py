"""merge: when a dataset's key set first disagreed with the source's digest (pending reconciliation).

Revision ID: merge_0008
Revises: merge_0007
Create Date: 2026-12-07

Set by the merge whose key-set digest check failed (format-2 snapshots), kept
until a later merge proves the key sets equal: the keys the source turns out
to lack are closed at ``keys_mismatch_since`` — the push that first saw them
gone — not at the push that brought the key list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "merge_0008"
down_revision = "merge_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merged_datasets") as batch:
        batch.add_column(sa.Column("keys_mismatch_since", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("keys_mismatch_snapshot_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("merged_datasets") as batch:
        batch.drop_column("keys_mismatch_snapshot_id")
        batch.drop_column("keys_mismatch_since")
