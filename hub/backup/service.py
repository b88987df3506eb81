"""One encrypted archive holds a whole hub; restore rebuilds the hub from it, into an empty place.

The archive (``synchub-<UTC time>.tar.age``) is a tar stream encrypted with age
(X25519 + ChaCha20-Poly1305, the age-encryption.org/v1 format) to the operator's
*recipient* (public key, ``SYNCHUB_BACKUP_RECIPIENT``). The hub never holds the
*identity* (private key): a stolen hub disk or backup bucket reads nothing, and the
operator can open an archive anywhere with the ``age`` tool. Inside:

* ``MANIFEST.json`` — format, hub version, time, database kind, schema heads, the
  settings that shape the hub (secrets left out) and a SHA-256 per file;
* ``database/hub.sqlite`` (SQLite online backup) or ``database/hub.pgdump``
  (``pg_dump`` custom format);
* ``home/keys``, ``home/private`` (payment proofs), ``home/quarantine``,
  ``home/received`` (snapshots not applied yet, held ones included), ``home/order-files``.

Restore checks every file's hash before it writes anything, refuses a directory or
database that already holds data, and migrates the restored schema to this version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyrage
from pyrage import x25519
from sqlalchemy import Engine

from hub.backup import database
from hub.core.db import make_engine
from hub.core.migrate import upgrade
from hub.core.runtime import mark_hub
from hub.core.settings import HubSettings
from shared import __version__
from shared.errors import ConfigError, DataError

log = logging.getLogger("hub.backup")
FORMAT = "synchub-backup/1"
HOME_PARTS = ("keys", "private", "quarantine", "received", "order-files")
SUFFIX = ".tar.age"
# Settings recorded for the operator (restore prints them); secrets never leave the env file.
RECORDED = (
    "environment",
    "sftp_host",
    "sftp_port",
    "http_host",
    "http_port",
    "default_locale",
    "inbox_quota_bytes",
    "sync_every_hours",
    "sync_grace_hours",
    "backup_keep",
    "backup_hour",
)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    bytes: int
    pruned: list[Path]


def recipient_of(text: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(text.strip())
    except Exception:  # pyrage raises its own RecipientError, or ValueError
        raise ConfigError(
            [("SYNCHUB_BACKUP_RECIPIENT", "is not an age public key (age1...)")],
            hint="make a key pair with `synchub backup keygen` (or `age-keygen`), keep the "
            "identity file off the hub, set the printed public key",
        ) from None


def identity_from(path: Path) -> x25519.Identity:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise DataError(
            "cannot read the identity file {path}: {reason}", path=path, reason=exc.strerror
        ) from None
    for line in lines:
        if line.startswith("AGE-SECRET-KEY-"):
            return x25519.Identity.from_str(line.strip())
    raise DataError(
        "{path} holds no age identity (a line AGE-SECRET-KEY-1...)",
        path=path,
        hint="pass the file `synchub backup keygen` wrote (or age-keygen's)",
    )


def keygen(path: Path) -> str:
    """Write a new identity (private, mode 0600) to ``path``; return its public recipient."""
    if path.exists():
        raise DataError(
            "{path} exists: not overwriting a key", hint="choose another file name", path=path
        )
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"# created: {dt.datetime.now(dt.timezone.utc).isoformat()}\n")
        f.write(f"# public key: {public}\n{identity}\n")
    return public


def backup_dir(settings: HubSettings) -> Path:
    return settings.backup_dir or settings.home / "backups"


def _home_files(home: Path) -> Iterator[tuple[Path, str]]:
    for part in HOME_PARTS:
        root = home / part
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path, f"home/{path.relative_to(home).as_posix()}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(settings: HubSettings, engine: Engine, files: list[tuple[Path, str]]) -> bytes:
    from hub.core.migrate import heads

    body: dict[str, Any] = {
        "format": FORMAT,
        "hub_version": __version__,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "database": engine.dialect.name,
        "schema_heads": heads(engine),
        "settings": {k: str(getattr(settings, k)) for k in RECORDED},
        "files": {name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p, name in files},
    }
    return json.dumps(body, indent=2, sort_keys=True).encode()


def _write_tar(out: IO[bytes], manifest: bytes, files: list[tuple[Path, str]]) -> None:
    with tarfile.open(fileobj=out, mode="w|") as tar:
        info = tarfile.TarInfo("MANIFEST.json")
        info.size, info.mode = len(manifest), 0o600
        tar.addfile(info, io.BytesIO(manifest))
        for path, name in files:
            tar.add(path, arcname=name, recursive=False)


def create(settings: HubSettings, engine: Engine, *, to: Path | None = None) -> BackupResult:
    """Write one encrypted archive of the hub (``to``: folder, default ``backup_dir``), then prune."""
    if not settings.backup_recipient:
        raise ConfigError(
            [("SYNCHUB_BACKUP_RECIPIENT", "is not set: backups are encrypted to it")],
            hint="run `synchub backup keygen ~/synchub-backup.key` on YOUR machine, keep that file "
            "safe, and set SYNCHUB_BACKUP_RECIPIENT to the public key it prints",
        )
    recipient = recipient_of(settings.backup_recipient)
    folder = to or backup_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"synchub-{stamp}{SUFFIX}"
    # The plain database copy stays next to the database (same disk, same exposure), never
    # in the backup folder, which may be a mounted remote share.
    with tempfile.TemporaryDirectory(dir=settings.home, prefix=".backup-") as work:
        dumped = database.dump(settings.db_url, engine, Path(work))
        files = [(dumped, f"database/{dumped.name}"), *_home_files(settings.home)]
        manifest = _manifest(settings, engine, files)
        part = final.with_name(final.name + ".part")
        _encrypt_to(part, recipient, manifest, files)
    os.replace(part, final)
    size = final.stat().st_size
    log.info("backup %s: %d files, %d bytes", final, len(files), size)
    return BackupResult(final, len(files), size, prune(folder, settings.backup_keep))


def _encrypt_to(
    part: Path, recipient: x25519.Recipient, manifest: bytes, files: list[tuple[Path, str]]
) -> None:
    """Stream the tar through age into ``part`` (mode 0600, fsynced): no plain archive on disk."""
    rfd, wfd = os.pipe()
    failed: list[BaseException] = []

    def produce() -> None:
        with os.fdopen(wfd, "wb") as w:
            try:
                _write_tar(w, manifest, files)
            except BaseException as exc:  # reported by the caller, after the encryption ends
                failed.append(exc)

    producer = threading.Thread(target=produce, name="backup-tar", daemon=True)
    producer.start()
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(rfd, "rb") as r, os.fdopen(fd, "wb") as out:
            pyrage.encrypt_io(r, out, [recipient])
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        producer.join()
    if failed:
        part.unlink(missing_ok=True)
        raise failed[0]


def archives(folder: Path) -> list[Path]:
    """The folder's archives, oldest first (their names sort by time)."""
    return sorted(folder.glob(f"synchub-*{SUFFIX}")) if folder.is_dir() else []


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives; returns what was deleted."""
    old = archives(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
        log.info("backup %s removed (keeping the newest %d)", path, keep)
    return old


# --- restore ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    files: int


def _require_empty_home(home: Path) -> None:
    if home.exists() and any(p.name != "backups" for p in home.iterdir()):
        raise DataError(
            "{home} is not empty",
            home=home,
            hint="restore into an empty directory (SYNCHUB_HOME); nothing was changed",
        )


def _decrypt(archive: Path, identity: x25519.Identity, into: Path) -> Path:
    plain = into / "archive.tar"
    fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with archive.open("rb") as src, os.fdopen(fd, "wb") as dst:
            pyrage.decrypt_io(src, dst, [identity])
    except pyrage.DecryptError as exc:
        raise DataError(
            "{name} cannot be decrypted with this identity ({reason})",
            name=archive.name,
            reason=exc,
            hint="use the identity file whose public key is the hub's SYNCHUB_BACKUP_RECIPIENT",
        ) from None
    return plain


def _unpack(plain: Path, into: Path) -> tuple[dict[str, Any], Path]:
    """Extract and verify every file against the manifest (before anything is restored)."""
    out = into / "x"
    with tarfile.open(plain, mode="r:") as tar:
        tar.extractall(out, filter="data")
    try:
        manifest = json.loads((out / "MANIFEST.json").read_text())
    except (OSError, ValueError):
        raise DataError("the archive has no readable MANIFEST.json: not a SyncHub backup") from None
    if manifest.get("format") != FORMAT:
        raise DataError(
            "unknown backup format {found} (expected {expected})",
            found=repr(manifest.get("format")),
            expected=FORMAT,
        )
    for name, meta in manifest["files"].items():
        path = out / name
        if not path.is_file() or _sha256(path) != meta["sha256"]:
            raise DataError(
                "{name} is missing or damaged in the archive", hint="use another backup", name=name
            )
    return manifest, out


def restore(archive: Path, identity_file: Path, settings: HubSettings) -> RestoreResult:
    """Rebuild the hub described by ``settings`` (empty home and database) from ``archive``."""
    identity = identity_from(identity_file)
    _require_empty_home(settings.home)
    engine = make_engine(settings.db_url)
    try:
        if database.dialect_of(settings.db_url) != "sqlite":
            database.require_empty(settings.db_url, engine)
        settings.home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=settings.home, prefix=".restore-") as work:
            plain = _decrypt(archive, identity, Path(work))
            manifest, out = _unpack(plain, Path(work))
            plain.unlink()
            dump = next((out / "database").iterdir())
            database.load(settings.db_url, dump)
            count = 0
            for name in manifest["files"]:
                if not name.startswith("home/"):
                    continue
                target = settings.home / name.removeprefix("home/")
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                shutil.copyfile(out / name, target)
                os.chmod(target, 0o600)
                count += 1
        engine.dispose()
        engine = make_engine(settings.db_url)
        upgrade(engine)  # a backup of an older version gets this version's schema
        mark_hub(settings)  # this home is now the hub on this (possibly new) database
    finally:
        engine.dispose()
    return RestoreResult(manifest, count)
