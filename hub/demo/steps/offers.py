"""Demo step: the nightly offer run on the merged sales, then marketing's review.

``hub.offers.service.run_nightly`` refreshes each reseller's facts from its merged data
and computes draft offers (replenishment below 14 days of cover, range offers from what
sells at Jakarta's other resellers, clearance of the warehouse's overstock). Operations
approves a few per reseller and publishes them (a signed offers file per reseller,
fetched by its agent); the rest stay drafts, waiting for review.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from hub.core.db import transaction
from hub.core.roles import Role
from hub.demo.steps import Demo
from hub.demo.steps.people import staff
from hub.offers.models import Offer
from hub.offers.service import run_nightly
from hub.offers.workflow import decide, publish

PUBLISHED_PER_KIND = 2  # per reseller and kind; the other drafts wait for review


def seed(demo: Demo) -> str:
    summary = run_nightly(demo.factory)
    ops = demo.as_user(staff(Role.OPERATIONS))
    with transaction(demo.factory) as s:
        drafts = list(
            s.scalars(
                select(Offer).where(Offer.status == "draft").order_by(Offer.reseller_id, Offer.rank)
            )
        )
        taken: Counter[tuple[str, str]] = Counter()
        chosen = []
        for o in drafts:
            if taken[(o.reseller_id, o.kind)] < PUBLISHED_PER_KIND:
                taken[(o.reseller_id, o.kind)] += 1
                chosen.append(o.id)
        decide(s, chosen, "approve", ops)
        files = publish(s, demo.settings.sftp_root, demo.keys.signing_key, ops)
    kinds = ", ".join(f"{n} {kind}" for kind, n in summary.offers.items())
    return (
        f"nightly run: {summary.total} draft offers ({kinds}); {len(chosen)} approved and"
        f" published to {len(files)} resellers, {summary.total - len(chosen)} waiting for review"
    )
