"""Demo step (last): the outbox delivered, as the hub's delivery job does every minute.

Everything the steps before queued — order, payment and shipping messages to the resellers'
opted-in contacts, the purchase orders' PDFs to the supplier — goes out through the hub's
own channels (:func:`hub.notifications.service.deliver_due` with the configured senders):
e-mail over SMTP to the demo's local mail server (:mod:`hub.demo.mailbox`; nothing leaves
the machine), which keeps each message under ``<home>/mailbox/``. The mail server refuses the
mistyped address for good (550): the outbox marks it *failed* at once, with the server's
reason, for operations to fix the contact and retry. A temporary failure would be retried
with the outbox's back-off — the demo runs that clock an hour forward per round instead of
waiting. The demo has no WhatsApp provider: those messages wait, visibly, until one is
configured.
"""

from __future__ import annotations

import datetime as dt

from hub.core.db import utcnow
from hub.demo.steps import Demo
from hub.notifications import outbox
from hub.notifications.senders import senders_from
from hub.notifications.service import DeliveryReport, deliver_due

ROUND = dt.timedelta(hours=1)  # longer than the outbox's longest back-off


def deliver(demo: Demo) -> DeliveryReport:
    """Send what is due; re-run the retries' clock forward until nothing is left to retry."""
    cfg = demo.settings.notify
    senders = senders_from(cfg)
    total, now = DeliveryReport(), utcnow()
    for _ in range(cfg.max_attempts):
        done = deliver_due(
            demo.factory, senders, now=now, max_attempts=cfg.max_attempts, limit=100_000
        )
        total.sent += done.sent
        total.failed += done.failed
        if not done.retried:
            break
        now += ROUND
    return total


def seed(demo: Demo) -> str:
    if not demo.settings.notify.smtp_host:
        raise RuntimeError("the demo's mail server is configured before the steps run")
    deliver(demo)
    with demo.factory() as s:
        counts = outbox.counts(s)
    return (
        f"outbox: {counts['sent']} e-mails delivered to the local mail server"
        f" ({demo.home.name}/mailbox), {counts['failed']} refused for good"
        f" (a mistyped address: fix it, then retry), {counts['pending']} WhatsApp messages waiting (no provider)"
    )
