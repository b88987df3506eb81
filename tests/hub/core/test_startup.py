"""Safe start-up: no hub made by accident, migrations one process at a time, idempotent upgrade."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from hub.core.db import make_engine
from hub.core.migrate import pending, script_heads
from tests.servers import free_port

SYNCHUB = [sys.executable, "-m", "hub.cli"]


def synchub(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
    return subprocess.run(
        [*SYNCHUB, *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_commands_refuse_a_folder_without_a_hub_and_create_nothing(tmp_path: Path) -> None:
    """An admin command run without the hub's environment used to make a new hub in ./synchub-data."""
    for args in (["user", "list"], ["keys"], ["reseller", "list"], ["serve", "--no-web"]):
        r = synchub(*args, env={}, cwd=tmp_path)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "holds no hub" in r.stderr and "synchub init" in r.stderr
    assert list(tmp_path.iterdir()) == []  # no folder, no keys, no database


def test_init_is_idempotent_and_pins_the_database(tmp_path: Path) -> None:
    env = {"SYNCHUB_HOME": str(tmp_path / "hub")}
    first = synchub("init", env=env, cwd=tmp_path)
    assert first.returncode == 0 and "created hub" in first.stdout, first.stderr
    seal = (tmp_path / "hub" / "keys" / "seal.key").read_bytes()
    again = synchub("init", env=env, cwd=tmp_path)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert (tmp_path / "hub" / "keys" / "seal.key").read_bytes() == seal  # keys never replaced
    marker = json.loads((tmp_path / "hub" / "hub.json").read_text())
    assert marker["database"].startswith("sqlite:///") and marker["hub_id"]

    # the production home, with the database URL forgotten: refused, not a new SQLite hub
    other = {**env, "SYNCHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.db'}"}
    r = synchub("user", "list", env=other, cwd=tmp_path)
    assert r.returncode == 2 and "SYNCHUB_DATABASE_URL" in r.stderr, r.stderr
    assert not (tmp_path / "elsewhere.db").exists()
    assert synchub("user", "list", env=env, cwd=tmp_path).returncode == 0


def test_init_says_what_to_do_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://synchub@127.0.0.1:{free_port()}/synchub"
    r = synchub(
        "init", env={"SYNCHUB_HOME": str(tmp_path / "h"), "SYNCHUB_DATABASE_URL": url}, cwd=tmp_path
    )
    assert r.returncode == 2 and "cannot connect" in r.stderr and "step 3" in r.stderr
    assert not (tmp_path / "h" / "hub.json").exists()


@pytest.mark.postgres
def test_four_processes_started_at_once_on_a_fresh_database_all_come_up(
    postgres_server, pg_database, tmp_path: Path
) -> None:
    url = pg_database.replace("postgresql://", "postgresql+psycopg://")
    env = {"SYNCHUB_HOME": str(tmp_path / "hub"), "SYNCHUB_DATABASE_URL": url}
    assert synchub("init", env=env, cwd=tmp_path).returncode == 0
    engine = make_engine(url)
    try:
        assert pending(engine) == sorted(
            script_heads()
        )  # init leaves the schema to the first process
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNCHUB_")}
        procs = [
            subprocess.Popen(
                [*SYNCHUB, "db", "upgrade"],
                env={**clean, **env},
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [(p.wait(120), *p.communicate()) for p in procs]
        assert [code for code, _out, _err in results] == [0, 0, 0, 0], results
        outs = sorted(out.split(": ", 1)[1].split(" ")[0] for _c, out, _e in results)
        assert outs.count("upgraded") == 1 and outs.count("already") == 3, outs
        assert pending(engine) == []
        assert "alembic_version" in inspect(engine).get_table_names()
        r = synchub("db", "upgrade", env=env, cwd=tmp_path)
        assert r.returncode == 0 and "nothing to do" in r.stdout
        r = synchub("db", "status", env=env, cwd=tmp_path)
        assert r.returncode == 0 and "up to date" in r.stdout
    finally:
        engine.dispose()
