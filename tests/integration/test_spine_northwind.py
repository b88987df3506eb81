"""Issue 3 acceptance 1: Northwind on every platform, pushed through real OpenSSH and the embedded
SFTP server, ingested once, equals each source value for value; counts and revenue match.

One hub (SQLite, embedded SFTP server) whose inbox root is the real sshd's chroot root, so a
single ``run_once`` ingests uploads from both reception paths, as in production.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.push import deliver_pending
from agent.state import AgentState
from hub.core.keys import HubKeys
from hub.mapping import service as mapping
from hub.mapping.profiles import NORTHWIND
from hub.merge import query
from shared.messages import ack_filename, parse_payload, verify_message
from tests.integration.spine_kit import (
    REVENUE,
    SpineAgent,
    SpineHub,
    make_agent,
    norm,
    northwind_sources,
    open_sealed_file,
    recanonical,
    revenue,
    run_cli,
    snapshot_lines,
    source_rows,
    spine_hub,
)

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb, pytest.mark.sshd]

PLATFORMS = ("sqlite", "postgresql", "mysql", "files")
PATHS = ("sshd", "embedded")
AGENTS = [(p, via) for p in PLATFORMS for via in PATHS]
PUBLISHED = {"products": 77, "orders": 830, "orderdetails": 2155}


@pytest.fixture(scope="module")
def sources(tmp_path_factory, postgres_server, mariadb_server) -> Iterator[dict[str, Any]]:
    with northwind_sources(
        tmp_path_factory.mktemp("sources"), postgres_server, mariadb_server
    ) as s:
        yield s


@pytest.fixture(scope="module")
def pushed(
    tmp_path_factory, sources, sshd_server
) -> Iterator[tuple[SpineHub, dict[str, SpineAgent], Any]]:
    """Eight agents (four platforms × two reception paths) push once; the hub ingests once."""
    base = tmp_path_factory.mktemp("spine")
    with spine_hub(base / "hub", sftp_root=sshd_server.root) as hub:
        agents: dict[str, SpineAgent] = {}
        for platform, via in AGENTS:
            rid = f"nw-{platform[:5]}-{via[:3]}-{sshd_server.user_prefix[1:5]}"
            src = sources[platform]
            if via == "sshd":
                where = dict(
                    host=sshd_server.host,
                    port=sshd_server.port,
                    username=sshd_server.login_name(rid),
                    host_key=sshd_server.host_public_key,
                )
            else:
                where = dict(
                    host="127.0.0.1",
                    port=hub.server.port,
                    username=rid,
                    host_key=hub.keys.host_key_line,
                )
            agent = make_agent(
                base / "agents", rid, src.url, hub=hub.keys, password=src.password, **where
            )
            hub.enrol(rid, agent.handoff, platform)
            if via == "sshd":
                sshd_server.add_reseller(rid, agent.handoff.ssh_public_key)
            summary = agent.push(full=True)
            assert summary["delivered"] == [f"{rid}-000000000001-full.snap"], summary
            agents[f"{platform}/{via}"] = agent
        report = hub.ingest()
        yield hub, agents, report


def test_every_snapshot_is_applied_once(pushed):
    hub, agents, report = pushed
    assert sorted((o.reseller_id, o.sequence, o.status) for o in report.outcomes) == sorted(
        (a.reseller_id, 1, "applied") for a in agents.values()
    )
    assert report.scan.ignored == []


@pytest.mark.parametrize("agent_name", [f"{p}/{v}" for p, v in AGENTS])
def test_merged_data_equals_the_source_value_for_value(pushed, sources, agent_name):
    hub, agents, _ = pushed
    agent = agents[agent_name]
    cfg = agent.config()
    read_url = sources[agent_name.split("/")[0]].read_url
    with hub.factory() as s:
        datasets = {d.dataset for d in query.store.list_datasets(s, agent.reseller_id)}
    assert datasets == {d.name for d in cfg.datasets}
    assert len(datasets) >= 8  # every Northwind table, not a sample
    counts = {}
    for d in cfg.datasets:
        src_cols, src_lines = source_rows(read_url, d.table)
        hub_cols, hub_lines = hub.rows(agent.reseller_id, d.name)
        assert hub_cols == src_cols, d.name
        assert len(hub_lines) == len(src_lines), d.name
        assert hub_lines == src_lines, f"{agent_name} {d.name}: first difference at " + next(
            (f"{h!r} != {s!r}" for h, s in zip(hub_lines, src_lines) if h != s), "?"
        )
        counts[norm(d.name)] = len(hub_lines)
    assert {k: counts[k] for k in PUBLISHED} == PUBLISHED


@pytest.mark.parametrize("agent_name", [f"{p}/{v}" for p, v in AGENTS])
def test_revenue_through_the_sale_line_entity(pushed, agent_name):
    hub, agents, _ = pushed
    rid = agents[agent_name].reseller_id
    with hub.factory() as s:
        fields, rows = mapping.entity_rows(s, rid, "sale_line", profile=NORTHWIND)
    i = {f: n for n, f in enumerate(fields)}
    assert len(rows) == PUBLISHED["orderdetails"]
    assert all(
        r[i["order_date"]] is not None for r in rows
    )  # the lookup into Orders found every order
    total = revenue(
        (str(r[i["unit_price"]]), r[i["quantity"]], str(r[i["discount"]])) for r in rows
    )
    assert total == REVENUE


@pytest.mark.parametrize("via", PATHS)
def test_signed_ack_comes_back_down_the_same_path(pushed, via):
    hub, agents, _ = pushed
    agent = agents[f"postgresql/{via}"]
    cfg = agent.config()
    with AgentState(cfg.agent.state_dir) as state:
        report = deliver_pending(cfg, state)
    assert report.delivered == [] and ack_filename(1) in report.messages
    raw = (Path(cfg.agent.state_dir) / "inbox" / ack_filename(1)).read_bytes()
    ack = parse_payload(verify_message(raw, hub.keys.signing_key.public_key()))
    assert (ack.reseller_id, ack.sequence, ack.status) == (agent.reseller_id, 1, "applied")


# --------------------------------------------------------------------------- issue 2 acceptance 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_syncagent_export_cli_decodes_to_the_source(platform, sources, tmp_path):
    """`syncagent export` (the installed CLI, in a subprocess) of every table; the hub key opens it."""
    hub_keys = HubKeys.load_or_create(tmp_path / "hub-keys")
    src = sources[platform]
    agent = make_agent(
        tmp_path,
        f"exp-{platform[:5]}",
        src.url,
        hub=hub_keys,
        password=src.password,
        host="127.0.0.1",
        port=22,
        username="unused",
        host_key=hub_keys.host_key_line,
    )
    r = run_cli("syncagent", "--config", str(agent.config_path), "export", "--full", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    cfg = agent.config()
    path = Path(cfg.agent.state_dir) / "outbox" / summary["snapshot"]
    reader = open_sealed_file(path, hub_keys, agent.signing_public, tmp_path / "opened")
    manifest = reader.manifest
    assert (manifest.kind, manifest.sequence, manifest.source_platform) == ("full", 1, platform)
    assert [d.name for d in manifest.datasets] == [d.name for d in cfg.datasets]
    for d, ds in zip(cfg.datasets, manifest.datasets):
        src_cols, src_lines = source_rows(src.read_url, d.table)
        assert [c.name for c in ds.columns] == src_cols
        lines = sorted(recanonical(ds.columns, line) for line in snapshot_lines(reader, ds.name))
        assert lines == src_lines, f"{platform} {d.name}"
        assert ds.rows == len(src_lines) and ds.keyset is not None and ds.keyset.count == ds.rows
    counts = {norm(d.name): d.rows for d in manifest.datasets}
    assert {k: counts[k] for k in PUBLISHED} == PUBLISHED
