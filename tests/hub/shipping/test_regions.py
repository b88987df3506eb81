"""Region import (full real data) and resolution across code sets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.shipping.models import PostalCode, Region, RegionCode
from hub.shipping.regiondata import match_key
from hub.shipping.regionimport import import_regions
from hub.shipping.regions import resolve, search
from shared.errors import DataError

pytestmark = pytest.mark.slow


def test_all_levels_load(db: Session, region_db) -> None:
    counts = dict(db.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert region_db[1].regions == {
        "province": 38,
        "regency": 514,
        "district": 7285,
        "village": 83762,
    }
    assert db.execute(select(func.count()).select_from(PostalCode)).scalar_one() == 83762


def test_reimport_is_idempotent(engine) -> None:
    with engine.begin() as conn:
        before = conn.execute(select(func.count()).select_from(RegionCode)).scalar_one()
        report = import_regions(conn)
        after = conn.execute(select(func.count()).select_from(RegionCode)).scalar_one()
        regions = conn.execute(select(func.count()).select_from(Region)).scalar_one()
    assert before == after > 70_000
    assert regions == 91599 and report.stale_regions == 0


def test_papua_split_maps_bps_94_to_kemendagri(db: Session) -> None:
    # BPS 94 = Papua (before the 2022 split) → Kemendagri 91 Papua
    assert resolve(db, "94", scheme="bps").kode == "91"
    assert resolve(db, "91", scheme="bps").name == "Papua Barat"
    # a BPS-94 regency that now sits in a new province (Merauke → Papua Selatan, 93)
    merauke = resolve(db, "9401", scheme="bps")
    assert merauke.name == "Kabupaten Merauke" and merauke.kode.startswith("93.")


def test_bps_and_postal_code_resolve_to_the_same_regency(db: Session) -> None:
    # Kota Bandung, district Sukasari: Kemendagri 32.73.xx, BPS 3273xxx
    district = db.execute(
        select(Region).where(Region.parent_kode == "32.73", Region.name_norm == "SUKASARI")
    ).scalar_one()
    via_kemendagri = resolve(db, district.kode)
    bps_code = db.execute(
        select(RegionCode.code).where(
            RegionCode.scheme == "bps", RegionCode.region_kode == district.kode
        )
    ).scalar_one()
    via_bps = resolve(db, bps_code, scheme="bps")
    village = (
        db.execute(
            select(Region.kode).where(Region.parent_kode == district.kode).order_by(Region.kode)
        )
        .scalars()
        .first()
    )
    postal = db.execute(
        select(PostalCode.postal_code).where(PostalCode.region_kode == village)
    ).scalar_one()
    via_postal = resolve(db, postal_code=postal)
    assert via_bps.kode == via_kemendagri.kode
    assert via_kemendagri.ancestor(2) == via_bps.ancestor(2) == via_postal.ancestor(2) == "32.73"
    assert via_postal.via == "postal_code"


def test_unknown_codes_are_clear(db: Session) -> None:
    with pytest.raises(DataError, match="unknown bps region code"):
        resolve(db, "99999", scheme="bps")
    with pytest.raises(DataError, match="not a Kemendagri code"):
        resolve(db, "3273010")
    with pytest.raises(DataError, match="unknown postal code"):
        resolve(db, postal_code="00000")


def test_search_by_name_and_postal_code(db: Session) -> None:
    hits = search(db, "bandung", level=2)
    assert {r.kode for r, _ in hits} >= {"32.73", "32.04"}
    village, path = search(db, postal_code="40111", limit=1)[0]
    assert village.level == 4 and path.endswith("Jawa Barat")


def test_match_key_bridges_spelling() -> None:
    assert match_key("Kabupaten Aceh Selatan", 2) == match_key("KABUPATEN ACEH SELATAN", 2)
    assert match_key("Pasi Kuala Ba'u", 4) == match_key("PASI KUALA BAU", 4)
    assert match_key("Kota Bandung", 2) != match_key("Kabupaten Bandung", 2)
