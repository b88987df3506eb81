"""orders: lines name products that exist, an order its offer (foreign keys); amounts and
counts are never negative, a line's quantity is positive (checks).

On SQLite the ``orders`` table is not rebuilt (a rebuild drops it, and with foreign keys on
that would cascade into its lines): its offer reference and checks are triggers there, the
same rules, refused the same way (an IntegrityError naming the constraint).

An order line naming a product that does not exist stops the upgrade with the ids: an order
is a contract, and guessing its product is not the migration's call.

Revision ID: orders_0002
Revises: orders_0001
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "orders_0002"
down_revision = "orders_0001"
branch_labels = None
depends_on = ("offers_0001",)  # catalog_0001 through offers_0001

log = logging.getLogger("hub.migrations")
AMOUNTS = "subtotal >= 0 AND shipping_fee >= 0 AND paid_amount >= 0"
COUNTS = "pending_proofs >= 0 AND unique_code >= 0"
OFFER_EXISTS = "NEW.offer_id IS NULL OR EXISTS (SELECT 1 FROM offers WHERE id = NEW.offer_id)"
NEW_AMOUNTS = "NEW.subtotal >= 0 AND NEW.shipping_fee >= 0 AND NEW.paid_amount >= 0"
NEW_COUNTS = "NEW.pending_proofs >= 0 AND NEW.unique_code >= 0"
SQLITE_TRIGGERS = {
    # name: (event, condition the new row must meet, message)
    "orders_offer_fk_insert": ("INSERT", OFFER_EXISTS, "FOREIGN KEY constraint failed"),
    "orders_offer_fk_update": ("UPDATE OF offer_id", OFFER_EXISTS, "FOREIGN KEY constraint failed"),
    "ck_orders_amounts_nonneg_insert": ("INSERT", NEW_AMOUNTS, "CHECK constraint failed: amounts"),
    "ck_orders_amounts_nonneg_update": ("UPDATE", NEW_AMOUNTS, "CHECK constraint failed: amounts"),
    "ck_orders_counts_nonneg_insert": ("INSERT", NEW_COUNTS, "CHECK constraint failed: counts"),
    "ck_orders_counts_nonneg_update": ("UPDATE", NEW_COUNTS, "CHECK constraint failed: counts"),
}


def _refuse_orphan_lines() -> None:
    orphans = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT order_id, product_id FROM order_lines l WHERE NOT EXISTS "
                "(SELECT 1 FROM catalog_products p WHERE p.id = l.product_id) ORDER BY order_id"
            )
        )
        .all()
    )
    if orphans:
        shown = ", ".join(f"order #{o} product #{p}" for o, p in orphans[:20])
        raise RuntimeError(
            f"orders_0002: {len(orphans)} order line(s) name a product that does not exist "
            f"({shown}); restore those products in the catalog (or correct the lines), then "
            "start the hub again"
        )


def _forget_missing_offers() -> None:
    gone = op.get_bind().execute(
        sa.text(
            "UPDATE orders SET offer_id = NULL WHERE offer_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM offers WHERE offers.id = orders.offer_id)"
        )
    )
    if gone.rowcount:
        log.warning("orders: %d order(s) named an offer that no longer exists", gone.rowcount)


def upgrade() -> None:
    _refuse_orphan_lines()
    _forget_missing_offers()
    with op.batch_alter_table("order_lines") as batch:
        batch.create_foreign_key(
            op.f("fk_order_lines_product_id_catalog_products"),
            "catalog_products",
            ["product_id"],
            ["id"],
        )
        batch.create_check_constraint(op.f("ck_order_lines_quantity_positive"), "quantity > 0")
        batch.create_check_constraint(op.f("ck_order_lines_unit_price_nonneg"), "unit_price >= 0")
    if op.get_bind().dialect.name == "sqlite":
        for name, (event, rule, message) in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON orders WHEN NOT ({rule}) "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        op.execute(
            "CREATE TRIGGER orders_offer_fk_delete AFTER DELETE ON offers BEGIN "
            "UPDATE orders SET offer_id = NULL WHERE offer_id = OLD.id; END"
        )
        return
    op.create_foreign_key(
        op.f("fk_orders_offer_id_offers"), "orders", "offers", ["offer_id"], ["id"],
        ondelete="SET NULL",
    )  # fmt: skip
    op.create_check_constraint(op.f("ck_orders_amounts_nonneg"), "orders", AMOUNTS)
    op.create_check_constraint(op.f("ck_orders_counts_nonneg"), "orders", COUNTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in [*SQLITE_TRIGGERS, "orders_offer_fk_delete"]:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.drop_constraint(op.f("ck_orders_counts_nonneg"), "orders", type_="check")
        op.drop_constraint(op.f("ck_orders_amounts_nonneg"), "orders", type_="check")
        op.drop_constraint(op.f("fk_orders_offer_id_offers"), "orders", type_="foreignkey")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_constraint(op.f("ck_order_lines_unit_price_nonneg"), type_="check")
        batch.drop_constraint(op.f("ck_order_lines_quantity_positive"), type_="check")
        batch.drop_constraint(
            op.f("fk_order_lines_product_id_catalog_products"), type_="foreignkey"
        )
