"""campaigns: campaigns, their recipients (once per campaign × contact × channel) and opt-outs.

Revision ID: campaigns_0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "campaigns_0001"
down_revision = None
branch_labels = ("campaigns",)
# reseller_contacts and notification_outbox; catalog_promotions and catalog_reseller_groups
depends_on = ("notifications_0002", "catalog_0003")


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("promotion_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("resellers", sa.Text(), nullable=False),
        sa.Column("channels", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("body_id", sa.Text(), nullable=False),
        sa.Column("subject_en", sa.String(200), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("scheduled_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["promotion_id"],
            ["catalog_promotions.id"],
            name=op.f("fk_campaigns_promotion_id_catalog_promotions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["catalog_reseller_groups.id"],
            name=op.f("fk_campaigns_group_id_catalog_reseller_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipients")),
        sa.UniqueConstraint(
            "campaign_id", "contact_id", "channel", name="uq_campaign_recipients_once"
        ),
    )
    op.create_index(
        "ix_campaign_recipients_campaign_status", "campaign_recipients", ["campaign_id", "status"]
    )
    op.create_index("ix_campaign_recipients_queued", "campaign_recipients", ["queued_at"])
    op.create_table(
        "campaign_opt_outs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_opt_outs")),
    )
    op.create_index("ix_campaign_opt_outs_contact", "campaign_opt_outs", ["contact_id", "channel"])


def downgrade() -> None:
    op.drop_table("campaign_opt_outs")
    op.drop_table("campaign_recipients")
    op.drop_table("campaigns")
