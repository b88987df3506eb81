"""Starting from the hub's file (``syncagent-hub-<id>.toml``) and enrolling with its code.

The hub operator downloads that file from the reseller's page and hands it over. It
names the reseller, the hub's SFTP address and pinned keys, and — until the reseller is
enrolled — a one-time code. ``syncagent init --from FILE`` reads it (no keys to copy by
hand), makes this agent's keys and config, and presents the code with the public keys
to the hub's ``/api/v1/enrol`` over HTTPS. The code works once; nothing secret leaves
this server.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from agent.config import _read_toml
from agent.setup import Handoff
from shared.enrolment import Enrolment
from shared.errors import ConfigError, RetriableError


@dataclass(frozen=True)
class HubFile:
    reseller_id: str
    host: str
    port: int
    username: str
    host_key: str
    seal_key: str
    signing_key: str
    enrol_url: Optional[str] = None
    code: Optional[str] = None

    def enrolment(self) -> Enrolment:
        """The same facts as the hub's enrolment file (``synchub reseller enrolment``)."""
        return Enrolment(
            reseller_id=self.reseller_id,
            hub_host=self.host,
            hub_port=self.port,
            hub_username=self.username,
            host_key=self.host_key,
            seal_public_key=self.seal_key,
            signing_public_key=self.signing_key,
        )


def read_hub_file(path: Path) -> HubFile:
    """The hub's facts from ``path``; every missing or wrong entry reported at once."""
    data, problems = _read_toml(path)
    if data is None:
        raise ConfigError(problems, source=str(path))
    agent, hub, enrol = data.get("agent", {}), data.get("hub", {}), data.get("enrolment", {})
    wanted = [
        ("agent.reseller_id", agent.get("reseller_id")),
        ("hub.host", hub.get("host")),
        ("hub.host_key", hub.get("host_key")),
        ("hub.seal_public_key", hub.get("seal_public_key")),
        ("hub.signing_public_key", hub.get("signing_public_key")),
    ]
    missing = [(name, "missing") for name, value in wanted if not value]
    if missing:
        raise ConfigError(
            missing, source=str(path), hint="download the file again from the hub's reseller page"
        )
    return HubFile(
        reseller_id=str(agent["reseller_id"]),
        host=str(hub["host"]),
        port=int(hub.get("port", 22)),
        username=str(hub.get("username") or agent["reseller_id"]),
        host_key=str(hub["host_key"]),
        seal_key=str(hub["seal_public_key"]),
        signing_key=str(hub["signing_public_key"]),
        enrol_url=enrol.get("url") or None,
        code=enrol.get("code") or None,
    )


def enrol(
    hub: HubFile, handoff: Handoff, platform: str = "", timeout: float = 30
) -> dict[str, Any]:
    """Present the code and this agent's public keys; the hub's answer, or an error saying why."""
    if not hub.enrol_url or not hub.code:
        raise ConfigError(
            [("enrolment", "the hub's file holds no enrolment code")],
            hint="the reseller is enrolled already, or ask the hub operator for a new file",
        )
    body = json.dumps(
        {
            "reseller_id": hub.reseller_id,
            "code": hub.code,
            "ssh_public_key": handoff.ssh_public_key,
            "signing_public_key": handoff.signing_public_key,
            "platform": platform or None,
        }
    ).encode("utf-8")
    request = urllib.request.Request(
        hub.enrol_url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            said = json.loads(exc.read().decode("utf-8"))
        except ValueError:
            said = {}
        message = said.get("message") or f"HTTP {exc.code}"
        raise ConfigError(
            [("enrolment", f"the hub refused the enrolment: {message}")],
            hint=said.get("hint") or "ask the hub operator for a new code",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise RetriableError(
            f"cannot reach the hub at {hub.enrol_url}: {getattr(exc, 'reason', exc)}",
            hint="check the address and the network, then run `syncagent enrol --from FILE` again",
        ) from None
