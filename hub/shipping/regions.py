"""Find regions: by any code set (Kemendagri, BPS, provider ids), by postal code, by name.

An address may carry a Kemendagri code (``32.73.01``), a BPS code
(``3273010``) or only a postal code (``40111``); ``resolve`` turns each into
the same Kemendagri region, so everything downstream (rate cards,
territories) speaks one code set.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.shipping.models import LEVELS, PostalCode, Region, RegionCode
from hub.shipping.regiondata import normalize
from shared.errors import DataError

_KEMENDAGRI = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_POSTAL = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class ResolvedRegion:
    kode: str
    name: str
    level: str
    via: str  # "kemendagri", "bps", "postal_code", or a provider scheme
    ambiguous: bool = False  # postal code shared by several regencies: the most common one

    def ancestor(self, level: int) -> str:
        """Code of this region's ancestor at ``level`` (1 province … 4 village)."""
        return ".".join(self.kode.split(".")[:level])


def resolve(
    session: Session,
    code: str | None = None,
    *,
    scheme: str = "kemendagri",
    postal_code: str | None = None,
) -> ResolvedRegion:
    """The Kemendagri region for a code in ``scheme``, or for a postal code alone."""
    if code:
        code = code.strip()
        kode = (
            code
            if scheme == "kemendagri"
            else session.execute(
                select(RegionCode.region_kode).where(
                    RegionCode.scheme == scheme, RegionCode.code == code
                )
            ).scalar()
        )
        if scheme == "kemendagri" and not _KEMENDAGRI.match(code):
            raise DataError(
                "region code {code} is not a Kemendagri code (like 32.73.01)",
                code=repr(code),
                hint="pass scheme='bps' for BPS codes, or a postal_code",
            )
        region = session.get(Region, kode) if kode else None
        if region is None:
            raise DataError(
                "unknown {scheme} region code {code}",
                scheme=scheme,
                code=repr(code),
                hint="search regions by name or postal code; "
                "run `synchub shipping regions import` if none are loaded",
            )
        return ResolvedRegion(region.kode, region.name, LEVELS[region.level], scheme)
    if postal_code:
        return _by_postal_code(session, postal_code.strip())
    raise DataError("no region code and no postal code given", hint="give one of them")


def _by_postal_code(session: Session, postal: str) -> ResolvedRegion:
    """A postal code covers villages; it resolves to their district (or regency if they differ)."""
    if not _POSTAL.match(postal):
        raise DataError("postal code {code} must be 5 digits", code=repr(postal))
    villages = (
        session.execute(select(PostalCode.region_kode).where(PostalCode.postal_code == postal))
        .scalars()
        .all()
    )
    if not villages:
        raise DataError(
            "unknown postal code {code}", hint="check the code or search by name", code=repr(postal)
        )
    for level in (3, 2):
        counts = Counter(".".join(v.split(".")[:level]) for v in villages)
        kode, _n = counts.most_common(1)[0]
        if len(counts) == 1 or level == 2:
            region = session.get(Region, kode)
            assert region is not None
            return ResolvedRegion(
                region.kode,
                region.name,
                LEVELS[region.level],
                "postal_code",
                ambiguous=len(counts) > 1,
            )
    raise AssertionError("unreachable")


def search(
    session: Session,
    q: str = "",
    postal_code: str = "",
    *,
    level: int | None = None,
    limit: int = 20,
) -> list[tuple[Region, str]]:
    """Regions whose name contains ``q`` (normalized) and/or carry ``postal_code``.

    Returns (region, full path name) pairs, bigger regions first.
    """
    stmt = select(Region)
    if q:
        stmt = stmt.where(Region.name_norm.contains(normalize(q)))
    if postal_code:
        stmt = stmt.where(
            Region.kode.in_(
                select(PostalCode.region_kode).where(PostalCode.postal_code == postal_code.strip())
            )
        )
    if level:
        stmt = stmt.where(Region.level == level)
    rows = session.execute(stmt.order_by(Region.level, Region.kode).limit(limit)).scalars().all()
    return [(r, path_name(session, r.kode)) for r in rows]


def path_name(session: Session, kode: str) -> str:
    """'Village, District, Regency, Province' for display."""
    parts = kode.split(".")
    codes = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    names = dict(
        session.execute(select(Region.kode, Region.name).where(Region.kode.in_(codes))).all()
    )
    return ", ".join(names.get(c, c) for c in codes)
