"""Campaigns: tell the opted-in reseller contacts about offers, a promotion or news, through
the notifications outbox, rate-limited, once per contact and channel, with an opt-out link."""
