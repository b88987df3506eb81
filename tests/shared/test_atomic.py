"""shared.atomic: whole files, explicit modes whatever the umask, no shared temp names."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.atomic import atomic_file, write_atomic
from shared.keys import generate_sealing_key, save_public_key


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000), mode=st.sampled_from([0o600, 0o640, 0o644, 0o400]))
def test_content_and_mode_are_exactly_what_was_asked(tmp_path_factory, data, mode):
    folder = tmp_path_factory.mktemp("atomic")
    old = os.umask(0o077)  # a strict service umask must not strip the group bit we ask for
    try:
        path = write_atomic(folder / "reply.json", data, mode=mode)
    finally:
        os.umask(old)
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert os.listdir(folder) == ["reply.json"]  # no temp file left behind


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path):
    path = write_atomic(tmp_path / "offers.json", b"old", mode=0o640)
    with pytest.raises(RuntimeError), atomic_file(path, mode=0o640) as out:
        out.write(b"half of the new")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["offers.json"]


def _write_public_keys(folder: str, n: int) -> None:
    key = generate_sealing_key()
    for _ in range(n):
        save_public_key(key, Path(folder) / "seal.pub")


def test_two_processes_writing_the_same_file_never_collide(tmp_path: Path):
    """Two ingest workers starting at once both write keys/seal.pub (it used to share seal.pub.tmp)."""
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_public_keys, args=(str(tmp_path), 200)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert os.listdir(tmp_path) == ["seal.pub"]
    assert len((tmp_path / "seal.pub").read_text().strip()) == 44  # one whole base64 key
