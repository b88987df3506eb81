"""Load regions, postal codes and the BPS ↔ Kemendagri mapping into the hub's tables.

Re-importable: regions are upserted by code (a renamed village keeps its
code and gets the new name); postal codes and the derived ``bps`` mapping are
replaced as a whole inside the same transaction. Providers' own ids (other
schemes in ``shipping_region_codes``) are left alone. Regions that vanished
from a newer source are kept (addresses may still point at them) and counted.

BPS ↔ Kemendagri mapping (no official table exists): a BPS region maps to the
Kemendagri region whose normalized name (``regiondata.match_key``) is equal,
looked up among the children of the Kemendagri region its BPS parent mapped
to (``name-in-parent``). When that fails, the name is looked up one level
wider and used if unique there (``name-in-grandparent``: a district that
moved to a new regency; for regencies this is nationwide, which is what
carries Papua across the 2022 split — BPS 94 Papua's regencies now sit under
Kemendagri 91 Papua, 93, 94 and 95). Last, a single close spelling among the
siblings (difflib ratio ≥ 0.85, ``similar-name-in-parent``). Renamed regions
(Toba Samosir → Toba) stay unmatched and are counted in the report.
"""

from __future__ import annotations

import difflib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import Connection, Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.roles import Principal
from hub.shipping import regiondata as rd
from hub.shipping.cache import forget_cached
from hub.shipping.models import PostalCode, Region, RegionCode

CHUNK = 20_000


@dataclass
class RegionImportReport:
    regions: dict[str, int] = field(default_factory=dict)  # level name → rows in source
    postal_codes: int = 0
    bps_mapped: dict[str, int] = field(default_factory=dict)  # method → count
    bps_unmatched: dict[str, int] = field(default_factory=dict)  # level name → count
    stale_regions: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            "regions: " + ", ".join(f"{n:,} {k}" for k, n in self.regions.items()),
            f"postal codes: {self.postal_codes:,}",
            "BPS mapping: " + ", ".join(f"{n:,} {k}" for k, n in self.bps_mapped.items()),
            "BPS unmatched: "
            + (", ".join(f"{n:,} {k}" for k, n in self.bps_unmatched.items()) or "none"),
            f"regions no longer in the source (kept): {self.stale_regions:,}",
            f"took {self.seconds:.1f} s",
        ]


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _upsert(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike."""
    dialect = conn.dialect.name
    stmt: sqlite.Insert | postgresql.Insert
    if dialect == "sqlite":
        stmt = sqlite.insert(table)
    elif dialect == "postgresql":
        stmt = postgresql.insert(table)
    else:  # pragma: no cover - the hub runs on SQLite or PostgreSQL
        raise NotImplementedError(dialect)
    update = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=update), rows)


Progress = Callable[[str, int, int], None]  # (step, done, total) after each batch


def import_regions(
    conn: Connection, root: Path = rd.DEFAULT_DIR, progress: Progress | None = None
) -> RegionImportReport:
    """Import everything from ``root`` in the caller's transaction; returns counts.

    ``progress`` hears ("regions" | "postal codes" | "BPS mapping", done, total) as batches land.
    """
    tell: Progress = progress or (lambda step, done, total: None)
    started = time.perf_counter()
    report = RegionImportReport()
    kemendagri = rd.locate(root, rd.KEMENDAGRI)
    kodepos = rd.locate(root, rd.KODEPOS)
    bps_paths = {level: rd.locate(root, name) for level, name in rd.BPS.items()}

    regions = [
        {
            "kode": kode,
            "name": name,
            "name_norm": rd.normalize(name),
            "level": rd.level_of(kode),
            "parent_kode": rd.parent_of(kode),
        }
        for kode, name in rd.read_sql_pairs(kemendagri)
    ]
    for level, label in ((1, "province"), (2, "regency"), (3, "district"), (4, "village")):
        report.regions[label] = sum(1 for r in regions if r["level"] == level)
    table = Region.__table__
    done = 0
    for batch in _chunks(regions):
        _upsert(conn, table, batch, ["kode"])  # type: ignore[arg-type]
        done += len(batch)
        tell("regions", done, len(regions))
    report.stale_regions = conn.execute(select(func.count()).select_from(table)).scalar_one() - len(
        regions
    )

    conn.execute(delete(PostalCode))
    for batch in _chunks(
        {"region_kode": k, "postal_code": p} for k, p in rd.read_sql_pairs(kodepos)
    ):
        conn.execute(insert(PostalCode), batch)
        report.postal_codes += len(batch)
        tell("postal codes", report.postal_codes, len(regions))

    mapping = derive_bps_mapping(regions, bps_paths, report)
    conn.execute(delete(RegionCode).where(RegionCode.scheme == "bps"))
    done = 0
    for batch in _chunks(mapping):
        conn.execute(insert(RegionCode), batch)
        done += len(batch)
        tell("BPS mapping", done, len(mapping))
    report.seconds = time.perf_counter() - started
    forget_cached()  # resolved regions cached in this process may be renamed or gone
    return report


def load_audited(
    conn: Connection,
    principal: Principal | None,
    root: Path = rd.DEFAULT_DIR,
    progress: Progress | None = None,
) -> RegionImportReport:
    """:func:`import_regions` plus its audit entry (``regions.load``: who, how many) in the
    same transaction: the regions page, ``synchub shipping regions import`` and the demo."""
    report = import_regions(conn, root, progress)
    with Session(bind=conn) as session:
        record(
            session,
            principal,
            "regions.load",
            "regions",
            None,
            None,
            {"regions": report.regions, "postal_codes": report.postal_codes},
        )
        session.flush()
    return report


def derive_bps_mapping(
    regions: Sequence[dict[str, Any]], bps_paths: dict[int, Path], report: RegionImportReport
) -> list[dict[str, Any]]:
    """Match BPS regions to Kemendagri ones by normalized name within the mapped parent."""
    children: dict[str | None, dict[str, str]] = defaultdict(dict)
    wider: dict[tuple[int, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in regions:
        key = rd.match_key(r["name"], r["level"])
        children[r["parent_kode"]].setdefault(key, r["kode"])
        wider[(r["level"], _ancestor(r["kode"], 2))][key].append(r["kode"])
    found: dict[str, str] = {}  # BPS code → Kemendagri code
    out: list[dict[str, Any]] = []
    labels = {1: "province", 2: "regency", 3: "district", 4: "village"}
    seen: set[str] = set()
    for level in (1, 2, 3, 4):
        unmatched = 0
        for code, parent, name in rd.read_bps(bps_paths[level]):
            if code in seen:  # villages.csv repeats two ids: first one wins
                continue
            seen.add(code)
            kode, method = _match(
                rd.match_key(name, level),
                level,
                found.get(parent) if parent else None,
                children,
                wider,
            )
            if kode is None:
                unmatched += 1
                continue
            found[code] = kode
            out.append({"scheme": "bps", "code": code, "region_kode": kode, "method": method})
            report.bps_mapped[method] = report.bps_mapped.get(method, 0) + 1
        if unmatched:
            report.bps_unmatched[labels[level]] = unmatched
    return out


def _ancestor(kode: str, up: int) -> str:
    """The code ``up`` levels above (``""`` above provinces): the scope of a wider search."""
    parts = kode.split(".")
    return ".".join(parts[: max(len(parts) - up, 0)])


def _match(
    key: str,
    level: int,
    parent_k: str | None,
    children: dict[str | None, dict[str, str]],
    wider: dict[tuple[int, str], dict[str, list[str]]],
) -> tuple[str | None, str]:
    """Exact name under the mapped parent, then unique name one level wider, then a close name."""
    if level > 1 and parent_k is None:
        return None, ""
    siblings = children[parent_k]
    if key in siblings:
        return siblings[key], "name-in-parent"
    scope = _ancestor(parent_k, 1) if parent_k else ""
    wide = wider[(level, scope)].get(key, [])
    if len(wide) == 1:
        return wide[0], "name-in-grandparent"
    close = difflib.get_close_matches(key, list(siblings), n=2, cutoff=0.85)
    if len(close) == 1:
        return siblings[close[0]], "similar-name-in-parent"
    return None, ""
