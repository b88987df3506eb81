"""The ledger's hash lookup (agent/hashmatch.py) answers as a set of the ledger's hashes would."""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from agent.hashmatch import HashMatch

# few distinct values, so reads repeat and miss ledger hashes often; the extremes of uint64 too
HASHES = st.sampled_from([0, 1, 2, 3, 7, 2**63, 2**64 - 2, 2**64 - 1])


def packed(values: list[int]) -> bytes:
    return struct.pack(f"={len(values)}Q", *values)


def by_set(ledger: list[int], chunks: list[list[int]]) -> tuple[list[list[bool]], set[int]]:
    """What the agent did before HashMatch: a set, each chunk's hashes taken out after the lookup."""
    remaining, answers = set(ledger), []
    for chunk in chunks:
        answers.append([h in remaining for h in chunk])
        remaining.difference_update(chunk)
    return answers, remaining


@given(
    ledger=st.lists(HASHES, unique=True, max_size=6),
    chunks=st.lists(st.lists(HASHES, max_size=6), max_size=5),
)
def test_take_and_untaken_agree_with_a_set(ledger: list[int], chunks: list[list[int]]) -> None:
    match = HashMatch(packed(ledger))
    answers = [match.take(packed(chunk)) for chunk in chunks]
    expected, remaining = by_set(ledger, chunks)
    assert [a if a is not None else [True] * len(c) for a, c in zip(answers, chunks)] == expected
    assert match.untaken() == remaining


def test_a_chunk_the_ledger_holds_whole_answers_none_and_takes_it() -> None:
    match = HashMatch(packed([5, 9, 1]))
    assert match.take(packed([9, 1])) is None
    assert match.take(packed([9, 4])) == [False, False]  # 9 was taken by the first chunk
    assert match.untaken() == {5}
