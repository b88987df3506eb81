"""merge: index closed versions only; current ones are already in the partial unique index.

Revision ID: merge_0005
Revises: merge_0004
Create Date: 2025-01-04

``ix_record_versions_history`` indexed every version, so each new current
version paid three index entries (primary key, current, history) and each
closed one two. Current rows are found through ``uq_record_versions_current``
(``valid_to IS NULL``); the history index now holds only closed versions
(``valid_to IS NOT NULL``): a new version pays two entries. Readers query the
current and the closed halves separately (hub.merge.query), each by its index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "merge_0005"
down_revision = "merge_0004"
branch_labels = None
depends_on = None

COLUMNS = ["reseller_id", "dataset", "row_key", "valid_from"]


def upgrade() -> None:
    op.create_index(
        "ix_record_versions_closed",
        "record_versions",
        COLUMNS,
        sqlite_where=sa.text("valid_to IS NOT NULL"),
        postgresql_where=sa.text("valid_to IS NOT NULL"),
    )
    op.drop_index("ix_record_versions_history", table_name="record_versions")


def downgrade() -> None:
    op.create_index("ix_record_versions_history", "record_versions", COLUMNS)
    op.drop_index("ix_record_versions_closed", table_name="record_versions")
