"""`synchub orders ...`: scheduled jobs (expiry, reminders, SFTP order files, notifications) and stock."""

from __future__ import annotations

import click

from hub.audit.service import cli_principal, record
from hub.core.db import transaction
from hub.core.keys import HubKeys
from hub.core.runtime import open_hub
from hub.core.settings import load_settings
from hub.inventory import service as stock
from hub.notifications.senders import senders_from
from hub.notifications.service import deliver_due
from hub.orders.catalog import HubCatalog
from hub.orders.expiry import expire_due, remind_due
from hub.orders.service import OrderContext, OrderPolicy
from hub.orders.sftp import scan_order_files
from hub.orders.shipping import HubShipping


@click.group("orders")
def orders() -> None:
    """Order jobs: expire unpaid orders, remind, take SFTP order files, send notifications."""


@orders.command("expire")
def expire() -> None:
    """Expire unpaid orders past their due date + grace (never one with a proof under review).

    Window and grace: SYNCHUB_ORDER_PAYMENT_DAYS (7), SYNCHUB_ORDER_GRACE_HOURS (24).
    """
    settings = load_settings()
    engine, factory = open_hub(settings)
    try:
        ids = expire_due(factory, OrderPolicy.from_settings(settings))
    finally:
        engine.dispose()
    click.echo(f"expired {len(ids)} order(s)" + (f": {', '.join(map(str, ids))}" if ids else ""))


@orders.command("remind")
def remind() -> None:
    """Queue "expiring soon" messages for unpaid orders due within a day."""
    settings = load_settings()
    engine, factory = open_hub(settings)
    try:
        ids = remind_due(factory, OrderPolicy.from_settings(settings))
    finally:
        engine.dispose()
    click.echo(f"reminded {len(ids)} order(s)")


@orders.command("scan-files")
def scan_files() -> None:
    """Place the order files resellers dropped in their SFTP inbox and answer in their outbox."""
    settings = load_settings()
    engine, factory = open_hub(settings)
    try:
        report = scan_order_files(
            factory,
            settings.sftp_root,
            settings.home / "order-files",
            OrderContext(HubCatalog(), HubShipping(), OrderPolicy.from_settings(settings)),
            HubKeys.load(settings.keys_dir).signing_key,
        )
    finally:
        engine.dispose()
    click.echo(f"accepted {len(report.accepted)}, refused {len(report.refused)}")
    for name in report.refused:
        click.echo(f"  refused: {name}")


@orders.command("notify")
def notify_cmd() -> None:
    """Send due notifications (SYNCHUB_NOTIFY_* configures SMTP and the WhatsApp provider)."""
    settings = load_settings()
    cfg = settings.notify
    senders = senders_from(cfg)
    if not senders:
        raise click.ClickException(
            "no channel configured: set SYNCHUB_NOTIFY_SMTP_HOST and/or SYNCHUB_NOTIFY_WHATSAPP_URL"
        )
    engine, factory = open_hub(settings)
    try:
        r = deliver_due(factory, senders, max_attempts=cfg.max_attempts)
    finally:
        engine.dispose()
    click.echo(f"sent {r.sent}, will retry {r.retried}, failed {r.failed}")


@orders.command("receive-stock")
@click.argument("product_id", type=int)
@click.argument("quantity", type=int)
@click.option("--reference", default="", help="supplier invoice or purchase order number")
def receive_stock(product_id: int, quantity: int, reference: str) -> None:
    """Book a stock receipt for a product."""
    engine, factory = open_hub(load_settings())
    try:
        with transaction(factory) as s:
            who = cli_principal()
            item = stock.receive(
                s, product_id, quantity, reference=reference, received_by=who.username
            )
            record(
                s,
                who,
                "stock.receive",
                "product",
                product_id,
                None,
                {"quantity": quantity, "reference": reference, "on_hand": item.on_hand},
            )
            click.echo(f"product {product_id}: on hand {item.on_hand}, reserved {item.reserved}")
    finally:
        engine.dispose()
