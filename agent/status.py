"""``syncagent status`` and ``syncagent offers``: what the agent has done and received."""

from __future__ import annotations

import json
from typing import Any

from agent.config import AgentConfig
from agent.outbox import Outbox
from agent.runner import next_run
from agent.state import AgentState


def collect(cfg: AgentConfig) -> dict[str, Any]:
    outbox = Outbox(cfg.agent.state_dir)
    with AgentState(cfg.agent.state_dir) as st:
        return {
            "reseller_id": cfg.agent.reseller_id,
            "next_run": next_run(cfg),
            "outbox": [{"name": p.name, "bytes": p.stat().st_size} for p in outbox.pending()],
            "runs": st.runs(5),
            "snapshots": st.snapshots(5),
            "cursors": {
                k: {"max": v.cursor_max, "type": v.cursor_type, "sequence": v.sequence}
                for k, v in st.cursors().items()
            },
            "messages": sorted(p.name for p in outbox.inbox.glob("*.json")),
        }


def render(doc: dict[str, Any]) -> str:
    lines = [f"reseller {doc['reseller_id']}; next run {doc['next_run']} (plus jitter)"]
    lines.append(f"outbox: {len(doc['outbox'])} snapshot(s) waiting")
    lines += [f"  {o['name']} ({o['bytes']:,} bytes)" for o in doc["outbox"]]
    lines.append("last runs:")
    lines += [
        f"  {r['started_at']} {r['command']:<6} {r['status']:<7} {outcome(r['message'] or '')}"
        for r in doc["runs"]
    ]
    lines.append("cursors:")
    lines += [f"  {k}: {v['max']} (snapshot {v['sequence']})" for k, v in doc["cursors"].items()]
    lines.append(f"hub messages received: {len(doc['messages'])}")
    return "\n".join(lines)


def outcome(message: str) -> str:
    """A run's recorded message in one line: a finished run's summary (JSON) as what it sent and
    how long it took; a failed run's error as it was (shortened)."""
    try:
        summary = json.loads(message)
    except ValueError:
        summary = None
    if not isinstance(summary, dict) or "snapshot" not in summary:
        return message[:100]
    sent = "delivered" if summary.get("delivered") else "in the outbox"
    text = f"{summary['snapshot']} ({summary.get('kind')}, {summary.get('rows', 0):,} rows), {sent}"
    took = summary.get("seconds") or {}
    if "total" in took:
        steps = ", ".join(f"{k} {took[k]:.2f} s" for k in ("export", "delivery") if k in took)
        text += f", {took['total']:.2f} s" + (f" ({steps})" if steps else "")
    return text


def messages(cfg: AgentConfig) -> list[dict[str, Any]]:
    """The verified messages of the local inbox (verified when downloaded): file, kind, items."""
    out = []
    for path in sorted(Outbox(cfg.agent.state_dir).inbox.glob("*.json")):
        payload = json.loads(path.read_bytes()).get("payload", {})
        kind = payload.get("type") or payload.get("kind") or path.name.split("-")[0]
        items = payload.get("offers") or payload.get("items") or []
        out.append({"file": path.name, "kind": kind, "items": items})
    return out


def list_offers(cfg: AgentConfig) -> list[str]:
    """One line per verified message in the local inbox."""
    out = [
        f"{m['file']}: {m['kind']}" + (f", {len(m['items'])} offer(s)" if m["items"] else "")
        for m in messages(cfg)
    ]
    return out or ["no messages from the hub yet"]
