"""People of the hub: staff and reseller users, sessions, API tokens, sign-in throttling."""
