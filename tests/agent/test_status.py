"""``syncagent status``: a run's recorded outcome in one readable line."""

from __future__ import annotations

import json

from agent.status import outcome


def test_a_finished_run_says_what_it_sent_and_how_long_it_took() -> None:
    summary = {
        "snapshot": "r1-000000000007-incremental.snap",
        "kind": "incremental",
        "rows": 10000,
        "delivered": ["r1-000000000007-incremental.snap"],
        "seconds": {"export": 0.81, "delivery": 0.2, "total": 1.07},
    }
    assert outcome(json.dumps(summary)) == (
        "r1-000000000007-incremental.snap (incremental, 10,000 rows), delivered, 1.07 s "
        "(export 0.81 s, delivery 0.20 s)"
    )


def test_an_export_only_run_of_an_older_agent_has_no_times_to_show() -> None:
    summary = {"snapshot": "r1-000000000002-full.snap", "kind": "full", "rows": 3}
    assert outcome(json.dumps(summary)) == "r1-000000000002-full.snap (full, 3 rows), in the outbox"


def test_a_failed_run_shows_its_error() -> None:
    error = "could not connect to the hub at 10.8.0.1:22 (timed out) " * 3
    assert outcome(error) == error[:100]
    assert outcome("") == ""
