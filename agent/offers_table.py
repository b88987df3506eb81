"""``syncagent offers --write-table``: the hub's verified offers as a table of the reseller's database.

The writer connects with its own credentials (``[offers] write_url`` and
``SYNCAGENT_OFFERS_PASSWORD``), never the SELECT-only export user. The table
is created if missing with portable SQLAlchemy Core DDL (SQLite, PostgreSQL,
MySQL/MariaDB) and rows are upserted by ``offer_id`` in one transaction. The
newest offers file is the whole truth, so ``source_file`` tells which file a
row last came from. Prices are ``Decimal`` end to end: ``NUMERIC(18,4)``, and
text on SQLite, whose NUMERIC affinity would turn them into binary floats.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from shared.errors import ConfigError, SyncHubError

TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
PRICE_SCALE, PRICE_DIGITS = 4, 18
_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
}


class OffersTableError(SyncHubError):
    """The offers could not be written (bad offer value, unusable table, database refused)."""


class ExactDecimal(sa.types.TypeDecorator):
    """NUMERIC(18,4) where the database has exact decimals; text on SQLite."""

    impl = sa.Numeric(PRICE_DIGITS, PRICE_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: Optional[Decimal], dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Optional[Decimal]:
        return None if value is None else Decimal(str(value))


def offers_table(name: str, metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("offer_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sku", sa.String(80), nullable=False),
        sa.Column("ean", sa.String(32)),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", ExactDecimal(), nullable=False),
        sa.Column("price_rule", sa.String(255)),
        sa.Column("reason", sa.Text),
        sa.Column("valid_to", sa.String(40), nullable=False),  # ISO 8601 UTC, as the hub sent it
        sa.Column("source_file", sa.String(120), nullable=False),
        sa.Column("written_at", sa.String(40), nullable=False),
    )


def exact_price(value: Any, offer_id: Any) -> Decimal:
    """The price as an exact Decimal that fits NUMERIC(18,4); never rounded silently."""
    try:
        d = (
            Decimal(str(value))
            if isinstance(value, (str, int)) and not isinstance(value, bool)
            else None
        )
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise OffersTableError(f"offer {offer_id}: unit_price {value!r} is not a decimal number")
    if d != d.quantize(Decimal(1).scaleb(-PRICE_SCALE)) or abs(d) >= Decimal(10) ** (
        PRICE_DIGITS - PRICE_SCALE
    ):
        raise OffersTableError(
            f"offer {offer_id}: unit_price {value} does not fit NUMERIC({PRICE_DIGITS},{PRICE_SCALE})",
            hint="tell the hub operator; the price was not rounded",
        )
    return d


def row_of(item: dict[str, Any], source_file: str, now: str) -> dict[str, Any]:
    oid = item.get("offer_id")
    if not isinstance(oid, int) or isinstance(oid, bool):
        raise OffersTableError(f"an offer in {source_file} has no whole-number offer_id: {item!r}")
    return {
        "offer_id": oid,
        "kind": str(item.get("kind") or ""),
        "sku": str(item.get("sku") or ""),
        "ean": item.get("ean"),
        "name": str(item.get("name") or ""),
        "quantity": int(item.get("quantity") or 0),
        "unit_price": exact_price(item.get("unit_price"), oid),
        "price_rule": item.get("price_rule"),
        "reason": item.get("reason"),
        "valid_to": str(item.get("valid_to") or ""),
        "source_file": source_file,
        "written_at": now,
    }


def sqlalchemy_url(url: str, password: Optional[str]) -> sa.URL:
    """``mysql://…`` style config URL (no password) → SQLAlchemy URL with driver and password."""
    scheme, sep, rest = url.partition("://")
    driver = _DRIVERS.get(scheme.split("+")[0].lower()) if sep else None
    if driver is None:
        raise ConfigError(
            [("[offers].write_url", f"{url!r}: use sqlite:///, postgresql:// or mysql://")]
        )
    u = sa.make_url(f"{driver if '+' not in scheme else scheme}://{rest}")
    return u.set(password=password) if password and u.username else u


@dataclass
class WriteReport:
    table: str
    inserted: int
    updated: int


def _check_existing(conn: sa.Connection, table: sa.Table) -> None:
    have = {c["name"].lower() for c in sa.inspect(conn).get_columns(table.name)}
    missing = [c.name for c in table.columns if c.name not in have]
    if missing:
        raise OffersTableError(
            f"table {table.name} exists but lacks column(s) {', '.join(missing)}",
            hint="choose another --write-table name, or drop/rename the old table",
        )


def write_offers(
    url: str,
    table_name: str,
    items: list[dict[str, Any]],
    source_file: str,
    password: Optional[str] = None,
) -> WriteReport:
    """Create ``table_name`` if missing and upsert ``items`` by ``offer_id`` in one transaction."""
    if not TABLE_NAME.match(table_name):
        raise OffersTableError(
            f"table name {table_name!r} must be letters, digits and '_' (not starting with a digit)"
        )
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    rows = [row_of(it, source_file, now) for it in items]
    engine = sa.create_engine(sqlalchemy_url(url, password))
    table = offers_table(table_name, sa.MetaData())
    try:
        with engine.begin() as conn:
            if sa.inspect(conn).has_table(table_name):
                _check_existing(conn, table)
            else:
                table.create(conn)
            ids = [r["offer_id"] for r in rows]
            existing = (
                set(conn.scalars(sa.select(table.c.offer_id).where(table.c.offer_id.in_(ids))))
                if ids
                else set()
            )
            new = [r for r in rows if r["offer_id"] not in existing]
            old = [{**r, "b_id": r["offer_id"]} for r in rows if r["offer_id"] in existing]
            if new:
                conn.execute(table.insert(), new)
            if old:
                values: dict[str, sa.BindParameter[Any]] = {
                    c.name: sa.bindparam(c.name) for c in table.columns if c.name != "offer_id"
                }
                conn.execute(
                    table.update().where(table.c.offer_id == sa.bindparam("b_id")).values(values),
                    old,
                )
    except sa.exc.SQLAlchemyError as exc:
        raise OffersTableError(
            f"writing offers into {table_name} failed: {exc.__class__.__name__}: "
            f"{str(getattr(exc, 'orig', exc)).splitlines()[0] if str(exc) else ''}",
            hint="does the [offers].write_url user have CREATE, INSERT and UPDATE there?",
        ) from None
    finally:
        engine.dispose()
    return WriteReport(table_name, len(new), len(old))


def latest_offers(inbox: Path, signing_public_key: str) -> tuple[str, list[dict[str, Any]]]:
    """(file name, offers) of the newest offers message in the inbox, re-verified with the pinned hub key."""
    from shared.keys import signing_public_key_from_b64
    from shared.messages import Offers, parse_payload, verify_message

    key = signing_public_key_from_b64(signing_public_key, source="[hub].signing_public_key")
    for path in sorted(inbox.glob("offers-*.json"), reverse=True):  # names sort in time order
        doc = parse_payload(verify_message(path.read_bytes(), key))
        if isinstance(doc, Offers):
            return path.name, list(doc.offers)
    raise OffersTableError(
        "no offers from the hub yet", hint="run `syncagent offers` later to fetch them"
    )
