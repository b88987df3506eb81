"""Decrypted snapshots do not outlive their merge: a failed merge removes its staging, and a
worker removes what a killed one left (issue #18); quarantine reasons read as sentences."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest
from ingest_kit import Hub

from hub.ingest import pipeline
from hub.ingest.models import Snapshot
from hub.ingest.reasons import _EXPLAIN, describe
from hub.ingest.store import Store

V1 = {1: ("Mouse", "9.50"), 2: ("Keyboard", "25.00")}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_staging_left_by_a_killed_worker_is_removed_at_the_next_round(hub: Hub) -> None:
    staging = Store.from_settings(hub.settings).staging
    host = socket.gethostname()
    dead = staging / f"{host}~{_dead_pid()}~s7-abc"
    legacy = staging / "s10-xyz"  # named before folders carried their owner
    alive = staging / f"{host}~{os.getppid()}~s8-def"  # another worker of this host, running
    elsewhere = staging / "another-host~1~s9-ghi"  # a worker of another machine (shared disk)
    for folder in (dead, legacy, alive, elsewhere):
        folder.mkdir(parents=True)
        (folder / "part-0.copy").write_bytes(b"decrypted rows")
    hub.ingest()
    assert not dead.exists() and not legacy.exists()
    assert alive.exists() and elsewhere.exists()


def test_a_failed_merge_leaves_no_decrypted_staging(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = hub.reseller("toko-a")
    r.push(1, "full", V1)

    def merge_fails(*args: object, **kwargs: object) -> None:
        staged = list(Store.from_settings(hub.settings).staging.iterdir())
        assert staged and any(p.rglob("*") for p in staged)  # decrypted, mid-merge
        raise RuntimeError("the database went away mid-merge")

    monkeypatch.setattr(pipeline, "merge_snapshot", merge_fails)
    hub.ingest()
    assert list(Store.from_settings(hub.settings).staging.iterdir()) == []
    with hub.factory() as s:  # refused whole, kept for a retry, with what went wrong
        row = s.query(Snapshot).one()
        assert row.status == "quarantined" and "went away mid-merge" in (row.reason or "")


@pytest.mark.parametrize("cls", [cls for cls, _, _ in _EXPLAIN], ids=lambda c: c.__name__)
def test_every_quarantine_reason_reads_as_a_sentence(cls: type) -> None:
    exc = cls("detail") if cls.__name__ != "ConfigError" else cls([("key", "detail")])
    reason = describe(exc).reason
    assert reason.startswith("the snapshot ")
    verb = reason.split()[2]
    assert verb in {"is", "was", "does", "carries", "cannot"}, reason
    assert not re.search(r"\bis (its|the|an?) ", reason), reason  # "the snapshot is its content…"
