"""Demo step: marketing announces the coffee promotion to the contacts who take promotions.

Through ``hub.campaigns``: marketing makes a promotion campaign on both channels and sends
it now; the campaigns job (``run_due``, every minute when the hub serves) lists who it
reaches — only contacts whose roles include promotions, on the channels they agreed to;
the others are *skipped* with the reason — and queues their messages in the outbox, which
the notifications job delivers to the demo's mail server. One contact then opens her
e-mail and presses its opt-out link (the token read from the delivered ``.eml``), as she
would in her mail reader. A second campaign, about the published offers, is scheduled for
tomorrow 09:00 WIB; she will not be on its e-mail list.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

from hub.campaigns import optout, service, views
from hub.core.db import transaction, utcnow
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.notifications import deliver
from hub.demo.steps.people import staff

WIB = dt.timezone(dt.timedelta(hours=7))
OPTING_OUT = "sari@cvsinar.example"  # opens the promotion's e-mail and stops them
LINK = re.compile(r"/campaigns/opt-out/([\w.-]+)")


def _opt_out_token(mailbox: Path) -> str:
    """The opt-out token of the newest campaign e-mail in one recipient's mailbox."""
    for path in sorted(mailbox.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        found = LINK.search(body.get_content() if body is not None else "")
        if found:
            return found.group(1)
    raise RuntimeError(f"no campaign e-mail with an opt-out link in {mailbox}")


def _campaign(demo: Demo, data: dict[str, object], at: dt.datetime | None = None) -> int:
    marketing = demo.as_user(staff(Role.MARKETING))
    with transaction(demo.factory) as s:
        campaign = service.create(s, marketing, {**service.blank(str(data["source"])), **data})
        return service.send(s, marketing, campaign.id, at=at).id


def _run_job(demo: Demo) -> service.RunReport:
    settings = demo.settings
    with transaction(demo.factory) as s:
        return service.run_due(
            s,
            settings.campaign_per_minute,
            settings.secret_key.get_secret_value(),
            service.public_url(settings),
        )


def seed(demo: Demo) -> str:
    promotion = demo.facts.get("promotion_id")
    if promotion is None:
        raise RuntimeError("the pricing step makes the promotion this campaign announces")
    promo = _campaign(
        demo,
        {
            "name": "Promo Kopi Desember",
            "source": "promotion",
            "promotion_id": promotion,
            "channels": ["email", "whatsapp"],
        },
    )
    _run_job(demo)
    deliver(demo)
    with transaction(demo.factory) as s:
        optout.opt_out(
            s,
            demo.settings.secret_key.get_secret_value(),
            _opt_out_token(demo.home / "mailbox" / OPTING_OUT),
        )
        reached = views.counts(s, promo)
    tomorrow = dt.datetime.combine(
        utcnow().astimezone(WIB).date() + dt.timedelta(days=1), dt.time(9), WIB
    )
    later = _campaign(
        demo,
        {"name": "Penawaran pekan ini", "source": "offers", "channels": ["email", "whatsapp"]},
        at=tomorrow,
    )
    return (
        f"campaign #{promo} (the coffee promotion): {reached['sent']} e-mails sent,"
        f" {reached['queued']} WhatsApp queued, {reached['skipped']} skipped (no opt-in or"
        f" no address); {OPTING_OUT} opted"
        f" out through its link; campaign #{later} (this week's offers) scheduled for"
        f" {tomorrow:%Y-%m-%d %H:%M} WIB"
    )
