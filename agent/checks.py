"""``syncagent check`` beyond the file: can we read the source, and is the hub who it should be?"""

from __future__ import annotations

from agent.config import AgentConfig
from agent.deliver import HubConnection
from agent.export import plan_all
from agent.source import mask_url, open_source
from shared.errors import ConfigError, HostKeyMismatch, SyncHubError

Problems = list[tuple[str, str]]


def check_source(cfg: AgentConfig) -> tuple[Problems, list[str]]:
    """Problems with the source, and notes (tables found, fast path)."""
    notes: list[str] = []
    try:
        with open_source(cfg) as conn:
            plans = plan_all(conn, cfg)
            notes.append(f"source {mask_url(cfg.source.url)}: {conn.dialect.name}, {len(plans)} dataset(s) readable")
    except ConfigError as exc:
        return [(p if p.startswith("[") else f"[source].{p}", m) for p, m in exc.problems], notes
    except SyncHubError as exc:
        return [("[source].url", str(exc))], notes
    return [], notes


def check_hub(cfg: AgentConfig) -> tuple[Problems, list[str]]:
    where = f"{cfg.hub.host}:{cfg.hub.port}"
    try:
        with HubConnection(cfg.hub) as conn:
            inbox = conn.sftp.listdir("/inbox") if conn.sftp else []
            return [], [f"hub {where}: host key OK, logged in as {cfg.hub.username}, cipher {conn.cipher}, "
                        f"{len(inbox)} file(s) in /inbox"]
    except HostKeyMismatch as exc:
        return [("[hub].host_key", str(exc))], []
    except SyncHubError as exc:
        return [("[hub]", str(exc))], []
    except OSError as exc:
        return [("[hub]", f"cannot list /inbox on the hub: {exc}")], []
