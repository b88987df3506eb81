"""Demo data and set-up for SyncHub: the Northwind sample resellers (see sample_data.py)."""
