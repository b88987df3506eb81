"""Issue #16 acceptance 1 and 3: the failures found on third-party databases, each on SQLite,
PostgreSQL and MariaDB sources delivered through a real OpenSSH sshd.

After one ordinary ``syncagent push`` the hub's current rows equal the source's, value for
value, and the history dates each change at the push that first carried it (the snapshot's
source time). The schema is our own Chinook-like music shop (tests/integration/shops.py):

1. a row deleted and another inserted with an older cursor value in the same interval;
2. an edit to an old invoice whose ``invoice_date`` cursor does not move;
3. the agent's state folder wiped and the agent set up again;
4. incrementals no larger than their changes (an unchanged dataset sends only its digests);
5. a schema that is not Northwind mapped to the hub's entities with a profile file, no code
   (the browser journey is tests/e2e/test_mapping_browser.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.ingest.models import Snapshot
from hub.merge import query
from tests.integration.shops import chinook, shop_source
from tests.integration.spine_kit import (
    Source,
    SpineAgent,
    SpineHub,
    make_agent,
    open_sealed_file,
    run_cli,
    run_sql,
    source_rows,
    spine_hub,
)

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb, pytest.mark.sshd]
PLATFORMS = ("sqlite", "postgresql", "mysql")
DATASETS = [
    # auto: an invoice date is not a modification time -> row hash
    {"name": "invoices", "table": "invoices", "key": ["invoice_id"], "cursor": "invoice_date"},
    # the same table with the operator insisting on the cursor
    {
        "name": "invoices_by_date",
        "table": "invoices",
        "key": ["invoice_id"],
        "cursor": "invoice_date",
        "mode": "cursor",
    },
    {"name": "tracks", "table": "tracks", "key": ["track_id"]},  # no cursor -> row hash
    {"name": "customers", "table": "customers", "key": ["customer_id"], "cursor": "updated_at"},
    {"name": "track_stock", "table": "track_stock", "key": ["track_id"]},
    {"name": "invoice_lines", "table": "invoice_lines", "key": ["invoice_line_id"]},
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, sshd_server) -> Iterator[SpineHub]:
    with spine_hub(tmp_path_factory.mktemp("hub"), sftp_root=sshd_server.root) as h:
        yield h


@pytest.fixture(params=PLATFORMS)
def shop(request, tmp_path, postgres_server, mariadb_server) -> Iterator[Source]:
    with shop_source(
        request.param, tmp_path / "src", postgres_server, mariadb_server, chinook
    ) as s:
        yield s


_count = iter(range(1, 10_000))


def enrol(hub: SpineHub, sshd: Any, shop: Source, base: Path, name: str) -> SpineAgent:
    """An agent for ``shop`` delivering through the OpenSSH chroot, enrolled at the hub."""
    rid = f"{name}-{shop.platform[:5]}-{next(_count)}"
    agent = make_agent(
        base,
        rid,
        shop.url,
        hub=hub.keys,
        password=shop.password,
        datasets=DATASETS,
        host=sshd.host,
        port=sshd.port,
        username=sshd.login_name(rid),
        host_key=sshd.host_public_key,
    )
    hub.enrol(rid, agent.handoff, shop.platform)
    sshd.add_reseller(rid, agent.handoff.ssh_public_key)
    return agent


def push(hub: SpineHub, agent: SpineAgent, **kw: Any) -> tuple[dict[str, Any], dt.datetime]:
    """One ordinary push and the hub's ingest; (the agent's summary, the pushed snapshot's time)."""
    summary = agent.push(**kw)
    hub.ingest()
    return summary, pushed_at(hub, agent.reseller_id, summary["snapshot"])


def pushed_at(hub: SpineHub, rid: str, file_name: str) -> dt.datetime:
    with hub.factory() as s:
        row = s.scalars(
            select(Snapshot).where(Snapshot.reseller_id == rid, Snapshot.file_name == file_name)
        ).one()
        assert row.status == "applied", (row.status, row.reason)
        assert row.source_created_at is not None
        return row.source_created_at


def assert_equal(hub: SpineHub, agent: SpineAgent, shop: Source) -> None:
    for d in DATASETS:
        assert hub.rows(agent.reseller_id, d["name"]) == source_rows(shop.read_url, d["table"]), (
            f"{shop.platform}: {d['name']} at the hub differs from the source"
        )


def history(hub: SpineHub, rid: str, dataset: str, key: str) -> list[Any]:
    with hub.factory() as s:
        return query.record_history(s, rid, dataset, key)[1]


def test_a_delete_and_a_back_dated_insert_in_one_interval(hub, sshd_server, shop, tmp_path):
    agent = enrol(hub, sshd_server, shop, tmp_path, "f1")
    push(hub, agent)
    run_sql(
        shop,
        [
            "DELETE FROM invoices WHERE invoice_id = 5",
            # a back-dated invoice: its date is far below the last one sent
            "INSERT INTO invoices (invoice_id, customer_id, invoice_date, billing_city, total) "
            "VALUES (1001, 3, '2026-01-02', 'Depok', 12.50)",
        ],
    )
    summary, at = push(hub, agent)
    assert summary["kind"] == "incremental"
    assert_equal(hub, agent, shop)
    for dataset in ("invoices", "invoices_by_date"):  # row hash, and the cursor the operator chose
        gone = history(hub, agent.reseller_id, dataset, "5")
        assert len(gone) == 1 and gone[0].valid_to == at, dataset
        new = history(hub, agent.reseller_id, dataset, "1001")
        assert len(new) == 1 and new[0].valid_from == at and new[0].valid_to is None, dataset
    assert any("not found by the cursor" in n for n in summary.get("notes", [])), summary


def test_an_edit_to_an_old_invoice_arrives_dated_at_its_push(hub, sshd_server, shop, tmp_path):
    agent = enrol(hub, sshd_server, shop, tmp_path, "f2")
    check = run_cli("syncagent", "-c", str(agent.config_path), "check", cwd=agent.dir)
    assert check.returncode == 0, check.stderr
    assert "dataset invoices: rowhash — auto: 'invoice_date' does not look like" in check.stdout
    assert (
        "warning: dataset invoices_by_date: cursor 'invoice_date' looks like a creation date"
        in (check.stdout)
    )
    assert "CREATE INDEX" not in check.stdout.split("dataset invoices:")[1].split("\n")[0]
    _, first = push(hub, agent)
    run_sql(
        shop, ["UPDATE invoices SET total = 99.99, billing_city = 'Bogor' WHERE invoice_id = 3"]
    )
    summary, at = push(hub, agent)
    assert summary["kind"] == "incremental"
    versions = history(hub, agent.reseller_id, "invoices", "3")
    assert [(v.valid_from, v.valid_to) for v in versions] == [(first, at), (at, None)]
    assert str(versions[1].values[4]) == "99.99" and versions[1].values[3] == "Bogor"
    # the auto dataset equals the source; the forced cursor one misses the edit, as warned
    assert hub.rows(agent.reseller_id, "invoices") == source_rows(shop.read_url, "invoices")
    assert hub.rows(agent.reseller_id, "invoices_by_date") != source_rows(shop.read_url, "invoices")
    assert hub.rows(agent.reseller_id, "tracks") == source_rows(shop.read_url, "tracks")


def test_a_wiped_state_folder_loses_nothing_and_says_so(hub, sshd_server, shop, tmp_path):
    agent = enrol(hub, sshd_server, shop, tmp_path, "f3")
    push(hub, agent)
    push(hub, agent)
    run_sql(shop, ["UPDATE tracks SET unit_price = 5.55 WHERE track_id = 10"])
    shutil.rmtree(agent.config().agent.state_dir)  # the state folder is lost; keys and config stay
    summary, at = push(hub, agent)
    assert summary["kind"] == "full" and "rebased" in summary, summary
    assert summary["snapshot"].endswith("-000000000003-full.snap")  # after the hub's last (2)
    assert_equal(hub, agent, shop)
    assert history(hub, agent.reseller_id, "tracks", "10")[-1].valid_from == at
    with hub.factory() as s:
        statuses = [
            r.status
            for r in s.scalars(select(Snapshot).where(Snapshot.reseller_id == agent.reseller_id))
        ]
    assert statuses == ["applied"] * 3  # nothing taken for a duplicate

    # wiped again, and this time the hub's answers are gone too: the hub refuses the reused
    # numbers as a conflict (never "duplicate"), and the next push heals by itself
    shutil.rmtree(agent.config().agent.state_dir)
    for ack in (sshd_server.root / agent.reseller_id / "outbox").glob("ack-*.json"):
        ack.unlink()
    run_sql(shop, ["DELETE FROM tracks WHERE track_id = 11"])
    summary = agent.push()
    assert summary["snapshot"].endswith("-000000000001-full.snap") and "rebased" not in summary
    hub.ingest()
    with hub.factory() as s:
        reused = s.scalars(
            select(Snapshot).where(
                Snapshot.reseller_id == agent.reseller_id, Snapshot.sequence == 1
            )
        ).all()
    assert sorted(r.status for r in reused) == ["applied", "conflict"]
    run_sql(
        shop,
        [
            "UPDATE customers SET city = 'Solo', updated_at = '2026-03-01 10:00:00' WHERE customer_id = 2"
        ],
    )
    healed = agent.push()
    assert "healed" in healed and healed["kind"] == "full", healed
    assert healed["snapshot"].endswith("-000000000004-full.snap")
    hub.ingest()
    assert_equal(hub, agent, shop)


def test_incrementals_are_no_larger_than_their_changes(hub, sshd_server, shop, tmp_path):
    agent = enrol(hub, sshd_server, shop, tmp_path, "f4")
    full, _ = push(hub, agent)
    sent = agent.config().agent.state_dir / "sent"
    quiet, _ = push(hub, agent)  # nothing changed anywhere
    run_sql(shop, ["UPDATE tracks SET name = 'Lagu baru' WHERE track_id = 7"])
    one, _ = push(hub, agent)
    assert_equal(hub, agent, shop)
    opened = {
        label: open_sealed_file(
            sent / summary["snapshot"], hub.keys, agent.signing_public, tmp_path / label
        ).manifest
        for label, summary in (("quiet", quiet), ("one", one))
    }
    for ds in opened["quiet"].datasets:  # an unchanged dataset sends only its digests
        assert ds.members() == [] and ds.keyset is not None and ds.keyset.digest, ds.name
    carried = {ds.name: [p.name for p in ds.members()] for ds in opened["one"].datasets}
    assert carried == {n: [] for n in carried} | {"tracks": ["data/tracks/1.tsv.zst"]}
    sizes = {
        k: (sent / s["snapshot"]).stat().st_size
        for k, s in (("full", full), ("quiet", quiet), ("one", one))
    }
    # the manifest (columns and digests) is all an incremental adds to its changes (a tar member
    # costs two 512-byte blocks at most)
    assert sizes["one"] - sizes["quiet"] < 2048 and sizes["quiet"] < sizes["full"] / 3, sizes


CHINOOK_PROFILE = {
    "name": "musik",
    "entities": {
        "product": {
            "dataset": "tracks",
            "fields": {"sku": "track_id", "name": "name", "unit_price": "unit_price"},
        },
        "stock_level": {
            "dataset": "track_stock",
            "fields": {"sku": "track_id", "on_hand": {"column": "boxes", "multiply": "10"}},
        },
        "sale_line": {
            "dataset": "invoice_lines",
            "fields": {
                "order_id": "invoice_id",
                "sku": "track_id",
                "quantity": "quantity",
                "unit_price": {"column": "unit_price", "tax": "included", "tax_rate": "11"},
            },
            "lookup": {
                "dataset": "invoices",
                "on": "invoice_id",
                "key": "invoice_id",
                "fields": {"order_date": "invoice_date"},
            },
        },
    },
}


def test_a_schema_that_is_not_northwind_maps_with_a_profile_file(hub, sshd_server, shop, tmp_path):
    import json

    from hub.mapping import service
    from hub.mapping.profiles import Profile

    agent = enrol(hub, sshd_server, shop, tmp_path, "f5")
    run_sql(shop, ["UPDATE track_stock SET boxes = 3 WHERE track_id = 5"])
    push(hub, agent)
    profile_file = tmp_path / "musik.json"
    profile_file.write_text(json.dumps(CHINOOK_PROFILE))
    profile = Profile.model_validate_json(profile_file.read_bytes())
    with hub.factory() as s:
        assert {
            e: p.problems for e, p in service.preview(s, agent.reseller_id, profile).items()
        } == {
            "product": [],
            "stock_level": [],
            "sale_line": [],
        }
    # applied as docs/mapping.md says: `synchub data map RESELLER FILE --apply`
    env = {"SYNCHUB_HOME": str(hub.settings.home), "SYNCHUB_DATABASE_URL": hub.settings.db_url}
    applied = run_cli(
        "synchub",
        "data",
        "map",
        agent.reseller_id,
        str(profile_file),
        "--apply",
        cwd=tmp_path,
        env=env,
    )
    assert applied.returncode == 0, applied.stderr
    with hub.factory() as s:
        _f, stock = service.entity_rows(s, agent.reseller_id, "stock_level")
        fields, lines = service.entity_rows(s, agent.reseller_id, "sale_line")
    assert {r[0]: r[1] for r in stock}["5"] == 30  # 3 boxes of 10
    line = dict(zip(fields, next(r for r in lines if r[0] == "1" and r[1] == "2")))
    # invoice line 1 (invoice 1, track 2): 12.10 including 11 % VAT, dated by its invoice
    assert line["unit_price"] == Decimal("10.9009") and line["order_date"] == dt.date(2026, 1, 1)
