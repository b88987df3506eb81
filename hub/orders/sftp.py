"""Order files dropped over SFTP: ``<root>/<reseller>/inbox/order-*.json``.

A reseller's own system writes ``{"client_ref": "...", "lines": [{"sku": ..., "quantity": ...}],
"note": "..."}``; the agent carries it up the snapshot channel. The hub places
the order as that reseller (the inbox it arrived in is the authenticated
uploader), answers with ``outbox/order-*.result.json`` (accepted with the
order, or refused with every problem) signed with the hub's key like acks and
offers (``shared.messages``), and moves the file out of the inbox.
The file name (or ``client_ref``) is the idempotency key: a re-sent file gets
the first answer, never a second order.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import utcnow
from hub.core.dropbox import write_reply
from hub.core.roles import Principal, Role
from hub.orders.idempotency import run_once
from hub.orders.schemas import order_json
from hub.orders.service import LineRequest, OrderContext, OrderInputError, create_order
from shared.errors import SyncHubError
from shared.messages import sign_message

ORDER_FILE = re.compile(r"^order-[A-Za-z0-9_.-]{1,80}\.json$")
MAX_FILE_BYTES = 256 * 1024


@dataclass
class FileScan:
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def parse_order_file(raw: bytes) -> tuple[str, list[LineRequest], str]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OrderInputError("the order file is not UTF-8 JSON: {reason}", reason=exc) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("lines"), list):
        raise OrderInputError(
            'the order file needs an object with a "lines" list',
            hint='{"lines": [{"sku": "ABC", "quantity": 2}]}',
        )
    lines = []
    for n, item in enumerate(doc["lines"], 1):
        if not isinstance(item, dict) or not (item.get("sku") or item.get("product_id")):
            raise OrderInputError('line {n}: needs "sku" (or "product_id") and "quantity"', n=n)
        lines.append(
            LineRequest(
                quantity=item.get("quantity"),
                sku=item.get("sku"),
                product_id=item.get("product_id"),
            )
        )
    return str(doc.get("client_ref") or ""), lines, str(doc.get("note") or "")


def _answer(
    factory: sessionmaker[Session], ctx: OrderContext, rid: str, name: str, raw: bytes
) -> dict[str, Any]:
    principal = Principal(Role.RESELLER, username=f"sftp:{rid}", reseller_id=rid)
    try:
        ref, lines, note = parse_order_file(raw)
        out = run_once(
            factory,
            scope="order.sftp",
            owner=f"reseller:{rid}",
            key=ref or name,
            payload={"lines": [vars(ln) for ln in lines], "note": note},
            work=lambda s: order_json(
                create_order(s, principal, rid, lines, ctx, source="sftp", note=note)
            ),
        )
    except SyncHubError as exc:
        return {
            "file": name,
            "status": "refused",
            "error": exc.message,
            "hint": exc.hint,
            "problems": [f"{w}: {m}" if w else m for w, m in exc.problem_list()],
            "answered_at": utcnow().isoformat(),
        }
    return {
        "file": name,
        "status": "accepted",
        "order": out.body,
        "replayed": out.replayed,
        "answered_at": utcnow().isoformat(),
    }


def scan_order_files(
    factory: sessionmaker[Session],
    sftp_root: Path,
    archive: Path,
    ctx: OrderContext,
    signing_key: Ed25519PrivateKey,
) -> FileScan:
    """Answer every finished order file in every inbox (safe to run repeatedly)."""
    report = FileScan()
    if not sftp_root.is_dir():
        return report
    for folder in sorted(p for p in sftp_root.iterdir() if p.is_dir()):
        inbox, rid = folder / "inbox", folder.name
        if not inbox.is_dir():
            continue
        for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
            if not ORDER_FILE.match(entry.name):
                continue
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):
                continue  # never follow a symlink planted in an inbox
            raw = b"" if st.st_size > MAX_FILE_BYTES else Path(entry.path).read_bytes()
            doc = (
                _answer(factory, ctx, rid, entry.name, raw)
                if raw
                else {
                    "file": entry.name,
                    "status": "refused",
                    "error": f"the file is empty or larger than {MAX_FILE_BYTES // 1024} KiB",
                }
            )
            answer = entry.name.replace(".json", ".result.json")
            write_reply(sftp_root, rid, answer, sign_message(doc, signing_key))
            dest = archive / rid / f"{utcnow():%Y%m%dT%H%M%S}-{entry.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(entry.path, dest)
            (report.accepted if doc["status"] == "accepted" else report.refused).append(
                f"{rid}/{entry.name}"
            )
    return report
