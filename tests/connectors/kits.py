"""One :class:`~tests.connectors.conformance.Kit` per platform: its torture DDL and its own driver."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from tests.connectors.conformance import Kit
from tests.servers import free_port

NORTHWIND = Path(__file__).resolve().parents[2] / "hub" / "demo" / "data" / "northwind"


def sample_data() -> Any:
    """The infra engineer's loaders (hub/demo/sample_data.py), or None while they are missing."""
    try:
        from hub.demo import sample_data as sd
    except ImportError:
        return None
    return sd


def plain(v: Any) -> Any:
    """A Python value as a driver without adapters takes it (ISO text, JSON text)."""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return v


class SqliteKit(Kit):
    native = {
        "t_int": "INTEGER",
        "t_bool": "BOOLEAN",
        "t_dec": "DECIMAL(38,10)",
        "t_float": "REAL",
        "t_text": "TEXT",
        "t_esc": "VARCHAR(100)",
        "t_big": "CLOB",
        "t_bin": "BLOB",
        "t_date": "DATE",
        "t_time": "TIME",
        "t_ts": "DATETIME",
        "t_tstz": "TIMESTAMPTZ",
        "t_json": "JSON",
    }

    def __init__(self, folder: Path) -> None:
        self.path = folder / "source.db"
        sqlite3.connect(self.path).close()
        self.url = f"sqlite:///{self.path}"

    def expected(self, column: str, value: Any) -> Any:
        if column == "t_dec" and value is not None:  # NUMERIC affinity stores a REAL
            return Decimal(repr(float(value)))
        return value

    def _run(self, sql: str, rows: Any = ()) -> None:
        with sqlite3.connect(self.path) as con:
            con.executemany(sql, rows) if rows else con.execute(sql)

    def create_table(
        self,
        name: str,
        columns: list[tuple[str, str]],
        rows: list[tuple[Any, ...]],
        key: str = "id",
    ) -> None:
        ddl = ", ".join(f'"{n}" {t}' for n, t in columns)
        self._run(f'CREATE TABLE "{name}" ("{key}" INTEGER PRIMARY KEY, {ddl})')
        marks = ", ".join("?" * (len(columns) + 1))
        self._run(f'INSERT INTO "{name}" VALUES ({marks})', [tuple(map(plain, r)) for r in rows])

    def fetch(self, table: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as con:
            return con.execute(f'SELECT * FROM "{table}"').fetchall()

    def bulk_table(self, name: str, rows: int) -> None:
        self._run(f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, label TEXT, amount NUMERIC)')
        self._run(
            f'INSERT INTO "{name}" WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 '
            f"FROM c WHERE i < {rows}) SELECT i, 'label ' || i, i * 1.25 FROM c"
        )

    def extra_torture(self) -> Optional[tuple[str, dict[str, list[Any]], dict[str, int]]]:
        # SQLite lets any value into any column: what the declared type cannot hold -> NULL + warning
        self._run("CREATE TABLE odd (id INTEGER PRIMARY KEY, d DATE, n INTEGER, ts DATETIME)")
        self._run(
            "INSERT INTO odd VALUES (1, '2024-02-30', 'twelve', '1996-07-04 00:00:00.000'),"
            " (2, '1996-07-04 00:00:00', 12, '2024-01-02T03:04:05Z')"
        )
        return (
            "odd",
            {
                "d": [None, dt.date(1996, 7, 4)],
                "n": [None, 12],
                "ts": [dt.datetime(1996, 7, 4), dt.datetime(2024, 1, 2, 3, 4, 5)],
            },
            {"d: not a valid date, read as NULL": 1, "n: not a valid integer, read as NULL": 1},
        )

    def northwind(self) -> Optional[list[str]]:
        sd = sample_data()
        if sd is not None and hasattr(sd, "northwind_sqlite"):
            sd.northwind_sqlite(self.path)
        else:  # the file loads as is into SQLite
            with sqlite3.connect(self.path) as con:
                con.executescript(
                    (NORTHWIND / "jpwhite3_northwind-SQLite3" / "create.sql").read_text(
                        encoding="utf-8"
                    )
                )
        with sqlite3.connect(self.path) as con:
            return [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]


class PostgresKit(Kit):
    native = {
        "t_int": "bigint",
        "t_bool": "boolean",
        "t_dec": "numeric(38,10)",
        "t_float": "double precision",
        "t_text": "text",
        "t_esc": "varchar(100)",
        "t_big": "text",
        "t_bin": "bytea",
        "t_date": "date",
        "t_time": "time",
        "t_ts": "timestamp(6)",
        "t_tstz": "timestamptz",
        "t_json": "jsonb",
    }

    def __init__(self, server: Any, dsn: str) -> None:
        self.server, self.dsn, self.url = server, dsn, dsn
        self.dbname = dsn.rsplit("/", 1)[1]
        self.wrong_password_url = dsn.replace(
            "postgres@", "nobody_here:wrong@"
        )  # trust auth: no such role
        self.refused_url = f"postgresql://postgres@127.0.0.1:{free_port()}/{self.dbname}"

    def _run(self, sql: str, rows: Any = ()) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as con, con.cursor() as cur:
            cur.executemany(sql, rows) if rows else cur.execute(sql)

    def create_table(
        self,
        name: str,
        columns: list[tuple[str, str]],
        rows: list[tuple[Any, ...]],
        key: str = "id",
    ) -> None:
        from psycopg.types.json import Jsonb

        ddl = ", ".join(f'"{n}" {t}' for n, t in columns)
        self._run(f'CREATE TABLE "{name}" ("{key}" integer PRIMARY KEY, {ddl})')
        marks = ", ".join(["%s"] * (len(columns) + 1))
        self._run(
            f'INSERT INTO "{name}" VALUES ({marks})',
            [tuple(Jsonb(v) if isinstance(v, (dict, list)) else v for v in r) for r in rows],
        )

    def fetch(self, table: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.dsn) as con:
            return con.execute(f'SELECT * FROM "{table}"').fetchall()

    def bulk_table(self, name: str, rows: int) -> None:
        self._run(
            f'CREATE TABLE "{name}" (id integer PRIMARY KEY, label text, amount numeric(12,2))'
        )
        self._run(
            f"INSERT INTO \"{name}\" SELECT i, 'label ' || i, i * 1.25 "
            f"FROM generate_series(1, {rows}) i"
        )

    def extra_torture(self) -> Optional[tuple[str, dict[str, list[Any]], dict[str, int]]]:
        self._run(
            "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE DOMAIN qty AS integer CHECK (VALUE >= 0);"
            "CREATE TABLE odd (id int PRIMARY KEY, u uuid, m mood, q qty, f4 real, arr int[],"
            " iv interval, n numeric, tz timetz, c char(3));"
            "INSERT INTO odd VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', 7, 0.1,"
            " '{1,2,NULL}', '1 day 02:00:00', 123456789012345678901234567890.123456789,"
            " '12:00:00+07', 'ab')"
        )
        return (
            "odd",
            {
                "u": ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
                "m": ["happy"],
                "q": [7],
                "f4": [0.1],
                "arr": ["{1,2,NULL}"],
                "iv": ["1 day 02:00:00"],
                "n": [Decimal("123456789012345678901234567890.123456789")],
                "tz": ["12:00:00+07"],
                "c": ["ab "],
            },
            {},
        )

    def northwind(self) -> Optional[list[str]]:
        import subprocess

        sd = sample_data()
        if sd is not None and hasattr(sd, "load_northwind_postgres"):
            sd.load_northwind_postgres(self.dsn)
        else:
            subprocess.run(
                [
                    "psql",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    self.dsn,
                    "-f",
                    str(NORTHWIND / "pthom_northwind_psql" / "northwind.sql"),
                ],
                check=True,
                capture_output=True,
            )
        import psycopg

        with psycopg.connect(self.dsn) as con:
            return [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                )
            ]

    def readonly_url(self) -> Optional[str]:
        role = f"reader_{self.dbname}"
        self._run(
            f'CREATE ROLE "{role}" LOGIN; GRANT USAGE ON SCHEMA public TO "{role}";'
            f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'
        )
        return self.dsn.replace("postgres@", f"{role}@")


class MysqlKit(Kit):
    quote = "`"
    native = {
        "t_int": "bigint",
        "t_bool": "tinyint(1)",
        "t_dec": "decimal(38,10)",
        "t_float": "double",
        "t_text": "text",
        "t_esc": "varchar(100)",
        "t_big": "longtext",
        "t_bin": "longblob",
        "t_date": "date",
        "t_time": "time(6)",
        "t_ts": "datetime(6)",
        "t_tstz": "timestamp(6) NULL",
        "t_json": "json",
    }

    def __init__(self, server: Any, database: str) -> None:
        self.server, self.database = server, database
        self.url = server.url(database)
        self.wrong_password_url = server.url(database, password="not-the-password")
        self.refused_url = f"mysql://u:p@127.0.0.1:{free_port()}/{database}"

    def _run(self, sql: str, rows: Any = (), mode: str = "") -> None:
        with self.server.connect(self.database) as con, con.cursor() as cur:
            cur.execute("SET SESSION time_zone = '+00:00', sql_mode = %s", (mode,))
            cur.executemany(sql, rows) if rows else cur.execute(sql)

    @staticmethod
    def _param(v: Any) -> Any:
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            return v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v

    def create_table(
        self,
        name: str,
        columns: list[tuple[str, str]],
        rows: list[tuple[Any, ...]],
        key: str = "id",
    ) -> None:
        ddl = ", ".join(f"`{n}` {t}" for n, t in columns)
        self._run(f"CREATE TABLE `{name}` (`{key}` int PRIMARY KEY, {ddl})")
        marks = ", ".join(["%s"] * (len(columns) + 1))
        self._run(
            f"INSERT INTO `{name}` VALUES ({marks})", [tuple(map(self._param, r)) for r in rows]
        )

    def fetch(self, table: str) -> list[tuple[Any, ...]]:
        with self.server.connect(self.database) as con, con.cursor() as cur:
            cur.execute(f"SELECT * FROM `{table}`")
            return list(cur.fetchall())

    def bulk_table(self, name: str, rows: int) -> None:
        self._run(
            f"CREATE TABLE `{name}` (id int PRIMARY KEY, label varchar(40), amount decimal(12,2))"
        )
        self._run(
            f"INSERT INTO `{name}` SELECT seq, CONCAT('label ', seq), seq * 1.25 "
            f"FROM seq_1_to_{rows}"
        )

    def extra_torture(self) -> Optional[tuple[str, dict[str, list[Any]], dict[str, int]]]:
        self._run(
            "CREATE TABLE odd (id int PRIMARY KEY, d date, dt datetime, ts timestamp NULL,"
            " t time, b1 bit(1), b8 bit(8), e enum('a','b'), yr year, u int unsigned, f float)"
        )
        self._run(
            "INSERT INTO odd VALUES"
            " (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '-01:00:00', b'1',"
            "  255, 'b', 2024, 4294967295, 0.1),"
            " (2, '2024-02-30', '2024-02-30 10:00:00', NULL, '25:00:00', b'0', 0, 'a', 1901, 0, -1.5),"
            " (3, '2024-02-29', '2024-02-29 23:59:59', '2024-02-29 23:59:59', '12:30:00', NULL,"
            "  NULL, NULL, NULL, NULL, NULL)",
            mode="ALLOW_INVALID_DATES",
        )
        return (
            "odd",
            {
                "d": [None, None, dt.date(2024, 2, 29)],
                "dt": [None, None, dt.datetime(2024, 2, 29, 23, 59, 59)],
                "ts": [None, None, dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=dt.timezone.utc)],
                "t": [None, None, dt.time(12, 30)],
                "b1": [True, False, None],
                "b8": [255, 0, None],
                "e": ["b", "a", None],
                "yr": [2024, 1901, None],
                "u": [4294967295, 0, None],
                "f": [0.1, -1.5, None],
            },
            {
                "d: zero date read as NULL": 1,
                "d: invalid date read as NULL": 1,
                "dt: zero date read as NULL": 1,
                "dt: invalid date read as NULL": 1,
                "ts: zero date read as NULL": 1,
                "t: time outside 00:00-24:00 read as NULL": 2,
            },
        )

    def northwind(self) -> Optional[list[str]]:
        sd = sample_data()
        if sd is None or not hasattr(sd, "load_northwind_mysql"):
            return None
        s = self.server
        sd.load_northwind_mysql(s.host, s.port, s.user, s.password, self.database)
        with self.server.connect(self.database) as con, con.cursor() as cur:
            cur.execute(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                (self.database,),
            )
            return [r[0] for r in cur.fetchall()]

    def readonly_url(self) -> Optional[str]:
        name = f"ro_{self.database}"[:32]
        self.server.create_readonly_user(self.database, name, "ro-pw")
        return str(self.server.url(self.database, user=name, password="ro-pw"))


class FilesKit(Kit):
    native = {
        n: "inferred"
        for n in (
            "t_int",
            "t_bool",
            "t_dec",
            "t_text",
            "t_esc",
            "t_big",
            "t_date",
            "t_time",
            "t_ts",
            "t_tstz",
        )
    }
    declares_keys = False

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "shop"
        self.folder.mkdir()
        self.url = f"files://{self.folder}"

    def expected(self, column: str, value: Any) -> Any:
        return None if value == "" else value  # stated policy: an empty cell is NULL

    @staticmethod
    def _text(v: Any) -> str:
        return (
            "" if v is None else ("true" if v is True else "false" if v is False else str(plain(v)))
        )

    def create_table(
        self,
        name: str,
        columns: list[tuple[str, str]],
        rows: list[tuple[Any, ...]],
        key: str = "id",
    ) -> None:
        import csv

        with open(self.folder / f"{name}.csv", "w", newline="", encoding="utf-8-sig") as f:
            out = csv.writer(f)
            out.writerow([key, *(n for n, _ in columns)])
            out.writerows([self._text(v) for v in r] for r in rows)

    def fetch(self, table: str) -> list[tuple[Any, ...]]:
        import csv

        path = self.folder / f"{table}.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as f:
                rows = list(csv.reader(f))[1:]
        else:
            from openpyxl import load_workbook

            wb = load_workbook(self.folder / f"{table}.xlsx", read_only=True)
            every = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
            rows = [r + [None] * (len(every[0]) - len(r)) for r in every[1:]]  # trailing blanks
        return [tuple(None if v == "" else v for v in r) for r in rows]

    def bulk_table(self, name: str, rows: int) -> None:
        with open(self.folder / f"{name}.csv", "w", encoding="utf-8") as f:
            f.write("id,label,amount\n")
            f.writelines(f"{i},label {i},{i * 1.25:.2f}\n" for i in range(1, rows + 1))

    def extra_torture(self) -> Optional[tuple[str, dict[str, list[Any]], dict[str, int]]]:
        # inference: leading zeros stay text, one odd value keeps a column text, multi-sheet names
        from openpyxl import Workbook

        (self.folder / "codes.csv").write_text(
            "id,zip,mixed,flag,when\n1,007,12,yes,2024-01-02\n"
            "2,123,n/a,NO,2024-01-02T03:04:05\n3,,,,\n"
        )
        wb = Workbook()
        wb.active.title = "first"
        wb.active.append(["id", "amount"])
        wb.active.append([1, 2.5])
        wb.create_sheet("second").append(["x"])
        wb.save(self.folder / "book.xlsx")
        return (
            "codes",
            {
                "zip": ["007", "123", None],
                "mixed": ["12", "n/a", None],
                "flag": [True, False, None],
                "when": [dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5), None],
            },
            {},
        )

    def northwind(self) -> Optional[list[str]]:
        sd = sample_data()
        if sd is None or not hasattr(sd, "northwind_files"):
            return None
        return [p.stem for p in sd.northwind_files(self.folder, "mixed")]
