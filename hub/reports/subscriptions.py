"""The director's monthly pack: every report of last month in one PDF, e-mailed on the 1st.

Staff subscribe an address (and a language). The job (:func:`send_monthly`, scheduled in
:mod:`hub.jobs` at 07:00 WIB on the 1st) writes the pack once per language under
``SYNCHUB_HOME/reports/`` and queues one e-mail per subscriber through the notification
outbox (retried there). A subscriber gets a month's pack once, however often the job runs
(a unique delivery row per subscriber and month). A month not yet closed is sent live and
the e-mail says its figures may still change.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.service import record
from hub.core.db import transaction
from hub.core.i18n import Formatter, pick, translatable
from hub.core.roles import Principal
from hub.notifications.service import notify_address
from hub.periods import service as periods
from hub.periods.calendar import Period, today
from hub.reports.kinds import KINDS, Params
from hub.reports.model import Report
from hub.reports.models import Delivery, Subscription
from hub.reports.pdf import report_pdf
from hub.reports.store import report
from shared.atomic import write_atomic
from shared.errors import DataError, NotFound

log = logging.getLogger("hub.reports.subscriptions")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def subscribe(
    session: Session, principal: Principal, address: str, locale: str = "id"
) -> Subscription:
    address = address.strip()
    if not EMAIL.match(address) or len(address) > 200:
        raise translatable(
            DataError,
            "{address!r} is not an e-mail address",
            "write it as name@example.co.id",
            address=address[:60],
        )
    if principal.user_id is None:
        raise translatable(
            DataError, "only a signed-in staff user can subscribe", "sign in with your own user"
        )
    sub = Subscription(user_id=principal.user_id, address=address, locale=pick(locale))
    session.add(sub)
    session.flush()
    record(
        session,
        principal,
        "reports.subscribe",
        "reports_subscription",
        sub.id,
        after={"address": address},
    )
    return sub


def unsubscribe(session: Session, principal: Principal, subscription_id: int) -> None:
    sub = session.get(Subscription, subscription_id)
    if sub is None or (sub.user_id != principal.user_id and principal.role.value != "owner"):
        raise translatable(NotFound, "no subscription #{id}", id=subscription_id)
    sub.active = False
    record(session, principal, "reports.unsubscribe", "reports_subscription", sub.id)


def of_user(session: Session, user_id: Optional[int]) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription).where(
                Subscription.user_id == user_id, Subscription.active.is_(True)
            )
        )
    )


def pack(session: Session, period: Period) -> list[Report]:
    """Every report of ``period`` as the reader gets it (frozen when the month is closed)."""
    return [report(session, name, Params(period)) for name in KINDS]


@dataclass
class Sent:
    period: str
    queued: int = 0
    already: int = 0
    files: list[Path] = field(default_factory=list)


def send_monthly(
    factory: sessionmaker[Session],
    home: Path,
    *,
    period: Optional[Period] = None,
    now: Optional[dt.datetime] = None,
) -> Sent:
    """Queue last month's pack (or ``period``'s) to every active subscriber that has not had it."""
    period = period or Period.containing(today(now)).previous()
    out = Sent(period.key)
    with factory() as session:
        subs = list(session.scalars(select(Subscription).where(Subscription.active.is_(True))))
        done = set(
            session.scalars(select(Delivery.subscription_id).where(Delivery.period == period.key))
        )
        todo = [s for s in subs if s.id not in done]
        out.already = len(subs) - len(todo)
        if not todo:
            return out
        closed = periods.is_closed(session, period.start)
        reports = pack(session, period)
    folder = home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for lang in sorted({s.locale for s in todo}):
        path = folder / f"synchub-{period.key}-{lang}.pdf"
        # whole or not at all: the outbox reads it when the e-mail goes out, maybe much later
        files[lang] = write_atomic(path, report_pdf(reports, lang), mode=0o640)
    out.files = list(files.values())
    for sub in todo:
        fmt = Formatter(sub.locale)
        status = fmt.gettext(
            "The month is closed: these are its final figures."
            if closed
            else "The month is not closed yet: its figures may still change."
        )
        try:
            with transaction(factory) as session:
                session.add(
                    Delivery(
                        subscription_id=sub.id,
                        period=period.key,
                        file=str(files[sub.locale]),
                        frozen=closed,
                    )
                )
                session.flush()
                notify_address(
                    session,
                    sub.address,
                    "reports_monthly",
                    {"period": period.label(sub.locale), "status": status},
                    locale=sub.locale,
                    attachment=files[sub.locale],
                )
            out.queued += 1
        except IntegrityError:  # another run queued it first
            out.already += 1
    log.info("monthly pack %s: %d queued, %d had it already", period.key, out.queued, out.already)
    return out
