"""Where a reseller follows its parcel: a link per courier, built from the waybill.

The hub has no courier tracking API; it links to a public tracking page. Operators set their
couriers' pages with ``SYNCHUB_TRACKING_COURIERS`` (JSON: ``{"JNE": "https://…{waybill}"}``);
any other courier uses ``SYNCHUB_TRACKING_DEFAULT`` (an aggregator that knows most Indonesian
couriers), or no link at all when that is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import quote

from hub.core.settings import HubSettings


@dataclass(frozen=True)
class TrackingLinks:
    """URL templates with ``{waybill}``, per courier code (any case), and the default one."""

    default: str = "https://cekresi.com/?noresi={waybill}"
    couriers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: HubSettings) -> TrackingLinks:
        """``SYNCHUB_TRACKING_COURIERS`` and ``SYNCHUB_TRACKING_DEFAULT`` from the hub's settings."""
        return cls(settings.tracking_default, dict(settings.tracking_couriers))

    def url(self, courier: str, waybill: str) -> Optional[str]:
        """The tracking page of ``waybill`` (None before the parcel has one)."""
        waybill = waybill.strip()
        if not waybill:
            return None
        pages = {k.upper(): v for k, v in self.couriers.items()}
        template = pages.get(courier.strip().upper(), self.default)
        return template.format(waybill=quote(waybill, safe="")) if template else None
