"""The mapping editor's form <-> a :class:`Profile` (no HTTP here: pages.py renders and posts).

Form fields, per entity ``e`` and entity field ``f``:

* ``e:use`` (checkbox), ``e:dataset``; a lookup: ``e:lookup`` (dataset), ``e:on`` (column of
  the entity's dataset), ``e:key`` (column of the lookup dataset);
* ``e.f:col`` — a column of the dataset, or ``lookup:<column>`` of the lookup dataset;
* transforms: ``e.f:multiply`` (unit factor), ``e.f:divide`` (a column to divide by),
  ``e.f:tax`` (``included`` / ``excluded``), ``e.f:rate`` (percent), ``e.f:values``
  (``source=hub`` pairs, one a line or separated by ``;``).

Numbers are read as the reader's locale shows them (``0,001`` in Indonesian). Every problem
is reported at once, keyed by the form field, and the typed values are kept.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from pydantic import ValidationError

from hub.core.i18n import parse_decimal
from hub.mapping.profiles import ENTITIES, EntityMap, FieldMap, Lookup, Profile, Source
from shared.errors import DataError

LOOKUP = "lookup:"
TRANSFORMS = ("multiply", "divide", "tax", "rate", "values")


def _pairs(text: str) -> dict[str, str]:
    out = {}
    for item in re.split(r"[;\n]", text):
        if not item.strip():
            continue
        if "=" not in item:
            raise ValueError(f"{item.strip()!r} is not source=hub (e.g. wc-completed=completed)")
        a, b = item.split("=", 1)
        out[a.strip()] = b.strip()
    return out


def _number(raw: str, lang: str) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return parse_decimal(raw, lang)
    except DataError as e:
        raise ValueError(str(e)) from None


def _source(form: Mapping[str, str], at: str, column: str, lang: str) -> Source:
    """The column, with a FieldMap when any transform of ``at`` (``e.f``) is filled in."""
    multiply = _number(form.get(f"{at}:multiply", ""), lang)
    rate = _number(form.get(f"{at}:rate", ""), lang)
    divide = form.get(f"{at}:divide", "").strip() or None
    tax = form.get(f"{at}:tax", "").strip() or None
    values = _pairs(form.get(f"{at}:values", "")) or None
    if multiply is None and divide is None and tax is None and values is None:
        return column
    return FieldMap(
        column=column,
        multiply=multiply,
        divide_by=divide,
        tax=tax,  # type: ignore[arg-type]  # validated by FieldMap
        tax_rate=rate,
        values=values,
    )


def profile_from_form(form: Mapping[str, str], lang: str) -> tuple[Profile | None, dict[str, str]]:
    """The profile the form describes, or None with every problem by form field."""
    problems: dict[str, str] = {}
    entities: dict[str, EntityMap] = {}
    for entity, types in ENTITIES.items():
        if not form.get(f"{entity}:use"):
            continue
        dataset = form.get(f"{entity}:dataset", "").strip()
        if not dataset:
            problems[f"{entity}:dataset"] = "choose the dataset that holds this entity"
            continue
        fields: dict[str, Source] = {}
        looked: dict[str, Source] = {}
        for field in types:
            at = f"{entity}.{field}"
            col = form.get(f"{at}:col", "").strip()
            if not col:
                continue
            target, name = (looked, col[len(LOOKUP) :]) if col.startswith(LOOKUP) else (fields, col)
            try:
                target[field] = _source(form, at, name, lang)
            except (ValueError, ValidationError) as e:
                problems[at] = _message(e)
        key = next(iter(types))
        if key not in fields and f"{entity}.{key}" not in problems:
            problems[f"{entity}.{key}:col"] = f"map the key field {key!r} to a column of {dataset}"
        lookup = None
        lds = form.get(f"{entity}:lookup", "").strip()
        if lds or looked:
            on, lkey = form.get(f"{entity}:on", "").strip(), form.get(f"{entity}:key", "").strip()
            if not (lds and on and lkey):
                problems[f"{entity}:lookup"] = (
                    "a field taken from a lookup needs its dataset, the column to join on and "
                    "the lookup's key column"
                )
            else:
                lookup = Lookup(dataset=lds, on=on, key=lkey, fields=looked)
        entities[entity] = EntityMap(dataset=dataset, fields=fields, lookup=lookup)
    name = form.get("name", "").strip() or "custom"
    if not entities:
        problems["name"] = "use at least one entity"
    if problems:
        return None, problems
    return Profile(
        name=name, description=form.get("description", "").strip(), entities=entities
    ), {}


def _message(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
    return str(e)


def form_from_profile(profile: Profile, fmt: Any) -> dict[str, str]:
    """The form's values for ``profile`` (numbers as ``fmt``, the reader's Formatter, shows them)."""
    out: dict[str, str] = {"name": profile.name, "description": profile.description}
    for entity, m in profile.entities.items():
        out[f"{entity}:use"] = "on"
        out[f"{entity}:dataset"] = m.dataset
        sources: list[tuple[str, Source, str]] = [(f, s, "") for f, s in m.fields.items()]
        if m.lookup is not None:
            out[f"{entity}:lookup"] = m.lookup.dataset
            out[f"{entity}:on"], out[f"{entity}:key"] = m.lookup.on, m.lookup.key
            sources += [(f, s, LOOKUP) for f, s in m.lookup.fields.items()]
        for field, source, prefix in sources:
            at = f"{entity}.{field}"
            if isinstance(source, str):
                out[f"{at}:col"] = prefix + source
                continue
            out[f"{at}:col"] = prefix + source.column
            if source.multiply is not None:
                out[f"{at}:multiply"] = fmt.number(source.multiply)
            if source.tax_rate is not None:
                out[f"{at}:rate"] = fmt.number(source.tax_rate)
            out[f"{at}:divide"] = source.divide_by or ""
            out[f"{at}:tax"] = source.tax or ""
            out[f"{at}:values"] = "\n".join(f"{a}={b}" for a, b in (source.values or {}).items())
    return out
