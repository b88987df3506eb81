"""Fixed test keys (derived from constant seeds: test-only, never used outside tests/)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey


def reseller_key(seed: int = 1) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


def hub_key(seed: int = 2) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return reseller_key()


@pytest.fixture(scope="session")
def sealing_key() -> X25519PrivateKey:
    return hub_key()
