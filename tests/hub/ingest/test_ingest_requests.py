"""Requests to the agent: a key set that differs asks for the keys, the answer closes the request,
and an applied full snapshot answers everything; the signed files follow the open requests."""

from __future__ import annotations

from ingest_kit import Hub
from sqlalchemy import select

from hub.core.i18n import Formatter
from hub.ingest.models import SyncRequest
from shared.messages import Request, parse_payload, verify_message

V1 = {1: ("Mouse", "9.50"), 2: ("Keyboard", "25.00")}


def request_files(hub: Hub, rid: str) -> dict[str, Request]:
    out = {}
    for path in sorted((hub.settings.sftp_root / rid / "outbox").glob("request-*.json")):
        msg = parse_payload(verify_message(path.read_bytes(), hub.keys.signing_key.public_key()))
        assert isinstance(msg, Request)
        out[path.name] = msg
    return out


def test_a_key_set_that_differs_asks_for_the_keys_until_answered(hub: Hub) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1, mode="full")
    # key 2 is gone at the source, but the snapshot neither lists it as deleted nor sends its rows
    r.push(2, "incremental", {}, keys=[1], mode="rowhash")
    report = hub.ingest()
    assert [o.status for o in report.outcomes] == ["applied", "applied"]
    files = request_files(hub, "toko-a")
    assert list(files) == ["request-r1.json"]
    req = files["request-r1.json"]
    assert (req.what, req.datasets, req.since_sequence) == ("keys", ["products"], 2)
    # the agent gets the English text; the operator's page says it in their language
    assert req.reason == "after snapshot 2 the hub's keys of products differ from the source's"
    with hub.factory() as s:
        (asked,) = s.scalars(select(SyncRequest)).all()
    shown = Formatter("id").phrases(asked.reason_phrases, asked.reason)
    assert shown == "setelah snapshot 2 kunci products di hub berbeda dari kunci di sumbernya"
    row = [s for s in hub.snapshots("toko-a") if s.sequence == 2][0]
    assert "asked the agent for its key list" in str(row.stats)

    # an answer without the key list does not settle it: the hub asks again
    r.push(3, "incremental", {}, keys=[1], mode="rowhash", answers=["r1"])
    hub.ingest()
    assert [m.id for m in request_files(hub, "toko-a").values()] == ["r2"]
    r.push(4, "incremental", {}, keys=[1], mode="rowhash", answers=["r2"], key_list=True)
    hub.ingest()
    assert request_files(hub, "toko-a") == {}  # answered and the key sets equal: the file is gone
    assert hub.products("toko-a") == {1: ("Mouse", "9.50")}


def test_a_full_snapshot_answers_an_operators_request(hub: Hub) -> None:
    from hub.ingest.requests import request_full, write_messages
    from hub.ingest.store import Store

    r = hub.reseller("toko-b")
    r.push(1, "full", V1, mode="full")
    hub.ingest()
    with hub.factory() as s:
        req = request_full(s, "toko-b", reason="", by="op")
        s.commit()
        write_messages(s, Store.from_settings(hub.settings), hub.keys.signing_key, "toko-b")
    assert request_files(hub, "toko-b")["request-r1.json"].what == "full" and req.id == 1
    r.push(2, "full", V1, mode="full")  # the agent's next snapshot is full (it need not list r1)
    hub.ingest()
    assert request_files(hub, "toko-b") == {}


def test_the_cli_asks_for_a_full_snapshot_and_lists_what_is_open(hub: Hub, monkeypatch) -> None:
    from click.testing import CliRunner

    from hub.cli import cli

    hub.reseller("toko-c")
    monkeypatch.setenv("SYNCHUB_HOME", str(hub.settings.home))
    monkeypatch.setenv("SYNCHUB_ENVIRONMENT", "test")
    runner = CliRunner()
    r = runner.invoke(cli, ["snapshots", "request-full", "toko-c", "--reason", "stok salah"])
    assert r.exit_code == 0, r.output
    assert "request r1: full snapshot asked of toko-c" in r.output
    assert request_files(hub, "toko-c")["request-r1.json"].reason == "stok salah"
    listed = runner.invoke(cli, ["snapshots", "requests"])
    assert "toko-c" in listed.output and "1 open request(s)" in listed.output
    unknown = runner.invoke(cli, ["snapshots", "request-full", "nobody"])
    assert unknown.exit_code != 0 and "nobody" in str(unknown.exception or unknown.output)
