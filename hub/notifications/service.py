"""Queue and deliver notifications.

:func:`notify` only inserts outbox rows in the caller's transaction, so a
slow or broken mail server can never block or roll back an order. The
delivery job (:func:`deliver_due`) sends what is due, with exponential
back-off; after ``max_attempts`` a message is ``failed`` and stays visible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from sqlalchemy import JSON, String, bindparam, insert, literal, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import UTCDateTime, table_of, utcnow
from hub.core.driver import Direct
from hub.notifications.models import Contact, OutboxMessage, TemplateText
from hub.notifications.senders import Sender, SendFailed
from hub.notifications.templates import LOCALES, ROLES, TEMPLATES, TOPICS, render
from shared.errors import DataError, NotFound

CHANNELS = ("email", "whatsapp")


def check_channel(channel: str) -> None:
    """DataError naming the channels for one the hub does not send on."""
    if channel not in CHANNELS:
        raise DataError(
            "unknown channel {channel}",
            hint="channels: {channels}",
            channel=repr(channel),
            channels=", ".join(CHANNELS),
        )


def add_contact(
    session: Session, reseller_id: str, channel: str, address: str, locale: str = "id"
) -> Contact:
    """A contact with one address, every role, opted in on that channel (the API's shortcut;
    the back office's contact form sets each field)."""
    check_channel(channel)
    if locale not in LOCALES:
        raise DataError(
            "unknown locale {locale}",
            hint="locales: {locales}",
            locale=repr(locale),
            locales=", ".join(LOCALES),
        )
    address = address.strip()
    contact = Contact(
        reseller_id=reseller_id,
        name=address,
        email=address if channel == "email" else "",
        whatsapp=address if channel == "whatsapp" else "",
        roles="," + ",".join(ROLES) + ",",
        email_opt_in=channel == "email",
        whatsapp_opt_in=channel == "whatsapp",
        locale=locale,
        active=True,
    )
    session.add(contact)
    session.flush()
    return contact


_CONTACTS, _OUTBOX = table_of(Contact), table_of(OutboxMessage)


def _to(channel: str, address: Any, opted_in: Any) -> Any:
    """The contacts of ``:rid`` who take this topic on ``channel``: one outbox row each."""
    c = _CONTACTS.c
    return select(
        c.reseller_id,
        literal(channel),
        address,
        bindparam("template", type_=String),
        c.locale,
        bindparam("payload", type_=JSON),
        literal("pending"),
        literal(0),
        bindparam("now", type_=UTCDateTime),
        literal(""),
        bindparam("now", type_=UTCDateTime),
    ).where(
        c.reseller_id == bindparam("rid"),
        c.active.is_(True),
        opted_in.is_(True),
        address != "",
        c.roles.like(bindparam("topic", type_=String)),
    )


# One statement queues a message per contact and channel (Core, built once: notify runs in
# every order placement).
_QUEUE = Direct(
    insert(_OUTBOX).from_select(
        [
            "reseller_id",
            "channel",
            "recipient",
            "template",
            "locale",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
        ],
        union_all(
            _to("email", _CONTACTS.c.email, _CONTACTS.c.email_opt_in),
            _to("whatsapp", _CONTACTS.c.whatsapp, _CONTACTS.c.whatsapp_opt_in),
        ),
    )
)


def notify(session: Session, reseller_id: str, template: str, payload: Mapping[str, Any]) -> int:
    """Queue ``template`` for every contact of the reseller whose roles take its topic, on each
    channel they opted in to; returns how many messages were queued."""
    if template not in TEMPLATES:
        raise KeyError(f"unknown notification template {template!r}")
    session.flush()  # contacts added in this session count too
    clean = {k: str(v) for k, v in payload.items()}
    topic = f"%,{TOPICS.get(template, 'orders')},%"
    return _QUEUE.write(
        session.connection(),
        {
            "rid": reseller_id,
            "template": template,
            "payload": clean,
            "now": utcnow(),
            "topic": topic,
        },
    )


def notify_addresses(
    session: Session,
    recipients: list[tuple[str, str, str]],
    template: str,
    payload: Mapping[str, Any],
) -> int:
    """Queue ``template`` to explicit ``(channel, address, locale)`` recipients (staff alerts)."""
    if template not in TEMPLATES:
        raise KeyError(f"unknown notification template {template!r}")
    clean = {k: str(v) for k, v in payload.items()}
    now = utcnow()
    session.add_all(
        OutboxMessage(
            reseller_id=None,
            channel=channel,
            recipient=address,
            template=template,
            locale=locale,
            payload=clean,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
        for channel, address, locale in recipients
    )
    return len(recipients)


def queue_one(
    session: Session,
    reseller_id: str | None,
    channel: str,
    recipient: str,
    template: str,
    locale: str,
    payload: Mapping[str, Any],
) -> OutboxMessage:
    """Queue one message and return it (flushed: it has its id), for a caller that follows
    its delivery (a campaign's recipient shows the message's status and error)."""
    if template not in TEMPLATES:
        raise KeyError(f"unknown notification template {template!r}")
    check_channel(channel)
    now = utcnow()
    msg = OutboxMessage(
        reseller_id=reseller_id,
        channel=channel,
        recipient=recipient,
        template=template,
        locale=locale if locale in LOCALES else "id",
        payload={k: str(v) for k, v in payload.items()},
        status="pending",
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
    )
    session.add(msg)
    session.flush()
    return msg


def notify_contact(
    session: Session, contact_id: int, template: str, payload: Mapping[str, Any]
) -> int:
    """Queue ``template`` for one contact (a birthday greeting), on each channel they agreed to,
    if their roles take its topic; returns how many messages were queued."""
    contact = session.get(Contact, contact_id)
    topic = TOPICS.get(template, "orders")
    if contact is None or not contact.active or f",{topic}," not in contact.roles:
        return 0
    clean = {k: str(v) for k, v in payload.items()}
    queued = 0
    for channel, address, agreed in (
        ("email", contact.email, contact.email_opt_in),
        ("whatsapp", contact.whatsapp, contact.whatsapp_opt_in),
    ):
        if agreed and address:
            session.add(
                OutboxMessage(
                    reseller_id=contact.reseller_id,
                    channel=channel,
                    recipient=address,
                    template=template,
                    locale=contact.locale,
                    payload=clean,
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow(),
                    last_error="",
                    created_at=utcnow(),
                )
            )
            queued += 1
    return queued


def notify_address(
    session: Session,
    recipient: str,
    template: str,
    payload: Mapping[str, Any],
    *,
    locale: str = "id",
    channel: str = "email",
    attachment: Optional[Path] = None,
) -> int:
    """Queue ``template`` for one address that is no reseller's contact (a supplier).

    ``attachment`` is a file the caller keeps (e.g. the purchase order PDF as sent); it is
    read when the message goes out, so the outbox stays small.
    """
    check_channel(channel)
    fields = dict(payload)
    if attachment is not None:
        fields[ATTACHMENT] = str(attachment)
    return notify_addresses(
        session,
        [(channel, recipient.strip(), locale if locale in LOCALES else "id")],
        template,
        fields,
    )


ATTACHMENT = "_attachment"  # payload key: path of the file to attach
MIME = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def _send(sender: Sender, msg: OutboxMessage, subject: str, body: str) -> None:
    """Send with the attachment the payload names (read now); a missing file fails the message."""
    path = (msg.payload or {}).get(ATTACHMENT)
    if not path:
        sender.send(msg.recipient, subject, body)
        return
    send_with = getattr(sender, "send_with", None)
    if send_with is None:
        raise SendFailed(
            "the {channel} channel cannot carry the attached file", channel=msg.channel
        )
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise SendFailed(
            "attachment {name} cannot be read: {exc}", name=Path(path).name, exc=str(exc)
        ) from exc
    name = Path(path).name
    send_with(
        msg.recipient,
        subject,
        body,
        [(name, MIME.get(Path(path).suffix, "application/octet-stream"), content)],
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


def deliver_due(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    *,
    now: Optional[dt.datetime] = None,
    max_attempts: int = 6,
    limit: int = 100,
) -> DeliveryReport:
    """Send due messages, one short transaction per message (claimed with SKIP LOCKED on PostgreSQL)."""
    report = DeliveryReport()
    now = now or utcnow()
    for _ in range(limit):
        with factory() as session, session.begin():
            stmt = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.next_attempt_at <= now,
                    OutboxMessage.channel.in_(list(senders)),
                )
                .order_by(OutboxMessage.id)
                .limit(1)
            )
            if session.get_bind().dialect.name != "sqlite":
                stmt = stmt.with_for_update(skip_locked=True)
            msg = session.execute(stmt).scalar()
            if msg is None:
                break
            own = session.get(TemplateText, (msg.template, msg.locale))
            subject, body = render(
                msg.template,
                msg.locale,
                msg.payload or {},
                (own.subject, own.body) if own else None,
            )
            msg.attempts += 1
            try:
                _send(senders[msg.channel], msg, subject, body)
            except SendFailed as exc:
                msg.last_error = str(exc)[:2000]
                if msg.attempts >= max_attempts or not exc.retriable:  # refused for good
                    msg.status = "failed"
                    report.failed += 1
                else:
                    msg.next_attempt_at = now + _backoff(msg.attempts)
                    report.retried += 1
                continue
            msg.status, msg.sent_at, msg.last_error = "sent", utcnow(), ""
            report.sent += 1
    return report


def failures(session: Session, limit: int = 100) -> list[OutboxMessage]:
    """Messages that gave up: shown to operations, retried by :func:`retry_failed`."""
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).scalars()
    )


def retry_failed(session: Session, message_id: int) -> None:
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        raise NotFound("no notification #{message_id}", message_id=message_id)
    msg.status, msg.attempts, msg.next_attempt_at = "pending", 0, utcnow()
