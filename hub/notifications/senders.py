"""Channels: e-mail over SMTP and WhatsApp through a provider's HTTP webhook.

A sender raises :class:`SendFailed` for anything that went wrong; the outbox
decides about retries. Both are configured by :class:`NotifySettings`
(``SYNCHUB_NOTIFY_*`` environment variables).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Optional, Protocol

import httpx

from hub.core.settings import NotifySettings
from shared.errors import RetriableError


class SendFailed(RetriableError):
    """The channel refused or could not be reached; the outbox retries later."""


class SendRefused(SendFailed):
    """The channel refused this message for good — no such mailbox (SMTP 5xx for the
    recipient or the content), a number or request the provider rejects (HTTP 400, 404, 410,
    422): sending it again gets the same answer, so the outbox marks it failed at once, with
    the answer. A server that is down, a full mailbox (4xx), a login or token the hub has wrong
    stay :class:`SendFailed`: fixing them needs no change to the message."""

    retriable = False


REFUSED_BY_PROVIDER = frozenset({400, 404, 410, 422})


Attachment = tuple[str, str, bytes]  # file name, MIME type, content


class Sender(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None: ...


class AttachingSender(Sender, Protocol):
    """A channel that can carry files (e-mail): a purchase order's PDF to a supplier."""

    def send_with(
        self, recipient: str, subject: str, body: str, attachments: list[Attachment]
    ) -> None: ...


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, recipient: str, subject: str, body: str) -> None:
        self.send_with(recipient, subject, body, [])

    def send_with(
        self, recipient: str, subject: str, body: str, attachments: list[Attachment]
    ) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, recipient, subject
        msg.set_content(body)
        for name, mime, content in attachments:
            main, _, sub = mime.partition("/")
            msg.add_attachment(content, maintype=main, subtype=sub, filename=name)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise (SendRefused if _refused_for_good(exc) else SendFailed)(
                "SMTP {host}:{port}: {reason}", host=self.host, port=self.port, reason=exc
            ) from exc


def _refused_for_good(exc: BaseException) -> bool:
    """The server refused the recipient or the content itself (5xx), not the hub's login, its
    sender address or the moment."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


class WhatsAppSender:
    """POSTs ``{"to", "text", "subject"}`` as JSON with a Bearer token to the provider's URL."""

    def __init__(
        self, url: str, token: str, *, timeout: float = 10.0, client: Optional[httpx.Client] = None
    ) -> None:
        self.url, self.token = url, token
        self.client = client or httpx.Client(timeout=timeout)

    def send(self, recipient: str, subject: str, body: str) -> None:
        try:
            resp = self.client.post(
                self.url,
                json={"to": recipient, "subject": subject, "text": body},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except httpx.HTTPError as exc:
            raise SendFailed("WhatsApp provider {url}: {reason}", url=self.url, reason=exc) from exc
        if resp.status_code >= 300:
            error = SendRefused if resp.status_code in REFUSED_BY_PROVIDER else SendFailed
            raise error(
                "WhatsApp provider answered {status}: {text}",
                status=resp.status_code,
                text=resp.text[:200],
            )


def senders_from(settings: NotifySettings) -> dict[str, Sender]:
    """The configured channels; a channel without settings is left out (its messages wait)."""
    out: dict[str, Sender] = {}
    if settings.smtp_host:
        out["email"] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
            timeout=settings.timeout_seconds,
        )
    if settings.whatsapp_url:
        out["whatsapp"] = WhatsAppSender(
            settings.whatsapp_url,
            settings.whatsapp_token.get_secret_value(),
            timeout=settings.timeout_seconds,
        )
    return out
