"""Enrolment rules: ids, regions and keys checked with errors that say what to do."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hub.resellers import service
from hub.resellers.service import ResellerExists, ResellerNotFound
from shared.errors import ConfigError
from tests.hub.resellers.conftest import signing_b64, ssh_line


def data(**over):
    d = {"id": "toko-a", "name": "Toko A", "region_code": "31.71", "platform": "mysql",
         "ssh_public_key": ssh_line(), "signing_public_key": signing_b64()}  # fmt: skip
    d.update(over)
    return d


def test_add_get_list_roundtrip(session):
    d = data()
    r = service.add_reseller(session, d)
    assert r.enabled and r.disabled_at is None
    assert r.created_at.tzinfo is not None and r.created_at <= dt.datetime.now(dt.timezone.utc)
    assert r.ssh_public_key == d["ssh_public_key"]
    assert service.get_reseller(session, "toko-a") == r
    service.add_reseller(session, data(id="toko-b", region_code=None, platform=None))
    assert [x.id for x in service.list_resellers(session)] == ["toko-a", "toko-b"]
    assert r.ssh_fingerprint.startswith("SHA256:") and len(r.signing_fingerprint) == 64


def test_duplicate_id_is_refused(session):
    service.add_reseller(session, data())
    with pytest.raises(ResellerExists, match="already exists"):
        service.add_reseller(session, data(name="Other"))
    assert service.get_reseller(session, "toko-a").name == "Toko A"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("id", "Toko_A", "reseller id"),
        ("id", "-x", "reseller id"),
        ("id", "a" * 32, "reseller id"),
        ("region_code", "Jakarta", "Kemendagri"),
        ("ssh_public_key", "ssh-ed25519 not-base64!", "base64"),
        ("ssh_public_key", "hello", "not an OpenSSH public key"),
        ("ssh_public_key", "-----BEGIN OPENSSH PRIVATE KEY-----", "PRIVATE"),
        ("signing_public_key", "not base64", "base64"),
        ("signing_public_key", base64.b64encode(b"x" * 31).decode(), "32 bytes"),
    ],
)
def test_bad_fields_are_named(session, field, value, words):
    with pytest.raises(ConfigError) as exc:
        service.add_reseller(session, data(**{field: value}))
    assert field in str(exc.value) and words in str(exc.value)
    assert service.list_resellers(session) == []


def test_every_bad_field_reported_at_once(session):
    with pytest.raises(ConfigError) as exc:
        service.add_reseller(
            session, data(id="X", ssh_public_key="nope", signing_public_key="nope")
        )
    assert len(exc.value.problems) == 3


def test_weak_rsa_key_refused(session):
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    line = weak.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode()
    with pytest.raises(ConfigError, match="too weak"):
        service.add_reseller(session, data(ssh_public_key=line))


def test_disable_enable_rotate(session):
    service.add_reseller(session, data())
    off = service.disable_reseller(session, "toko-a")
    assert not off.enabled and off.disabled_at is not None
    on = service.enable_reseller(session, "toko-a")
    assert on.enabled and on.disabled_at is None
    new_ssh, new_sign = ssh_line("new"), signing_b64()
    r = service.rotate_keys(session, "toko-a", ssh_public_key=new_ssh)
    assert r.ssh_public_key == new_ssh and r.signing_public_key == on.signing_public_key
    r = service.rotate_keys(session, "toko-a", signing_public_key=new_sign)
    assert r.signing_public_key == new_sign and r.ssh_public_key == new_ssh
    with pytest.raises(ConfigError, match="no new key"):
        service.rotate_keys(session, "toko-a")
    with pytest.raises(ConfigError, match="ssh_public_key"):
        service.rotate_keys(
            session, "toko-a", ssh_public_key="garbage", signing_public_key=signing_b64()
        )
    assert (
        service.get_reseller(session, "toko-a").signing_public_key == new_sign
    )  # nothing half-applied


def test_unknown_id(session):
    for fn in (service.get_reseller, service.disable_reseller, service.enable_reseller):
        with pytest.raises(ResellerNotFound, match="reseller list"):
            fn(session, "nobody")
