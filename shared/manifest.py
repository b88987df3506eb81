"""The snapshot manifest: what a snapshot holds and how to check it.

``manifest.json`` is the first member of every snapshot's tar stream. It is
validated strictly on both sides (unknown fields are refused) so that a typo
or a newer format is caught at the door, not half-way through a merge.
See ``docs/contract.md`` for the meaning of each field.
"""

# pydantic evaluates these annotations at runtime: keep Optional[...] for Python 3.9.

from __future__ import annotations

import datetime as dt
import re
from typing import Dict, List, Literal, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from shared.errors import SnapshotFormatError
from shared.types import Column

# written by this agent; the hub also accepts FORMATS (the previous agent's, for a release)
FORMAT: Literal[1, 2] = 2
FORMATS = (1, 2)
RESELLER_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Starts with a letter, digit or underscore so that "." and ".." are impossible (path safety).
DATASET_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_DIGEST_RE = re.compile(
    r"^(?:[0-9a-f]{64}|xxh3-128:[0-9a-f]{32})$"
)  # shared.keyset: SHA-256 or XXH3-128 sum
KINDS = ("full", "incremental")
Kind = Literal["full", "incremental"]
# how the agent chose a dataset's rows (format 2): every row / changed by cursor / changed by row hash
Mode = Literal["full", "cursor", "rowhash"]
MODES = ("full", "cursor", "rowhash")


def part_name(dataset: str, index: int) -> str:
    """Tar member name of data part ``index`` (1-based) of ``dataset``."""
    return f"data/{dataset}/{index}.tsv.zst"


def keys_part_name(dataset: str) -> str:
    """Tar member name of the part holding all key lines of ``dataset``."""
    return f"data/{dataset}/keys.tsv.zst"


def deleted_part_name(dataset: str) -> str:
    """Tar member name of the part holding the key lines of rows deleted since the previous snapshot."""
    return f"data/{dataset}/deleted.tsv.zst"


def snapshot_filename(reseller_id: str, sequence: int, kind: str) -> str:
    """Name of a sealed snapshot on the wire: ``<reseller_id>-<sequence:012d>-<kind>.snap``."""
    return f"{reseller_id}-{sequence:012d}-{kind}.snap"


_FILENAME_RE = re.compile(r"^([a-z0-9][a-z0-9-]{1,62})-(\d{12})-(full|incremental)\.snap$")


def parse_snapshot_filename(name: str) -> tuple[str, int, str]:
    """``(reseller_id, sequence, kind)`` from a wire file name, or ``SnapshotFormatError``."""
    m = _FILENAME_RE.match(name)
    if m is None:
        raise SnapshotFormatError(
            f"{name!r} is not a snapshot file name",
            hint="expected <reseller_id>-<sequence:012d>-<full|incremental>.snap",
            file=name,
        )
    return m.group(1), int(m.group(2)), m.group(3)


def _utc(v: dt.datetime) -> dt.datetime:
    if v.tzinfo is None or v.utcoffset() is None:
        raise ValueError("must be timezone-aware (UTC), got a naive datetime")
    return v.astimezone(dt.timezone.utc)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartInfo(_Strict):
    """One compressed member: row count, uncompressed size and SHA-256 of the uncompressed bytes."""

    name: str
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str

    @field_validator("sha256")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not SHA256_RE.match(v):
            raise ValueError("must be 64 lowercase hex digits")
        return v


class KeySet(_Strict):
    """Every key currently at the source: count, order-independent digest, optional member.

    ``digest`` and ``part`` both null: the agent checked against its key ledger and a
    count of the source that no key was deleted since its previous snapshot, so it
    sends only the count (the hub compares it with its own).
    """

    count: int = Field(ge=0)
    digest: Optional[str] = None
    part: Optional[PartInfo] = None

    @field_validator("digest")
    @classmethod
    def _hex(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not KEY_DIGEST_RE.match(v):
            raise ValueError(
                "must be 64 lowercase hex digits (SHA-256 sum) or xxh3-128: and 32 (XXH3-128 sum)"
            )
        return v

    @model_validator(mode="after")
    def _part_has_digest(self) -> KeySet:
        if self.part is not None and self.digest is None:
            raise ValueError("a key set with its keys part must carry their digest")
        return self


class DatasetManifest(_Strict):
    name: str
    columns: List[Column]
    key: List[str] = Field(min_length=1)
    cursor_column: Optional[str] = None
    cursor_min: Optional[str] = None
    cursor_max: Optional[str] = None
    since: Optional[str] = None
    rows: int = Field(ge=0)
    parts: List[PartInfo] = Field(default_factory=list)
    keyset: Optional[KeySet] = None
    warnings: Dict[str, int] = Field(default_factory=dict)
    # format 2: how the rows were chosen, and the keys deleted since the agent's previous snapshot
    mode: Optional[Mode] = None
    deleted: Optional[PartInfo] = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not DATASET_NAME_RE.match(v):
            raise ValueError(f"dataset name {v!r} must match {DATASET_NAME_RE.pattern}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> DatasetManifest:
        names = [c.name for c in self.columns]
        if not names:
            raise ValueError(f"dataset {self.name}: no columns")
        if any(not n for n in names) or len(set(names)) != len(names):
            raise ValueError(f"dataset {self.name}: column names must be non-empty and unique")
        for k in self.key:
            if k not in names:
                raise ValueError(
                    f"dataset {self.name}: key column {k!r} is not among the columns {names}"
                )
        if len(set(self.key)) != len(self.key):
            raise ValueError(f"dataset {self.name}: key columns repeat: {self.key}")
        if self.cursor_column is not None and self.cursor_column not in names:
            raise ValueError(
                f"dataset {self.name}: cursor column {self.cursor_column!r} is not among the columns"
            )
        for i, p in enumerate(self.parts, 1):
            if p.name != part_name(self.name, i):
                raise ValueError(
                    f"dataset {self.name}: part {i} must be named {part_name(self.name, i)!r}, got {p.name!r}"
                )
        if sum(p.rows for p in self.parts) != self.rows:
            raise ValueError(
                f"dataset {self.name}: rows={self.rows} but the parts hold {sum(p.rows for p in self.parts)}"
            )
        if self.keyset is not None and self.keyset.part is not None:
            kp = self.keyset.part
            if kp.name != keys_part_name(self.name):
                raise ValueError(
                    f"dataset {self.name}: keys part must be named {keys_part_name(self.name)!r}"
                )
            if kp.rows != self.keyset.count:
                raise ValueError(
                    f"dataset {self.name}: keyset count {self.keyset.count} but keys part holds {kp.rows}"
                )
        if self.deleted is not None:
            if self.deleted.name != deleted_part_name(self.name):
                raise ValueError(
                    f"dataset {self.name}: deleted part must be named {deleted_part_name(self.name)!r}"
                )
            if self.mode not in ("cursor", "rowhash"):
                raise ValueError(
                    f"dataset {self.name}: a deleted part needs mode cursor or rowhash, not {self.mode}"
                )
        return self

    def members(self) -> List[PartInfo]:
        """Every tar member of this dataset, in stream order (data parts, keys part, deleted part)."""
        extra = (
            [self.keyset.part] if self.keyset is not None and self.keyset.part is not None else []
        )
        return list(self.parts) + extra + ([self.deleted] if self.deleted is not None else [])

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


V2_DATASET_FIELDS = {"mode", "deleted"}  # left out of a format-1 manifest's JSON


class Manifest(_Strict):
    format: Literal[1, 2] = FORMAT
    reseller_id: str
    agent_version: str
    sequence: int = Field(ge=1)
    kind: Kind
    created_at: dt.datetime
    source_platform: str
    datasets: List[DatasetManifest] = Field(default_factory=list)
    # format 2: ids of the hub's requests (``shared.messages.Request``) this snapshot answers
    answers: List[str] = Field(default_factory=list)

    @field_validator("reseller_id")
    @classmethod
    def _reseller(cls, v: str) -> str:
        if not RESELLER_ID_RE.match(v):
            raise ValueError(f"reseller id {v!r} must match {RESELLER_ID_RE.pattern}")
        return v

    @field_validator("created_at")
    @classmethod
    def _created(cls, v: dt.datetime) -> dt.datetime:
        return _utc(v)

    @field_serializer("created_at")
    def _ser_created(self, v: dt.datetime) -> str:
        return v.isoformat()

    @model_validator(mode="after")
    def _unique(self) -> Manifest:
        names = [d.name for d in self.datasets]
        if len(set(names)) != len(names):
            raise ValueError(f"dataset names repeat: {names}")
        if self.format == 1 and (
            self.answers or any(d.mode is not None or d.deleted is not None for d in self.datasets)
        ):
            raise ValueError("format 1 has no mode, deleted part or answers (those are format 2)")
        return self

    def complete(self, dataset: DatasetManifest) -> bool:
        """Whether ``dataset``'s rows are every row the source has (the hub closes any other key)."""
        return self.kind == "full" or dataset.mode == "full"

    def dataset(self, name: str) -> DatasetManifest:
        for d in self.datasets:
            if d.name == name:
                return d
        raise KeyError(
            f"snapshot has no dataset {name!r} (it has {[d.name for d in self.datasets]})"
        )

    def members(self) -> List[PartInfo]:
        """Every data/keys member in stream order."""
        return [p for d in self.datasets for p in d.members()]

    def to_json(self) -> bytes:
        """Deterministic UTF-8 JSON (same manifest, same bytes); a format-1 manifest without format 2's fields."""
        exclude = (
            {"answers": True, "datasets": {"__all__": V2_DATASET_FIELDS}}
            if self.format == 1
            else None
        )
        return self.model_dump_json(indent=1, exclude=exclude).encode("utf-8") + b"\n"  # type: ignore[arg-type]

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        """Parse and validate; any problem is a ``SnapshotFormatError`` listing every field at fault."""
        try:
            return cls.model_validate_json(data)
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(x) for x in err['loc']) or '(root)'}: {err['msg']}"
                for err in e.errors()
            )
            raise SnapshotFormatError(
                f"manifest.json is invalid: {problems}",
                hint="the snapshot was written by an incompatible or faulty agent; quarantine it",
            ) from None
