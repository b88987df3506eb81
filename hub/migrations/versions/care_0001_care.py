"""care: resellers' tickets with SLA due times, escalation marks and the survey; their
messages and attachments.

Revision ID: care_0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.core.db import UTCDateTime

revision = "care_0001"
down_revision = None
branch_labels = ("care",)
depends_on = ("resellers_0001", "users_0001", "purchasing_0001")  # its number counter


def upgrade() -> None:
    op.create_table(
        "care_tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("reseller_id", sa.String(length=31), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("first_response_due", UTCDateTime(), nullable=False),
        sa.Column("resolution_due", UTCDateTime(), nullable=False),
        sa.Column("first_response_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("escalated_response_at", UTCDateTime(), nullable=True),
        sa.Column("escalated_resolution_at", UTCDateTime(), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("surveyed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reseller_id"], ["resellers.id"], name=op.f("fk_care_tickets_reseller_id_resellers")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_care_tickets_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_care_tickets_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_care_tickets_number")),
    )
    op.create_index(
        "ix_care_tickets_reseller_state", "care_tickets", ["reseller_id", "state"], unique=False
    )
    op.create_index(
        "ix_care_tickets_state_due", "care_tickets", ["state", "resolution_due"], unique=False
    )
    op.create_index(
        op.f("ix_care_tickets_assignee_id"), "care_tickets", ["assignee_id"], unique=False
    )
    op.create_table(
        "care_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("staff", sa.Boolean(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["care_tickets.id"],
            name=op.f("fk_care_messages_ticket_id_care_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_messages")),
    )
    op.create_index(
        op.f("ix_care_messages_ticket_id"), "care_messages", ["ticket_id"], unique=False
    )

    op.create_table(
        "care_attachments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["care_tickets.id"],
            name=op.f("fk_care_attachments_ticket_id_care_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_attachments")),
    )
    op.create_index(
        op.f("ix_care_attachments_ticket_id"), "care_attachments", ["ticket_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_care_attachments_ticket_id"), table_name="care_attachments")
    op.drop_table("care_attachments")
    op.drop_index(op.f("ix_care_messages_ticket_id"), table_name="care_messages")
    op.drop_table("care_messages")
    op.drop_index(op.f("ix_care_tickets_assignee_id"), table_name="care_tickets")
    op.drop_index("ix_care_tickets_state_due", table_name="care_tickets")
    op.drop_index("ix_care_tickets_reseller_state", table_name="care_tickets")
    op.drop_table("care_tickets")
