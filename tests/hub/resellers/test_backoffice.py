"""Resellers from the back office: adding one (code or keys), the agent enrolling itself with
its code over a real HTTP server, the profile, enable/disable — every change audited."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import select

from agent.cli import main as syncagent
from hub.audit.models import AuditEntry
from hub.core.roles import Role
from hub.resellers.enrolment import MAX_FAILURES
from hub.resellers.models import Enrolment, Reseller
from shared import keys as sk
from tests.hub.ingest.ingest_kit import ssh_line
from tests.hub.web.webkit import Seeded, cli_env, english, last_audit, seed


@pytest.fixture
def fresh_hub(tmp_path: Path) -> Seeded:
    return seed(tmp_path)


def _code(hub: Seeded, rid: str) -> str:
    page = hub.client(Role.OWNER).get(f"/resellers/{rid}/enrolment").text
    return re.search(r'id="code">([^<]+)<', page).group(1)  # type: ignore[union-attr]


def _enrol_body(rid: str, code: str) -> dict[str, str]:
    return {
        "reseller_id": rid,
        "code": code,
        "ssh_public_key": ssh_line(),
        "signing_public_key": sk.public_b64(sk.generate_signing_key()),
    }


def test_adding_a_reseller_with_a_code_then_its_agent_enrols(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    ops = english(hub, Role.OPERATIONS)
    bad = ops.post("/resellers/new", data={"id": "Toko Baru!", "name": "", "how": "code"})
    assert bad.status_code == 422 and 'id="error-id"' in bad.text and 'id="error-name"' in bad.text
    assert 'value="Toko Baru!"' in bad.text
    r = ops.post(
        "/resellers/new",
        data={"id": "toko-baru", "name": "Toko Baru", "legal_name": "PT Toko Baru", "how": "code"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/resellers/toko-baru/enrolment"
    assert "toko-baru" in ops.get("/resellers").text.split('id="pending"')[1]
    code = _code(hub, "toko-baru")
    config = ops.get("/resellers/toko-baru/agent-config")
    assert config.status_code == 200 and f'code = "{code}"' in config.text
    assert "seal_public_key" in config.text and 'host_key = "ssh-ed25519 ' in config.text
    anyone = hub.client()  # the agent has no account: the code is its credential
    wrong = anyone.post("/api/v1/enrol", json=_enrol_body("toko-baru", "AAAA-BBBB-CCCC-DDDD-EEEE"))
    unknown = anyone.post("/api/v1/enrol", json=_enrol_body("nobody", code))
    assert wrong.status_code == unknown.status_code == 403
    assert wrong.json()["message"] == unknown.json()["message"]  # tells a guesser nothing
    ok = anyone.post("/api/v1/enrol", json=_enrol_body("toko-baru", code.lower().replace("-", " ")))
    assert ok.status_code == 201, ok.text
    assert (
        anyone.post("/api/v1/enrol", json=_enrol_body("toko-baru", code)).status_code == 403
    )  # once
    with hub.app.state.hub.session_factory() as s:
        reseller = s.get(Reseller, "toko-baru")
        assert reseller.enabled and reseller.legal_name == "PT Toko Baru"
        assert s.get(Enrolment, "toko-baru").code is None  # wiped once used
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == "toko-baru"))
        )
    assert actions == ["enrolment.issue_code", "reseller.enrol"]
    assert (
        ops.get("/resellers/toko-baru/enrolment").headers["location"]
        == "/resellers/toko-baru/profile"
    )


def test_wrong_codes_lock_the_enrolment_until_a_new_code(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    ops = hub.client(Role.OPERATIONS)
    ops.post("/resellers/new", data={"id": "toko-x", "name": "X", "how": "code"})
    code = _code(hub, "toko-x")
    for _ in range(MAX_FAILURES):
        hub.client().post("/api/v1/enrol", json=_enrol_body("toko-x", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"))
    assert hub.client().post("/api/v1/enrol", json=_enrol_body("toko-x", code)).status_code == 403
    assert ops.post("/resellers/toko-x/enrolment").status_code == 303  # a new code unlocks
    fresh = _code(hub, "toko-x")
    assert fresh != code
    assert hub.client().post("/api/v1/enrol", json=_enrol_body("toko-x", fresh)).status_code == 201


def test_adding_with_keys_checks_them_next_to_the_fields(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    ops = english(hub, Role.OPERATIONS)
    bad = ops.post(
        "/resellers/new",
        data={
            "id": "toko-k",
            "name": "K",
            "how": "keys",
            "ssh_public_key": "ssh-rsa nope",
            "signing_public_key": "xx",
        },
    )
    assert bad.status_code == 422
    assert 'id="error-ssh_public_key"' in bad.text and 'id="error-signing_public_key"' in bad.text
    signing = sk.public_b64(sk.generate_signing_key())
    ok = ops.post(
        "/resellers/new",
        data={
            "id": "toko-k",
            "name": "K",
            "how": "keys",
            "ssh_public_key": ssh_line(),
            "signing_public_key": signing,
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/resellers/toko-k/profile"
    assert last_audit(hub).action == "reseller.enrol"
    profile = ops.get("/resellers/toko-k/profile").text
    assert "SHA256:" in profile and 'id="quiet"' in profile  # never heard of yet


def test_profile_npwp_groups_zone_and_disable(fresh_hub: Seeded) -> None:
    hub = fresh_hub
    ops = english(hub, Role.OPERATIONS)
    hub.client(Role.OWNER).post("/api/v1/reseller-groups", json={"name": "Grosir Jawa"})
    bad = ops.post(
        "/resellers/r1/profile",
        data={"name": "Toko r1", "npwp": "12345", "timezone": "Asia/Jakarta"},
    )
    assert (
        bad.status_code == 422
        and "an NPWP has 15 or 16 digits" in bad.text
        and 'value="12345"' in bad.text
    )
    ok = ops.post(
        "/resellers/r1/profile",
        data={
            "name": "Toko r1",
            "legal_name": "CV Toko Satu",
            "npwp": "012345678901000",
            "timezone": "Asia/Makassar",
            "groups": ["", "Grosir Jawa"],
        },
    )
    assert ok.status_code == 303
    page = ops.get("/resellers/r1/profile").text
    assert 'value="01.234.567.8-901.000"' in page and "checked> Grosir Jawa" in page
    entry = last_audit(hub)
    assert entry.action == "reseller.update" and entry.after["groups"] == ["Grosir Jawa"]
    assert ops.post("/resellers/r1/enabled", data={"enabled": "false"}).status_code == 303
    assert last_audit(hub).action == "reseller.disable"
    with hub.app.state.hub.session_factory() as s:
        assert s.get(Reseller, "r1").enabled is False
    api = hub.client(Role.OWNER).post("/api/v1/resellers/r1/enable")
    assert api.status_code == 200 and api.json()["enabled"] is True
    assert (
        hub.client(Role.MARKETING)
        .post("/resellers/r1/enabled", data={"enabled": "false"})
        .status_code
        == 403
    )
    assert hub.client(Role.RESELLER).get("/resellers/r1/profile").status_code == 403


# --- the agent enrolling itself over a real HTTP server -----------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(fresh_hub: Seeded) -> Iterator[tuple[Seeded, str]]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(fresh_hub.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield fresh_hub, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_syncagent_init_from_the_downloaded_file_enrols_the_agent(
    served: tuple[Seeded, str], tmp_path: Path
) -> None:
    hub, base = served
    ops = hub.client(Role.OPERATIONS)
    ops.post("/resellers/new", data={"id": "toko-agen", "name": "Toko Agen", "how": "code"})
    config = ops.get("/resellers/toko-agen/agent-config", headers={"host": base.split("//")[1]})
    hub_file = tmp_path / "syncagent-hub-toko-agen.toml"
    hub_file.write_text(config.text)
    assert f'url = "{base}/api/v1/enrol"' in config.text
    shop = tmp_path / "shop.db"
    import sqlite3

    with sqlite3.connect(shop) as db:
        db.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)")
    run = CliRunner().invoke(
        syncagent,
        [
            "--config",
            str(tmp_path / "agent" / "syncagent.toml"),
            "init",
            "--from",
            str(hub_file),
            "--source-url",
            f"sqlite:///{shop}",
        ],
    )
    assert run.exit_code == 0, run.output
    assert "enrolled at the hub as toko-agen" in run.output
    assert (tmp_path / "agent" / "keys" / "ssh_ed25519").exists()
    with hub.app.state.hub.session_factory() as s:
        reseller = s.get(Reseller, "toko-agen")
        pub = (tmp_path / "agent" / "keys" / "ssh_ed25519.pub").read_text().split()[1]
        assert reseller is not None and pub in reseller.ssh_public_key
    again = CliRunner().invoke(
        syncagent,
        ["--config", str(tmp_path / "agent" / "syncagent.toml"), "enrol", "--from", str(hub_file)],
    )
    assert again.exit_code != 0 and "refused the enrolment" in again.output


def test_reseller_commands_are_audited_as_the_os_user(
    fresh_hub: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.cli import cli

    cli_env(fresh_hub, monkeypatch)
    for args, action in (
        (["reseller", "disable", "r2"], "reseller.disable"),
        (["reseller", "enable", "r2"], "reseller.enable"),
    ):
        run = CliRunner().invoke(cli, args)
        assert run.exit_code == 0, run.output
        entry = last_audit(fresh_hub)
        assert entry.action == action and entry.actor.startswith("cli:") and entry.entity_id == "r2"
