"""The loopback SMTP server and WhatsApp stub for every campaign test."""

from tests.hub.campaigns.kit import mailbox, whatsapp  # noqa: F401  (fixtures)
