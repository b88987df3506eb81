"""Issue 3 acceptance 2 / issue 2 acceptance 2: changes at the sources travel exactly.

Northwind on PostgreSQL, MariaDB and SQLite; the agents share ``Orders`` (cursor: the order
date, so rows share cursor values — four orders sit on the last date) and ``Products``.
After a first full push, each source gets updates (one on the last cursor value), inserts
(several sharing the new last value, one late on the old last value) and a delete. The
incremental push must carry exactly those changes plus the key set; the hub's current state
must equal the source; the next full snapshot's key-set digest must reveal the delete; and
as-of queries must return the state before the changes exactly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.merge import query
from shared import keyset
from shared.copytext import parse_line
from tests.integration.spine_kit import (
    Source,
    SpineHub,
    make_agent,
    northwind_sources,
    open_sealed_file,
    run_sql,
    snapshot_lines,
    source_rows,
    spine_hub,
)

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb, pytest.mark.sshd]

PLATFORMS = ("sqlite", "postgresql", "mysql")
NAMES = {  # orders, order lines, id, date, city, customer, employee, products, product id, price
    "sqlite": (
        "Orders",
        '"Order Details"',
        "OrderID",
        "OrderDate",
        "ShipCity",
        "CustomerID",
        "EmployeeID",
        "Products",
        "ProductID",
        "UnitPrice",
    ),
    "postgresql": (
        "orders",
        "order_details",
        "order_id",
        "order_date",
        "ship_city",
        "customer_id",
        "employee_id",
        "products",
        "product_id",
        "unit_price",
    ),
    "mysql": (
        "Orders",
        "`Order Details`",
        "OrderID",
        "OrderDate",
        "ShipCity",
        "CustomerID",
        "EmployeeID",
        "Products",
        "ProductID",
        "UnitPrice",
    ),
}
LAST, NEW = "1998-05-06", "1998-05-07"  # Northwind's last order date (4 orders), and the day after
UPDATED_OLD, UPDATED_ON_LAST, LATE_ON_LAST, DELETED = 10250, 11075, 11090, 10260
INSERTED_ON_NEW = (11081, 11082, 11083)
CHANGED = sorted([UPDATED_OLD, UPDATED_ON_LAST, LATE_ON_LAST, *INSERTED_ON_NEW])


def day(platform: str, date: str) -> str:
    return {"postgresql": date, "mysql": f"{date} 00:00:00", "sqlite": f"{date} 00:00:00.000"}[
        platform
    ]


def change_source(platform: str, src: Source) -> None:
    orders, lines, oid, date, city, cust, emp, products, pid, price = NAMES[platform]
    ins = f"INSERT INTO {orders} ({oid}, {cust}, {emp}, {date}, {city}) VALUES "
    run_sql(
        src,
        [
            f"UPDATE {orders} SET {city} = 'Bandung', {date} = '{day(platform, NEW)}' WHERE {oid} = {UPDATED_OLD}",
            f"UPDATE {orders} SET {city} = 'Surabaya 🛵' WHERE {oid} = {UPDATED_ON_LAST}",  # cursor unchanged
            *[f"{ins}({n}, 'ALFKI', 1, '{day(platform, NEW)}', 'Medan')" for n in INSERTED_ON_NEW],
            f"{ins}({LATE_ON_LAST}, 'ANATR', 2, '{day(platform, LAST)}', 'Depok')",  # late commit on the old max
            f"DELETE FROM {lines} WHERE {oid} = {DELETED}",
            f"DELETE FROM {orders} WHERE {oid} = {DELETED}",
            f"UPDATE {products} SET {price} = 19.5 WHERE {pid} = 1",
        ],
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory, postgres_server, mariadb_server) -> Iterator[dict[str, Source]]:
    with northwind_sources(
        tmp_path_factory.mktemp("src"), postgres_server, mariadb_server, PLATFORMS
    ) as s:
        yield s


@pytest.fixture(scope="module")
def hub(tmp_path_factory, sshd_server) -> Iterator[SpineHub]:
    with spine_hub(tmp_path_factory.mktemp("hub"), sftp_root=sshd_server.root) as h:
        yield h


@pytest.mark.parametrize("platform", PLATFORMS)
def test_incremental_then_full_and_as_of(platform, sources, hub, sshd_server, tmp_path: Path):
    src = sources[platform]
    orders, _, oid, date, *_rest = NAMES[platform]
    products, pid = NAMES[platform][7], NAMES[platform][8]
    rid = f"chg-{platform[:5]}-{sshd_server.user_prefix[1:5]}"
    datasets = [
        # the cursor mechanics (shared values, the boundary, a late commit) with an explicit cursor:
        # an order date alone would choose row hash (tests/integration/test_sync_correctness.py)
        {"name": "orders", "table": orders, "key": [oid], "cursor": date, "mode": "cursor"},
        {"name": "products", "table": products, "key": [pid]},
    ]
    if platform == "mysql":  # one of the three through the real OpenSSH chroot
        where: dict[str, Any] = dict(
            host=sshd_server.host,
            port=sshd_server.port,
            username=sshd_server.login_name(rid),
            host_key=sshd_server.host_public_key,
        )
    else:
        where = dict(
            host="127.0.0.1", port=hub.server.port, username=rid, host_key=hub.keys.host_key_line
        )
    agent = make_agent(
        tmp_path, rid, src.url, hub=hub.keys, password=src.password, datasets=datasets, **where
    )
    hub.enrol(rid, agent.handoff, platform)
    if platform == "mysql":
        sshd_server.add_reseller(rid, agent.handoff.ssh_public_key)
    sent = Path(agent.config().agent.state_dir) / "sent"

    # 1. first full snapshot
    before = {
        t: source_rows(src.read_url, table)
        for t, table in (("orders", orders), ("products", products))
    }
    assert agent.push()["kind"] == "full"
    assert [o.status for o in hub.ingest().outcomes] == ["applied"]
    for name in before:
        assert hub.rows(rid, name) == before[name]
    first = open_sealed_file(
        sent / f"{rid}-000000000001-full.snap", hub.keys, agent.signing_public, tmp_path / "s1"
    )
    time.sleep(0.05)
    between = dt.datetime.now(dt.timezone.utc)
    time.sleep(0.05)

    # 2. changes at the source, then an incremental
    change_source(platform, src)
    after = {
        t: source_rows(src.read_url, table)
        for t, table in (("orders", orders), ("products", products))
    }
    assert after["orders"] != before["orders"] and after["products"] != before["products"]
    summary = agent.push()
    assert summary["kind"] == "incremental", summary
    inc = open_sealed_file(
        sent / summary["snapshot"], hub.keys, agent.signing_public, tmp_path / "s2"
    )
    ds = {d.name: d for d in inc.manifest.datasets}["orders"]
    carried = snapshot_lines(inc, "orders")
    assert (
        sorted(int(str(parse_line(line)[0])) for line in carried) == CHANGED
    )  # exactly the changes
    assert set(carried) <= set(after["orders"][1])  # each carried row is the source's new row
    assert ds.since is not None and ds.cursor_max is not None and ds.cursor_max.startswith(NEW)
    assert ds.keyset is not None and ds.keyset.count == len(after["orders"][1])
    keys = {line.decode().rstrip("\n") for line in inc.iter_keys("orders")}
    assert str(DELETED) not in keys and str(LATE_ON_LAST) in keys
    assert [k.decode() for k in inc.iter_deleted("orders")] == [f"{DELETED}\n"]  # by key sets
    assert [o.status for o in hub.ingest().outcomes] == ["applied"]
    for name in after:
        assert hub.rows(rid, name) == after[name], f"{platform} {name} after the incremental"

    # 3. a full snapshot: its key-set digest reveals the delete; the hub still equals the source
    assert agent.push(full=True)["kind"] == "full"
    assert [o.status for o in hub.ingest().outcomes] == ["applied"]
    full = open_sealed_file(
        sent / f"{rid}-000000000003-full.snap", hub.keys, agent.signing_public, tmp_path / "s3"
    )
    old_ks = {d.name: d for d in first.manifest.datasets}["orders"].keyset
    new_ks = {d.name: d for d in full.manifest.datasets}["orders"].keyset
    assert old_ks is not None and new_ks is not None
    digest = keyset.KeySetDigest()
    for line in [parse_line(x)[0] for x in after["orders"][1]]:
        digest.add(str(line).encode())
    assert (new_ks.count, new_ks.digest) == (digest.count, digest.hexdigest())
    assert (
        new_ks.count == old_ks.count + len(INSERTED_ON_NEW) + 1 - 1
        and new_ks.digest != old_ks.digest
    )
    want = sorted(str(parse_line(x)[0]) for x in after["orders"][1])
    assert sorted(line.decode().rstrip("\n") for line in full.iter_keys("orders")) == want
    # the source gained INSERTED_ON_NEW and LATE_ON_LAST and lost DELETED
    assert str(DELETED) not in want and str(LATE_ON_LAST) in want
    assert len(want) == len(before["orders"][1]) + len(INSERTED_ON_NEW) + 1 - 1
    for name in after:
        assert hub.rows(rid, name) == after[name], f"{platform} {name} after the full"

    # 4. as of a moment before the changes: exactly the earlier state; the history keeps both versions
    for name in before:
        assert hub.rows(rid, name, at=between) == before[name], f"{platform} {name} as of before"
    with hub.factory() as s:
        _cols, versions = query.record_history(s, rid, "orders", str(UPDATED_OLD))
        assert len(versions) == 2 and versions[0].valid_to == versions[1].valid_from
        _cols, gone = query.record_history(s, rid, "orders", str(DELETED))
        assert len(gone) == 1 and gone[0].valid_to is not None
