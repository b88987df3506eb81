"""Helpers that set up a real agent folder (keys + config) for the agent tests."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from agent.config import AgentConfig, load_config
from agent.setup import ensure_keys, render_config
from shared import keys


@dataclass
class HubKeys:
    seal_private: Any
    signing_private: Any

    @property
    def seal_b64(self) -> str:
        return keys.public_b64(self.seal_private)

    @property
    def signing_b64(self) -> str:
        return keys.public_b64(self.signing_private)


@pytest.fixture(scope="session")
def hub_keys() -> HubKeys:
    return HubKeys(keys.generate_sealing_key(), keys.generate_signing_key())


def datasets_toml(datasets: list[dict[str, Any]]) -> str:
    import tomli_w

    return tomli_w.dumps({"datasets": datasets})


@dataclass
class AgentSetup:
    dir: Path
    config_path: Path
    ssh_public_key: str

    def config(self) -> AgentConfig:
        return load_config(self.config_path)


@pytest.fixture
def make_agent(tmp_path: Path, hub_keys: HubKeys) -> Callable[..., AgentSetup]:
    """Write keys and a config for reseller ``rid`` into a fresh folder."""

    def make(
        rid: str = "toko-test",
        *,
        url: Optional[str] = None,
        host: str = "127.0.0.1",
        port: int = 22,
        username: Optional[str] = None,
        host_key: str = "SHA256:unset",
        datasets: Optional[list[dict[str, Any]]] = None,
        extra: str = "",
        name: str = "agent",
    ) -> AgentSetup:
        d = tmp_path / name
        d.mkdir()
        handoff = ensure_keys(d / "keys", rid)
        if url is None:
            db = d / "shop.db"
            with sqlite3.connect(db) as c:
                c.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)")
                c.execute("INSERT INTO products VALUES (1, 'kabel')")
            url = f"sqlite:///{db}"
        text = render_config(
            reseller_id=rid,
            state_dir="state",
            url=url,
            hub_host=host,
            hub_port=port,
            hub_username=username or rid,
            host_key=host_key,
            seal_key=hub_keys.seal_b64,
            signing_key=hub_keys.signing_b64,
            datasets=datasets_toml(
                datasets or [{"name": "products", "table": "products", "key": ["id"]}]
            ),
        )
        cfg = d / "syncagent.toml"
        cfg.write_text(text + extra)
        return AgentSetup(d, cfg, handoff.ssh_public_key)

    return make
