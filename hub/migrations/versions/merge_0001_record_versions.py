"""merge: record versions (current + history), dataset schema versions, merged datasets.

Revision ID: merge_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "merge_0001"
down_revision = None
branch_labels = ("merge",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "record_versions",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("row_values", sa.Text(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
    )
    op.create_index(
        "uq_record_versions_current",
        "record_versions",
        ["reseller_id", "dataset", "row_key"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "ix_record_versions_history",
        "record_versions",
        ["reseller_id", "dataset", "row_key", "valid_from"],
    )
    op.create_table(
        "dataset_schemas",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_schemas")),
    )
    op.create_index(
        "uq_dataset_schemas_version",
        "dataset_schemas",
        ["reseller_id", "dataset", "version"],
        unique=True,
    )
    op.create_table(
        "merged_datasets",
        sa.Column("reseller_id", sa.String(63), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("last_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("last_source_at", UTCDateTime(), nullable=False),
        sa.Column("last_received_at", UTCDateTime(), nullable=False),
        sa.Column("current_rows", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reseller_id", "dataset", name=op.f("pk_merged_datasets")),
    )


def downgrade() -> None:
    op.drop_table("merged_datasets")
    op.drop_index("uq_dataset_schemas_version", table_name="dataset_schemas")
    op.drop_table("dataset_schemas")
    op.drop_index("ix_record_versions_history", table_name="record_versions")
    op.drop_index("uq_record_versions_current", table_name="record_versions")
    op.drop_table("record_versions")
