"""Customer care: resellers' tickets, their SLA timers and escalation, and satisfaction (CSAT)."""
