"""`syncagent init` writes its config with a TOML writer: every name a source can hold reads
back the same (it wrote JSON, whose surrogate-pair escapes for an emoji no TOML reader takes)."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from agent.setup import datasets_from_source, render_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the agent's floor is 3.9
    import tomli as tomllib

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@given(table=NAMES, key=st.lists(NAMES, min_size=1, max_size=3))
def test_discovered_tables_read_back_as_written(table: str, key: list[str]) -> None:
    config = tomllib.loads(datasets_from_source([(table, key)]))
    (dataset,) = config["datasets"]
    assert dataset["table"] == table and dataset["key"] == key


def test_a_config_with_an_emoji_and_quotes_reads_back() -> None:
    text = render_config(
        reseller_id="toko-😀",
        state_dir='C:\\ProgramData\\syncagent "state"',
        url="sqlite:///toko.db",
        hub_host="hub.example",
        hub_port=2222,
        hub_username=None,
        host_key="ssh-ed25519 AAAA",
        seal_key="seal",
        signing_key="sign",
        datasets=datasets_from_source([("Penjualan 😀", ["id"])]),
    )
    config = tomllib.loads(text)
    assert config["agent"]["reseller_id"] == "toko-😀"
    assert config["datasets"][0]["table"] == "Penjualan 😀"
