"""The conformance suite every connector passes (after meltano's ``get_tap_test_class``).

A platform's test module provides a ``kit`` fixture (a :class:`Kit`: how to
reach the source and create tables in it with its own driver) and gets the
whole standard test class from :func:`connector_test_class`::

    @pytest.fixture
    def kit(tmp_path): return SqliteKit(tmp_path)

    TestSqlite = connector_test_class()

Expected values are written here in Python, independently of the connector;
Northwind is compared value for value against the source read by its own driver.
"""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from decimal import Decimal
from typing import Any, Optional

import pytest

from connectors.base import Connector, ReadRequest
from connectors.registry import connect, connector_class
from connectors.values import coerce
from shared.copytext import parse_line
from shared.errors import SourceAccessDenied, SourceObjectMissing, SourceUnavailable
from shared.types import Column, PortableType, decode_value

P = PortableType
UTC = dt.timezone.utc
BIG_TEXT = "Lorem ipsum 😀 dolor\tsit\n" * 8_000  # ~200 kB

# logical column -> (portable type, value in row 1, value in row 2); row 3 is all NULL.
TORTURE: dict[str, tuple[PortableType, Any, Any]] = {
    "t_int": (P.INTEGER, 9223372036854775807, -9223372036854775808),
    "t_bool": (P.BOOLEAN, True, False),
    "t_dec": (
        P.DECIMAL,
        Decimal("1234567890123456789012345678.9012345678"),
        Decimal("-0.0000000001"),
    ),
    "t_float": (P.FLOAT, 1.5, -2.25e300),
    "t_text": (P.TEXT, "emoji 😀 𝄞 — ünïcödé 中文", ""),
    "t_esc": (P.TEXT, "tab\there\nnewline\\backslash\rcr \\N", "\\"),
    "t_big": (P.TEXT, BIG_TEXT, "x"),
    "t_bin": (P.BINARY, b"\x00\t\n\\\r\xff\x01N", b""),
    "t_date": (P.DATE, dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    "t_time": (P.TIME, dt.time(0, 0), dt.time(23, 59, 59, 999999)),
    "t_ts": (P.TIMESTAMP, dt.datetime(2024, 2, 29, 13, 14, 15, 123456), dt.datetime(1, 1, 1)),
    "t_tstz": (
        P.TIMESTAMPTZ,
        dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        dt.datetime(2038, 1, 1, 3, 4, 5, 600000, tzinfo=UTC),
    ),
    "t_json": (P.JSON, {"a": [1, 2.5, "x"], "emoji": "😀", "nested": {"null": None}}, []),
}


class Kit:
    """One platform's test helpers: a source to read and its own driver to fill it."""

    url: str = ""
    #: logical torture column -> native DDL type (columns a platform lacks are left out)
    native: dict[str, str] = {}
    #: logical column -> portable type when the platform maps it differently than TORTURE
    types: dict[str, PortableType] = {}
    declares_keys: bool = True  # files have no declared primary key

    def expected(self, column: str, value: Any) -> Any:
        """The value the platform can store for ``value`` (identity for most)."""
        return value

    def create_table(
        self,
        name: str,
        columns: list[tuple[str, str]],
        rows: list[tuple[Any, ...]],
        key: str = "id",
    ) -> None:
        raise NotImplementedError

    def fetch(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of ``table``, read with the platform's own driver, in no particular order."""
        raise NotImplementedError

    quote = '"'

    def _run(self, sql: str, rows: Any = ()) -> None:
        raise NotImplementedError

    def create_index(self, table: str, columns: list[str]) -> None:
        q = self.quote
        self._run(
            f"CREATE INDEX ix_{table}_{columns[0]} ON {q}{table}{q} ({', '.join(q + c + q for c in columns)})"
        )

    def bulk_table(self, name: str, rows: int) -> None:
        """Table ``name(id, label, amount)`` with ``rows`` rows, made fast inside the source."""
        raise NotImplementedError

    def extra_torture(self) -> Optional[tuple[str, dict[str, list[Any]], dict[str, int]]]:
        """Platform-only edge cases: (table, column -> expected values by id, expected warnings)."""
        return None

    def northwind(self) -> Optional[list[str]]:
        """Load Northwind into the source and return its tables (None: not for this platform)."""
        return None

    wrong_password_url: Optional[str] = None
    refused_url: Optional[str] = None

    def readonly_url(self) -> Optional[str]:
        """URL of a user allowed only SELECT on the torture table's database."""
        return None


def read_rows(conn: Connector, request: ReadRequest) -> tuple[list[Column], list[list[Any]]]:
    """Read through the connector and decode every canonical field back to Python."""
    cols = conn.describe(request)
    out = []
    for chunk in conn.read(request):
        assert chunk.endswith(b"\n"), "chunks hold whole lines"
        assert chunk.count(b"\n") <= request.batch_rows, "chunks are bounded by batch_rows"
        for line in chunk.decode("utf-8").splitlines(keepends=True):
            fields = parse_line(line)
            assert len(fields) == len(cols), line[:200]
            out.append([decode_value(c.type, f) for c, f in zip(cols, fields)])
    return cols, out


def comparable(ptype: PortableType, value: Any) -> Any:
    """A driver's value in the form :func:`decode_value` gives, for value-for-value checks."""
    if value is None:
        return None
    if ptype is P.JSON:
        return json.loads(value) if isinstance(value, (str, bytes)) else value
    v = coerce(ptype, value)
    if ptype is P.TIMESTAMPTZ:
        return v.astimezone(UTC)
    if ptype is P.TIME and isinstance(v, dt.timedelta):
        return (dt.datetime.min + v).time()
    return v


def connector_test_class() -> type:
    """The standard test class; the module using it defines the ``kit`` fixture."""

    class ConnectorConformance:
        def _torture(self, kit: Kit) -> tuple[list[str], list[tuple[Any, ...]]]:
            names = [n for n in TORTURE if n in kit.native]
            rows = [tuple([i] + [TORTURE[n][i] for n in names]) for i in (1, 2)]
            rows.append(tuple([3] + [None] * len(names)))
            kit.create_table("torture", [(n, kit.native[n]) for n in names], rows)
            return names, rows

        def test_torture_round_trip(self, kit: Kit) -> None:
            names, rows = self._torture(kit)
            with connect(kit.url) as conn:
                cols, got = read_rows(conn, ReadRequest(table="torture", batch_rows=2))
                assert [c.name for c in cols] == ["id", *names]
                for c in cols[1:]:
                    assert c.type == kit.types.get(c.name, TORTURE[c.name][0]), c
                got.sort(key=lambda r: r[0])
                for row, want in zip(got, rows):
                    for c, g, w in zip(cols, row, want):
                        w = kit.expected(c.name, w)
                        if c.type is P.TIMESTAMPTZ and w is not None:
                            w = w.astimezone(UTC)
                        assert g == w, f"{c.name}: {g!r:.200} != {w!r:.200}"
                assert len(got) == 3
                assert conn.warnings.counts == {}

        def test_platform_edge_cases(self, kit: Kit) -> None:
            extra = kit.extra_torture()
            if extra is None:
                pytest.skip("no platform-only edge cases")
            table, expected, warnings = extra
            with connect(kit.url) as conn:
                cols, got = read_rows(conn, ReadRequest(table=table))
                got.sort(key=lambda r: r[0])
                for i, c in enumerate(cols[1:], 1):
                    assert [r[i] for r in got] == expected[c.name], c.name
                assert conn.warnings.counts == warnings

        def test_discovery(self, kit: Kit) -> None:
            self._torture(kit)
            with connect(kit.url) as conn:
                assert "torture" in conn.list_tables()
                assert conn.primary_key("torture") == (["id"] if kit.declares_keys else [])
                assert isinstance(conn, connector_class(kit.url))

        def test_allow_list_order_and_count(self, kit: Kit) -> None:
            names, _ = self._torture(kit)
            with connect(kit.url) as conn:
                req = ReadRequest(table="torture", columns=[names[0], "id"])
                cols, got = read_rows(conn, req)
                assert [c.name for c in cols] == [names[0], "id"]
                assert sorted(r[1] for r in got) == [1, 2, 3]
                assert conn.count(req) == 3

        def test_missing_objects_are_named(self, kit: Kit) -> None:
            self._torture(kit)
            with connect(kit.url) as conn:
                with pytest.raises(SourceObjectMissing, match="no_such_table"):
                    list(conn.read(ReadRequest(table="no_such_table")))
                with pytest.raises(SourceObjectMissing, match="no_such_column"):
                    conn.describe(ReadRequest(table="torture", columns=["id", "no_such_column"]))

        def test_leading_index_columns_are_those_a_range_scan_can_use(self, kit: Kit) -> None:
            kit.create_table(
                "ix",
                [("seq", "INTEGER"), ("label", kit.native.get("t_esc", "VARCHAR(100)"))],
                [(1, 10, "a"), (2, 20, "b")],
            )
            with connect(kit.url) as conn:
                leading = conn.leading_index_columns("ix")
            if leading is None:
                pytest.skip("this platform cannot tell its indexes")
            assert leading == {"id"}  # the primary key's index
            kit.create_index("ix", ["seq", "label"])
            with connect(kit.url) as conn:
                assert conn.leading_index_columns("ix") == {
                    "id",
                    "seq",
                }  # label is second in its index

        def test_incremental_keeps_rows_sharing_the_last_cursor(self, kit: Kit) -> None:
            rows = [
                (i, 100 + min(i, 7), f"r{i}") for i in range(1, 11)
            ]  # ids 7..10 share cursor 107
            kit.create_table(
                "inc", [("seq", "INTEGER"), ("label", kit.native.get("t_text", "TEXT"))], rows
            )
            with connect(kit.url) as conn:
                if not conn.dialect.supports_cursor:
                    pytest.skip(f"{conn.dialect.name} reads in full only")
                req = ReadRequest(table="inc", cursor_column="seq", cursor_from="107", batch_rows=3)
                _, got = read_rows(conn, req)
                assert sorted(r[0] for r in got) == [7, 8, 9, 10]
                _, got = read_rows(
                    conn, ReadRequest(table="inc", cursor_column="seq", cursor_from="103")
                )
                assert [r[1] for r in got] == sorted(r[1] for r in got), "ordered by the cursor"
                assert sorted(r[0] for r in got) == list(range(3, 11))

        def test_memory_is_bounded_by_batch(self, kit: Kit) -> None:
            kit.bulk_table("small", 20_000)
            kit.bulk_table("large", 200_000)

            def peak(table: str) -> tuple[int, int]:
                with connect(kit.url) as conn:
                    tracemalloc.start()
                    n = sum(
                        c.count(b"\n")
                        for c in conn.read(ReadRequest(table=table, batch_rows=2_000))
                    )
                    p = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                    return n, p

            n_small, p_small = peak("small")
            n_large, p_large = peak("large")
            assert (n_small, n_large) == (20_000, 200_000)
            # ten times the rows must not need anywhere near ten times the memory
            assert p_large < 2 * p_small + 2_000_000, (p_small, p_large)

        def test_northwind_value_for_value(self, kit: Kit) -> None:
            tables = kit.northwind()
            if tables is None:
                pytest.skip("Northwind loader not available for this platform yet")
            with connect(kit.url) as conn:
                for table in tables:
                    cols, got = read_rows(conn, ReadRequest(table=table))
                    want = [
                        [comparable(c.type, v) for c, v in zip(cols, row)]
                        for row in kit.fetch(table)
                    ]
                    key = lambda r: repr(r)  # noqa: E731 - order-free comparison
                    assert sorted(got, key=key) == sorted(want, key=key), table
                assert len(tables) >= 8

        def test_wrong_password_is_access_denied(self, kit: Kit) -> None:
            if kit.wrong_password_url is None:
                pytest.skip("no passwords on this platform")
            with pytest.raises(SourceAccessDenied):
                connect(kit.wrong_password_url).connect()

        def test_refused_port_is_unavailable(self, kit: Kit) -> None:
            if kit.refused_url is None:
                pytest.skip("no network on this platform")
            with pytest.raises(SourceUnavailable) as info:
                connect(kit.refused_url).connect()
            assert info.value.retriable

        def test_select_only_user_reads_everything(self, kit: Kit) -> None:
            names, rows = self._torture(kit)
            url = kit.readonly_url()
            if url is None:
                pytest.skip("no users on this platform")
            with connect(url) as conn:
                _, got = read_rows(conn, ReadRequest(table="torture"))
                assert sorted(r[0] for r in got) == [1, 2, 3]
                assert conn.warnings.counts == {}

    return ConnectorConformance
