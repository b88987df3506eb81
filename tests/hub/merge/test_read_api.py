"""The read API and `synchub data` CLI over merged data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from hub.cli import cli
from hub.core.db import transaction
from hub.core.roles import Principal, Role
from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.data.routes import router
from hub.merge import merge_snapshot
from hub.resellers.service import add_reseller
from hub.users.sessions import issue_token
from shared import keys
from tests.hub.merge.snapbuild import build, cols
from tests.hub.routerkit import router_app

UTC = dt.timezone.utc
T1, T2 = dt.datetime(2024, 3, 1, tzinfo=UTC), dt.datetime(2024, 3, 2, tzinfo=UTC)
C = cols("id:integer!", "name:text", "price:decimal", "seen:timestamptz")
ROWS1 = [(1, "Chai", Decimal("18.00"), T1), (2, "Chang, big", None, None)]
ROWS2 = [(1, "Chai", Decimal("18.50"), T2), (3, "Ikura", Decimal("31.00"), None)]


def _load(factory, tmp_path):
    for sid, (rows, at) in enumerate(((ROWS1, T1), (ROWS2, T2)), 1):
        manifest, reader = build(tmp_path, {"products": (C, ["id"], rows)}, created_at=at)
        with transaction(factory) as s:
            merge_snapshot(
                s,
                reseller_id="r1",
                snapshot_id=sid,
                manifest=manifest,
                reader=reader,
                received_at=at,
            )


def _client(factory) -> TestClient:
    """The data router behind the real authenticator, called with reseller r1's Bearer token."""
    app = router_app(factory)
    app.include_router(router)
    ssh = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    with transaction(factory) as s:
        add_reseller(
            s,
            {
                "id": "r1",
                "name": "Toko r1",
                "ssh_public_key": ssh,
                "signing_public_key": keys.public_b64(keys.generate_signing_key()),
            },
        )
        token, _ = issue_token(s, Principal(role=Role.OWNER, username="tests"), "r1", "r1 shop")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_rows_as_of_history_and_csv(db, tmp_path):
    _load(db, tmp_path)
    c = _client(db)
    base = "/api/v1/resellers/r1"
    ds = c.get(f"{base}/datasets").json()
    assert (
        ds["count"] == 1
        and ds["data"][0]["current_rows"] == 2
        and ds["data"][0]["last_snapshot_id"] == 2
    )
    body = c.get(f"{base}/datasets/products/rows").json()
    assert [col["name"] for col in body["columns"]] == ["id", "name", "price", "seen"]
    assert body["data"] == [
        [1, "Chai", "18.50", "2024-03-02T00:00:00+00:00"],
        [3, "Ikura", "31.00", None],
    ]
    old = c.get(
        f"{base}/datasets/products/rows",
        params={"as_of": "2024-03-01T12:00:00Z", "name": "Chang, big"},
    )
    assert old.json() == {**old.json(), "data": [[2, "Chang, big", None, None]], "count": 1}
    assert (
        c.get(f"{base}/datasets/products/rows", params={"limit": 1, "offset": 1}).json()["count"]
        == 2
    )
    assert c.get(f"{base}/datasets/nope/rows").status_code == 404
    assert c.get(f"{base}/datasets/products/rows", params={"colour": "red"}).status_code == 422
    assert (
        c.get(f"{base}/datasets/products/rows", params={"as_of": "2024-03-01T12:00:00"}).status_code
        == 422
    )
    hist = c.get(f"{base}/records/products/1/history").json()
    assert [v["values"][2] for v in hist["data"]] == ["18.00", "18.50"]
    r = c.get(f"{base}/datasets/products/rows.csv", params={"as_of": "2024-03-01T12:00:00Z"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(r.text))) == [
        ["id", "name", "price", "seen"],
        ["1", "Chai", "18.00", "2024-03-01 00:00:00+00"],
        ["2", "Chang, big", "", ""],
    ]
    assert c.get(f"{base}/entities/product").status_code == 404  # no profile applied yet


def test_cli_export_and_datasets(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("SYNCHUB_HOME", str(home))
    monkeypatch.delenv("SYNCHUB_DATABASE_URL", raising=False)
    init_hub(HubSettings())
    engine, factory = open_hub(HubSettings())
    _load(factory, tmp_path)
    engine.dispose()
    runner = CliRunner()
    res = runner.invoke(cli, ["data", "datasets", "r1"])
    assert res.exit_code == 0 and "products" in res.output
    out = tmp_path / "p.csv"
    res = runner.invoke(
        cli,
        ["data", "export", "r1", "products", "--as-of", "2024-03-01T12:00:00Z", "--csv", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert out.read_text().splitlines()[1:] == [
        "1,Chai,18.00,2024-03-01 00:00:00+00",
        '2,"Chang, big",,',
    ]
    res = runner.invoke(cli, ["data", "export", "r1", "products", "--where", "id=3"])
    assert res.exit_code == 0 and res.output.splitlines()[1] == "3,Ikura,31.00,"
