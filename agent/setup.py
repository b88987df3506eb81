"""``syncagent init``: keys, a commented config file, and what to tell the hub operator.

Keys live in ``keys/`` next to the config file: the SSH key the agent logs in
to the hub with, and the Ed25519 key it signs snapshots with. Private keys are
written 0600 and never overwritten (running init again reuses them, so the
hub's registration stays valid).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import tomli_w

from agent.ssh import fingerprint_blob, generate_ssh_key
from shared import keys

DEFAULT_DATASET = """\
# [[datasets]]
# name = "products"            # how the hub will call it
# table = "products"           # or: query = "SELECT ... FROM ..."
# key = ["id"]                 # columns that identify a row
# mode = "auto"                # changes found by: cursor | rowhash | full; auto = cursor only for
#                              # an updated_at-style cursor, else row hash (docs/agent.md)
# cursor = "updated_at"        # a column every insert and edit moves (never a creation date)
# overlap = 3600               # re-read this far behind the last cursor (seconds, or units)
# columns = ["id", "name", "price", "stock", "updated_at"]  # optional allow-list
# hash_columns = ["email"]     # sent as salted SHA-256, never in clear
# drop_columns = ["notes"]     # never leave this server
"""

TEMPLATE = """\
# syncagent configuration — see docs/agent.md. Check it with: syncagent check
# Relative paths are relative to this file's folder.

[agent]
reseller_id = {reseller_id}   # your id at the hub, given by the hub operator
state_dir = {state_dir}       # outbox, sent snapshots, cursors, run history

[source]
# Your shop database. Supported: sqlite:///path, postgresql://user@host/db,
# mysql://user@host/db (MariaDB too), files:///folder (CSV/XLSX exports).
# Never write the password here: set SYNCAGENT_SOURCE_PASSWORD or password_file.
url = {url}
# password_file = "db-password.txt"

[hub]
host = {hub_host}
port = {hub_port}
username = {hub_username}
ssh_key = "keys/ssh_ed25519"        # private; its .pub goes to the hub operator
# The hub's SSH host key, pinned: an unknown or changed key is refused.
host_key = {host_key}
seal_public_key = {seal_key}        # hub's X25519 key: only the hub can open snapshots
signing_public_key = {signing_key}  # hub's Ed25519 key: verifies acks and offers
# retries = 5
# keep_sent_days = 14

[signing]
key = "keys/signing_ed25519.pem"    # private; signs every snapshot

[schedule]
cron = "30 1 * * *"     # minute hour day month weekday (nightly at 01:30 in `timezone`)
timezone = "Asia/Jakarta"  # your local zone (IANA name), e.g. Asia/Makassar, Asia/Jayapura
jitter_seconds = 900    # start up to this many seconds late, so resellers don't all arrive at once
full_every = 7          # every 7th run is a full snapshot (or a weekday: "sun")

{datasets}"""


@dataclass
class Handoff:
    """What the hub operator needs to enrol this reseller (all public)."""

    reseller_id: str
    ssh_public_key: str
    ssh_fingerprint: str
    signing_public_key: str
    signing_fingerprint: str

    def command(self, platform: str = "") -> str:
        parts = [
            "synchub",
            "reseller",
            "add",
            self.reseller_id,
            "--name",
            self.reseller_id,
            "--ssh-key",
            self.ssh_public_key,
            "--signing-key",
            self.signing_public_key,
        ]
        if platform:
            parts += ["--platform", platform]
        return " ".join(shlex.quote(p) for p in parts)

    def text(self, platform: str = "") -> str:
        return "\n".join(
            [
                "Give the hub operator these (public, safe to send by e-mail or chat):",
                f"  reseller id:          {self.reseller_id}",
                f"  SSH public key:       {self.ssh_public_key}",
                f"  SSH fingerprint:      {self.ssh_fingerprint}",
                f"  signing public key:   {self.signing_public_key}",
                f"  signing fingerprint:  {self.signing_fingerprint}",
                "The hub operator enrols you with:",
                f"  {self.command(platform)}",
            ]
        )


def ensure_keys(key_dir: Path, reseller_id: str) -> Handoff:
    """Create the SSH and signing keys if missing (never overwrite); return the public halves."""
    ssh_path = key_dir / "ssh_ed25519"
    if not ssh_path.exists():
        generate_ssh_key(ssh_path, f"syncagent@{reseller_id}")
    ssh_line = Path(str(ssh_path) + ".pub").read_text().strip()
    sign_path = key_dir / "signing_ed25519.pem"
    if not sign_path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        keys.save_private_key(keys.generate_signing_key(), sign_path)
    signing = keys.load_signing_key(sign_path)
    keys.save_public_key(signing, key_dir / "signing_ed25519.pub")
    import base64

    blob = base64.b64decode(ssh_line.split()[1])
    return Handoff(
        reseller_id,
        ssh_line,
        fingerprint_blob(blob),
        keys.public_b64(signing),
        keys.short_fingerprint(signing),
    )


def _toml(value: object) -> str:
    """``value`` as a TOML value, written by a TOML writer (tomli-w) into the commented template.

    JSON is not TOML: json.dumps wrote a character beyond U+FFFF (an emoji in a table name)
    as a surrogate pair, "\\ud83d\\ude00", which no TOML reader accepts."""
    if isinstance(value, (list, tuple)):  # one line, as a person writes a key list
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


def render_config(
    *,
    reseller_id: str,
    state_dir: str,
    url: str,
    hub_host: str,
    hub_port: int,
    hub_username: Optional[str],
    host_key: str,
    seal_key: str,
    signing_key: str,
    datasets: str = "",
) -> str:
    return TEMPLATE.format(
        reseller_id=_toml(reseller_id),
        state_dir=_toml(state_dir),
        url=_toml(url),
        hub_host=_toml(hub_host),
        hub_port=hub_port,
        hub_username=_toml(hub_username or reseller_id),
        host_key=_toml(host_key),
        seal_key=_toml(seal_key),
        signing_key=_toml(signing_key),
        datasets=datasets or DEFAULT_DATASET,
    )


def datasets_from_source(tables: list[tuple[str, list[str]]]) -> str:
    """[[datasets]] blocks for discovered tables; tables without a primary key are left commented."""
    import re

    blocks = []
    for table, pk in tables:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", table)
        if pk:
            blocks.append(
                f"[[datasets]]\nname = {_toml(name)}\ntable = {_toml(table)}\nkey = {_toml(pk)}\n"
            )
        else:
            blocks.append(
                f"# {table}: no primary key found; set `key` and uncomment to share it\n"
                f"# [[datasets]]\n# name = {_toml(name)}\n# table = {_toml(table)}\n# key = []\n"
            )
    return "\n".join(blocks) + "\n" + DEFAULT_DATASET


def _discover(url: str) -> tuple[str, list[tuple[str, list[str]]], str]:
    """(platform, tables with primary keys, note) — or empty when the database cannot be reached now."""
    import os

    from agent.source import with_password
    from connectors.registry import connect
    from shared.errors import SyncHubError

    try:
        with connect(with_password(url, os.environ.get("SYNCAGENT_SOURCE_PASSWORD"))) as conn:
            tables = [(t, conn.primary_key(t)) for t in conn.list_tables()]
            return conn.dialect.name, tables, f"database OK: {len(tables)} table(s) found"
    except SyncHubError as exc:
        return "", [], f"database not reachable now ({exc}); datasets left as an example to fill in"


def run_init(
    config_path: Path,
    *,
    force: bool,
    reseller_id: str,
    url: str,
    hub_host: str,
    hub_port: int,
    hub_username: Optional[str],
    host_key: str,
    seal_key: str,
    signing_key: str,
    state_dir: str,
    quiet_handoff: bool = False,
) -> Handoff:
    """Write keys and the config, test what can be tested, print the hand-off for the hub
    operator (not when the agent enrols itself with a code: ``quiet_handoff``)."""
    import click

    from shared.errors import ConfigError

    if config_path.exists() and not force:
        raise ConfigError(
            [("", f"{config_path} already exists")],
            hint="edit it, or pass --force to rewrite it (keys are kept either way)",
        )
    base = config_path.absolute().parent
    handoff = ensure_keys(base / "keys", reseller_id)
    platform, tables, note = _discover(url)
    click.echo(note)
    text = render_config(
        reseller_id=reseller_id,
        state_dir=state_dir,
        url=url,
        hub_host=hub_host,
        hub_port=hub_port,
        hub_username=hub_username,
        host_key=host_key or "SHA256:ask-the-hub-operator",
        seal_key=seal_key or "ask-the-hub-operator",
        signing_key=signing_key or "ask-the-hub-operator",
        datasets=datasets_from_source(tables) if tables else "",
    )
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {config_path} and keys in {base / 'keys'} (private keys 0600)")
    if host_key and not quiet_handoff:  # enrolling with a code: the hub knows no key yet
        from agent.checks import check_hub
        from agent.config import check_config, load_config

        if not check_config(config_path):
            problems, notes = check_hub(load_config(config_path))
            for line in notes + [f"{p}: {m}" for p, m in problems]:
                click.echo(line)
    if not quiet_handoff:
        click.echo("")
        click.echo(handoff.text(platform))
        click.echo("\nThen run: syncagent check && syncagent push")
    return handoff
