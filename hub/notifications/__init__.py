"""Notifications to resellers: an outbox table, email (SMTP) and WhatsApp (provider webhook)."""
