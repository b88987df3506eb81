"""Checks on a parsed config that need more than one field, or the file system.

Each rule returns ``(path, message)`` pairs; none stops at the first problem.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import urlsplit

from shared.errors import ConfigError

if TYPE_CHECKING:
    from agent.config import (
        DatasetSection,
        HubSection,
        OffersSection,
        ScheduleSection,
        SourceSection,
    )

Problems = list[tuple[str, str]]
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)(\+[a-zA-Z0-9_]+)?://")
_HOST_KEY_LINE = re.compile(
    r"^(?:\S+\s+)?(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|rsa-sha2-\d+)\s+([A-Za-z0-9+/=]+)"
)


def check_url(url: str, known: tuple[str, ...]) -> Problems:
    m = _SCHEME.match(url)
    if not m:
        return [
            (
                "[source].url",
                "is not a URL like postgresql://user@host/db or sqlite:///path/shop.db",
            )
        ]
    scheme = m.group(1).lower()
    if scheme not in known:
        return [("[source].url", f"unknown scheme {scheme!r}; known: {', '.join(known)}")]
    return []


WRITE_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")


def check_offers(o: OffersSection, source: Optional[SourceSection]) -> Problems:
    """The offers writer: a database URL without a password, and not the SELECT-only export user."""
    out = check_readable(o.password_file, "[offers].password_file", "password file")
    if not o.write_url:
        return out
    probs = check_url(o.write_url, WRITE_SCHEMES)
    if probs:
        return out + [("[offers].write_url", msg) for _, msg in probs]
    parts = urlsplit(o.write_url)
    if parts.password is not None:
        out.append(
            (
                "[offers].write_url",
                "contains a password; remove it and set SYNCAGENT_OFFERS_PASSWORD "
                "or [offers].password_file instead",
            )
        )
    if source is not None and parts.username and urlsplit(source.url).username == parts.username:
        out.append(
            (
                "[offers].write_url",
                f"uses the export user {parts.username!r}; give the offers table its own "
                "user so the export user stays SELECT-only",
            )
        )
    return out


def check_readable(path: Optional[Path], where: str, what: str) -> Problems:
    if path is None:
        return []
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        return [(where, f"{what} {path} does not exist (run `syncagent init` to create keys)")]
    except OSError as exc:
        return [(where, f"{what} {path} is not readable: {exc.strerror or exc}")]
    return []


def check_key_file(path: Path, where: str, what: str, loader: Callable[[Path], Any]) -> Problems:
    """Readable and loadable by ``loader`` (which raises ConfigError or ValueError naming why)."""
    out = check_readable(path, where, what)
    if out:
        return out
    try:
        loader(path)
    except ConfigError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return [(where, f"{what} {path}: {msg}{hint}") for _, msg in exc.problems]
    except (ValueError, OSError) as exc:
        return [(where, f"{what} {path} cannot be loaded: {exc}")]
    return []


def check_b64_key(value: str, where: str, what: str) -> Problems:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        return [(where, f"{what} is not base64; copy it exactly as the hub operator gave it")]
    if len(raw) != 32:
        return [
            (
                where,
                f"{what} must be 32 bytes (got {len(raw)}); copy it exactly as the hub operator gave it",
            )
        ]
    return []


def check_hub(hub: HubSection) -> Problems:
    from agent.ssh import load_ssh_key

    out = check_key_file(hub.ssh_key, "[hub].ssh_key", "SSH private key", load_ssh_key)
    hk = hub.host_key.strip()
    if not (hk.startswith("SHA256:") or _HOST_KEY_LINE.match(hk)):
        out.append(
            (
                "[hub].host_key",
                "must be the hub's OpenSSH public key line (ssh-ed25519 AAAA…) or its SHA256:… fingerprint",
            )
        )
    out += check_b64_key(hub.seal_public_key, "[hub].seal_public_key", "hub seal key (X25519)")
    out += check_b64_key(
        hub.signing_public_key, "[hub].signing_public_key", "hub signing key (Ed25519)"
    )
    return out


def check_schedule(s: ScheduleSection, weekdays: tuple[str, ...]) -> Problems:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from apscheduler.triggers.cron import CronTrigger

    out: Problems = []
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        out.append(
            (
                "[schedule].timezone",
                f"{s.timezone!r} is not an IANA time zone name: use e.g. Asia/Jakarta (WIB), "
                "Asia/Makassar (WITA) or Asia/Jayapura (WIT)",
            )
        )
    try:
        CronTrigger.from_crontab(s.cron, timezone="UTC")  # the zone is checked above
    except (ValueError, KeyError, LookupError) as exc:
        out.append(
            (
                "[schedule].cron",
                f"{s.cron!r} is not a valid crontab expression (minute hour day month weekday): {exc}",
            )
        )
    if isinstance(s.full_every, int) and s.full_every < 1:
        out.append(("[schedule].full_every", "must be ≥ 1 (1 = every run is full)"))
    if isinstance(s.full_every, str) and s.full_every.lower()[:3] not in weekdays:
        out.append(
            (
                "[schedule].full_every",
                f"{s.full_every!r} is neither a number of runs nor a weekday ({', '.join(weekdays)})",
            )
        )
    return out


def check_state_dir(path: Path) -> Problems:
    if path.exists() and not path.is_dir():
        return [("[agent].state_dir", f"{path} exists and is not a folder")]
    if path.exists() and not os.access(path, os.W_OK | os.X_OK):
        return [("[agent].state_dir", f"{path} is not writable by this user")]
    return []


def check_dataset(d: DatasetSection, where: str) -> Problems:
    out: Problems = []
    if (d.table is None) == (d.query is None):
        out.append((f"{where}.table", "give exactly one of `table` or `query`"))
    if d.query is not None and not re.match(r"^\s*(select|with)\b", d.query, re.I):
        out.append((f"{where}.query", "must be a SELECT (or WITH … SELECT) statement"))
    if d.cursor is None and d.overlap:
        out.append((f"{where}.overlap", "an overlap needs a `cursor` column"))
    if d.mode == "cursor" and d.cursor is None:
        out.append(
            (
                f"{where}.mode",
                '"cursor" needs a `cursor` column (an updated_at-style one); '
                'or use mode = "rowhash", which needs none',
            )
        )
    protected = {*d.key, *([d.cursor] if d.cursor else [])}
    for c in sorted(protected & set(d.drop_columns)):
        out.append(
            (f"{where}.drop_columns", f"{c!r} is a key or cursor column and cannot be dropped")
        )
    if d.cursor and d.cursor in d.hash_columns:
        out.append(
            (f"{where}.hash_columns", f"{d.cursor!r} is the cursor column and cannot be hashed")
        )
    for c in sorted(set(d.hash_columns) & set(d.drop_columns)):
        out.append((f"{where}.hash_columns", f"{c!r} is both hashed and dropped; choose one"))
    if d.columns is not None:
        allowed = set(d.columns)
        for field, names in (
            ("key", d.key),
            ("cursor", [d.cursor] if d.cursor else []),
            ("hash_columns", d.hash_columns),
            ("drop_columns", d.drop_columns),
        ):
            for c in names:
                if c not in allowed:
                    out.append((f"{where}.{field}", f"{c!r} is not in the `columns` allow-list"))
    return out


def check_datasets(indexed: list[tuple[int, Any]]) -> Problems:
    out: Problems = []
    seen: dict[str, int] = {}
    for i, d in indexed:
        where = f"[[datasets]][{i}]"
        if d.name in seen:
            out.append(
                (f"{where}.name", f"{d.name!r} is already used by [[datasets]][{seen[d.name]}]")
            )
        seen.setdefault(d.name, i)
        out += check_dataset(d, where)
    return out
