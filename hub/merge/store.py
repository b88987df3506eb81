"""Reading and writing the small bookkeeping tables (schema versions, merged datasets)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.merge.models import DatasetSchema, MergedDataset
from hub.merge.schema import SchemaState


def _state(row: DatasetSchema) -> SchemaState:
    return SchemaState.from_json(row.version, row.columns, row.key, row.layout)


def latest_schema(session: Session, reseller_id: str, dataset: str) -> SchemaState | None:
    row = session.scalars(
        select(DatasetSchema)
        .where(DatasetSchema.reseller_id == reseller_id, DatasetSchema.dataset == dataset)
        .order_by(DatasetSchema.version.desc())
        .limit(1)
    ).first()
    return _state(row) if row is not None else None


def schema_at(
    session: Session, reseller_id: str, dataset: str, at: dt.datetime
) -> SchemaState | None:
    """The schema in force at source time ``at`` (the first one if ``at`` is before any)."""
    base = select(DatasetSchema).where(
        DatasetSchema.reseller_id == reseller_id, DatasetSchema.dataset == dataset
    )
    row = (
        session.scalars(
            base.where(DatasetSchema.valid_from <= at)
            .order_by(DatasetSchema.version.desc())
            .limit(1)
        ).first()
        or session.scalars(base.order_by(DatasetSchema.version).limit(1)).first()
    )
    return _state(row) if row is not None else None


def schema_history(session: Session, reseller_id: str, dataset: str) -> list[DatasetSchema]:
    return list(
        session.scalars(
            select(DatasetSchema)
            .where(DatasetSchema.reseller_id == reseller_id, DatasetSchema.dataset == dataset)
            .order_by(DatasetSchema.version)
        )
    )


def save_schema(
    session: Session,
    reseller_id: str,
    dataset: str,
    state: SchemaState,
    changes: list[str],
    snapshot_id: int,
    valid_from: dt.datetime,
    received_at: dt.datetime,
) -> None:
    session.add(
        DatasetSchema(
            reseller_id=reseller_id,
            dataset=dataset,
            version=state.version,
            columns=json.dumps([c.to_dict() for c in state.columns]),
            key=json.dumps(list(state.key)),
            layout=json.dumps(list(state.layout)),
            changes="\n".join(changes),
            snapshot_id=snapshot_id,
            valid_from=valid_from,
            first_seen_at=received_at,
        )
    )


def merged_dataset(session: Session, reseller_id: str, dataset: str) -> MergedDataset | None:
    return session.get(MergedDataset, (reseller_id, dataset))


def list_datasets(session: Session, reseller_id: str) -> list[MergedDataset]:
    return list(
        session.scalars(
            select(MergedDataset)
            .where(MergedDataset.reseller_id == reseller_id)
            .order_by(MergedDataset.dataset)
        )
    )
