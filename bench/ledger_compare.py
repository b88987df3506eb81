"""An incremental's compare with its key ledger, in memory: the agent's lookup against a Python set.

    python bench/ledger_compare.py [--rows 1000000] [--changed 1] [--repeat 3]

The agent's side of an incremental (``bench/incremental_floor.py``) hashes every key line it
reads, looks each hash up among the last push's ledger and cuts the key out of each line. This
times those steps alone on key-and-cursor lines like that bench's, each beside the way the agent
did it before, alternating rounds (best of ``--repeat``):

* the lookup: ``agent.hashmatch.HashMatch`` (sorted NumPy array, one binary search per chunk)
  against a ``set`` of the ledger's ints emptied chunk by chunk;
* the key cut: ``agent.transform.key_projector`` against a Python loop over the lines.

Both sides must hand back the same changed lines and the same leftover hashes (checked).
"""

from __future__ import annotations

import argparse
from itertools import compress
from operator import not_

import _common as c

from agent.hashmatch import HashMatch
from agent.ledger import as_ints, line_hashes
from agent.transform import key_projector

CHUNK = 8_000  # lines per chunk, about what a 1 MiB read of these lines holds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--changed", type=float, default=1.0, help="percentage of lines changed")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    c.header("ledger compare: HashMatch vs a set; field-split key cut vs a loop", **vars(args))
    step = max(1, round(100 / args.changed)) if args.changed else 0
    before = [
        b"%d\t2026-12-06 10:%02d:%02d.%06d+00" % (i, i % 60, i % 59, i) for i in range(args.rows)
    ]
    after = [line + b"1" if step and i % step == 0 else line for i, line in enumerate(before)]
    ledger = line_hashes(before)
    chunks = [after[i : i + CHUNK] for i in range(0, len(after), CHUNK)]
    hashed = [line_hashes(chunk) for chunk in chunks]
    data = [b"\n".join(chunk) + b"\n" for chunk in chunks]
    results: dict[str, object] = {}

    def by_set() -> float:
        def run() -> tuple[int, set[int]]:
            remaining, changed = set(as_ints(ledger)), 0
            for chunk, hashes in zip(chunks, hashed):
                ints = as_ints(hashes)
                seen = list(map(remaining.__contains__, ints))
                remaining.difference_update(ints)
                if not all(seen):
                    changed += len(list(compress(chunk, map(not_, seen))))
            return changed, remaining

        secs, results["set"] = c.timed(run)
        return secs

    def by_hashmatch() -> float:
        def run() -> tuple[int, set[int]]:
            match, changed = HashMatch(ledger), 0
            for chunk, hashes in zip(chunks, hashed):
                seen = match.take(hashes)
                if seen is not None:
                    changed += len(list(compress(chunk, map(not_, seen))))
            return changed, match.untaken()

        secs, results["hashmatch"] = c.timed(run)
        return secs

    def cut_by_loop() -> float:
        def run() -> list[bytes]:
            out = []
            for whole in data:
                lines = whole.split(b"\n")
                lines.pop()
                out.append(b"\n".join(line.split(b"\t", 1)[0] for line in lines) + b"\n")
            return out

        secs, results["loop"] = c.timed(run)
        return secs

    def cut_by_projector() -> float:
        def run() -> list[bytes]:
            project = key_projector(["id", "updated_at"], ["id"])
            assert project is not None
            return [project(whole) for whole in data]

        secs, results["projector"] = c.timed(run)
        return secs

    best = c.interleave(
        args.repeat,
        {
            "set": by_set,
            "hashmatch": by_hashmatch,
            "loop": cut_by_loop,
            "projector": cut_by_projector,
        },
    )
    assert results["set"] == results["hashmatch"], "the two lookups disagree"
    assert results["loop"] == results["projector"], "the two key cuts disagree"
    changed = results["hashmatch"][0]  # type: ignore[index]
    print(f"{args.rows:,} lines, {changed:,} changed")
    c.speed_ratio("ledger lookup", best["hashmatch"], best["set"], 1.0, "a set")
    c.speed_ratio("key cut", best["projector"], best["loop"], 1.0, "a loop")


if __name__ == "__main__":
    main()
