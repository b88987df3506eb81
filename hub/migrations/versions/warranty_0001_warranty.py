"""warranty: claims with photos and timeline, the unrepairable log, supplier claims and their documents.

Revision ID: warranty_0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "warranty_0001"
down_revision = None
branch_labels = ("warranty",)
depends_on = ("purchasing_0001", "inventory_0002")  # resellers_0001 through shipping_0001


def upgrade() -> None:

    op.create_table(
        "warranty_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("reseller_id", sa.String(length=31), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=80), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("invoice_number", sa.String(length=24), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("warranty_until", sa.Date(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("replacement_serial_id", sa.Integer(), nullable=True),
        sa.Column("courier", sa.String(length=40), nullable=False),
        sa.Column("waybill", sa.String(length=60), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_warranty_claims_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_serial_id"],
            ["inventory_serials.id"],
            name=op.f("fk_warranty_claims_replacement_serial_id_inventory_serials"),
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"], ["resellers.id"], name=op.f("fk_warranty_claims_reseller_id_resellers")
        ),
        sa.ForeignKeyConstraint(
            ["serial_id"],
            ["inventory_serials.id"],
            name=op.f("fk_warranty_claims_serial_id_inventory_serials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_warranty_claims_number")),
    )
    op.create_index(
        "ix_warranty_claims_reseller_state",
        "warranty_claims",
        ["reseller_id", "state"],
        unique=False,
    )
    op.create_index(
        op.f("ix_warranty_claims_serial_id"), "warranty_claims", ["serial_id"], unique=False
    )
    op.create_table(
        "warranty_claim_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("internal", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["warranty_claims.id"],
            name=op.f("fk_warranty_claim_events_claim_id_warranty_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claim_events")),
    )
    op.create_index(
        op.f("ix_warranty_claim_events_claim_id"),
        "warranty_claim_events",
        ["claim_id"],
        unique=False,
    )
    op.create_table(
        "warranty_claim_photos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["warranty_claims.id"],
            name=op.f("fk_warranty_claim_photos_claim_id_warranty_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claim_photos")),
    )
    op.create_index(
        op.f("ix_warranty_claim_photos_claim_id"),
        "warranty_claim_photos",
        ["claim_id"],
        unique=False,
    )
    op.create_table(
        "warranty_supplier_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("credit_amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("replacement_serial_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["warranty_claims.id"],
            name=op.f("fk_warranty_supplier_claims_claim_id_warranty_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["purchasing_credit_notes.id"],
            name=op.f("fk_warranty_supplier_claims_credit_note_id_purchasing_credit_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_serial_id"],
            ["inventory_serials.id"],
            name=op.f("fk_warranty_supplier_claims_replacement_serial_id_inventory_serials"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_warranty_supplier_claims_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_supplier_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_warranty_supplier_claims_number")),
    )
    op.create_index(
        op.f("ix_warranty_supplier_claims_claim_id"),
        "warranty_supplier_claims",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_warranty_supplier_claims_supplier_id"),
        "warranty_supplier_claims",
        ["supplier_id"],
        unique=False,
    )
    op.create_table(
        "warranty_unrepairable",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("logged_by", sa.String(length=100), nullable=False),
        sa.Column("logged_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["warranty_claims.id"],
            name=op.f("fk_warranty_unrepairable_claim_id_warranty_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_warranty_unrepairable_product_id_catalog_products"),
        ),
        sa.ForeignKeyConstraint(
            ["serial_id"],
            ["inventory_serials.id"],
            name=op.f("fk_warranty_unrepairable_serial_id_inventory_serials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_unrepairable")),
    )
    op.create_index(
        op.f("ix_warranty_unrepairable_claim_id"),
        "warranty_unrepairable",
        ["claim_id"],
        unique=False,
    )
    op.create_table(
        "warranty_supplier_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_claim_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_claim_id"],
            ["warranty_supplier_claims.id"],
            name=op.f("fk_warranty_supplier_documents_supplier_claim_id_warranty_supplier_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_supplier_documents")),
    )
    op.create_index(
        op.f("ix_warranty_supplier_documents_supplier_claim_id"),
        "warranty_supplier_documents",
        ["supplier_claim_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("warranty_supplier_documents")
    op.drop_table("warranty_unrepairable")
    op.drop_table("warranty_supplier_claims")
    op.drop_table("warranty_claim_photos")
    op.drop_table("warranty_claim_events")
    op.drop_table("warranty_claims")
