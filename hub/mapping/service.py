"""Canonical entity rows from a reseller's merged datasets, through a mapping profile.

``preview`` shows sample rows and every problem (missing dataset or column,
values that do not convert) before a profile is ``apply``-ed; ``entity_rows``
then reads current or as-of rows through the applied profile. Rows keep the
reseller's own keys (``sku`` is the reseller's product id as text): matching
to the master catalog is the catalog's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hub.core.db import utcnow
from hub.mapping.models import MappingProfile
from hub.mapping.profiles import ENTITIES, EntityMap, Profile, normalise
from hub.mapping.transforms import convert
from hub.merge import query, store
from shared.errors import DataError

Row = tuple[Any, ...]


@dataclass
class EntityPreview:
    dataset: str | None
    fields: list[str]
    rows: list[Row] = field(default_factory=list)
    count: int = 0
    problems: list[str] = field(default_factory=list)


def _pick(name: str, available: list[str], what: str) -> str:
    if name in available:
        return name
    matches = [a for a in available if normalise(a) == normalise(name)]
    if len(matches) == 1:
        return matches[0]
    raise DataError(
        f"{what} {name!r} not found" + (" (ambiguous)" if matches else ""),
        hint=f"available: {', '.join(available) or 'none'}",
    )


def _columns(session: Session, reseller_id: str, dataset: str) -> list[str]:
    state = store.latest_schema(session, reseller_id, dataset)
    return [c.name for c in state.columns] if state else []


class _Resolved:
    """An entity map bound to the reseller's real dataset and column names."""

    def __init__(self, session: Session, reseller_id: str, entity: str, m: EntityMap) -> None:
        if entity not in ENTITIES:
            raise DataError(
                f"unknown entity {entity!r}", hint=f"entities are: {', '.join(ENTITIES)}"
            )
        datasets = [d.dataset for d in store.list_datasets(session, reseller_id)]
        self.entity, self.types = entity, ENTITIES[entity]
        self.dataset = _pick(m.dataset, datasets, f"{entity}: dataset")
        cols = _columns(session, reseller_id, self.dataset)
        self.fields = {
            f: _pick(c, cols, f"{entity}: column of {self.dataset}") for f, c in m.fields.items()
        }
        self.lookup = None
        if m.lookup is not None:
            lk = m.lookup
            lds = _pick(lk.dataset, datasets, f"{entity}: lookup dataset")
            lcols = _columns(session, reseller_id, lds)
            self.lookup = (
                lds,
                _pick(lk.on, cols, f"{entity}: column of {self.dataset}"),
                _pick(lk.key, lcols, f"{entity}: column of {lds}"),
                {f: _pick(c, lcols, f"{entity}: column of {lds}") for f, c in lk.fields.items()},
            )
        unknown = [
            f for f in [*m.fields, *(m.lookup.fields if m.lookup else {})] if f not in self.types
        ]
        if unknown:
            raise DataError(
                f"{entity}: unknown field(s) {unknown}", hint=f"fields are: {', '.join(self.types)}"
            )
        key = next(iter(self.types))
        if key not in m.fields:
            raise DataError(f"{entity}: the key field {key!r} must be mapped")

    def rows(
        self,
        session: Session,
        reseller_id: str,
        at: dt.datetime | None,
        problems: list[str] | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        extra: dict[Any, dict[str, Any]] = {}
        if self.lookup is not None:
            lds, on, key, lfields = self.lookup
            lcols, lrows = query.iter_rows(session, reseller_id, lds, at=at)
            idx = {c.name: i for i, c in enumerate(lcols)}
            extra = {r[idx[key]]: {f: r[idx[c]] for f, c in lfields.items()} for r in lrows}
        cols, src = query.iter_rows(session, reseller_id, self.dataset, at=at, limit=limit)
        idx = {c.name: i for i, c in enumerate(cols)}
        out = []
        for n, r in enumerate(src, 1):
            values = {f: r[idx[c]] for f, c in self.fields.items()}
            if self.lookup is not None:
                values.update(extra.get(r[idx[self.lookup[1]]], {}))
            row = []
            for f, t in self.types.items():
                try:
                    row.append(convert(t, values.get(f)))
                except (ValueError, TypeError, ArithmeticError) as e:
                    msg = f"{self.entity}.{f} (row {n} of {self.dataset}): {e}"
                    if problems is None:
                        raise DataError(
                            msg, hint="fix the mapping profile or the source value"
                        ) from None
                    problems.append(msg)
                    row.append(None)
            out.append(tuple(row))
        return out


def preview(
    session: Session, reseller_id: str, profile: Profile, *, sample: int = 5
) -> dict[str, EntityPreview]:
    """Sample rows and problems per entity of ``profile`` on this reseller's current data."""
    out: dict[str, EntityPreview] = {}
    for entity, m in profile.entities.items():
        fields = list(ENTITIES.get(entity, {}))
        try:
            r = _Resolved(session, reseller_id, entity, m)
        except DataError as e:
            out[entity] = EntityPreview(None, fields, problems=[str(e)])
            continue
        p = EntityPreview(
            r.dataset, fields, count=query.count_rows(session, reseller_id, r.dataset)
        )
        p.rows = r.rows(session, reseller_id, None, p.problems, limit=sample)
        out[entity] = p
    return out


def apply(session: Session, reseller_id: str, profile: Profile) -> dict[str, EntityPreview]:
    """Store ``profile`` as the reseller's mapping if its preview has no problem (the caller commits)."""
    result = preview(session, reseller_id, profile)
    problems = [p for e in result.values() for p in e.problems]
    if problems:
        raise DataError(
            f"mapping profile {profile.name!r} does not fit reseller {reseller_id!r}: "
            + "; ".join(problems),
            hint="fix the profile (see the preview) and apply again",
        )
    row = session.get(MappingProfile, reseller_id) or MappingProfile(reseller_id=reseller_id)
    row.name, row.profile, row.applied_at = profile.name, profile.model_dump_json(), utcnow()
    session.add(row)
    session.flush()
    return result


def applied_profile(session: Session, reseller_id: str) -> Profile | None:
    row = session.get(MappingProfile, reseller_id)
    return Profile.model_validate_json(row.profile) if row is not None else None


def entity_rows(
    session: Session,
    reseller_id: str,
    entity: str,
    as_of: dt.datetime | None = None,
    profile: Profile | None = None,
) -> tuple[list[str], list[Row]]:
    """(field names, rows) of ``entity`` for this reseller, current or as of ``as_of``."""
    profile = profile or applied_profile(session, reseller_id)
    if profile is None:
        raise DataError(
            f"reseller {reseller_id!r} has no mapping profile applied",
            hint="preview and apply one, e.g. `synchub data map RESELLER northwind --apply`",
        )
    if entity not in profile.entities:
        raise DataError(
            f"profile {profile.name!r} does not map entity {entity!r}",
            hint=f"it maps: {', '.join(profile.entities)}",
        )
    r = _Resolved(session, reseller_id, entity, profile.entities[entity])
    return list(r.types), r.rows(session, reseller_id, as_of)
