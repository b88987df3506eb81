"""Ingest: pick finished uploads from the inboxes, verify, decrypt, check and merge
each sealed snapshot exactly once, in sequence order per reseller.

Entry points: :func:`hub.ingest.worker.run_once` / :func:`hub.ingest.worker.run_forever`
(used by ``synchub ingest`` and ``synchub serve``); quarantine handling in
:mod:`hub.ingest.quarantine`.
"""
