"""The agent's state database keeps each dataset's overlap window across runs and agent versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from agent.state import AgentState, DatasetAdvance


def h(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()[:16]  # as agent.transform.short_hash


def commit(state: AgentState, sequence: int, window: dict[bytes, bytes] | None) -> None:
    advance = DatasetAdvance("2026-12-07 10:00:00+00", "timestamptz", "plan", window)
    state.commit_snapshot(sequence, f"s{sequence}", "incremental", 1, 10, {"sales": advance})


def test_a_window_comes_back_as_committed_and_none_keeps_it(tmp_path: Path) -> None:
    window = {h(f"key {i}"): h(f"row {i}") for i in range(1000)}
    with AgentState(tmp_path) as state:
        commit(state, 1, window)
        assert state.window("sales") == window
        commit(state, 2, None)  # nothing read at or after the window's start: kept
        assert state.window("sales") == window
        commit(state, 3, {})
        assert state.window("sales") == {} and state.window("other") == {}
    with AgentState(tmp_path) as state:  # across runs
        assert state.window("sales") == {}


def test_a_window_an_older_agent_kept_row_by_row_is_read_then_replaced(tmp_path: Path) -> None:
    with AgentState(tmp_path) as state:
        state.db.execute("INSERT INTO window_rows VALUES ('sales', ?, ?)", (h("k"), h("r")))
        assert state.window("sales") == {h("k"): h("r")}  # the boundary rows are not sent again
        commit(state, 1, {h("k2"): h("r2")})
        assert state.window("sales") == {h("k2"): h("r2")}
        assert state.db.execute("SELECT count(*) FROM window_rows").fetchone() == (0,)


def test_a_hash_of_another_length_is_refused_not_stored_misaligned(tmp_path: Path) -> None:
    with AgentState(tmp_path) as state, pytest.raises(ValueError, match="16 bytes each"):
        commit(state, 1, {b"short": h("row")})
