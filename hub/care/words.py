"""What care's kinds, categories, priorities and states are called: English message ids
(translated in hub/care/locales), shared by the portal, the staff pages and the reports."""

from __future__ import annotations

KINDS = {
    "complaint": "Complaint",
    "question": "Question",
    "suggestion": "Suggestion",
    "repair_visit": "Repair visit",
    "installation_visit": "Installation visit",
}
CATEGORIES = {
    "billing": "Billing and payments",
    "delivery": "Delivery",
    "product": "Product",
    "technical": "Technical",
    "service": "Our service",
    "other": "Other",
}
PRIORITIES = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
STATES = {
    "open": "Open",
    "in_progress": "In progress",
    "waiting": "Answered",
    "resolved": "Resolved",
    "closed": "Closed",
}
