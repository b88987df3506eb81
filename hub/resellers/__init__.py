"""Resellers known to the hub: who may upload, with which SSH key, signed by which key."""
