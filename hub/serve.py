"""`synchub serve`: one process running the embedded SFTP server, ingest, the jobs and the web app.

The embedded default for a small distributor (and the demo). In production the
same pieces run separately (deploy/README.md): OpenSSH receives, `synchub
ingest` workers merge, `synchub jobs` runs the periodic jobs, uvicorn behind
nginx serves the app.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import click
from sqlalchemy.orm import Session, sessionmaker

from hub.core.keys import HubKeys
from hub.core.output import emit, json_option
from hub.core.runtime import hub_keys as hub_keys_of
from hub.core.runtime import open_hub
from hub.core.settings import HubSettings, load_settings
from hub.ingest.worker import run_forever
from hub.jobs import run_jobs
from hub.reception.enrolment import host_key_fingerprint, reception_host_key
from hub.reception.server import SftpServer

log = logging.getLogger("hub.serve")


@dataclass
class Background:
    """The hub's background services, started and stopped together."""

    settings: HubSettings
    session_factory: sessionmaker[Session]
    keys: HubKeys
    sftp: SftpServer
    stop_event: threading.Event
    ingest_thread: threading.Thread | None = None
    jobs_thread: threading.Thread | None = None

    def start_ingest(self) -> None:
        """Merge continuously: scan the inboxes every ``ingest_interval_seconds``."""
        self.ingest_thread = threading.Thread(
            target=run_forever,
            args=(self.settings, self.session_factory, self.keys),
            kwargs={"stop_event": self.stop_event},
            name="ingest",
            daemon=True,
        )
        self.ingest_thread.start()

    def start_jobs(self) -> None:
        """The periodic jobs (hub.jobs), while this process is their leader."""
        self.jobs_thread = threading.Thread(
            target=run_jobs,
            args=(self.session_factory, self.settings, self.stop_event),
            name="jobs",
            daemon=True,
        )
        self.jobs_thread.start()


@contextmanager
def background_services(
    settings: HubSettings, *, ingest: bool = True, jobs: bool | None = None
) -> Iterator[Background]:
    """Start the SFTP server, and (optionally) the ingest loop and the jobs; stop all on exit.

    ``jobs`` defaults to ``ingest``.
    """
    _engine, factory = open_hub(settings)
    keys = HubKeys.load(settings.keys_dir)
    stop = threading.Event()
    sftp = SftpServer(settings, factory, keys.host_key)
    sftp.start()
    bg = Background(settings, factory, keys, sftp, stop)
    if ingest:
        bg.start_ingest()
    if ingest if jobs is None else jobs:
        bg.start_jobs()
    try:
        yield bg
    finally:
        stop.set()
        for thread in (bg.ingest_thread, bg.jobs_thread):
            if thread is not None:
                thread.join(timeout=30)
        sftp.stop()


def _first_start(bg: Background, settings: HubSettings) -> None:
    """On a hub without users, say where its owner is made and with which code."""
    from hub.users import setup

    with bg.session_factory() as session:
        if not setup.needed(session):
            return
    code = setup.ensure_code(settings.home)
    click.echo(
        f"No user yet: open http://{settings.http_host}:{settings.http_port}/setup and create the "
        f"owner with the setup code {code} (also in {setup.code_file(settings.home)})"
    )


def run_web(settings: HubSettings) -> None:
    """Serve the web app in the foreground until Ctrl-C."""
    import uvicorn

    from hub.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        proxy_headers=True,
        log_level="info",
    )


@click.command("serve")
@click.option("--no-web", is_flag=True, help="Run only SFTP reception and ingest.")
@click.option(
    "--no-ingest",
    is_flag=True,
    help="Do not merge continuously (e.g. when `synchub ingest --workers N` runs elsewhere).",
)
@click.option(
    "--no-jobs",
    is_flag=True,
    help="Do not run the periodic jobs (e.g. when `synchub jobs` runs elsewhere; "
    "running both is safe: one of them leads).",
)
def serve(no_web: bool, no_ingest: bool, no_jobs: bool) -> None:
    """Run the hub: built-in SFTP server, continuous ingest and the web UI/API.

    Listens on SYNCHUB_SFTP_HOST:SYNCHUB_SFTP_PORT (default 127.0.0.1:2222) and
    SYNCHUB_HTTP_HOST:SYNCHUB_HTTP_PORT (default 127.0.0.1:8000).
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings(web=not no_web)
    with background_services(settings, ingest=not no_ingest, jobs=not no_jobs) as bg:
        click.echo(
            f"SFTP: {settings.sftp_host}:{bg.sftp.port}  host key {bg.keys.host_fingerprint}"
        )
        _first_start(bg, settings)
        if no_web:
            click.echo("serving until Ctrl-C")
            with suppress(KeyboardInterrupt):
                bg.stop_event.wait()
        else:
            run_web(settings)


@click.command("jobs")
def jobs() -> None:
    """Run the periodic jobs until stopped: order-file answers, notifications, unpaid-order
    expiry and reminders, nightly offers (production: deploy/systemd/synchub-jobs.service).

    Start as many as you like (one per machine for failover): one leads, chosen by a
    PostgreSQL advisory lock (SQLite: a lock file in SYNCHUB_HOME); the others stand by.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings(web=True)  # the jobs send what the web app shows (bank account)
    _engine, factory = open_hub(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_jobs(factory, settings, stop)


@click.command("keys")
@json_option
def keys(as_json: bool) -> None:
    """Print the hub's public keys and the SFTP host key of the configured reception.

    Resellers get the same in one file from `synchub reseller enrolment ID`.
    """
    settings = load_settings()
    hub_keys = hub_keys_of(settings)
    host_line = reception_host_key(settings, hub_keys)
    if as_json:
        doc = {
            "reception": settings.reception,
            "host_key": host_line,
            "host_fingerprint": host_key_fingerprint(host_line),
            "seal_public_key": hub_keys.seal_public_b64,
            "seal_fingerprint": hub_keys.seal_fingerprint,
            "signing_public_key": hub_keys.signing_public_b64,
            "signing_fingerprint": hub_keys.signing_fingerprint,
        }
        emit(doc, True, lambda: None)
        return
    where = "built-in SFTP server" if settings.reception == "builtin" else "OpenSSH reception"
    click.echo(hub_keys.describe(host_key=False))
    click.echo(f"SFTP host key ({where}): {host_line}")
    click.echo(f"  fingerprint:                 {host_key_fingerprint(host_line)}")
    click.echo(
        "\nFor syncagent init (easier: `synchub reseller enrolment ID --out FILE`):\n"
        f"  --hub-host-key '{host_line}'\n"
        f"  --hub-seal-key '{hub_keys.seal_public_b64}'\n"
        f"  --hub-signing-key '{hub_keys.signing_public_b64}'"
    )
