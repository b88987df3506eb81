"""merge: compare record keys byte by byte (collation "C") on PostgreSQL.

Revision ID: merge_0007
Revises: merge_0006
Create Date: 2025-01-06

A key line is an identifier, never text to sort for people: under the
database's locale every comparison in the current-versions index went through
``strcoll``, and the initial load's sort could not use abbreviated keys.
Under "C" (``memcmp``) an initial 1M-row load sorts its keys in half the time
and inserts its index entries faster (bench/README.md, merge section). Equality is
unchanged (locales are deterministic here); ``ORDER BY row_key`` becomes code
point order, which is what a ``C.UTF-8`` database already did. The indexes on
the column are rebuilt once. SQLite compares bytes already (BINARY).
"""

from __future__ import annotations

from alembic import op

revision = "merge_0007"
down_revision = "merge_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE record_versions ALTER COLUMN row_key TYPE text COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE record_versions ALTER COLUMN row_key TYPE text COLLATE "default"')
