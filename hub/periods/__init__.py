"""Closed accounting periods: close a month, lock what is dated in it, reopen with a reason."""
