"""Issue 2 acceptance 7 / issue 3 acceptance 7-ish: docs/agent.md followed literally by a new user.

The hub operator runs `synchub init`, `synchub reseller enrolment ID --out FILE` and
`synchub serve --no-web` (embedded SFTP server and continuous ingest); the reseller runs
`syncagent init` with the guide's flags (the enrolment file) against a MariaDB shop read by a
SELECT-only user whose password is in SYNCAGENT_SOURCE_PASSWORD, hands the printed
`synchub reseller add …` command to the operator, then `syncagent check` and `syncagent push`.
Every step is the installed console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from hub.core.runtime import open_hub
from hub.core.settings import HubSettings
from hub.demo import sample_data
from hub.merge import query
from tests.integration.spine_kit import REPO, run_cli
from tests.servers import free_port, stop_pid, wait_until

pytestmark = pytest.mark.mariadb
GUIDE = REPO / "docs" / "agent.md"


def guide_init_flags() -> list[str]:
    """The flags of the guide's `syncagent init --enrolment` example, as written there.

    The guide's other way, `syncagent init --from` the file downloaded from the back office, is
    followed in the browser journey (tests/e2e/test_backoffice_browser.py).
    """
    text = GUIDE.read_text()
    block = re.search(r"syncagent init (--enrolment .*?)\n```", text, re.S)
    assert block, "docs/agent.md no longer shows a `syncagent init --enrolment` example"
    return re.findall(r"--[a-z-]+", block.group(1))


def test_new_user_follows_the_agent_guide(mariadb_server, tmp_path: Path):
    flags = guide_init_flags()
    assert flags == ["--enrolment", "--source-url", "--state-dir"]

    # the shop: Northwind on MariaDB, read by a SELECT-only user (guide §2: password in the env)
    db = mariadb_server.create_database()
    try:
        m = mariadb_server
        sample_data.load_northwind_mysql(m.host, m.port, m.user, m.password, db)
        m.create_readonly_user(db, "shopreader", "s3cret-reader")
        _follow_the_guide(m, db, tmp_path, flags)
    finally:
        mariadb_server.drop_database(db)


def _follow_the_guide(m, db: str, tmp_path: Path, flags: list[str]) -> None:
    hub_home = tmp_path / "synchub-data"
    sftp_port = free_port()
    hub_env = {
        "SYNCHUB_HOME": str(hub_home),
        "SYNCHUB_SFTP_PORT": str(sftp_port),
        "SYNCHUB_INGEST_INTERVAL_SECONDS": "0.3",
    }

    # the hub operator: a new hub, the reseller's enrolment file, then the hub itself
    r = run_cli("synchub", "reseller", "enrolment", "toko-maju", cwd=tmp_path, env=hub_env)
    assert r.returncode != 0 and "synchub init" in r.stderr  # no hub here yet: nothing created
    assert not hub_home.exists()
    r = run_cli("synchub", "init", cwd=tmp_path, env=hub_env)
    assert r.returncode == 0, r.stderr
    enrolment = tmp_path / "toko-maju.enrolment.json"
    r = run_cli(
        "synchub", "reseller", "enrolment", "toko-maju", "--out", str(enrolment),
        cwd=tmp_path, env=hub_env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(enrolment.read_text())["hub_username"] == "toko-maju"  # built-in server
    with open(
        tmp_path / "serve.log", "wb"
    ) as log:  # the child keeps its own copy of the descriptor
        serve = subprocess.Popen(
            [str(Path(sys.executable).parent / "synchub"), "serve", "--no-web"],
            cwd=tmp_path,
            env={**os.environ, **hub_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: b"SFTP: " in (tmp_path / "serve.log").read_bytes(),
            "synchub serve",
            timeout=30,
            alive=serve,
            log=tmp_path / "serve.log",
        )

        # the reseller, in its own folder (guide §2), with the database password in the environment
        agent_dir = tmp_path / "etc-syncagent"
        agent_dir.mkdir()
        agent_env = {"SYNCAGENT_SOURCE_PASSWORD": "s3cret-reader"}
        values = {
            "--enrolment": str(enrolment),
            "--source-url": f"mysql://shopreader@127.0.0.1:{m.port}/{db}",
            "--state-dir": str(tmp_path / "var-lib"),
        }
        r = run_cli(
            "syncagent",
            "init",
            *[a for f in flags for a in (f, values[f])],
            cwd=agent_dir,
            env=agent_env,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        assert (
            "s3cret-reader" not in r.stdout + (agent_dir / "syncagent.toml").read_text()
        )  # nothing secret
        assert oct((agent_dir / "keys" / "ssh_ed25519").stat().st_mode & 0o777) == "0o600"
        lines = r.stdout.splitlines()
        add = lines[lines.index("The hub operator enrols you with:") + 1].strip()
        assert add.startswith("synchub reseller add toko-maju ")

        # the operator runs exactly the printed command
        r = run_cli(*shlex.split(add), cwd=tmp_path, env=hub_env)
        assert r.returncode == 0, r.stdout + r.stderr

        r = run_cli("syncagent", "check", cwd=agent_dir, env=agent_env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "host key OK" in r.stdout

        r = run_cli("syncagent", "export", "--dry-run", cwd=agent_dir, env=agent_env)
        assert r.returncode == 0 and "Products: 77 row(s)" in r.stdout, r.stdout + r.stderr

        r = run_cli("syncagent", "push", cwd=agent_dir, env=agent_env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert json.loads(r.stdout.strip().splitlines()[-1])["delivered"] == [
            "toko-maju-000000000001-full.snap"
        ]

        # the hub merges continuously; the agent fetches the signed acknowledgement (guide §5)
        def acknowledged() -> bool:
            out = run_cli("syncagent", "offers", cwd=agent_dir, env=agent_env)
            return (
                out.returncode == 0
                and (tmp_path / "var-lib" / "inbox" / "ack-000000000001.json").exists()
            )

        wait_until(
            acknowledged,
            "the hub's acknowledgement",
            timeout=60,
            alive=serve,
            log=tmp_path / "serve.log",
        )
        ack = json.loads((tmp_path / "var-lib" / "inbox" / "ack-000000000001.json").read_bytes())[
            "payload"
        ]
        assert ack["status"] == "applied", ack
        engine, factory = open_hub(HubSettings(home=hub_home))
        try:
            with factory() as s:
                assert query.count_rows(s, "toko-maju", "Products") == 77
                assert query.count_rows(s, "toko-maju", "Order_Details") == 2155
        finally:
            engine.dispose()
    finally:
        stop_pid(serve.pid, serve)
