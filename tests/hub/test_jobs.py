"""Periodic jobs run once per leader: a second process holding the lock skips them."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger

from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.ingest.leader import leadership
from hub.jobs import Job, default_jobs, run_as_leader


def test_job_runs_when_leader_and_survives_errors(tmp_path):
    settings = HubSettings(home=tmp_path, environment="test")
    init_hub(settings)
    _engine, factory = open_hub(settings)
    calls = []

    def work(f, s):
        calls.append(s.home)
        raise RuntimeError("boom")  # a failing job must not take the scheduler down

    run_as_leader(Job("t", IntervalTrigger(minutes=1), work), factory, settings)
    assert calls == [tmp_path]


def test_default_jobs_run_on_an_empty_hub(tmp_path):
    settings = HubSettings(home=tmp_path, environment="test")
    init_hub(settings)
    _engine, factory = open_hub(settings)
    for job in default_jobs():
        job.run(factory, settings)  # nothing to do, nothing raised


def test_job_skipped_while_another_process_leads(postgres_server, pg_database, tmp_path):
    url = pg_database.replace("postgresql://", "postgresql+psycopg://")
    settings = HubSettings(home=tmp_path, environment="test", database_url=url)
    init_hub(settings)
    engine, factory = open_hub(settings)
    calls = []
    job = Job("exclusive", IntervalTrigger(minutes=1), lambda f, s: calls.append(1))
    other_engine, _ = open_hub(settings)
    with leadership(other_engine, "job:exclusive") as leader:
        assert leader
        run_as_leader(job, factory, settings)
    assert calls == []
    run_as_leader(job, factory, settings)
    assert calls == [1]
    other_engine.dispose()
    engine.dispose()
