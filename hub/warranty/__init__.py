"""Warranty claims (RMA) from resellers, the repair desk, and back-to-back claims on suppliers."""
