"""The file a reseller's agent starts from: ``syncagent init --from syncagent-hub-<id>.toml``.

It holds what the agent must know of the hub — the reseller id, the SFTP address, the
hub's SSH host key (pinned) and its seal and signing public keys — and, while the
reseller is not enrolled yet, the one-time enrolment code and where to present it.
Nothing in it is secret except that code, which works once and expires.
"""

from __future__ import annotations

import datetime as dt
import json

from hub.core.keys import HubKeys
from hub.core.settings import HubSettings

WILDCARDS = ("0.0.0.0", "::", "")


def _q(value: object) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def agent_config(
    reseller_id: str,
    keys: HubKeys,
    settings: HubSettings,
    web_host: str,
    enrol_url: str,
    code: str | None,
    expires_at: dt.datetime | None,
) -> str:
    """The TOML text; the SFTP host is the web host when the SFTP server listens everywhere."""
    host = web_host if settings.sftp_host in WILDCARDS else settings.sftp_host
    lines = [
        f"# For syncagent: `syncagent init --from syncagent-hub-{reseller_id}.toml --source-url ...`",
        "# It makes the agent's keys, writes syncagent.toml"
        + (" and enrols the agent at the hub with the code below (once)." if code else "."),
        "",
        "[agent]",
        f"reseller_id = {_q(reseller_id)}",
        "",
        "[hub]",
        f"host = {_q(host)}",
        f"port = {settings.sftp_port}",
        f"username = {_q(reseller_id)}",
        f"host_key = {_q(keys.host_key_line)}",
        f"seal_public_key = {_q(keys.seal_public_b64)}",
        f"signing_public_key = {_q(keys.signing_public_b64)}",
    ]
    if code:
        lines += [
            "",
            "[enrolment]",
            f"url = {_q(enrol_url)}",
            f"code = {_q(code)}",
            f"expires_at = {_q(expires_at.isoformat() if expires_at else '')}",
        ]
    return "\n".join(lines) + "\n"
