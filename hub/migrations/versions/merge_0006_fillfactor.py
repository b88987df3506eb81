"""merge: leave 10 % free space in record_versions pages (PostgreSQL), so closing a version writes its
new tuple on the same page.

Revision ID: merge_0006
Revises: merge_0005
Create Date: 2025-01-05

Closing a version is an UPDATE of ``valid_to``, which both partial indexes name
in their predicates, so it is never HOT; with full pages (fillfactor 100) the
new tuple also goes to another page, found through the free-space map. With
fillfactor 90 it stays on the page the merge has just read: fewer pages read and
dirtied per closed version (10k-change incremental into 1M rows measured
0.34 → 0.26 s). Applies to pages written from now on; SQLite has no such setting.
"""

from __future__ import annotations

from alembic import op

revision = "merge_0006"
down_revision = "merge_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE record_versions SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE record_versions RESET (fillfactor)")
