"""The hub's messages read by what they are about (agent/hubmail.py): acks bound to the very file
sent, a conflict re-bases the agent, requests are answered by the next snapshot."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from agent.export import export
from agent.hubmail import fetch
from agent.state import AgentState
from shared import keys
from shared.messages import Ack, Request, ack_filename, request_filename, sign_message
from shared.seal import open_snapshot

NOW = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.timezone.utc)


class Folder:
    """The hub's outbox as a local folder (what ``HubConnection.download`` reads over SFTP)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def download(self, name: str, dest: Path) -> None:
        shutil.copyfile(self.path / name, dest)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.path.iterdir())

    def put(self, name: str, payload: dict, signer) -> None:
        (self.path / name).write_bytes(sign_message(payload, signer))


def _ack(rid: str, seq: int, sha: str, status: str = "applied", last: int | None = None) -> dict:
    return Ack(
        reseller_id=rid,
        sequence=seq,
        status=status,  # type: ignore[arg-type]
        at=NOW,
        file_sha256=sha,
        last_applied_sequence=seq if last is None else last,
    ).to_payload()


def _export(cfg, **kw):
    with AgentState(cfg.agent.state_dir) as st:
        return export(cfg, st, **kw)


def _fetch(cfg, hub: Folder):
    with AgentState(cfg.agent.state_dir) as st:
        return fetch(hub, hub.names(), cfg, st)


def _sha(cfg, seq: int) -> str:
    with AgentState(cfg.agent.state_dir) as st:
        row = st.snapshot_by_sequence(seq)
        assert row is not None and row["sha256"]
        return row["sha256"]


def test_an_ack_is_kept_only_for_the_file_it_names(make_agent, hub_keys, tmp_path) -> None:
    setup = make_agent("toko-ack")
    cfg = setup.config()
    hub = Folder(tmp_path / "hub-outbox")
    first = _export(cfg)
    sha = _sha(cfg, 1)
    inbox = cfg.agent.state_dir / "inbox"

    hub.put(ack_filename(1), _ack("toko-ack", 1, "f" * 64, "quarantined"), hub_keys.signing_private)
    mail = _fetch(cfg, hub)  # about another upload under our number: not ours, not an error
    assert mail.acks == {} and mail.quarantined == [] and not (inbox / ack_filename(1)).exists()

    hub.put(ack_filename(1), _ack("toko-ack", 1, sha, "held", last=0), hub_keys.signing_private)
    assert _fetch(cfg, hub).acks[1].status == "held"
    hub.put(ack_filename(1), _ack("toko-ack", 1, sha), hub_keys.signing_private)  # rewritten
    assert _fetch(cfg, hub).acks[1].status == "applied"  # not final before: fetched again
    assert _fetch(cfg, hub).acks == {}  # final and ours: nothing more to fetch
    assert first.sequence == 1 and (inbox / ack_filename(1)).exists()


def test_a_conflict_rebases_to_a_full_snapshot_after_the_hubs_last(
    make_agent, hub_keys, tmp_path
) -> None:
    setup = make_agent("toko-conflict")
    cfg = setup.config()
    hub = Folder(tmp_path / "hub-outbox")
    _export(cfg)
    assert _export(cfg).kind == "incremental"
    reason = "the hub already applied another file as sequence 2"
    hub.put(
        ack_filename(2),
        {**_ack("toko-conflict", 2, _sha(cfg, 2), "conflict", last=41), "reason": reason},
        hub_keys.signing_private,
    )
    mail = _fetch(cfg, hub)
    assert mail.conflict is not None and mail.conflict.last_applied_sequence == 41
    healed = _export(cfg)
    assert (healed.sequence, healed.kind) == (42, "full")
    after = _export(cfg)
    assert (after.sequence, after.kind) == (43, "incremental")  # re-based once


def test_requests_are_answered_by_the_next_snapshot(make_agent, hub_keys, tmp_path) -> None:
    setup = make_agent(
        "toko-req",
        datasets=[
            {
                "name": "products",
                "table": "products",
                "key": ["id"],
                "mode": "cursor",
                "cursor": "id",
            }
        ],
    )
    cfg = setup.config()
    hub = Folder(tmp_path / "hub-outbox")
    _export(cfg)
    ask = Request(
        reseller_id="toko-req",
        id="r7",
        what="keys",
        datasets=["products"],
        at=NOW,
        since_sequence=1,
    )
    hub.put(request_filename("r7"), ask.to_payload(), hub_keys.signing_private)
    assert [r.id for r in _fetch(cfg, hub).requests] == ["r7"]
    answer = _export(cfg)
    signer = keys.load_signing_key(setup.dir / "keys" / "signing_ed25519.pem").public_key()
    reader = open_snapshot(
        answer.path,
        hub_private_key=hub_keys.seal_private,
        signer_public_key=signer,
        dest_dir=tmp_path / "answer",
    )
    ds = reader.manifest.dataset("products")
    assert reader.manifest.answers == ["r7"] and answer.kind == "incremental"
    assert ds.keyset is not None and ds.keyset.part is not None  # the whole key list, as asked
    assert _fetch(cfg, hub).requests == []  # answered: the same file is not taken again
    assert _export(cfg).manifest.answers == []

    full = Request(reseller_id="toko-req", id="r8", what="full", at=NOW, reason="stok salah")
    hub.put(request_filename("r8"), full.to_payload(), hub_keys.signing_private)
    _fetch(cfg, hub)
    done = _export(cfg)
    assert done.kind == "full" and done.manifest.answers == ["r8"]
