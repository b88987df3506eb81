"""Periodic jobs run once per leader: a second process holding the lock skips them."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger

from hub.core.runtime import init_hub, open_hub
from hub.core.settings import HubSettings
from hub.ingest.leader import leadership
from hub.jobs import Job, default_jobs, run_as_leader
from tests.servers import wait_until


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


def _count_runs(settings, calls, stop, name):
    from hub.jobs import run_jobs

    _engine, factory = open_hub(settings)
    job = Job("tick", IntervalTrigger(seconds=0.2), lambda f, s: calls.append(name))
    run_jobs(factory, settings, stop, jobs=[job])


def test_two_schedulers_one_leader_then_the_standby_takes_over(tmp_path, monkeypatch):
    """`synchub serve` and `synchub jobs` side by side (SQLite): the jobs run in one of them only."""
    import threading

    import hub.jobs

    monkeypatch.setattr(hub.jobs, "LEADER_CHECK_SECONDS", 0.2)
    settings = HubSettings(home=tmp_path, environment="test")
    init_hub(settings)
    calls: list[str] = []
    stops = {n: threading.Event() for n in ("a", "b")}
    threads = {
        n: threading.Thread(target=_count_runs, args=(settings, calls, stops[n], n), daemon=True)
        for n in ("a", "b")
    }
    threads["a"].start()
    wait_until(lambda: "a" in calls, "the first leader's job", timeout=20)
    threads["b"].start()
    wait_until(lambda: calls.count("a") >= 8, "more runs", timeout=20)
    assert "b" not in calls  # the standby never ran it while a led
    stops["a"].set()  # the leader stops (releases the lock): b takes over
    threads["a"].join(10)
    wait_until(lambda: "b" in calls, "the standby's first run", timeout=20)
    stops["b"].set()
    threads["b"].join(10)
    first_b = calls.index("b")
    assert set(calls[:first_b]) == {"a"} and set(calls[first_b:]) <= {"a", "b"}
    assert calls[first_b:].count("a") <= 1  # at most the run already under way when a stopped
