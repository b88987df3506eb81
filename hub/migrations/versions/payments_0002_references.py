"""payments: a transfer confirmation names an enrolled reseller (foreign key); amounts are
positive, a proof's size not negative, the status one of pending, confirmed, rejected.

Revision ID: payments_0002
Revises: payments_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "payments_0002"
down_revision = "payments_0001"
branch_labels = None
depends_on = None  # resellers_0001 through orders_0001

CHECKS = {
    "amount_positive": "amount > 0",
    "received_amount_nonneg": "received_amount IS NULL OR received_amount >= 0",
    "proof_size_nonneg": "proof_size >= 0",
    "status_known": "status IN ('pending', 'confirmed', 'rejected')",
}


def upgrade() -> None:
    bad = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM payment_confirmations c WHERE NOT EXISTS "
            "(SELECT 1 FROM resellers r WHERE r.id = c.reseller_id)"
        )
    )
    if bad:
        raise RuntimeError(
            f"payments_0002: {bad} transfer confirmation(s) name a reseller that is not "
            "enrolled; enrol it again (synchub reseller add) or correct them, then start again"
        )
    with op.batch_alter_table("payment_confirmations") as batch:
        batch.create_foreign_key(
            op.f("fk_payment_confirmations_reseller_id_resellers"),
            "resellers",
            ["reseller_id"],
            ["id"],
        )
        for name, rule in CHECKS.items():
            batch.create_check_constraint(op.f(f"ck_payment_confirmations_{name}"), rule)


def downgrade() -> None:
    with op.batch_alter_table("payment_confirmations") as batch:
        for name in CHECKS:
            batch.drop_constraint(op.f(f"ck_payment_confirmations_{name}"), type_="check")
        batch.drop_constraint(
            op.f("fk_payment_confirmations_reseller_id_resellers"), type_="foreignkey"
        )
