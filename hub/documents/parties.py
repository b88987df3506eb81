"""The distributor as its papers name it (``SYNCHUB_SELLER_*``)."""

from __future__ import annotations

from typing import Optional

from hub.core.settings import HubSettings
from hub.documents.builder import Party


def distributor(settings: Optional[HubSettings] = None) -> Party:
    """Legal name, address and NPWP from the hub's settings; a caller without the app's settings
    object (a service run from a job) reads them from the environment like the app does."""
    s = settings if settings is not None else HubSettings()
    return Party(s.seller_legal_name, s.seller_address, s.seller_npwp)
