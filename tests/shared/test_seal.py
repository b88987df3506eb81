from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import (
    SealError,
    SealTampered,
    SealTruncated,
    SealWrongRecipient,
    SealWrongSigner,
    SnapshotFormatError,
)
from shared.seal import MAGIC, open_sealed, read_header, seal
from tests.shared.conftest import hub_key, reseller_key

SK, HK = reseller_key(), hub_key()
WHEN = dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc)
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


def sealed(plain: bytes, chunk_size: int = 64, pieces: int = 1) -> bytes:
    out = io.BytesIO()
    step = max(1, len(plain) // pieces)
    src = (
        [plain[i : i + step] for i in range(0, len(plain), step)]
        if pieces > 1
        else io.BytesIO(plain)
    )
    seal(
        src,
        out,
        signing_key=SK,
        hub_public_key=HK.public_key(),
        reseller_id="acme",
        sequence=3,
        kind="full",
        created_at=WHEN,
        chunk_size=chunk_size,
    )
    return out.getvalue()


def open_bytes(
    data: bytes, d: Path, hub: X25519PrivateKey = HK, signer: Ed25519PrivateKey = SK
) -> bytes:
    p = d / "x.snap"
    p.write_bytes(data)
    with open_sealed(p, hub_private_key=hub, signer_public_key=signer.public_key()) as s:
        return s.read()


SIZES = st.sampled_from([0, 1, 15, 16, 63, 64, 65, 128, 129]) | st.integers(0, 700)


@settings(max_examples=60)
@given(SIZES, st.sampled_from([1, 16, 64, 100]), st.integers(1, 5), st.randoms())
def test_round_trip(size: int, chunk: int, pieces: int, rnd) -> None:  # type: ignore[no-untyped-def]
    plain = rnd.randbytes(size)
    data = sealed(plain, chunk, pieces)
    frames = max(1, -(-size // chunk))
    assert (
        len(data) == len(MAGIC) + 4 + len(read_header_bytes(data)) + frames * (4 + 16) + size + 64
    )
    with tempfile.TemporaryDirectory() as d:
        assert open_bytes(data, Path(d)) == plain
        h = read_header(Path(d) / "x.snap")
    assert (h.reseller_id, h.sequence, h.kind, h.created_at, h.chunk_size) == (
        "acme",
        3,
        "full",
        WHEN,
        chunk,
    )


def read_header_bytes(data: bytes) -> bytes:
    n = int.from_bytes(data[16:20], "big")
    return data[20 : 20 + n]


PLAIN = bytes(range(256)) * 2
SEALED = sealed(PLAIN, chunk_size=100)


@settings(max_examples=300, suppress_health_check=FIXTURE_OK)
@given(st.integers(0, len(SEALED) - 1), st.integers(1, 255))
def test_any_flipped_byte_is_refused(tmp_path: Path, pos: int, xor: int) -> None:
    bad = bytearray(SEALED)
    bad[pos] ^= xor
    expected = SnapshotFormatError if pos < len(MAGIC) else SealError
    with pytest.raises(expected):
        open_bytes(bytes(bad), tmp_path)


@settings(max_examples=200, suppress_health_check=FIXTURE_OK)
@given(st.integers(0, len(SEALED) - 1))
def test_truncation(tmp_path: Path, cut: int) -> None:
    with pytest.raises(SealTruncated):
        open_bytes(SEALED[:cut], tmp_path)


def test_truncation_at_frame_boundary_plus_64(tmp_path: Path) -> None:
    # frames of 100+16 bytes: cut so that the 64 bytes after frame 1 look like a signature
    start = 20 + len(read_header_bytes(SEALED))
    cut = start + 2 * (4 + 116) + 64
    with pytest.raises(SealTruncated, match="not the final frame"):
        open_bytes(SEALED[:cut], tmp_path)


def test_wrong_signer_and_recipient(tmp_path: Path) -> None:
    with pytest.raises(
        SealWrongSigner, match=r"signed by key SHA256:.* but reseller acme's key is SHA256:"
    ):
        open_bytes(SEALED, tmp_path, signer=reseller_key(9))
    with pytest.raises(SealWrongRecipient, match="sealed for hub key SHA256:"):
        open_bytes(SEALED, tmp_path, hub=hub_key(9))


def test_appended_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SealError):
        open_bytes(SEALED + b"\0" * 10, tmp_path)


def test_not_a_sealed_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotFormatError, match="bad magic"):
        open_bytes(b"PK\x03\x04" + b"\0" * 200, tmp_path)
    with pytest.raises(SnapshotFormatError, match="format 2 is not supported"):
        open_bytes(MAGIC[:12] + b"\0\0\0\x02" + SEALED[16:], tmp_path)


def test_no_plaintext_before_signature_check(tmp_path: Path) -> None:
    """A tampered last frame must fail at open time, before read() hands out frame 0."""
    bad = bytearray(SEALED)
    bad[-70] ^= 1  # inside the final frame's ciphertext
    p = tmp_path / "x.snap"
    p.write_bytes(bytes(bad))
    with pytest.raises(SealTampered):
        open_sealed(p, hub_private_key=HK, signer_public_key=SK.public_key())


def test_seal_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        seal(
            b"",
            io.BytesIO(),
            signing_key=SK,
            hub_public_key=HK.public_key(),
            reseller_id="acme",
            sequence=1,
            kind="full",
            created_at=dt.datetime(2024, 1, 1),
        )
