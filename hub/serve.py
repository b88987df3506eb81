"""`synchub serve`: one process running the embedded SFTP server, the ingest loop and the web app.

The embedded default for a small distributor (and the demo). In production the
same pieces run separately: OpenSSH receives, `synchub ingest --workers N`
merges, uvicorn behind nginx serves the app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import click
from sqlalchemy.orm import Session, sessionmaker

from hub.core.keys import HubKeys
from hub.core.output import emit, json_option
from hub.core.runtime import open_hub
from hub.core.settings import HubSettings, load_settings
from hub.ingest.worker import run_forever
from hub.jobs import start_scheduler
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


@contextmanager
def background_services(settings: HubSettings, *, ingest: bool = True) -> Iterator[Background]:
    """Start the SFTP server and (optionally) the continuous ingest loop; stop both on exit."""
    _engine, factory = open_hub(settings)
    keys = HubKeys.load_or_create(settings.keys_dir)
    stop = threading.Event()
    sftp = SftpServer(settings, factory, keys.host_key)
    sftp.start()
    bg = Background(settings, factory, keys, sftp, stop)
    scheduler = None
    if ingest:
        bg.start_ingest()
        scheduler = start_scheduler(factory, settings)
    try:
        yield bg
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        stop.set()
        if bg.ingest_thread is not None:
            bg.ingest_thread.join(timeout=30)
        sftp.stop()


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
def serve(no_web: bool, no_ingest: bool) -> None:
    """Run the hub: built-in SFTP server, continuous ingest and the web UI/API.

    Listens on SYNCHUB_SFTP_HOST:SYNCHUB_SFTP_PORT (default 127.0.0.1:2222) and
    SYNCHUB_HTTP_HOST:SYNCHUB_HTTP_PORT (default 127.0.0.1:8000).
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings(web=not no_web)
    with background_services(settings, ingest=not no_ingest) as bg:
        click.echo(
            f"SFTP: {settings.sftp_host}:{bg.sftp.port}  host key {bg.keys.host_fingerprint}"
        )
        if no_web:
            click.echo("serving until Ctrl-C")
            with suppress(KeyboardInterrupt):
                bg.stop_event.wait()
        else:
            run_web(settings)


@click.command("keys")
@json_option
def keys(as_json: bool) -> None:
    """Print the hub's public keys: what every reseller's `syncagent init` needs."""
    settings = load_settings()
    hub_keys = HubKeys.load_or_create(settings.keys_dir)
    if as_json:
        doc = {
            "host_key": hub_keys.host_key_line,
            "host_fingerprint": hub_keys.host_fingerprint,
            "seal_public_key": hub_keys.seal_public_b64,
            "seal_fingerprint": hub_keys.seal_fingerprint,
            "signing_public_key": hub_keys.signing_public_b64,
            "signing_fingerprint": hub_keys.signing_fingerprint,
        }
        emit(doc, True, lambda: None)
        return
    click.echo(hub_keys.describe())
    click.echo(
        "\nFor syncagent init:\n"
        f"  --hub-host-key '{hub_keys.host_key_line}'\n"
        f"  --hub-seal-key '{hub_keys.seal_public_b64}'\n"
        f"  --hub-signing-key '{hub_keys.signing_public_b64}'"
    )
