"""How long Alembic ``merge_0009`` (issue 23) takes to move a hub's merged data, against one plain copy.

    python bench/bench_migrate_0009.py [--rows 200000] [--fields 12] [--db postgresql|sqlite]

A hub at ``merge_0008`` holding one dataset of ``--rows`` current versions and
a quarter as many closed ones, ``--fields`` text fields each, in the old
``record_versions`` table, is upgraded (the move into the dataset's own
current and history tables, key checks included) and downgraded again. The
anchor, timed in the same run on the same data: ``CREATE TABLE … AS SELECT *
FROM record_versions`` — copying the rows once, with no JSON parsed and no
index built. deploy/README.md quotes this for operators planning the upgrade.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import header, load_note
from hub.core.db import make_engine
from hub.core.migrate import alembic_config, upgrade
from tests.hub.schemakit import upgrade_all_but

T1, T2 = "2026-01-01 00:00:00.000000", "2026-01-02 00:00:00.000000"


def at_0008(engine: Engine, rows: int, fields: int, postgres: bool) -> None:
    """The hub before the move: schema at merge_0008 and one dataset of versions."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        upgrade_all_but(cfg, {"merge_0009"})
    layout = [f"col{j}" for j in range(fields)]
    quote, cast = ("to_json", "::text") if postgres else ("json_quote", "")
    values = (
        "'[' || "
        + " || ',' || ".join(f"{quote}('v' || g || '-{j}'){cast}" for j in range(fields))
        + " || ']'"
    )
    series = (
        f"generate_series(1, {rows}) g"
        if postgres
        else f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) "
        "SELECT g FROM s)"
    )
    versions = (
        "INSERT INTO record_versions (reseller_id, dataset, row_key, row_values, valid_from, "
        f"valid_to, snapshot_id, received_at) SELECT 'r', 'd', 'v' || g || '-0', {values}, "
    )
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO dataset_schemas (reseller_id, dataset, version, columns, key, layout, "
                "changes, snapshot_id, valid_from, first_seen_at) VALUES "
                "('r', 'd', 1, '[]', '[\"col0\"]', :l, '', 1, :t, :t)"
            ),
            {"l": json.dumps(layout), "t": T1},
        )
        c.execute(
            text(
                "INSERT INTO merged_datasets (reseller_id, dataset, schema_version, last_snapshot_id, "
                "last_source_at, last_received_at, current_rows) VALUES ('r', 'd', 1, 2, :t, :t, :n)"
            ),
            {"t": T2, "n": rows},
        )
        c.execute(text(f"{versions} '{T2}', NULL, 2, '{T2}' FROM {series}"))
        c.execute(text(f"{versions} '{T1}', '{T2}', 1, '{T1}' FROM {series} WHERE g % 4 = 0"))


def anchor(engine: Engine) -> float:
    with engine.begin() as c:
        t = time.perf_counter()
        c.execute(text("CREATE TABLE anchor_copy AS SELECT * FROM record_versions"))
        took = time.perf_counter() - t
        c.execute(text("DROP TABLE anchor_copy"))
    return took


def run(url: str, rows: int, fields: int, postgres: bool) -> None:
    from alembic import command

    engine = make_engine(url)
    at_0008(engine, rows, fields, postgres)
    base = anchor(engine)
    t = time.perf_counter()
    upgrade(engine)
    up = time.perf_counter() - t
    cfg = alembic_config()
    t = time.perf_counter()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "merge_0008")
    down = time.perf_counter() - t
    engine.dispose()
    what = f"{rows:,} current + {rows // 4:,} closed versions x {fields} fields"
    print(f"  {what}")
    print(f"  anchor: CREATE TABLE AS SELECT * FROM record_versions  {base:6.2f} s")
    print(f"  merge_0009 upgrade (move, check keys, index)         {up:6.2f} s  {up / base:5.2f}x")
    print(
        f"  merge_0009 downgrade (move back)                     {down:6.2f} s  {down / base:5.2f}x"
    )
    print(f"  ({load_note()})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows", type=int, default=200_000, help="current versions (closed: a quarter)"
    )
    ap.add_argument("--fields", type=int, default=12, help="fields per version")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    args = ap.parse_args()
    header(f"merge_0009 on {args.db}: the move of merged data vs one plain copy", rows=args.rows)
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/hub.db", args.rows, args.fields, False)
        return
    from tests.servers import PostgresServer

    server = PostgresServer().start()
    try:
        dsn = server.create_database("bench")
        run(dsn.replace("postgresql://", "postgresql+psycopg://", 1), args.rows, args.fields, True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
