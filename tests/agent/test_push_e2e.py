"""The operator's path, end to end: init → enrol at the hub → check → push, from Northwind on SQLite."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from hub.demo.sample_data import northwind_sqlite
from shared import keys
from shared.messages import ack_filename, offers_filename, sign_message
from shared.seal import open_snapshot
from tests.agent.test_cli import syncagent

pytestmark = pytest.mark.sshd


def test_init_check_push_from_northwind(sshd_server, hub_keys, tmp_path: Path):
    db = northwind_sqlite(tmp_path / "northwind.db")
    rid = "toko-northwind"
    login = sshd_server.login_name(rid)
    work = tmp_path / "agent"
    work.mkdir()
    r = syncagent(
        "init",
        "--reseller-id",
        rid,
        "--source-url",
        f"sqlite:///{db}",
        "--hub-host",
        sshd_server.host,
        "--hub-port",
        str(sshd_server.port),
        "--hub-username",
        login,
        "--hub-host-key",
        sshd_server.host_public_key,
        "--hub-seal-key",
        hub_keys.seal_b64,
        "--hub-signing-key",
        hub_keys.signing_b64,
        cwd=work,
    )
    assert r.returncode == 0, r.stderr
    ssh_line = next(
        line.split(":", 1)[1].strip()
        for line in r.stdout.splitlines()
        if line.strip().startswith("SSH public key:")
    )
    chroot = sshd_server.add_reseller(rid, ssh_line)  # what the hub operator does with the hand-off

    # the hub has left an ack about another upload under sequence 1 (a garbage file, or one from
    # before a lost state folder), an offers file for us, and one forged file
    outbox = chroot / "outbox"
    now = dt.datetime.now(dt.timezone.utc)
    (outbox / ack_filename(1)).write_bytes(
        sign_message(
            {
                "kind": "ack",
                "reseller_id": rid,
                "sequence": 1,
                "status": "quarantined",
                "reason": "not a sealed snapshot",
                "at": now.isoformat(),
                "file_sha256": "0" * 64,
            },
            hub_keys.signing_private,
        )
    )
    (outbox / offers_filename(now)).write_bytes(
        sign_message(
            {
                "kind": "offers",
                "generated_at": now.isoformat(),
                "offers": [{"sku": "X1", "price": "10.50"}],
            },
            hub_keys.signing_private,
        )
    )
    (outbox / ack_filename(2)).write_bytes(
        sign_message(
            {
                "kind": "ack",
                "sequence": 2,
                "status": "applied",
                "reason": "",
                "at": now.isoformat(),
            },
            keys.generate_signing_key(),
        )
    )

    r = syncagent("check", cwd=work)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "host key OK" in r.stdout

    logins = sshd_server.log.read_text(errors="replace").count(f"Accepted publickey for {login} ")
    r = syncagent("push", cwd=work)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    # a new state folder first asks the hub how far it has applied, on the push's one connection
    after = sshd_server.log.read_text(errors="replace").count(f"Accepted publickey for {login} ")
    assert after - logins == 1
    name = f"{rid}-000000000001-full.snap"
    assert summary["delivered"] == [name]
    # the ack names another file: not ours, not kept, and no reason to fail this push
    assert sorted(summary["messages"]) == [offers_filename(now)], r.stderr
    assert not (work / "state" / "inbox" / ack_filename(1)).exists()
    assert (work / "state" / "inbox" / "rejected" / ack_filename(2)).exists()

    signer = keys.load_signing_key(work / "keys" / "signing_ed25519.pem").public_key()
    reader = open_snapshot(
        chroot / "inbox" / name,
        hub_private_key=hub_keys.seal_private,
        signer_public_key=signer,
        dest_dir=tmp_path / "opened",
    )
    manifest = reader.manifest
    with sqlite3.connect(db) as c:
        tables = {t for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        by_name = {d.name: d for d in manifest.datasets}
        assert "Products" in by_name and "Order_Details" in by_name
        for ds in manifest.datasets:
            table = ds.name if ds.name in tables else ds.name.replace("_", " ")
            assert ds.rows == c.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            assert ds.keyset is not None and ds.keyset.count == ds.rows and ds.keyset.part is None
        ids = [r[0] for r in reader.iter_rows("Products")]
        assert sorted(ids) == [i for (i,) in c.execute("SELECT ProductID FROM Products ORDER BY 1")]
        assert len(ids) > 50

    took = summary["seconds"]  # where the push's time went, for the operator
    assert set(took) == {"export", "delivery", "total"}
    assert took["export"] > 0 and took["delivery"] > 0
    assert took["export"] + took["delivery"] <= took["total"] + 0.002  # each rounded to 1 ms

    r = syncagent("status", cwd=work)
    assert r.returncode == 0 and "outbox: 0 snapshot(s) waiting" in r.stdout
    rows = sum(ds.rows for ds in manifest.datasets)
    assert (
        f"push   ok      {name} (full, {rows:,} rows), delivered, {took['total']:.2f} s "
        f"(export {took['export']:.2f} s, delivery {took['delivery']:.2f} s)"
    ) in r.stdout
    r = syncagent("offers", "--no-fetch", cwd=work)
    assert "offers" in r.stdout
