"""The syncagent CLI as an operator meets it: run in a subprocess (acceptance 5 and 7)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from agent.config import check_config
from tests.agent.conftest import datasets_toml

# the installed console script, as an operator runs it
SYNCAGENT = str(Path(sys.executable).parent / ("syncagent.exe" if os.name == "nt" else "syncagent"))


def syncagent(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SYNCAGENT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_bad_config_lists_every_problem_with_paths(make_agent, tmp_path):
    setup = make_agent("toko-bad")
    text = setup.config_path.read_text()
    text = text.replace('url = "sqlite:', 'url = "oracle9:')
    text = text.replace('cron = "30 1 * * *"', 'cron = "61 25 * * *"')
    text = text.replace('timezone = "Asia/Jakarta"', 'timezone = "Asia/Djakarta-Barat"')
    text = text.replace('key = "keys/signing_ed25519.pem"', 'key = "keys/missing.pem"')
    text += "\n" + datasets_toml([{"name": "orders", "key": ["id"]}])
    setup.config_path.write_text(text)
    os.chmod(setup.dir / "keys" / "ssh_ed25519", 0o000)
    r = syncagent("-c", str(setup.config_path), "check", cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    err = r.stderr
    assert "[source].url: unknown scheme 'oracle9'" in err
    assert "[schedule].cron:" in err
    assert "[schedule].timezone: 'Asia/Djakarta-Barat' is not an IANA time zone name" in err
    assert "[signing].key:" in err and "missing.pem" in err
    assert "[[datasets]][2].table: give exactly one of `table` or `query`" in err
    if os.geteuid() != 0:  # root reads 0000 files anyway
        assert "[hub].ssh_key:" in err
    # the library answer is the same list
    paths = {p for p, _ in check_config(setup.config_path)}
    assert {
        "[source].url",
        "[schedule].cron",
        "[schedule].timezone",
        "[signing].key",
        "[[datasets]][2].table",
    } <= paths


def test_unreadable_key_reported(make_agent, tmp_path):
    setup = make_agent("toko-perm")
    os.chmod(
        setup.dir / "keys" / "signing_ed25519.pem", 0o644
    )  # too open: refused like OpenSSH does
    r = syncagent("-c", str(setup.config_path), "check", "--offline", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "[signing].key:" in r.stderr and "chmod 600" in r.stderr


def test_missing_table_reported_by_check(make_agent, tmp_path):
    setup = make_agent(
        "toko-miss",
        datasets=[
            {"name": "products", "table": "products", "key": ["id"]},
            {"name": "stock", "table": "no_such_table", "key": ["sku"]},
        ],
    )
    r = syncagent("-c", str(setup.config_path), "check", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "[[datasets]][2].table:" in r.stderr and "no_such_table" in r.stderr


def test_not_a_toml_file(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("[agent\nreseller_id = 1")
    r = syncagent("-c", str(bad), "status", cwd=tmp_path)
    assert r.returncode == 2 and "not valid TOML" in r.stderr and "Traceback" not in r.stderr


def test_init_writes_private_keys_and_a_config_check_accepts(tmp_path, hub_keys):
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price NUMERIC(12,2))")
        c.execute("CREATE TABLE log (line TEXT)")  # no primary key: left commented out
    work = tmp_path / "agent"
    work.mkdir()
    r = syncagent(
        "init",
        "--reseller-id",
        "toko-init",
        "--source-url",
        f"sqlite:///{db}",
        "--hub-host",
        "127.0.0.1",
        "--hub-port",
        "2222",
        "--hub-host-key",
        "SHA256:" + "A" * 43,
        "--hub-seal-key",
        hub_keys.seal_b64,
        "--hub-signing-key",
        hub_keys.signing_b64,
        cwd=work,
    )
    assert r.returncode == 0, r.stderr
    for private in ("keys/ssh_ed25519", "keys/signing_ed25519.pem"):
        assert stat.S_IMODE((work / private).stat().st_mode) == 0o600
    ssh_pub = (work / "keys" / "ssh_ed25519.pub").read_text().strip()
    assert ssh_pub in r.stdout and "synchub reseller add toko-init" in r.stdout
    assert "SHA256:" in r.stdout
    assert check_config(work / "syncagent.toml") == []
    r2 = syncagent("check", "--offline", cwd=work)
    assert r2.returncode == 0, r2.stderr
    text = (work / "syncagent.toml").read_text()
    assert 'table = "products"' in text and '# table = "log"' in text
    # init again refuses to overwrite, keeps keys
    r3 = syncagent(
        "init",
        "--reseller-id",
        "toko-init",
        "--source-url",
        f"sqlite:///{db}",
        "--hub-host",
        "x",
        cwd=work,
    )
    assert r3.returncode == 2 and "already exists" in r3.stderr
    assert (work / "keys" / "ssh_ed25519.pub").read_text().strip() == ssh_pub


def test_dry_run_lists_columns_and_counts(make_agent, tmp_path):
    setup = make_agent(
        "toko-dry",
        datasets=[
            {"name": "products", "table": "products", "key": ["id"], "hash_columns": ["name"]}
        ],
    )
    r = syncagent("-c", str(setup.config_path), "export", "--dry-run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "products: 1 row(s), full" in r.stdout
    assert "sha256(" in r.stdout
    assert not list((setup.dir / "state" / "outbox").glob("*.snap"))


def test_check_notes_a_cursor_no_index_begins_with(make_agent):
    setup = make_agent(
        "toko-idx",
        datasets=[
            {"name": "sales", "table": "products", "key": ["id"], "cursor": "updated_at"},
            {"name": "by_id", "table": "products", "key": ["id"], "cursor": "id"},
        ],
    )  # the rowid: indexed
    with sqlite3.connect(setup.dir / "shop.db") as c:
        c.execute("ALTER TABLE products ADD COLUMN updated_at TEXT")
    from agent.checks import check_source

    problems, notes = check_source(setup.config())
    assert problems == []
    unindexed = [n for n in notes if "no index" in n]
    assert len(unindexed) == 1 and "dataset sales" in unindexed[0]
    create = unindexed[0].split("(CREATE INDEX", 1)[1].rsplit(")", 1)[0]
    assert create == " products_updated_at_idx ON products (updated_at)"
    with sqlite3.connect(setup.dir / "shop.db") as c:
        c.execute(
            "CREATE INDEX" + create.replace("(updated_at)", "(updated_at, name)")
        )  # the advice, as given
    assert not [n for n in check_source(setup.config())[1] if "no index" in n]


def test_check_explains_each_datasets_mode_and_warns_of_a_creation_date_cursor(make_agent):
    """An order date is not a modification time: auto picks row hash, never suggests its index;
    forced to cursor mode it is warned about, and so is a cursor that never moves for old rows."""
    from agent.checks import check_source
    from agent.export import export
    from agent.state import AgentState

    setup = make_agent(
        "toko-modes",
        datasets=[
            {"name": "auto_date", "table": "products", "key": ["id"], "cursor": "invoice_date"},
            {
                "name": "forced",
                "table": "products",
                "key": ["id"],
                "cursor": "invoice_date",
                "mode": "cursor",
            },
            {"name": "stamped", "table": "products", "key": ["id"], "cursor": "updated_at"},
            {"name": "plain", "table": "products", "key": ["id"]},
        ],
    )
    db = setup.dir / "shop.db"
    with sqlite3.connect(db) as c:
        c.execute("ALTER TABLE products ADD COLUMN invoice_date TEXT DEFAULT '2024-01-01'")
        c.execute("ALTER TABLE products ADD COLUMN updated_at INTEGER DEFAULT 1")
    cfg = setup.config()
    _problems, notes = check_source(cfg)
    text = "\n".join(notes)
    assert (
        "dataset auto_date: rowhash — auto: 'invoice_date' does not look like a modification"
        in text
    )
    assert "(it looks like a creation date)" in text
    assert "dataset stamped: cursor — auto: 'updated_at' looks like a modification time" in text
    assert "dataset plain: rowhash — auto: no cursor column configured" in text
    assert "warning: dataset forced: cursor 'invoice_date' looks like a creation date" in text
    assert not [n for n in notes if "no index" in n and "auto_date" in n]

    def push(*sql: str) -> None:
        with sqlite3.connect(db) as c:
            for s in sql:
                c.execute(s)
        with AgentState(cfg.agent.state_dir) as st:
            export(cfg, st)

    push()  # full
    push("INSERT INTO products (id, name, updated_at) VALUES (101, 'x', 5)")
    push("INSERT INTO products (id, name, updated_at) VALUES (102, 'y', 6)")  # only inserts moved
    never = [n for n in check_source(cfg)[1] if "never moved" in n]
    assert [n.split(":")[1].strip() for n in never] == ["dataset forced", "dataset stamped"]
    push("UPDATE products SET name = 'z', updated_at = 9 WHERE id = 101")  # an edit moves it
    assert not [n for n in check_source(cfg)[1] if "never moved" in n and "stamped" in n]
