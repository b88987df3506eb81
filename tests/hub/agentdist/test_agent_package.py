"""The syncagent package (issue 17, acceptance 5): agent, connectors and contract only; it
installs alone in a fresh venv and pushes; the hub offers it with its SHA-256."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.core.db import transaction
from hub.core.roles import Role
from hub.ingest.worker import run_once
from hub.reception.enrolment import enrolment_for
from hub.resellers.service import add_reseller
from tests.hub.web.webkit import seed
from tests.integration.spine_kit import spine_hub


def build(out: Path) -> Path:
    r = CliRunner().invoke(cli, ["agent-package", "--out", str(out)])
    assert r.exit_code == 0, r.output
    (wheel,) = out.glob("syncagent-*-py3-none-any.whl")
    assert f"sha256 {hashlib.sha256(wheel.read_bytes()).hexdigest()}" in r.output
    return wheel


def test_the_wheel_holds_the_agent_and_not_the_hub(tmp_path: Path) -> None:
    wheel = build(tmp_path / "a")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry = zf.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        assert zf.testzip() is None
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"agent", "connectors", "shared"}
    assert "agent/cli.py" in names and "connectors/mysql.py" in names and "shared/seal.py" in names
    assert "Requires-Python: >=3.11" in meta
    assert re.search(r"^Requires-Dist: paramiko", meta, re.M)
    assert not re.search(r"^Requires-Dist: (fastapi|alembic|uvicorn|jinja2)", meta, re.M | re.I)
    assert "syncagent = agent.cli:main" in entry
    again = build(tmp_path / "b")  # reproducible: the SHA-256 the hub shows is stable
    assert again.read_bytes() == wheel.read_bytes()


@pytest.mark.slow
def test_it_installs_alone_in_a_fresh_venv_and_pushes(tmp_path: Path) -> None:
    wheel = build(tmp_path / "dist")
    venv = tmp_path / "venv"
    base_python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env = {k: v for k, v in env.items() if not k.startswith(("SYNCHUB_", "SYNCAGENT_"))}
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    # alone: no hub in that environment, and the agent runs from it
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import hub"], capture_output=True, text=True,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert probe.returncode != 0 and "No module named 'hub'" in probe.stderr
    syncagent = str(venv / "bin" / "syncagent")

    shop = tmp_path / "shop.db"
    with sqlite3.connect(shop) as con:
        con.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price TEXT)")
        con.executemany(
            "INSERT INTO products VALUES (?, ?, ?)", [(i, f"P{i}", "9.50") for i in range(40)]
        )
    agent_dir = tmp_path / "agent"
    agent_dir.mkdir()

    def agent(*args: str) -> str:
        done = subprocess.run(
            [syncagent, *args], cwd=agent_dir, capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    with spine_hub(tmp_path / "hub") as hub:
        settings = hub.settings.model_copy(update={"sftp_port": hub.server.port})
        enrolment = tmp_path / "toko-x.enrolment.json"
        enrolment.write_text(enrolment_for(settings, hub.keys, "toko-x").to_json())
        out = agent("init", "--enrolment", str(enrolment), "--source-url", f"sqlite:///{shop}",
                    "--state-dir", str(agent_dir / "state")).splitlines()  # fmt: skip
        add = out[out.index("The hub operator enrols you with:") + 1].strip()
        words = shlex.split(add)
        fields = {w[2:]: words[i + 1] for i, w in enumerate(words) if w.startswith("--")}
        with transaction(hub.factory) as s:  # the test is the entry point: it commits
            add_reseller(s, {"id": "toko-x", "name": "Toko X", "ssh_public_key": fields["ssh-key"],
                             "signing_public_key": fields["signing-key"]})  # fmt: skip
        pushed = json.loads(agent("push").strip().splitlines()[-1])
        assert pushed["delivered"] == ["toko-x-000000000001-full.snap"]
        report = run_once(hub.settings, hub.factory, hub.keys)
        assert [o.status for o in report.outcomes] == ["applied"]
        agent("offers")
        ack = json.loads((agent_dir / "state" / "inbox" / "ack-000000000001.json").read_bytes())
        assert ack["payload"]["status"] == "applied" and ack["payload"]["rows"] == 40


def test_the_hub_offers_the_package_with_its_sha256(tmp_path: Path) -> None:
    hub = seed(tmp_path)
    for role, reseller in ((Role.OWNER, "r1"), (Role.RESELLER_ADMIN, "r2")):
        client = hub.client(role, reseller)
        page = client.get("/agent")
        assert page.status_code == 200
        name = re.search(r'href="/agent/(syncagent-[^"]+\.whl)"', page.text).group(1)
        shown = re.search(r'id="agent-sha256">([0-9a-f]{64})<', page.text).group(1)
        body = client.get(f"/agent/{name}")
        assert body.status_code == 200 and hashlib.sha256(body.content).hexdigest() == shown
    assert hub.client().get("/agent").status_code in (303, 401)  # signed-in users only
    assert hub.client(Role.OWNER).get("/agent/../../hub.json").status_code == 404
