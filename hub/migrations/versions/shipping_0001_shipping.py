"""shipping: regions, postal codes, code mapping, warehouses, addresses, territories, rate cards.

Revision ID: shipping_0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "shipping_0001"
down_revision = None
branch_labels = ("shipping",)
depends_on = ("resellers_0001",)

K = sa.String(13)  # a Kemendagri dotted code


def upgrade() -> None:
    op.create_table(
        "shipping_regions",
        sa.Column("kode", K, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_norm", sa.String(100), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("parent_kode", K, nullable=True),
        sa.PrimaryKeyConstraint("kode", name=op.f("pk_shipping_regions")),
    )
    op.create_index("ix_shipping_regions_name_norm", "shipping_regions", ["name_norm"])
    op.create_index("ix_shipping_regions_parent_kode", "shipping_regions", ["parent_kode"])
    op.create_table(
        "shipping_postal_codes",
        sa.Column("region_kode", K, nullable=False),
        sa.Column("postal_code", sa.String(5), nullable=False),
        sa.PrimaryKeyConstraint(
            "region_kode", "postal_code", name=op.f("pk_shipping_postal_codes")
        ),
    )
    op.create_index(
        "ix_shipping_postal_codes_postal_code", "shipping_postal_codes", ["postal_code"]
    )
    op.create_table(
        "shipping_region_codes",
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("region_kode", K, nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("scheme", "code", name=op.f("pk_shipping_region_codes")),
    )
    op.create_index(
        "ix_shipping_region_codes_region_kode", "shipping_region_codes", ["region_kode"]
    )
    op.create_table(
        "shipping_warehouses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_kode", K, nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_warehouses")),
        sa.UniqueConstraint("code", name=op.f("uq_shipping_warehouses_code")),
    )
    reseller_fk = sa.ForeignKey("resellers.id", ondelete="CASCADE", name="fk_shipping_reseller")
    op.create_table(
        "shipping_reseller_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reseller_id", sa.String(31), reseller_fk, nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("street", sa.String(500), nullable=False),
        sa.Column("region_kode", K, nullable=False),
        sa.Column("postal_code", sa.String(5), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_reseller_addresses")),
    )
    op.create_index(
        "ix_shipping_reseller_addresses_reseller_id", "shipping_reseller_addresses", ["reseller_id"]
    )
    op.create_table(
        "shipping_reseller_territories",
        sa.Column(
            "reseller_id",
            sa.String(31),
            sa.ForeignKey(
                "resellers.id", ondelete="CASCADE", name="fk_shipping_territory_reseller"
            ),
            nullable=False,
        ),
        sa.Column("region_kode", K, nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "reseller_id", "region_kode", name=op.f("pk_shipping_reseller_territories")
        ),
    )
    op.create_index(
        "ix_shipping_reseller_territories_region_kode",
        "shipping_reseller_territories",
        ["region_kode"],
    )
    op.create_table(
        "shipping_rate_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("courier", sa.String(16), nullable=False),
        sa.Column("service", sa.String(16), nullable=False),
        sa.Column("origin", K, nullable=False),
        sa.Column("destination", K, nullable=False),
        sa.Column("price_per_kg", sa.Numeric(14, 2), nullable=False),
        sa.Column("min_weight", sa.Numeric(8, 2), nullable=False),
        sa.Column("etd_min", sa.SmallInteger(), nullable=False),
        sa.Column("etd_max", sa.SmallInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_rate_cards")),
    )
    op.create_index(
        "ix_shipping_rate_cards_lookup",
        "shipping_rate_cards",
        ["destination", "origin", "effective_from"],
    )
    op.create_index(
        "ix_shipping_rate_cards_service",
        "shipping_rate_cards",
        ["courier", "service", "effective_from"],
    )


def downgrade() -> None:
    for table in (
        "shipping_rate_cards",
        "shipping_reseller_territories",
        "shipping_reseller_addresses",
        "shipping_warehouses",
        "shipping_region_codes",
        "shipping_postal_codes",
        "shipping_regions",
    ):
        op.drop_table(table)
