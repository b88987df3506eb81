"""Health, metrics and alerts: is the hub up, how is it doing, and who is told when it is not."""
