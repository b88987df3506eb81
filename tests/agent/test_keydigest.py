"""The split key-set digest equals the in-process one, whichever side hashes which chunk."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.keydigest import SplitKeySetDigest
from shared.errors import SyncHubError
from shared.keyset import KeySetDigest

LINES = st.lists(
    st.binary(min_size=0, max_size=10).map(lambda b: b.replace(b"\n", b"\\n")), max_size=80
)


def chunks_of(lines: list[bytes], sizes: list[int]) -> list[bytes]:
    out, i = [], 0
    for n in sizes or [len(lines)]:
        if i >= len(lines):
            break
        out.append(b"".join(line + b"\n" for line in lines[i : i + max(n, 1)]))
        i += max(n, 1)
    if i < len(lines):
        out.append(b"".join(line + b"\n" for line in lines[i:]))
    return out


@settings(max_examples=25, deadline=None)
@given(LINES, st.lists(st.integers(1, 20), max_size=10), st.integers(0, 30), st.integers(1, 3))
def test_same_digest_as_in_process(
    lines: list[bytes], sizes: list[int], threshold: int, backlog: int
) -> None:
    plain, split = KeySetDigest(), SplitKeySetDigest(threshold=threshold, backlog=backlog)
    for chunk in chunks_of(lines, sizes):
        plain.add_lines(chunk)
        split.add_lines(chunk)
    assert (split.count, split.hexdigest()) == (plain.count, plain.hexdigest())


def test_a_large_set_is_hashed_partly_in_a_child_process() -> None:
    keys = [str(i).encode() for i in range(30_000)]
    plain, split = KeySetDigest(), SplitKeySetDigest(threshold=1_000)
    for i in range(0, len(keys), 500):
        chunk = b"".join(k + b"\n" for k in keys[i : i + 500])
        plain.add_lines(chunk)
        split.add_lines(chunk)
    assert split._child is not None  # the child took part
    assert split.hexdigest() == plain.hexdigest() and split.count == 30_000


def test_a_dead_child_is_an_error_not_a_wrong_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    real = subprocess.Popen

    def dying(argv, **kw):  # failure injection: the helper process exits at once
        return real([argv[0], "-c", "import sys; sys.exit(3)"], **kw)

    monkeypatch.setattr("agent.keydigest.subprocess.Popen", dying)
    split = SplitKeySetDigest(threshold=0)
    for i in range(50):
        split.add_lines(b"".join(str(i * 100 + j).encode() + b"\n" for j in range(100)))
    with pytest.raises(SyncHubError, match="helper process"):
        split.hexdigest()


def test_the_module_is_a_command_that_digests_stdin() -> None:
    import sys

    data = b"".join(str(i).encode() + b"\n" for i in range(1000))
    out = subprocess.run(
        [sys.executable, "-m", "shared.keyset"], input=data, capture_output=True, check=True
    )
    plain = KeySetDigest()
    plain.add_lines(data)
    assert out.stdout.decode().split() == [str(plain.count), plain.hexdigest()]


def test_an_abandoned_digest_ends_its_child() -> None:
    """An export that fails mid-way drops the digest: the helper process must not linger."""
    import gc

    split = SplitKeySetDigest(threshold=0)
    split.add_lines(b"".join(str(i).encode() + b"\n" for i in range(1000)))
    child = split._child
    assert child is not None
    del split
    gc.collect()
    assert child.wait(timeout=10) == 0
