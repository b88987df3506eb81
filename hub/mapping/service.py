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
from hub.mapping.profiles import ENTITIES, EntityMap, Profile, Source, normalise
from hub.mapping.transforms import convert, transform
from hub.merge import query, store
from shared.errors import DataError, NotFound

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
        "{what} {name} not found" + (" (ambiguous)" if matches else ""),
        hint="available: {available}",
        what=what,
        name=repr(name),
        available=", ".join(available) or "-",
    )


def _bind(source: Source, available: list[str], what: str) -> Source:
    """``source`` with the reseller's real column names (the transform's ``divide_by`` too)."""
    if isinstance(source, str):
        return _pick(source, available, what)
    by = _pick(source.divide_by, available, what) if source.divide_by else None
    return source.model_copy(
        update={"column": _pick(source.column, available, what), "divide_by": by}
    )


def _columns(session: Session, reseller_id: str, dataset: str) -> list[str]:
    state = store.latest_schema(session, reseller_id, dataset)
    return [c.name for c in state.columns] if state else []


class _Resolved:
    """An entity map bound to the reseller's real dataset and column names."""

    def __init__(self, session: Session, reseller_id: str, entity: str, m: EntityMap) -> None:
        if entity not in ENTITIES:
            raise DataError(
                "unknown entity {entity}",
                hint="entities are: {entities}",
                entity=repr(entity),
                entities=", ".join(ENTITIES),
            )
        datasets = [d.dataset for d in store.list_datasets(session, reseller_id)]
        self.entity, self.types = entity, ENTITIES[entity]
        self.dataset = _pick(m.dataset, datasets, f"{entity}: dataset")
        cols = _columns(session, reseller_id, self.dataset)
        self.fields = {
            f: _bind(c, cols, f"{entity}: column of {self.dataset}") for f, c in m.fields.items()
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
                {f: _bind(c, lcols, f"{entity}: column of {lds}") for f, c in lk.fields.items()},
            )
        unknown = [
            f for f in [*m.fields, *(m.lookup.fields if m.lookup else {})] if f not in self.types
        ]
        if unknown:
            raise DataError(
                "{entity}: unknown field(s) {unknown}",
                hint="fields are: {fields}",
                entity=entity,
                unknown=", ".join(map(str, unknown)),
                fields=", ".join(self.types),
            )
        key = next(iter(self.types))
        if key not in m.fields:
            raise DataError(
                "{entity}: the key field {key} must be mapped", entity=entity, key=repr(key)
            )

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
            names = [c.name for c in lcols]
            extra = {r[names.index(key)]: dict(zip(names, r)) for r in lrows}
        cols, src = query.iter_rows(session, reseller_id, self.dataset, at=at, limit=limit)
        names = [c.name for c in cols]
        out = []
        for n, r in enumerate(src, 1):
            sources = [(self.fields, dict(zip(names, r)))]
            if self.lookup is not None:
                found = extra.get(sources[0][1][self.lookup[1]])
                sources.append((self.lookup[3] if found else {}, found or {}))
            values: dict[str, Any] = {}
            for fields, rowd in sources:
                for f, source in fields.items():
                    try:
                        values[f] = convert(self.types[f], transform(source, rowd))
                    except (ValueError, TypeError, ArithmeticError) as e:
                        msg = f"{self.entity}.{f} (row {n} of {self.dataset}): {e}"
                        if problems is None:
                            raise DataError(
                                "{problem}",
                                hint="fix the mapping profile or the source value",
                                problem=msg,
                            ) from None
                        problems.append(msg)
            out.append(tuple(values.get(f) for f in self.types))
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
            "mapping profile {profile} does not fit reseller {reseller_id}",
            hint="fix the profile (see the preview) and apply again",
            profile=repr(profile.name),
            reseller_id=reseller_id,
            problems=problems,
        )
    row = session.get(MappingProfile, reseller_id) or MappingProfile(reseller_id=reseller_id)
    row.name, row.profile, row.applied_at = profile.name, profile.model_dump_json(), utcnow()
    session.add(row)
    session.flush()
    return result


def apply_audited(
    session: Session, principal: Any, reseller_id: str, profile: Profile
) -> dict[str, EntityPreview]:
    """:func:`apply`, with the change recorded in the audit log (the caller commits both)."""
    from hub.audit.service import record

    before = applied_profile(session, reseller_id)
    record(
        session,
        principal,
        "mapping.apply",
        "reseller",
        reseller_id,
        before.name if before else None,
        profile.name,
    )
    return apply(session, reseller_id, profile)


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
        raise NotFound(
            "reseller {reseller_id} has no mapping profile applied",
            hint="preview and apply one, e.g. `synchub data map RESELLER northwind --apply`",
            reseller_id=reseller_id,
        )
    if entity not in profile.entities:
        raise NotFound(
            "profile {profile} does not map entity {entity}",
            hint="it maps: {entities}",
            profile=repr(profile.name),
            entity=repr(entity),
            entities=", ".join(profile.entities),
        )
    r = _Resolved(session, reseller_id, entity, profile.entities[entity])
    return list(r.types), r.rows(session, reseller_id, as_of)
