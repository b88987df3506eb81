"""The agent's progress says rows for an export and bytes with a total and time left for an
upload (the export bar counted rows as kilobytes, with no total or ETA)."""

from __future__ import annotations

from agent.logs import amount


def test_an_export_counts_rows_not_bytes() -> None:
    assert amount("rows", 12345, None, 8100.4) == "12,345 rows · 8,100/s"
    assert amount("rows", 12345, 50000, None) == "12,345 of 50,000 rows"


def test_an_upload_counts_bytes_of_its_total() -> None:
    assert amount("bytes", 3_100_000, 9_800_000, 40_000_000) == "3.1 MB/9.8 MB · 40.0 MB/s"
