"""Every reference between the hub's tables is a foreign key (or says why not), the migrated
database enforces it on SQLite and PostgreSQL, and the upgrade keeps what it cannot enforce.

Issue #18: ``POST /api/inventory/receipts`` for a product that does not exist answered 201 and
created stock; inventory, orders and payments now reference what they name.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

import hub
from hub.core.db import Base, make_engine
from hub.core.migrate import alembic_config, upgrade
from shared.errors import DataError

# Columns that name a row of another table without a foreign key, and why. A new model's
# reference that is neither a foreign key nor listed here fails the first test.
NOT_FOREIGN_KEYS = {
    # the audit log outlives what it names (deleted rows, the CLI as actor)
    "audit_log.actor_user_id": "history",
    "audit_log.reseller_id": "history",
    "audit_log.entity_id": "history (any table's id, as text)",
    # merged data and sync history: written by the ingest after the reseller is resolved, kept
    # as received; a foreign key per version row costs the merge's hot path (bench_merge)
    "dataset_schemas.reseller_id": "history",
    "dataset_schemas.snapshot_id": "history",
    "merged_datasets.reseller_id": "history",
    "merged_datasets.last_snapshot_id": "history",
    "reseller_sync.reseller_id": "history",
    "reseller_sync.last_snapshot_id": "history",
    "snapshots.reseller_id": "a quarantined upload may name an unknown reseller",
    "mapping_profiles.reseller_id": "history",
    "merged_datasets.keys_mismatch_snapshot_id": "history",
    "sync_requests.answered_snapshot_id": "history",
    # offers' nightly caches, rebuilt from merged data
    "offer_sales_daily.reseller_id": "derived cache",
    "offer_sales_daily.product_id": "derived cache",
    "offer_stock.reseller_id": "derived cache",
    "offer_stock.product_id": "derived cache",
    "offers.order_id": "set when the order commits (orders.offer_id is the foreign key)",
    # outbox and alerts: a message stays deliverable (and visible) whatever happens to its subject
    "notification_outbox.reseller_id": "outbox",
    "alerts.reseller_id": "alert history",
    "inventory_serial_events.reseller_id": "history: a unit's past stays readable",
    "inventory_orphans.product_id": "rows moved aside because that product does not exist",
    "reseller_enrolments.reseller_id": "an enrolment reserves the id before the reseller exists",
    "reports_frozen.reseller_id": "history: a closed month's statement as it was ('' for all)",
    # campaigns: who a campaign reached, and a contact's opt-out, stay readable (and provable)
    # after the contact, or the outbox message, is removed
    "campaign_recipients.contact_id": "history",
    "campaign_recipients.reseller_id": "history",
    "campaign_recipients.outbox_id": "history",
    "campaign_opt_outs.contact_id": "history: the proof of an opt-out",
    "campaign_opt_outs.campaign_id": "history",
    "campaigns.subject_id": "not a reference: the subject in Indonesian (id)",
    "campaigns.body_id": "not a reference: the message in Indonesian (id)",
}
# Not yet foreign keys: other capabilities' tables, outside this issue's inventory, orders and
# payments (listed so the gap is visible, not silent).
NOT_YET = {
    "portal_wishlist.reseller_id",  # came with the portal (#20): the user's reseller, the next one
    "sync_requests.reseller_id",
    "api_tokens.reseller_id",
    "users.reseller_id",
    "offers.reseller_id",
    "reseller_contacts.reseller_id",
    "catalog_match_suggestions.reseller_id",
    "catalog_price_lists.reseller_id",
    "catalog_promotions.reseller_id",
    "catalog_reseller_group_members.reseller_id",
    "catalog_sku_links.reseller_id",
    # Came with purchasing and warranty (#21) after this issue's migration: the next one.
    "inventory_serials.supplier_id",
    "inventory_serials.order_id",
    "inventory_serials.reseller_id",
    # The back office's (#19) birthday promotions: the rule and the contact they were made for.
    "catalog_promotions.parent_id",
    "catalog_promotions.contact_id",
}
ISSUE_TABLES = ("inventory_stock", "inventory_receipts", "orders", "order_lines")
ISSUE_TABLES += ("payment_confirmations", "purchasing_cost_moves", "warranty_claims")


def _models() -> None:
    for info in pkgutil.walk_packages(hub.__path__, "hub."):
        if info.name.endswith(".models"):
            importlib.import_module(info.name)


def _references() -> Iterator[tuple[str, object]]:
    _models()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if column.name.endswith("_id"):
                yield f"{table.name}.{column.name}", column


def test_every_reference_is_a_foreign_key_or_says_why_not() -> None:
    missing = [
        name
        for name, column in _references()
        if not column.foreign_keys and name not in NOT_FOREIGN_KEYS and name not in NOT_YET  # type: ignore[attr-defined]
    ]
    assert not missing, f"name a foreign key (or the reason in NOT_FOREIGN_KEYS): {missing}"
    stale = [n for n in [*NOT_FOREIGN_KEYS, *NOT_YET] if n not in dict(_references())]
    assert not stale, f"listed but no longer a column: {stale}"
    for table in ISSUE_TABLES:
        listed = [n for n in NOT_YET if n.startswith(f"{table}.")]
        assert not listed, listed


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_database"))
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def test_the_migrated_database_has_the_models_foreign_keys(migrated: Engine) -> None:
    _models()
    found = inspect(migrated)
    missing = []
    for name in ISSUE_TABLES:
        model = Base.metadata.tables[name]
        declared = {(tuple(fk.parent.name for fk in c.elements), c.referred_table.name)
                    for c in model.foreign_key_constraints}  # fmt: skip
        reflected = {
            (tuple(fk["constrained_columns"]), fk["referred_table"])
            for fk in found.get_foreign_keys(name)
        }
        if name == "orders" and migrated.dialect.name == "sqlite":
            reflected.add((("offer_id",), "offers"))  # a trigger there (see orders_0002)
        missing += [f"{name}{cols} -> {to}" for cols, to in declared - reflected]
    assert not missing


def _seed(conn) -> None:
    """A reseller, a product and a draft order, with the models' own column defaults."""
    from hub.catalog.models import Product
    from hub.orders.models import Order
    from hub.resellers.models import Reseller

    conn.execute(
        Reseller.__table__.insert().values(
            id="r1", name="Toko", ssh_public_key="k", signing_public_key="s"
        )
    )
    conn.execute(Product.__table__.insert().values(id=1, sku="A", name="Produk A", list_price=1000))
    conn.execute(Order.__table__.insert().values(id=1, reseller_id="r1"))


REFUSED = {
    "receipt for a missing product": (
        "INSERT INTO inventory_receipts (product_id, quantity, reference, received_by, received_at)"
        " VALUES (999, 5, '', '', '2026-01-01')"
    ),
    "stock of a missing product": (
        "INSERT INTO inventory_stock (product_id, on_hand, reserved, shipped) VALUES (999, 5, 0, 0)"
    ),
    "a receipt of zero": (
        "INSERT INTO inventory_receipts (product_id, quantity, reference, received_by, received_at)"
        " VALUES (1, 0, '', '', '2026-01-01')"
    ),
    "an order of a missing offer": "UPDATE orders SET offer_id = 999 WHERE id = 1",
    "a negative subtotal": "UPDATE orders SET subtotal = -1 WHERE id = 1",
    "negative pending proofs": "UPDATE orders SET pending_proofs = -1 WHERE id = 1",
    "a line of a missing product": (
        "INSERT INTO order_lines (order_id, product_id, sku, name, quantity, unit_price, "
        "price_rule) VALUES (1, 999, 'X', 'X', 1, 10, '')"
    ),
    "a line of quantity 0": (
        "INSERT INTO order_lines (order_id, product_id, sku, name, quantity, unit_price, "
        "price_rule) VALUES (1, 1, 'A', 'A', 0, 10, '')"
    ),
    "a confirmation of an unknown reseller": (
        "INSERT INTO payment_confirmations (order_id, reseller_id, invoice_number, bank, "
        "account_holder, transfer_date, amount, proof_name, proof_type, proof_size, status, "
        "reason, submitted_by, reviewed_by, created_at) VALUES (1, 'ghost', 'I', 'BCA', 'B', "
        "'2026-01-01', 10, 'p', 'image/png', 1, 'pending', '', '', '', '2026-01-01')"
    ),
    "a cost move of a missing product": (
        "INSERT INTO purchasing_cost_moves (product_id, at, reference, quantity, value, "
        "on_hand_before, average_before, average_after) VALUES (999, '2026-01-01', 'GRN-1', 1, "
        "10, 0, 0, 10)"
    ),
    "a confirmation of a negative amount": (
        "INSERT INTO payment_confirmations (order_id, reseller_id, invoice_number, bank, "
        "account_holder, transfer_date, amount, proof_name, proof_type, proof_size, status, "
        "reason, submitted_by, reviewed_by, created_at) VALUES (1, 'r1', 'I', 'BCA', 'B', "
        "'2026-01-01', -10, 'p', 'image/png', 1, 'pending', '', '', '', '2026-01-01')"
    ),
}


def test_the_database_refuses_what_the_references_forbid(migrated: Engine) -> None:
    with migrated.begin() as conn:
        _seed(conn)
    accepted = []
    for what, sql in REFUSED.items():
        try:
            with migrated.begin() as conn:
                conn.execute(text(sql))
            accepted.append(what)
        except IntegrityError:
            pass
    assert not accepted, f"the database accepted: {accepted}"


def test_upgrade_moves_orphan_stock_aside_and_says_so(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "inventory_0001")  # the schema before this issue
    with engine.begin() as conn:
        _seed(conn)
        conn.execute(text("DELETE FROM orders"))
        for product, qty in ((1, 3), (4242, 7)):  # the second: the bug's stock for no product
            conn.execute(
                text(
                    "INSERT INTO inventory_receipts (product_id, quantity, reference, "
                    "received_by, received_at) VALUES (:p, :q, 'PO-1', 'gudang', '2026-01-01')"
                ),
                {"p": product, "q": qty},
            )
            conn.execute(
                text(
                    "INSERT INTO inventory_stock (product_id, on_hand, reserved, shipped) "
                    "VALUES (:p, :q, 0, 0)"
                ),
                {"p": product, "q": qty},
            )
    with caplog.at_level(logging.WARNING, logger="hub.migrations"):
        upgrade(engine)
    assert "moved to the table inventory_orphans" in caplog.text
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT product_id, quantity FROM inventory_receipts")).all()
        orphans = conn.execute(
            text("SELECT source, product_id, quantity, reference FROM inventory_orphans")
        ).all()
    assert kept == [(1, 3)]
    assert sorted(orphans) == [("receipt", 4242, 7, "PO-1"), ("stock", 4242, 7, "")]
    engine.dispose()


def test_upgrade_refuses_a_cost_move_of_a_missing_product_and_changes_nothing(tmp_path) -> None:
    """A ledger row is never dropped to make room for a foreign key: the upgrade stops and says
    which rows and how to find them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "purchasing_0001")
    with engine.begin() as conn:
        conn.execute(text(REFUSED["a cost move of a missing product"]))
    with pytest.raises(DataError) as refused:
        upgrade(engine)
    assert "1 row(s) of purchasing_cost_moves name a product_id" in str(refused.value)
    assert "SELECT * FROM purchasing_cost_moves WHERE" in str(refused.value)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM purchasing_cost_moves")) == 1
        versions = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    assert "purchasing_0002" not in versions
    engine.dispose()
