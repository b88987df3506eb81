"""What staff see of the messages: the outbox by status, retrying, their own wording.

Retrying puts a failed message back in the queue (audited); the delivery job sends it.
A template's wording is staff's per language; it may use only the fields the built-in
text has (an order number, an amount...), so a typo cannot send ``{ordr_id}`` to a
reseller, and clearing it returns to the built-in text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.i18n import translatable
from hub.core.roles import Principal
from hub.masterdata.fields import Invalid
from hub.notifications.models import OutboxMessage, TemplateText
from hub.notifications.service import retry_failed
from hub.notifications.templates import LOCALES, TEMPLATES, field_problem, fields_of
from shared.errors import Conflict, NotFound

STATUSES = ("pending", "failed", "sent")
COUNT_CAP = 1000


def page(session: Session, status: str, offset: int, limit: int) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == status)
        .order_by(OutboxMessage.id.desc())
    )
    return list(session.scalars(stmt.offset(offset).limit(limit)))


def counts(session: Session) -> dict[str, int]:
    out = {}
    for status in STATUSES:
        capped = select(OutboxMessage.id).where(OutboxMessage.status == status).limit(COUNT_CAP + 1)
        out[status] = int(session.scalar(select(func.count()).select_from(capped.subquery())) or 0)
    return out


def retry(session: Session, principal: Principal | None, message_id: int) -> None:
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        raise translatable(NotFound, "no message #{id}", id=message_id)
    if msg.status != "failed":
        raise translatable(
            Conflict, "only a failed message is retried; this one is {status}", status=msg.status
        )
    before = {"status": msg.status, "last_error": msg.last_error}
    retry_failed(session, message_id)
    record(
        session,
        principal,
        "notification.retry",
        "notification",
        message_id,
        before,
        {"status": "pending"},
    )


@dataclass(frozen=True)
class Wording:
    template: str
    locale: str
    subject: str
    body: str
    own: bool  # staff's wording (else the built-in one)
    fields: tuple[str, ...]  # what it may use


def wordings(session: Session) -> list[Wording]:
    own = {(t.template, t.locale): t for t in session.scalars(select(TemplateText))}
    out = []
    for name in sorted(TEMPLATES):
        for locale in LOCALES:
            subject, body = TEMPLATES[name][locale]
            mine = own.get((name, locale))
            allowed = tuple(sorted(fields_of(subject) | fields_of(body)))
            if mine is not None:
                subject, body = mine.subject, mine.body
            out.append(Wording(name, locale, subject, body, mine is not None, allowed))
    return out


def set_wording(
    session: Session,
    principal: Principal | None,
    template: str,
    locale: str,
    subject: str,
    body: str,
) -> None:
    """Staff's wording of ``template`` in ``locale``; both empty: back to the built-in text."""
    if template not in TEMPLATES or locale not in LOCALES:
        raise Invalid({"template": ("unknown choice {value}", {"value": f"{template}/{locale}"})})
    base = TEMPLATES[template][locale]
    allowed = fields_of(base[0]) | fields_of(base[1])
    row = session.get(TemplateText, (template, locale))
    before = {"subject": row.subject, "body": row.body} if row else None
    if not subject.strip() and not body.strip():
        if row is not None:
            session.delete(row)
        record(
            session,
            principal,
            "notification_template.reset",
            "notification_template",
            f"{template}/{locale}",
            before,
            None,
        )
        return
    wrong: dict[str, tuple[str, dict[str, str]]] = {}
    for name, text in (("subject", subject), ("body", body)):
        problem = field_problem(text, allowed)
        if problem is not None:
            wrong[name] = problem
        if not text.strip():
            wrong[name] = ("fill this in", {})
    if wrong:
        raise Invalid(wrong)
    row = row or TemplateText(template=template, locale=locale)
    row.subject, row.body = subject.strip()[:200], body.strip()
    session.add(row)
    record(
        session,
        principal,
        "notification_template.update",
        "notification_template",
        f"{template}/{locale}",
        before,
        {"subject": row.subject, "body": row.body},
    )
