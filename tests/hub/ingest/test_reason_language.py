"""Every wording of a snapshot's reason has its Indonesian text (read from the source: a new
``said("...")`` without a translation fails here, before an operator reads English)."""

from __future__ import annotations

import ast
from pathlib import Path

import hub
from hub.core.i18n import Formatter, catalogue
from hub.core.phrases import english
from hub.ingest import reasons

HUB = Path(hub.__file__).resolve().parent


def _said() -> set[str]:
    found = set()
    for path in HUB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "said"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_reason_wording_is_translated() -> None:
    own = {reasons.REFUSED, reasons.UNEXPECTED, reasons.NOTHING_APPLIED}
    explained = {text for _, meaning, step in reasons._EXPLAIN for text in (meaning, step)}
    wordings = _said() | own | explained
    assert len(_said()) >= 10  # the pipeline's own reasons were found
    assert sorted(w for w in wordings if not catalogue("id").get(w)) == []


def test_a_held_snapshot_says_which_sequences_in_the_readers_language() -> None:
    held = reasons.said(
        "held until sequences {first} to {last} of {reseller} arrive: applied in order "
        "once the gap is filled (or a full snapshot re-bases)",
        first=4,
        last=6,
        reseller="toko-a",
    )
    assert english(held).startswith("held until sequences 4 to 6 of toko-a arrive")
    assert Formatter("id").phrases(held).startswith("ditahan sampai urutan 4 sampai 6 dari toko-a")
