"""The hub's signed messages, read by what they are about.

* **Acks** are about one *file*: an ack is kept (``inbox/ack-<seq>.json``) only
  when its ``file_sha256`` is the SHA-256 of the file this agent sent under
  that sequence (recorded when the snapshot was committed). An ack for another
  upload under the same number — from before this state folder was lost, or a
  garbage upload — is never taken for ours; it still tells how far the hub has
  applied. Acks are rewritten by the hub when a status changes (held, then
  applied), so one is fetched again until it is final.
* A ``conflict`` ack for our file means the hub applied another file under
  that number: the agent re-bases (``rebase`` meta row: the next snapshot is
  full, numbered after the hub's last applied sequence) — nothing is dropped.
* **Requests** (a full snapshot, every key of some datasets) are remembered in
  the state (``request:<id>``) until a committed snapshot answers them.
* Offers files are kept as they come (verified).

Every file is verified against the hub signing key pinned at ``syncagent
init`` first; a forged one is parked under ``inbox/rejected/``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Protocol

from agent.config import AgentConfig
from agent.outbox import Outbox
from agent.state import AgentState
from shared.errors import SyncHubError
from shared.messages import Ack, Request, parse_filename, parse_payload, verify_message

log = logging.getLogger("syncagent.hubmail")
FINAL = ("applied", "duplicate", "superseded", "quarantined", "conflict")
_ACK = re.compile(r"^ack-(\d{12})\.json$")


class Downloads(Protocol):
    def download(self, name: str, dest: Path) -> None: ...


@dataclass
class Mail:
    """What one fetch brought that the run must act on or tell."""

    acks: dict[int, Ack] = field(default_factory=dict)  # ours, new or changed
    requests: list[Request] = field(default_factory=list)  # newly taken
    conflict: Optional[Ack] = None  # the hub applied another file under one of our numbers
    hub_last_applied: int = 0  # the highest sequence any verified ack says the hub applied
    messages: list[str] = field(default_factory=list)  # files kept in the inbox
    rejected: list[str] = field(default_factory=list)  # forged or unreadable files

    @property
    def quarantined(self) -> list[Ack]:
        return [a for a in self.acks.values() if a.status == "quarantined"]


def _verified(raw: bytes, name: str, inbox: Path, cfg: AgentConfig) -> Optional[dict]:
    from shared.keys import signing_public_key_from_b64

    try:
        key = signing_public_key_from_b64(
            cfg.hub.signing_public_key, source="[hub].signing_public_key"
        )
        return verify_message(raw, key)
    except (SyncHubError, ValueError) as exc:
        log.error("hub message %s rejected: %s", name, exc)
        (inbox / "rejected").mkdir(exist_ok=True)
        (inbox / "rejected" / name).write_bytes(raw)
        return None


def _stored_final(inbox: Path, name: str, sha: Optional[str]) -> bool:
    """Whether the inbox already holds this ack, bound to our file and final (nothing to fetch)."""
    try:
        payload = json.loads((inbox / name).read_bytes())["payload"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return payload.get("file_sha256") == sha and payload.get("status") in FINAL


def wanted(names: list[str], state: AgentState, outbox: Outbox) -> list[str]:
    """The files worth downloading: acks about our snapshots not yet final, the newest ack (how far
    the hub has applied), requests not yet taken, offers not yet kept."""
    acks = sorted(n for n in names if _ACK.match(n))
    return [n for n in names if _wanted(n, acks[-1] if acks else "", state, outbox)]


def _wanted(name: str, newest_ack: str, state: AgentState, outbox: Outbox) -> bool:
    kind = parse_filename(name)
    if (outbox.inbox / "rejected" / name).exists():
        return False  # forged once: not fetched again
    if kind == "ack":
        m = _ACK.match(name)
        mine = state.snapshot_by_sequence(int(m.group(1))) if m else None
        if mine is None:
            return name == newest_ack
        return not _stored_final(outbox.inbox, name, mine["sha256"])
    if kind == "request":
        rid = name[len("request-") : -len(".json")]
        return all(state.get_meta(f"{k}:{rid}") is None for k in ("request", "answered"))
    if kind == "offers":
        return not (outbox.inbox / name).exists()
    return False


def fetch(conn: Downloads, names: list[str], cfg: AgentConfig, state: AgentState) -> Mail:
    """Download, verify and act on the hub's messages among ``names`` (the outbox listing)."""
    outbox = Outbox(cfg.agent.state_dir)
    mail = Mail()
    for name in wanted(names, state, outbox):
        tmp = outbox.work / (name + ".download")
        conn.download(name, tmp)
        raw = tmp.read_bytes()
        tmp.unlink()
        payload = _verified(raw, name, outbox.inbox, cfg)
        if payload is None:
            mail.rejected.append(name)
            continue
        try:
            msg = parse_payload(payload)
        except ValueError as exc:  # verified, but of a shape this agent does not know: kept as is
            log.warning("hub message %s kept but not understood: %s", name, exc)
            (outbox.inbox / name).write_bytes(raw)
            mail.messages.append(name)
            continue
        if msg.reseller_id != cfg.agent.reseller_id:
            log.error("hub message %s is for reseller %s, not us", name, msg.reseller_id)
            continue
        if isinstance(msg, Ack):
            _take_ack(msg, name, raw, state, outbox, mail)
        elif isinstance(msg, Request):
            state.set_meta(
                f"request:{msg.id}",
                json.dumps({"what": msg.what, "datasets": msg.datasets, "reason": msg.reason}),
            )
            mail.requests.append(msg)
        else:
            (outbox.inbox / name).write_bytes(raw)
            mail.messages.append(name)
    return mail


def _take_ack(
    ack: Ack, name: str, raw: bytes, state: AgentState, outbox: Outbox, mail: Mail
) -> None:
    applied = ack.last_applied_sequence or 0
    mail.hub_last_applied = max(mail.hub_last_applied, applied)
    mine = state.snapshot_by_sequence(ack.sequence)
    if mine is None or ack.file_sha256 is None or ack.file_sha256 != mine["sha256"]:
        log.info(
            "ack %s is about another file under sequence %s (not ours): the hub has applied up to %s",
            name,
            ack.sequence,
            applied,
        )
        return
    (outbox.inbox / name).write_bytes(raw)
    mail.acks[ack.sequence] = ack
    mail.messages.append(name)
    if ack.status == "conflict":
        mail.conflict = ack
        rebase(state, applied)


def rebase(state: AgentState, hub_last_applied: int) -> int:
    """The next snapshot is full and numbered after ``hub_last_applied``; returns that number."""
    target = max(hub_last_applied + 1, int(state.get_meta("rebase") or 0))
    state.set_meta("rebase", str(target))
    return target
