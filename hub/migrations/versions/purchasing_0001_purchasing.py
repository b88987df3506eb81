"""purchasing: suppliers and their products, purchase orders, receipts, costs, counters, payables.

Revision ID: purchasing_0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "purchasing_0001"
down_revision = None
branch_labels = ("purchasing",)
depends_on = ("catalog_0002", "shipping_0001")


def upgrade() -> None:

    op.create_table(
        "purchasing_cost_moves",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("on_hand_before", sa.Integer(), nullable=False),
        sa.Column("average_before", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("average_after", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_cost_moves")),
    )
    op.create_index(
        op.f("ix_purchasing_cost_moves_product_id"),
        "purchasing_cost_moves",
        ["product_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_counters",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_purchasing_counters")),
    )
    op.create_table(
        "purchasing_suppliers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("npwp", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_purchasing_suppliers_code")),
    )
    op.create_table(
        "purchasing_costs",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("average_cost", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_purchasing_costs_product_id_catalog_products"),
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_purchasing_costs")),
    )
    op.create_table(
        "purchasing_credit_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("applied", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "amount > 0 AND applied >= 0 AND applied <= amount",
            name=op.f("ck_purchasing_credit_notes_applied_within"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_credit_notes_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_credit_notes")),
        sa.UniqueConstraint(
            "supplier_id", "number", name="uq_purchasing_credit_notes_supplier_number"
        ),
    )
    op.create_index(
        op.f("ix_purchasing_credit_notes_supplier_id"),
        "purchasing_credit_notes",
        ["supplier_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=False),
        sa.Column("sent_to", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_orders_supplier_id_purchasing_suppliers"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["shipping_warehouses.id"],
            name=op.f("fk_purchasing_orders_warehouse_id_shipping_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_purchasing_orders_number")),
    )
    op.create_index(
        "ix_purchasing_orders_supplier_state",
        "purchasing_orders",
        ["supplier_id", "state"],
        unique=False,
    )
    op.create_table(
        "purchasing_supplier_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_supplier_contacts_supplier_id_purchasing_suppliers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_supplier_contacts")),
    )
    op.create_index(
        op.f("ix_purchasing_supplier_contacts_supplier_id"),
        "purchasing_supplier_contacts",
        ["supplier_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_supplier_products",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_code", sa.String(length=64), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("min_order_qty", sa.Integer(), nullable=False),
        sa.Column("order_multiple", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "min_order_qty >= 1 AND order_multiple >= 1",
            name=op.f("ck_purchasing_supplier_products_order_sizes"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_purchasing_supplier_products_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_supplier_products_supplier_id_purchasing_suppliers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_supplier_products")),
        sa.UniqueConstraint(
            "supplier_id", "product_id", name="uq_purchasing_supplier_products_pair"
        ),
    )
    op.create_index(
        op.f("ix_purchasing_supplier_products_product_id"),
        "purchasing_supplier_products",
        ["product_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_invoices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("tax_invoice", sa.String(length=40), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("tax", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("credited", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "paid >= 0 AND credited >= 0", name=op.f("ck_purchasing_invoices_settled_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchasing_orders.id"],
            name=op.f("fk_purchasing_invoices_order_id_purchasing_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_invoices_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_invoices")),
        sa.UniqueConstraint("supplier_id", "number", name="uq_purchasing_invoices_supplier_number"),
    )
    op.create_index(
        op.f("ix_purchasing_invoices_order_id"), "purchasing_invoices", ["order_id"], unique=False
    )
    op.create_index(
        "ix_purchasing_invoices_state_due", "purchasing_invoices", ["state", "due_on"], unique=False
    )
    op.create_table(
        "purchasing_order_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_code", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_purchasing_order_lines_quantity_positive")
        ),
        sa.CheckConstraint("received >= 0", name=op.f("ck_purchasing_order_lines_received_nonneg")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchasing_orders.id"],
            name=op.f("fk_purchasing_order_lines_order_id_purchasing_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_purchasing_order_lines_product_id_catalog_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_order_lines")),
    )
    op.create_index(
        op.f("ix_purchasing_order_lines_order_id"),
        "purchasing_order_lines",
        ["order_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("freight", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("duty", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("other_costs", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("delivery_note", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("posted_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchasing_orders.id"],
            name=op.f("fk_purchasing_receipts_order_id_purchasing_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["shipping_warehouses.id"],
            name=op.f("fk_purchasing_receipts_warehouse_id_shipping_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_receipts")),
        sa.UniqueConstraint("number", name=op.f("uq_purchasing_receipts_number")),
    )
    op.create_index(
        op.f("ix_purchasing_receipts_order_id"), "purchasing_receipts", ["order_id"], unique=False
    )
    op.create_table(
        "purchasing_credit_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["purchasing_credit_notes.id"],
            name=op.f("fk_purchasing_credit_applications_credit_note_id_purchasing_credit_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["purchasing_invoices.id"],
            name=op.f("fk_purchasing_credit_applications_invoice_id_purchasing_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_credit_applications")),
    )
    op.create_index(
        op.f("ix_purchasing_credit_applications_credit_note_id"),
        "purchasing_credit_applications",
        ["credit_note_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_purchasing_credit_applications_invoice_id"),
        "purchasing_credit_applications",
        ["invoice_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_invoice_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_purchasing_invoice_lines_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["purchasing_invoices.id"],
            name=op.f("fk_purchasing_invoice_lines_invoice_id_purchasing_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["purchasing_order_lines.id"],
            name=op.f("fk_purchasing_invoice_lines_order_line_id_purchasing_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_invoice_lines")),
    )
    op.create_index(
        op.f("ix_purchasing_invoice_lines_invoice_id"),
        "purchasing_invoice_lines",
        ["invoice_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_purchasing_invoice_lines_order_line_id"),
        "purchasing_invoice_lines",
        ["order_line_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_purchasing_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["purchasing_invoices.id"],
            name=op.f("fk_purchasing_payments_invoice_id_purchasing_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_payments")),
    )
    op.create_index(
        op.f("ix_purchasing_payments_invoice_id"),
        "purchasing_payments",
        ["invoice_id"],
        unique=False,
    )
    op.create_table(
        "purchasing_receipt_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("landed_total", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("serials", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_purchasing_receipt_lines_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["purchasing_order_lines.id"],
            name=op.f("fk_purchasing_receipt_lines_order_line_id_purchasing_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_purchasing_receipt_lines_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["purchasing_receipts.id"],
            name=op.f("fk_purchasing_receipt_lines_receipt_id_purchasing_receipts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_receipt_lines")),
    )
    op.create_index(
        op.f("ix_purchasing_receipt_lines_order_line_id"),
        "purchasing_receipt_lines",
        ["order_line_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_purchasing_receipt_lines_receipt_id"),
        "purchasing_receipt_lines",
        ["receipt_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("purchasing_receipt_lines")
    op.drop_table("purchasing_payments")
    op.drop_table("purchasing_invoice_lines")
    op.drop_table("purchasing_credit_applications")
    op.drop_table("purchasing_receipts")
    op.drop_table("purchasing_order_lines")
    op.drop_table("purchasing_invoices")
    op.drop_table("purchasing_supplier_products")
    op.drop_table("purchasing_supplier_contacts")
    op.drop_table("purchasing_orders")
    op.drop_table("purchasing_credit_notes")
    op.drop_table("purchasing_costs")
    op.drop_table("purchasing_suppliers")
    op.drop_table("purchasing_counters")
    op.drop_table("purchasing_cost_moves")
