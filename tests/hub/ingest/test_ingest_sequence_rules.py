"""Property tests of the sequence rules: whatever the arrival order, the applied order is 1, 2, 3…"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.ingest.sequence import Decision, decide, missing_sequences
from hub.ingest.store import parse_stored_name, stored_name


def simulate(arrivals: list[tuple[int, str]]) -> tuple[list[int], int]:
    """Feed snapshots in arrival order through decide(); return applied sequences and the final mark."""
    last, held, applied = 0, set(), []
    for seq, kind in arrivals:
        if decide(kind, seq, last) is Decision.HOLD:
            held.add((seq, kind))
            continue
        if decide(kind, seq, last) is Decision.APPLY:
            applied.append(seq)
            last = seq
            held = {h for h in held if h[0] > last}  # full re-base supersedes the older held ones
        while True:  # held ones whose turn has come
            ready = sorted(h for h in held if decide(h[1], h[0], last) is not Decision.HOLD)
            if not ready:
                break
            seq2, kind2 = ready[0]
            held.discard(ready[0])
            if decide(kind2, seq2, last) is Decision.APPLY:
                applied.append(seq2)
                last = seq2
    return applied, last


@given(
    st.integers(1, 30).flatmap(lambda n: st.permutations(list(range(1, n + 1)))),
    st.lists(st.integers(1, 30), max_size=10),
)
def test_any_arrival_order_applies_incrementals_in_order_exactly_once(
    order: list[int], replays: list[int]
) -> None:
    n = len(order)
    arrivals = [(s, "incremental") for s in order] + [(s, "incremental") for s in replays if s <= n]
    applied, last = simulate(arrivals)
    assert applied == list(range(1, n + 1))
    assert last == n


@given(st.integers(0, 50), st.lists(st.integers(1, 80), max_size=20))
def test_missing_sequences_are_exactly_the_holes(last: int, held: list[int]) -> None:
    missing = missing_sequences(last, held)
    waiting = {h for h in held if h > last}
    assert missing == sorted(missing) and not set(missing) & waiting
    if waiting:
        assert set(missing) | waiting == set(range(last + 1, max(waiting) + 1))
    else:
        assert missing == []


@given(st.integers(0, 100), st.integers(1, 200))
def test_full_snapshot_never_waits(last: int, seq: int) -> None:
    d = decide("full", seq, last)
    assert d is (Decision.DUPLICATE if seq <= last else Decision.APPLY)


@given(
    st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}-[0-9]{12}-(full|incremental)\.snap", fullmatch=True),
    st.binary(min_size=32, max_size=32),
)
def test_stored_name_round_trip(name: str, digest: bytes) -> None:
    assert parse_stored_name(stored_name(name, digest.hex())) == (name, digest.hex())
