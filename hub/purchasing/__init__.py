"""Purchasing from suppliers: suppliers, purchase orders, receipts, payables, reorder, costing."""
