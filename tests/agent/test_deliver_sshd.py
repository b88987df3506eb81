"""Delivery through a real OpenSSH sshd with the production chroot (acceptance 3)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from agent.deliver import BIG_BLOCK, BLOCK, HubConnection, Preconnect, write_request_size
from agent.outbox import Outbox, snapshot_name
from agent.push import deliver_pending
from agent.state import AgentState
from shared.errors import HostKeyMismatch, TransferError
from tests.servers import free_port, wait_until

pytestmark = pytest.mark.sshd


def _enrolled(sshd_server, make_agent, rid: str, **kw):
    setup = make_agent(
        rid,
        host=sshd_server.host,
        port=sshd_server.port,
        host_key=sshd_server.host_public_key,
        **kw,
    )
    chroot = sshd_server.add_reseller(rid, setup.ssh_public_key)
    text = setup.config_path.read_text().replace(
        f'username = "{rid}"', f'username = "{sshd_server.logins[rid]}"'
    )
    setup.config_path.write_text(text)
    return setup, chroot


def _put(cfg, seq: int, size: int = 300_000) -> Path:
    """A stand-in sealed file (delivery does not look inside)."""
    ob = Outbox(cfg.agent.state_dir)
    name = snapshot_name(cfg.agent.reseller_id, seq, "full")
    tmp = ob.temp_path(name)
    tmp.write_bytes(os.urandom(size))
    return ob.commit(tmp, name)


def test_delivers_in_order_and_moves_to_sent(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-a")
    cfg = setup.config()
    files = [_put(cfg, s) for s in (1, 2, 3)]
    data = {f.name: f.read_bytes() for f in files}
    with AgentState(cfg.agent.state_dir) as st:
        report = deliver_pending(cfg, st, fetch=False)
    assert report.delivered == [f.name for f in files]
    assert report.cipher == "aes256-gcm@openssh.com"
    for name, raw in data.items():
        assert (chroot / "inbox" / name).read_bytes() == raw
        assert (cfg.agent.state_dir / "sent" / name).exists()
    assert not list((chroot / "inbox").glob("*.part"))
    assert Outbox(cfg.agent.state_dir).pending() == []


def test_big_write_requests_to_openssh_arrive_byte_for_byte(sshd_server, make_agent):
    """OpenSSH takes 252 KiB per write request (32 KiB requests cost the agent twice the Python
    per byte): a file of several requests, the last one short, arrives as it was."""
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-big")
    cfg = setup.config()
    conn = HubConnection(cfg.hub)
    conn.open()
    assert conn.transport is not None
    assert write_request_size(conn.transport.remote_version) == BIG_BLOCK
    snap = _put(cfg, 1, size=3 * BIG_BLOCK + 12_345)
    raw = snap.read_bytes()
    with AgentState(cfg.agent.state_dir) as st:
        report = deliver_pending(cfg, st, fetch=False, connection=lambda: conn)
    assert report.delivered == [snap.name]
    assert (chroot / "inbox" / snap.name).read_bytes() == raw


@pytest.mark.parametrize(
    ("version", "size"),
    [
        ("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", BIG_BLOCK),
        ("SSH-2.0-paramiko_3.4.0", BIG_BLOCK),
        ("SSH-2.0-dropbear_2022.83", BLOCK),
        ("SSH-2.0-1.82 sshlib: WinSSHD 4.28", BLOCK),
    ],
)
def test_other_servers_get_the_write_request_every_server_takes(version, size):
    assert write_request_size(version) == size


def test_cut_mid_upload_resumes_without_complete_looking_file(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-b")
    cfg = setup.config()
    snap = _put(cfg, 1, size=8_000_000)
    raw = snap.read_bytes()
    conns: list[HubConnection] = []

    def connection() -> HubConnection:
        conns.append(HubConnection(cfg.hub))
        return conns[-1]

    def progress(name):
        def cb(done, total):
            if done >= 3_000_000 and len(conns) == 1 and conns[0].transport is not None:
                # the network drops: the server sees the TCP connection end mid-upload
                conns[0].transport.sock.shutdown(socket.SHUT_RDWR)

        return cb

    cfg.hub.retries = 0
    with AgentState(cfg.agent.state_dir) as st, pytest.raises(TransferError):
        deliver_pending(cfg, st, progress=progress, fetch=False, connection=connection)
    inbox = chroot / "inbox"
    assert not (inbox / snap.name).exists()  # never under the final name
    part = inbox / (snap.name + ".part")
    assert part.exists() and part.stat().st_size < len(raw)
    assert raw.startswith(part.read_bytes())
    partial = part.stat().st_size
    assert Outbox(cfg.agent.state_dir).pending() == [snap]

    resumed_from: list[int] = []
    with AgentState(cfg.agent.state_dir) as st:
        report = deliver_pending(
            cfg,
            st,
            progress=lambda n: lambda d, t: resumed_from.append(d),
            fetch=False,
            connection=connection,
        )
    assert report.delivered == [snap.name]
    assert (inbox / snap.name).read_bytes() == raw
    assert not part.exists()
    if partial:  # continued where the server's copy ended, not from zero
        assert resumed_from[0] > partial


def test_retry_reconnects_and_resumes_after_server_drops(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-e")
    cfg = setup.config()
    snap = _put(cfg, 1, size=8_000_000)
    cut: list[int] = []

    def progress(name):
        def cb(done, total):
            if done >= 3_000_000 and not cut:
                cut.append(sshd_server.kill_connections())

        return cb

    with AgentState(cfg.agent.state_dir) as st:
        report = deliver_pending(cfg, st, progress=progress, fetch=False, sleep=lambda s: None)
    assert report.delivered == [snap.name]
    assert (chroot / "inbox" / snap.name).read_bytes() == (
        cfg.agent.state_dir / "sent" / snap.name
    ).read_bytes()


def test_changed_host_key_refused_with_both_fingerprints(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-c")
    cfg = setup.config()
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHxv7L2GzcQ0xMvZ9qkVvuRZWQ0rJp1m8+Jw4cH2Q0XN"
    cfg.hub.host_key = other
    _put(cfg, 1)
    with pytest.raises(HostKeyMismatch) as err:
        HubConnection(cfg.hub).open()
    from agent.ssh import pinned_fingerprint

    msg = str(err.value)
    assert pinned_fingerprint(other) in msg
    assert pinned_fingerprint(sshd_server.host_public_key) in msg
    with AgentState(cfg.agent.state_dir) as st, pytest.raises(HostKeyMismatch):
        deliver_pending(cfg, st, fetch=False, sleep=lambda s: None)
    assert len(Outbox(cfg.agent.state_dir).pending()) == 1
    assert list((chroot / "inbox").iterdir()) == []


def test_unreachable_hub_accumulates_then_delivers_in_order(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-d")
    cfg = setup.config()
    real_port = cfg.hub.port
    cfg.hub.port = free_port()  # nothing listens there
    cfg.hub.retries = 2
    sleeps = []
    for seq in (1, 2, 3):
        _put(cfg, seq, size=10_000)
        with AgentState(cfg.agent.state_dir) as st, pytest.raises(TransferError):
            deliver_pending(cfg, st, fetch=False, sleep=sleeps.append)
    assert len(sleeps) == 6 and all(s >= 0 for s in sleeps)
    assert [p.name for p in Outbox(cfg.agent.state_dir).pending()] == [
        snapshot_name("deliv-d", s, "full") for s in (1, 2, 3)
    ]
    cfg.hub.port = real_port
    with AgentState(cfg.agent.state_dir) as st:
        report = deliver_pending(cfg, st, fetch=False)
    assert report.delivered == [snapshot_name("deliv-d", s, "full") for s in (1, 2, 3)]
    assert sorted(p.name for p in (chroot / "inbox").iterdir()) == report.delivered


def test_preconnect_hands_over_the_connection_opened_during_the_export(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-f")
    cfg = setup.config()
    cfg.hub.retries = 0
    early = Preconnect(cfg.hub)
    snap = _put(cfg, 1)  # "the export", while the handshake runs
    conn = early.connection()
    assert conn.is_open  # connected before the delivery asked for it
    handshake = conn.transport
    same: list[bool] = []
    with AgentState(cfg.agent.state_dir) as st:
        report = deliver_pending(
            cfg,
            st,
            fetch=False,
            connection=lambda: conn,
            progress=lambda name: lambda done, total: same.append(conn.transport is handshake),
        )
    assert report.delivered == [snap.name]
    assert same and all(same)  # the upload used the early connection, no second handshake
    assert not conn.is_open  # closed by the delivery as usual
    assert (chroot / "inbox" / snap.name).read_bytes() == (
        cfg.agent.state_dir / "sent" / snap.name
    ).read_bytes()
    early.close()


def test_preconnect_dropped_or_failed_gives_a_fresh_connection(sshd_server, make_agent):
    setup, chroot = _enrolled(sshd_server, make_agent, "deliv-g")
    cfg = setup.config()
    cfg.hub.retries = 0
    early = Preconnect(cfg.hub)
    wait_until(lambda: early._early is not None and early._early.is_open, "the early connection")
    sshd_server.kill_connections()  # the network drops it during the export
    wait_until(lambda: early._early is not None and not early._early.is_open, "the drop noticed")
    snap = _put(cfg, 1)
    with AgentState(cfg.agent.state_dir) as st:
        assert deliver_pending(cfg, st, fetch=False, connection=early.connection).delivered == [
            snap.name
        ]

    # the hub was down when the export began and is back when it ends: delivered at the first attempt
    real_port = cfg.hub.port
    cfg.hub.port = free_port()
    early = Preconnect(cfg.hub)
    snap2 = _put(cfg, 2)
    early._thread.join()
    cfg.hub.port = real_port
    with AgentState(cfg.agent.state_dir) as st:
        assert deliver_pending(cfg, st, fetch=False, connection=early.connection).delivered == [
            snap2.name
        ]
    assert sorted(p.name for p in (chroot / "inbox").iterdir()) == [snap.name, snap2.name]


def test_preconnect_not_taken_is_closed(sshd_server, make_agent):
    setup, _ = _enrolled(sshd_server, make_agent, "deliv-h")
    early = Preconnect(setup.config().hub)
    wait_until(lambda: sshd_server.session_pids() != [], "the early connection")
    early.close()  # the export failed: nothing to deliver
    wait_until(lambda: sshd_server.session_pids() == [], "the hub's session to end")


def test_preconnect_lends_its_connection_and_gets_it_back_unless_the_exchange_failed(
    sshd_server, make_agent
):
    setup, _ = _enrolled(sshd_server, make_agent, "deliv-i")
    cfg = setup.config()
    early = Preconnect(cfg.hub)
    with early.lend() as conn:  # a new state folder asks the hub how far it has applied
        assert conn.list_messages() == []
        lent = conn.transport
    conn = early.connection()
    assert conn.is_open and conn.transport is lent  # the delivery gets the same session
    conn.close()

    early = Preconnect(cfg.hub)
    with pytest.raises(RuntimeError, match="the exchange failed"), early.lend() as conn:
        raise RuntimeError("the exchange failed")
    assert not conn.is_open  # not kept in an unknown state
    assert not early.connection().is_open  # the delivery connects anew, with its own errors
    early.close()
    wait_until(lambda: sshd_server.session_pids() == [], "the hub's sessions to end")
