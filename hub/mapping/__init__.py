"""Mapping a reseller's own datasets to the hub's canonical entities (product, stock_level, sale_line, customer)."""
