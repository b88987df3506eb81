from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared import keys
from shared.errors import ConfigError


def test_round_trip_and_permissions(tmp_path: Path) -> None:
    sk, hk = keys.generate_signing_key(), keys.generate_sealing_key()
    keys.save_private_key(sk, tmp_path / "sign.pem")
    keys.save_private_key(hk, tmp_path / "seal.pem")
    keys.save_public_key(sk, tmp_path / "sign.pub")
    keys.save_public_key(hk, tmp_path / "seal.pub")
    assert (tmp_path / "sign.pem").stat().st_mode & 0o777 == 0o600
    assert keys.fingerprint(keys.load_signing_key(tmp_path / "sign.pem")) == keys.fingerprint(sk)
    assert keys.fingerprint(keys.load_sealing_key(tmp_path / "seal.pem")) == keys.fingerprint(hk)
    assert keys.fingerprint(
        keys.load_signing_public_key(tmp_path / "sign.pub")
    ) == keys.fingerprint(sk)
    assert keys.fingerprint(
        keys.load_sealing_public_key(tmp_path / "seal.pub")
    ) == keys.fingerprint(hk.public_key())
    assert len((tmp_path / "sign.pub").read_text().strip()) == 44
    fp = keys.fingerprint(sk)
    assert len(fp) == 64 and keys.short_fingerprint(fp) == keys.short_fingerprint(sk)
    assert keys.short_fingerprint(sk).startswith("SHA256:")


def _problem(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    return str(exc.value)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable(tmp_path: Path) -> None:
    p = tmp_path / "k.pem"
    keys.save_private_key(keys.generate_signing_key(), p)
    p.chmod(0o000)
    with pytest.raises(ConfigError, match="unreadable"):
        keys.load_signing_key(p)


def test_load_errors_name_file_and_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing") as e:
        keys.load_signing_key(tmp_path / "nope.pem")
    assert "nope.pem" in _problem(e)
    seal_pem = tmp_path / "seal.pem"
    keys.save_private_key(keys.generate_sealing_key(), seal_pem)
    with pytest.raises(ConfigError, match="expected Ed25519PrivateKey"):
        keys.load_signing_key(seal_pem)
    seal_pem.chmod(0o644)
    with pytest.raises(ConfigError, match="too open") as e:
        keys.load_sealing_key(seal_pem)
    assert "chmod 600" in _problem(e)
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    junk.chmod(0o600)
    with pytest.raises(ConfigError, match="not an unencrypted PEM"):
        keys.load_signing_key(junk)
    pub = tmp_path / "bad.pub"
    pub.write_text("AAAA\n")
    with pytest.raises(ConfigError, match="32 bytes"):
        keys.load_signing_public_key(pub)
    pub.write_text("not base64!\n")
    with pytest.raises(ConfigError, match="base64"):
        keys.load_sealing_public_key(pub)
