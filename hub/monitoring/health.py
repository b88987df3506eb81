"""Liveness and readiness: what a load balancer or systemd watchdog asks before sending traffic.

``/healthz`` says the process answers (nothing else: a database outage must not get every
web process restarted). ``/readyz`` says this hub can do its work: the database answers,
its schema is at the newest migration, and the SFTP reception accepts connections (an SSH
banner on ``SYNCHUB_SFTP_HOST:SYNCHUB_SFTP_PORT``, the built-in server's or OpenSSH's) with
its inbox root in place.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy import Engine, text

from hub.core.migrate import pending
from hub.core.settings import HubSettings

TIMEOUT = 2.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def database(engine: Engine) -> Check:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not reachable"; the class says which
        return Check("database", False, f"not reachable ({type(exc).__name__})")
    return Check("database", True, engine.dialect.name)


def migrations(engine: Engine) -> Check:
    try:
        missing = pending(engine)
    except Exception as exc:
        return Check("migrations", False, f"cannot read the schema version ({type(exc).__name__})")
    if missing:
        return Check(
            "migrations", False, f"not at head: run `synchub db upgrade` ({', '.join(missing)})"
        )
    return Check("migrations", True, "at head")


def reception(settings: HubSettings) -> Check:
    if not settings.sftp_root.is_dir():
        return Check("reception", False, f"inbox root {settings.sftp_root} is missing")
    try:
        with socket.create_connection((settings.sftp_host, settings.sftp_port), TIMEOUT) as s:
            s.settimeout(TIMEOUT)
            banner = s.recv(64)
    except OSError as exc:
        return Check(
            "reception",
            False,
            f"SFTP {settings.sftp_host}:{settings.sftp_port} refuses connections ({exc.strerror or exc})",
        )
    if not banner.startswith(b"SSH-"):
        return Check("reception", False, f"{settings.sftp_host}:{settings.sftp_port} is not SSH")
    return Check("reception", True, f"{settings.sftp_host}:{settings.sftp_port}")


def readiness(settings: HubSettings, engine: Engine) -> list[Check]:
    db = database(engine)
    checks = [db, migrations(engine) if db.ok else Check("migrations", False, "database down")]
    return [*checks, reception(settings)]
