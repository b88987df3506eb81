"""Pages and API of the catalog's master data: reseller groups, price lists and their
quantity breaks, promotions (see :mod:`hub.masterdata`)."""

from __future__ import annotations

from hub.catalog.pricelists import GROUPS, PRICE_LIST_ITEMS, PRICE_LISTS
from hub.catalog.promotions import PROMOTIONS
from hub.masterdata.registry import routers

router = routers((GROUPS, 10), (PRICE_LISTS, 20), (PRICE_LIST_ITEMS, 21), (PROMOTIONS, 30))
