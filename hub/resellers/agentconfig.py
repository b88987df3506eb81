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
from hub.reception.enrolment import enrolment_for

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
    """The TOML text: the same facts as ``synchub reseller enrolment`` (the configured
    reception's login and host key); the SFTP host is the web host when the SFTP server
    listens everywhere and no public host name is set."""
    e = enrolment_for(settings, keys, reseller_id)
    host = web_host if e.hub_host in WILDCARDS else e.hub_host
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
        f"port = {e.hub_port}",
        f"username = {_q(e.hub_username)}",
        f"host_key = {_q(e.host_key)}",
        f"seal_public_key = {_q(e.seal_public_key)}",
        f"signing_public_key = {_q(e.signing_public_key)}",
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
