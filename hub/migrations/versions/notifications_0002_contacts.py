"""notifications: reseller contacts as people (e-mail and WhatsApp, roles, dates, opt-ins),
and staff's own wording of message templates.

A contact used to be one address of one channel; now it is a person with both, who opts in
per channel, says which messages concern them (roles: orders, payments, shipping,
marketing) and may have a birthday and an anniversary (for celebration promotions).
Existing contacts become people with their one address, every role and the channel opted in.

Revision ID: notifications_0002
Revises: notifications_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notifications_0002"
down_revision = "notifications_0001"
branch_labels = None
depends_on = None

ALL = ",orders,payments,shipping,marketing,"


def upgrade() -> None:
    op.create_table(
        "reseller_contacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reseller_id", sa.String(31), nullable=False, index=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(200), nullable=False, server_default=""),
        sa.Column("whatsapp", sa.String(20), nullable=False, server_default=""),
        sa.Column("roles", sa.String(80), nullable=False, server_default=ALL),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("anniversary", sa.Date(), nullable=True),
        sa.Column("email_opt_in", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("whatsapp_opt_in", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("locale", sa.String(5), nullable=False, server_default="id"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.execute(
        "INSERT INTO reseller_contacts (reseller_id, name, email, whatsapp, roles, email_opt_in, "
        "whatsapp_opt_in, locale, active) SELECT reseller_id, address, "
        "CASE WHEN channel = 'email' THEN address ELSE '' END, "
        "CASE WHEN channel = 'whatsapp' THEN address ELSE '' END, "
        f"'{ALL}', channel = 'email', channel = 'whatsapp', locale, true FROM notification_contacts"
    )
    op.drop_table("notification_contacts")
    op.create_table(
        "notification_templates",
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("template", "locale"),
    )


def downgrade() -> None:
    op.drop_table("notification_templates")
    op.create_table(
        "notification_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reseller_id", sa.String(31), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_contacts")),
    )
    op.drop_table("reseller_contacts")
