"""Notification pages for staff: reseller contacts (master data), the outbox, the templates."""

from __future__ import annotations

from hub.masterdata.registry import routers
from hub.notifications.records import CONTACTS

router = routers((CONTACTS, 12))
