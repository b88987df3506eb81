"""Lock, schedule and snapshot-kind policy."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.datasets import config_digest
from agent.export import choose_kind
from agent.runner import AlreadyRunning, make_scheduler, next_run, run_lock
from agent.state import AgentState, DatasetAdvance


def test_one_run_at_a_time(tmp_path):
    with run_lock(tmp_path), pytest.raises(AlreadyRunning), run_lock(tmp_path):
        pass
    with run_lock(tmp_path):  # released after the first run
        pass


def test_scheduler_job_is_single_and_coalesced(make_agent):
    cfg = make_agent("toko-sched").config()
    sched = make_scheduler(cfg, blocking=False)
    job = sched.get_jobs()[0]
    assert job.max_instances == 1 and job.coalesce is True
    assert job.trigger.jitter == 900
    assert next_run(cfg).startswith(str(dt.date.today().year)[:2])


def test_full_every_nth_run(make_agent):
    cfg = make_agent("toko-kind").config()
    cfg.schedule.full_every = 3
    d = cfg.datasets[0]
    adv = {d.name: DatasetAdvance(None, None, config_digest(d))}
    with AgentState(cfg.agent.state_dir) as st:
        kinds = []
        for seq in range(1, 8):
            kind = choose_kind(cfg, st, False)
            kinds.append(kind)
            st.commit_snapshot(seq, f"s{seq}", kind, 0, 0, adv)
        assert kinds == [
            "full",
            "incremental",
            "incremental",
            "full",
            "incremental",
            "incremental",
            "full",
        ]
        d.columns = ["id"]  # the dataset changed: next one must be full
        assert choose_kind(cfg, st, False) == "full"
        cfg.schedule.full_every = "sun"
        d.columns = None
        assert choose_kind(cfg, st, False, today=dt.date(2024, 6, 2)) == "full"  # a Sunday
        assert choose_kind(cfg, st, False, today=dt.date(2024, 6, 3)) == "incremental"
