"""Backup and restore of a whole hub: database, keys, payment proofs, quarantine, settings."""
