"""`synchub reports` and `synchub periods`: reports to a file or the terminal, closing months,
and the monthly pack sent now.

Commands act as ``cli:<os user>`` in the audit log. Writes from commands are held by a closed
month like a manager's (the CLI never overrides a close); closing and reopening from here is
for the hub's operator, who has the machine anyway, and is audited like the owner's.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Optional

import click

from hub.core.db import transaction
from hub.core.i18n import Formatter
from hub.core.output import emit, json_option
from hub.core.roles import Principal, Role
from hub.core.runtime import open_hub
from hub.core.settings import HubSettings
from hub.periods import service as period_service
from hub.periods.calendar import Period
from hub.reports.files import TYPES, file_name, render_file
from hub.reports.kinds import KINDS
from hub.reports.query import params_from
from hub.reports.render import cell, heading
from hub.reports.schemas import MonthPublic
from hub.reports.store import close_month, report
from hub.reports.subscriptions import send_monthly


def _operator() -> Principal:
    return Principal(Role.OWNER, username=f"cli:{getpass.getuser()}")


@click.group("reports")
def reports() -> None:
    """Reports for the director: sales, payments, outstanding invoices, purchases, stock,
    reseller statements, goods, customers, orders. A closed month's reports are the ones
    frozen at its close."""


@reports.command("list")
@json_option
def list_kinds(as_json: bool) -> None:
    """The reports and what each shows."""
    kinds = [
        {"name": k.name, "title": k.title, "description": k.description} for k in KINDS.values()
    ]

    def text() -> None:
        for k in kinds:
            click.echo(f"{k['name']:12} {k['title']}: {k['description']}")

    emit(kinds, as_json, text)


@reports.command("show")
@click.argument("name", type=click.Choice(sorted(KINDS)))
@click.option(
    "--period", default="", help="a month (2026-01) or a year (2026); default: last month"
)
@click.option(
    "--by", default="", help="sales only: month, day, reseller, group, product, category, region"
)
@click.option("--reseller", default="", help="only this reseller (statements: its statement)")
@click.option(
    "--format", "fmt", type=click.Choice(["text", *TYPES]), default="text", show_default=True
)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="file to write (PDF/XLSX)",
)
@json_option
def show(
    name: str,
    period: str,
    by: str,
    reseller: str,
    fmt: str,
    lang: str,
    output: Optional[Path],
    as_json: bool,
) -> None:
    """Print a report (--json: the API's document), or write it as PDF or XLSX (to --output, or
    a file named after it)."""
    params = params_from(name, {"period": period, "by": by, "reseller": reseller})
    engine, factory = open_hub(HubSettings())
    try:
        with factory() as session:
            r = report(session, name, params)
    finally:
        engine.dispose()
    if as_json or fmt == "text":
        emit(r.to_json(), as_json, lambda: _print(r, lang))
        return
    target = output or Path(file_name(r, fmt))
    target.write_bytes(render_file(r, fmt, lang))
    click.echo(f"wrote {target} ({target.stat().st_size} bytes)")


def _print(r, lang: str) -> None:
    f = Formatter(lang)
    title, line = heading(f, r)
    click.echo(title)
    click.echo(line)
    for s in r.sections:
        click.echo("")
        click.echo(f.gettext(s.title))
        cols = [s.columns[i] for i in s.shown]
        click.echo("\t".join(f.gettext(c.label) for c in cols))
        for row in [*s.rows, *([s.total] if s.total else [])]:
            click.echo(
                "\t".join(cell(f, s.columns[i], row[i], total=row is s.total) for i in s.shown)
            )


@click.group("periods")
def periods() -> None:
    """Closing months: a closed month's orders, payments, receipts and invoices no longer change
    (only the owner changes them), and its reports are frozen."""


@periods.command("list")
@click.option("--count", type=click.IntRange(1, 120), default=12, show_default=True)
@json_option
def list_months(count: int, as_json: bool) -> None:
    """The last months: closed or open, and what is still open in each."""
    engine, factory = open_hub(HubSettings())
    try:
        with factory() as session:
            months = [
                MonthPublic.of(
                    period_service.MonthStatus(
                        m.period, m.state, period_service.open_items(session, m.period)
                    )
                )
                for m in period_service.recent(session, count)
            ]
    finally:
        engine.dispose()

    def text() -> None:
        for m in months:
            state = f"closed (v{m.version}, {m.closed_by})" if m.state == "closed" else "open"
            click.echo(
                f"{m.month}  {state:30} unpaid orders {m.unpaid_orders}, "
                f"transfers waiting {m.pending_transfers}, supplier invoices not approved "
                f"{m.open_supplier_invoices}"
            )

    emit(months, as_json, text)


@periods.command("close")
@click.argument("month")
def close(month: str) -> None:
    """Close MONTH (2026-01) once it has ended, and freeze its reports."""
    engine, factory = open_hub(HubSettings())
    try:
        with transaction(factory) as session:
            state, count = close_month(session, _operator(), Period.parse(month))
        click.echo(f"{month}: closed (close no. {state.version}), {count} reports frozen")
    finally:
        engine.dispose()


@periods.command("reopen")
@click.argument("month")
@click.option("--reason", required=True, help="why it is reopened (kept in the audit log)")
def reopen(month: str, reason: str) -> None:
    """Reopen a closed MONTH so managers can correct it; close it again afterwards."""
    engine, factory = open_hub(HubSettings())
    try:
        with transaction(factory) as session:
            period_service.reopen(session, _operator(), Period.parse(month), reason)
        click.echo(f"{month}: reopened")
    finally:
        engine.dispose()


@reports.command("send-monthly")
@click.option("--period", default="", help="the month to send (default: last month)")
def send_monthly_now(period: str) -> None:
    """Queue the monthly pack to every subscriber who has not had it (what the 1st's job does)."""
    settings = HubSettings()
    engine, factory = open_hub(settings)
    try:
        sent = send_monthly(factory, settings.home, period=Period.parse(period) if period else None)
    finally:
        engine.dispose()
    click.echo(f"{sent.period}: {sent.queued} queued, {sent.already} had it already")
    for f in sent.files:
        click.echo(f"  {f}")
