"""Offers computed from each reseller's own sales: replenishment, range and clearance."""
