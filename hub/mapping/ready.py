"""The ready-made mapping profiles, by name: Northwind, a WooCommerce shop, an OpenCart shop."""

from __future__ import annotations

from hub.mapping.profiles import NORTHWIND, Profile
from hub.mapping.shops import OPENCART, WOOCOMMERCE

PROFILES: dict[str, Profile] = {p.name: p for p in (NORTHWIND, WOOCOMMERCE, OPENCART)}
