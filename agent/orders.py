"""Order files the reseller's own system drops for the hub, carried up the SFTP channel.

Layout (``[orders] drop_dir``, default ``<state_dir>/orders``)::

    orders/order-<id>.json                 dropped by the reseller's system, waiting
    orders/sent/order-<id>.json            uploaded (renamed on the hub), awaiting the answer
    orders/results/order-<id>.result.json  the hub's answer (accepted with the order, or refused)

A file is checked here first (same JSON shape the hub accepts) so a typo is
reported locally, naming the file and the field, instead of travelling to the
hub. Uploads use :class:`agent.deliver.HubConnection` (``.part``, size check,
rename). The hub signs its answers like acks and offers; only answers that
verify against the pinned hub key, and answer the file sent, are kept.
Hidden files and ``*.tmp`` / ``*.part`` are ignored, so a system may write a
temp name and rename it into the folder.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TypeGuard

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agent.deliver import HubConnection
from shared.atomic import write_atomic
from shared.errors import SealError
from shared.messages import verify_message

log = logging.getLogger("syncagent.orders")

ORDER_NAME = re.compile(r"^order-[A-Za-z0-9_-]{1,64}\.json$")
RESULT_NAME = re.compile(r"^order-[A-Za-z0-9_-]{1,64}\.result\.json$")
MAX_BYTES = 256 * 1024  # the hub refuses larger order files
MAX_SKU, MAX_NOTE, MAX_REF = 80, 2000, 200
_TOP_KEYS = {"client_ref", "lines", "note"}
_LINE_KEYS = {"sku", "product_id", "quantity"}
EXAMPLE = '{"client_ref": "PO-1", "lines": [{"sku": "ABC", "quantity": 2}], "note": ""}'


class OrderFileError(ValueError):
    """An order file the hub would refuse; the message names the file and the field."""


def result_name(order_name: str) -> str:
    return order_name[: -len(".json")] + ".result.json"


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _line_problems(n: int, item: Any) -> list[str]:
    where = f"lines[{n}]"
    if not isinstance(item, dict):
        return [f'{where}: must be an object like {{"sku": "ABC", "quantity": 2}}']
    out = [
        f"{where}.{k}: unknown field (known: {', '.join(sorted(_LINE_KEYS))})"
        for k in sorted(set(item) - _LINE_KEYS)
    ]
    sku, pid, qty = item.get("sku"), item.get("product_id"), item.get("quantity")
    if sku is None and pid is None:
        out.append(f'{where}: needs "sku" (or the hub\'s "product_id")')
    if sku is not None and not (isinstance(sku, str) and 0 < len(sku.strip()) <= MAX_SKU):
        out.append(f"{where}.sku: must be a non-empty text of at most {MAX_SKU} characters")
    if pid is not None and not (_is_int(pid) and pid > 0):
        out.append(f"{where}.product_id: must be a positive whole number")
    if not (_is_int(qty) and qty > 0):
        out.append(f"{where}.quantity: must be a whole number ≥ 1 (got {qty!r})")
    return out


def problems_of(raw: bytes) -> list[str]:
    """Every problem of an order document (empty: the hub's parser will accept its shape)."""
    if not raw:
        return ["the file is empty"]
    if len(raw) > MAX_BYTES:
        return [f"the file is larger than {MAX_BYTES // 1024} KiB"]
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not UTF-8 JSON: {exc}"]
    if not isinstance(doc, dict):
        return [f"must be a JSON object like {EXAMPLE}"]
    out = [
        f"{k}: unknown field (known: {', '.join(sorted(_TOP_KEYS))})"
        for k in sorted(set(doc) - _TOP_KEYS)
    ]
    lines = doc.get("lines")
    if not isinstance(lines, list) or not lines:
        out.append(f"lines: needs a non-empty list of order lines, e.g. {EXAMPLE}")
    else:
        for n, item in enumerate(lines, 1):
            out += _line_problems(n, item)
    ref, note = doc.get("client_ref"), doc.get("note")
    if ref is not None and not (isinstance(ref, str) and len(ref) <= MAX_REF):
        out.append(f"client_ref: must be a text of at most {MAX_REF} characters")
    if note is not None and not (isinstance(note, str) and len(note) <= MAX_NOTE):
        out.append(f"note: must be a text of at most {MAX_NOTE} characters")
    return out


def validate_file(path: Path) -> None:
    """Raise :class:`OrderFileError` naming the file and every bad field."""
    if not ORDER_NAME.match(path.name):
        raise OrderFileError(
            f"{path.name}: the name must be order-<id>.json with <id> of 1-64 letters, "
            "digits, '_' or '-'; rename the file"
        )
    probs = problems_of(path.read_bytes())
    if probs:
        raise OrderFileError(f"{path.name}: " + "; ".join(probs))


@dataclass
class OrdersReport:
    sent: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)  # file -> why it stays in the drop folder
    results: list[str] = field(default_factory=list)


class OrderFolder:
    """The drop folder and its ``sent/`` and ``results/`` sub-folders."""

    def __init__(self, drop_dir: Path) -> None:
        self.dir = drop_dir
        self.sent = drop_dir / "sent"
        self.results = drop_dir / "results"
        for d in (self.dir, self.sent, self.results, self.results / "rejected"):
            d.mkdir(parents=True, exist_ok=True)

    def dropped(self) -> list[Path]:
        """Candidate files in the drop folder (not hidden, not temp names), by name."""
        return sorted(
            p
            for p in self.dir.iterdir()
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".tmp", ".part"))
        )

    def check(self) -> tuple[list[Path], dict[str, str]]:
        """(valid files, {invalid file name: why})."""
        good, bad = [], {}
        for p in self.dropped():
            try:
                validate_file(p)
                good.append(p)
            except OrderFileError as exc:
                bad[p.name] = str(exc)
        return good, bad

    def has_result(self, name: str) -> bool:
        return (self.results / name).exists() or (self.results / "rejected" / name).exists()

    def store_result(self, name: str, raw: bytes, hub_signing_key: Ed25519PublicKey) -> bool:
        """Keep an answer signed by the hub (its payload); park anything else under ``rejected/``."""
        try:
            doc = verify_message(raw, hub_signing_key)
            ok = doc.get("status") in ("accepted", "refused") and doc.get("file") == name.replace(
                ".result.json", ".json"
            )
            why = "is not an answer to this order"
        except SealError as exc:
            ok, why = False, str(exc)
        target = self.results / name if ok else self.results / "rejected" / name
        body = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8") if ok else raw
        write_atomic(target, body, mode=0o640)  # the reseller's own system reads its answers
        if not ok:
            log.error("order answer %s refused (%s); kept in results/rejected", name, why)
        return ok


def send_orders(conn: HubConnection, folder: OrderFolder, report: OrdersReport) -> None:
    """Upload every valid dropped order file; each moves to ``sent/`` only after the hub-side rename."""
    good, bad = folder.check()
    for name, why in bad.items():
        if name not in report.invalid:
            log.error("order file not sent: %s", why)
    report.invalid.update(bad)
    for path in good:
        conn.upload(path)
        os.replace(path, folder.sent / path.name)
        report.sent.append(path.name)
        log.info(json.dumps({"event": "order_sent", "file": path.name}))


def fetch_results(
    conn: HubConnection,
    folder: OrderFolder,
    names: list[str],
    report: OrdersReport,
    hub_signing_key: Ed25519PublicKey,
) -> None:
    """Download the hub's signed answers (from the outbox listing ``names``) not fetched yet."""
    for name in names:
        if not RESULT_NAME.match(name) or folder.has_result(name):
            continue
        tmp = folder.results / f".{name}.download"
        conn.download(name, tmp)
        raw = tmp.read_bytes()
        tmp.unlink()
        if folder.store_result(name, raw, hub_signing_key):
            report.results.append(name)


def _answer(folder: OrderFolder, name: str) -> Optional[dict[str, Any]]:
    path = folder.results / result_name(name)
    return json.loads(path.read_bytes()) if path.exists() else None


def _describe(ans: dict[str, Any]) -> str:
    if ans.get("status") == "accepted":
        order = ans.get("order") or {}
        ref = order.get("number") or order.get("id")
        return f"accepted: order {ref}, state {order.get('state', '?')}" + (
            " (replayed)" if ans.get("replayed") else ""
        )
    problems = "; ".join(str(p) for p in ans.get("problems") or [])
    return f"refused: {ans.get('error', '?')}" + (f" ({problems})" if problems else "")


def order_status(folder: OrderFolder) -> list[dict[str, str]]:
    """One row per order file: where it is and what the hub answered (for ``syncagent orders``)."""
    good, bad = folder.check()
    rows = [
        {"file": p.name, "where": "drop", "status": "pending (sent on the next push)"} for p in good
    ]
    rows += [{"file": n, "where": "drop", "status": f"invalid: {why}"} for n, why in bad.items()]
    seen = set()
    for p in sorted(folder.sent.iterdir()):
        if not p.is_file():
            continue
        ans = _answer(folder, p.name)
        seen.add(result_name(p.name))
        rows.append(
            {
                "file": p.name,
                "where": "sent",
                "status": _describe(ans) if ans else "sent, awaiting the hub's answer",
            }
        )
    for p in sorted(folder.results.glob("*.result.json")):
        if p.name not in seen:
            rows.append(
                {
                    "file": p.name,
                    "where": "results",
                    "status": _describe(json.loads(p.read_bytes())),
                }
            )
    for p in sorted((folder.results / "rejected").iterdir()):
        rows.append(
            {
                "file": p.name,
                "where": "results/rejected",
                "status": "not a valid answer from the hub",
            }
        )
    return rows
