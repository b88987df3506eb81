"""API shapes of the merged data (values as JSON: decimals as strings, times ISO 8601)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from shared.types import Column


def json_value(v: Any) -> Any:
    """A decoded value as JSON keeps it exactly: Decimal as string, bytes as \\x-hex, times ISO."""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (bytes, bytearray)):
        return "\\x" + bytes(v).hex()
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return v


class ColumnPublic(BaseModel):
    name: str
    type: str
    nullable: bool = True

    @classmethod
    def of(cls, c: Column) -> ColumnPublic:
        return cls(name=c.name, type=c.type.value, nullable=c.nullable)


class RowsPublic(BaseModel):
    columns: list[ColumnPublic]
    data: list[list[Any]]
    count: int  # rows matching (before limit/offset)


class DatasetPublic(BaseModel):
    name: str
    schema_version: int
    current_rows: int
    last_snapshot_id: int
    last_source_at: dt.datetime
    last_received_at: dt.datetime


class DatasetsPublic(BaseModel):
    data: list[DatasetPublic]
    count: int


class VersionPublic(BaseModel):
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    snapshot_id: int
    received_at: dt.datetime
    values: list[Any]


class HistoryPublic(BaseModel):
    dataset: str
    key: str
    columns: list[ColumnPublic]
    data: list[VersionPublic]
    count: int


class EntityRowsPublic(BaseModel):
    entity: str
    fields: list[str]
    data: list[list[Any]]
    count: int
