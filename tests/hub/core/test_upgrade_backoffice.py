"""A hub already running the schema before the back office (main's heads) upgrades in place.

The back-office revisions (catalog_0003, inventory_0004, orders_0003, notifications_0002,
resellers_0002) come after revisions other capabilities landed first (catalog_0002 serial
numbers, inventory_0002 bins, inventory_0003 and orders_0002 references): an existing hub's rows must survive and get the new columns'
defaults, and its old one-address contacts become people.
"""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from hub.core.db import make_engine
from hub.core.migrate import alembic_config, pending, upgrade
from tests.hub.schemakit import upgrade_all_but

BACKOFFICE = {
    "catalog_0003",
    "inventory_0004",
    "orders_0003",
    "notifications_0002",
    "resellers_0002",
}
# Heads built on the back office (their branch depends on its revisions): they come with it
# (and any other revision that builds on it: upgrade_all_but leaves those out too).
LATER = {"campaigns_0001"}


def test_a_hub_at_the_previous_heads_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    heads = set(script.get_heads())
    assert heads >= BACKOFFICE, "a back-office revision is no longer a head: re-point the test"
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        later = upgrade_all_but(cfg, BACKOFFICE)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO catalog_reseller_groups (name) VALUES ('Grosir')"))
        conn.execute(
            text(
                "INSERT INTO catalog_products (id, sku, name, brand, category, specs, options,"
                " list_price, warranty_months, serialised, pack_size, active, discontinued,"
                " images, created_at, updated_at) VALUES (1, 'TEH-1', 'Teh', '', '', '{}', '{}',"
                " 12500, 0, 0, 1, 1, 0, '[]', '2026-12-01 03:00:00', '2026-12-01 03:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO inventory_receipts (product_id, quantity, reference, received_by,"
                " received_at) VALUES (1, 5, 'SJ-1', 'gudang', '2026-12-01 03:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO notification_contacts (reseller_id, channel, address, locale)"
                " VALUES ('toko', 'whatsapp', '+6281234567890', 'id')"
            )
        )
    assert sorted(pending(engine)) == sorted(later)

    assert upgrade(engine) == later and later >= BACKOFFICE | LATER

    assert pending(engine) == []
    with engine.connect() as conn:
        group = conn.execute(
            text("SELECT name, description, active FROM catalog_reseller_groups")
        ).one()
        assert (group.name, group.description, bool(group.active)) == ("Grosir", "", True)
        receipt = conn.execute(
            text("SELECT quantity, reason, note, reference FROM inventory_receipts")
        ).one()
        assert tuple(receipt) == (5, "purchase", "", "SJ-1")
        contact = conn.execute(
            text(
                "SELECT reseller_id, email, whatsapp, whatsapp_opt_in, email_opt_in, roles"
                " FROM reseller_contacts"
            )
        ).one()
        assert contact.whatsapp == "+6281234567890" and contact.email == ""
        assert bool(contact.whatsapp_opt_in) and not bool(contact.email_opt_in)
        assert "orders" in contact.roles
        assert {"inventory_adjustments", "notification_templates"} <= set(
            inspect(conn).get_table_names()
        )
        assert "notification_contacts" not in inspect(conn).get_table_names()
