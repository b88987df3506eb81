"""Empty the outbox into the hub, in order, and bring the hub's messages back.

A connection failure mid-way is retried with back-off (reconnecting and
resuming the partial upload); snapshots delivered before the failure are
already in ``sent/``. When retries run out the remaining snapshots simply stay
in the outbox for the next run.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

from agent.config import AgentConfig
from agent.deliver import HubConnection, Progress, with_retries
from agent.hubmail import Mail
from agent.hubmail import fetch as fetch_mail
from agent.orders import OrderFolder, OrdersReport, fetch_results, send_orders
from agent.outbox import Outbox
from agent.state import AgentState

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

log = logging.getLogger("syncagent.push")


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    cipher: str = ""
    orders: OrdersReport = field(default_factory=OrdersReport)
    mail: Mail = field(default_factory=Mail)

    @property
    def messages(self) -> list[str]:
        return self.mail.messages

    @property
    def rejected_messages(self) -> list[str]:
        return self.mail.rejected


def _hub_signing_key(cfg: AgentConfig) -> Ed25519PublicKey:
    from shared.keys import signing_public_key_from_b64

    return signing_public_key_from_b64(
        cfg.hub.signing_public_key, source="[hub].signing_public_key"
    )


def deliver_pending(
    cfg: AgentConfig,
    state: AgentState,
    *,
    progress: Optional[Callable[[str], Progress]] = None,
    sleep: Callable[[float], None] = time.sleep,
    fetch: bool = True,
    connection: Callable[[], HubConnection] | None = None,
) -> DeliveryReport:
    """Deliver every outbox snapshot in sequence order, then dropped order files, over one connection
    (reconnecting on failure); then fetch the hub's messages and order answers."""
    outbox = Outbox(cfg.agent.state_dir)
    orders = OrderFolder(cfg.orders_dir)
    report = DeliveryReport()
    make = connection or (lambda: HubConnection(cfg.hub))

    def attempt() -> None:
        with make() as conn:
            report.cipher = conn.cipher
            for path in outbox.pending():
                conn.upload(path, progress(path.name) if progress else None)
                outbox.mark_sent(path)
                state.mark_delivered(path.name)
                report.delivered.append(path.name)
                log.info(json.dumps({"event": "delivered", "snapshot": path.name}))
            send_orders(conn, orders, report.orders)
            if fetch:
                names = conn.list_messages()
                report.mail = fetch_mail(conn, names, cfg, state)
                fetch_results(conn, orders, names, report.orders, _hub_signing_key(cfg))

    with_retries(attempt, cfg.hub.retries, sleep=sleep)
    outbox.prune_sent(cfg.hub.keep_sent_days)
    return report
