"""The hub's own keys: created once with private files 0600, then always the same."""

from __future__ import annotations

import os
import stat

import pytest

from hub.core.keys import HOST_KEY, SEAL_KEY, SIGNING_KEY, HubKeys
from shared.errors import ConfigError
from shared.keys import load_sealing_public_key


def test_created_once_then_reloaded_identically(tmp_path):
    first = HubKeys.load_or_create(tmp_path / "keys")
    for name in (SEAL_KEY, SIGNING_KEY, HOST_KEY):
        assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600
    again = HubKeys.load_or_create(tmp_path / "keys")
    assert again.seal_public_b64 == first.seal_public_b64
    assert again.signing_public_b64 == first.signing_public_b64
    assert again.host_key_line == first.host_key_line
    assert len({first.seal_public_b64, first.signing_public_b64}) == 2
    # the .pub files hold what is printed for operators
    pub = load_sealing_public_key(tmp_path / "keys" / "seal.pub")
    assert pub.public_bytes_raw() == first.seal_key.public_key().public_bytes_raw()
    assert (tmp_path / "keys" / f"{HOST_KEY}.pub").read_text().strip() == first.host_key_line
    text = first.describe()
    assert first.host_fingerprint in text and "PRIVATE" not in text


def test_a_group_readable_private_key_is_refused(tmp_path):
    HubKeys.load_or_create(tmp_path)
    os.chmod(tmp_path / SEAL_KEY, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        HubKeys.load_or_create(tmp_path)
