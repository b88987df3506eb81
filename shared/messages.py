"""Hub -> agent messages: small JSON documents signed with the hub's Ed25519 key.

They travel through the reseller's SFTP ``outbox/``, a place the reseller (or
anyone with its SFTP password) can write, so the agent trusts a message only
after :func:`verify_message` with the hub signing key pinned at ``syncagent
init``. The signature covers the canonical JSON of ``payload`` (sorted keys,
no spaces, UTF-8), so re-indenting the document does not break it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any, Dict, List, Literal, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.errors import SealTampered, SealWrongSigner
from shared.keys import fingerprint, short_fingerprint
from shared.manifest import RESELLER_ID_RE

# conflict: the hub already applied another file under this sequence (the agent lost its state, or
# two agents share one key): nothing of it was applied; the agent re-bases and sends a full snapshot
AckStatus = Literal["applied", "duplicate", "held", "quarantined", "superseded", "conflict"]
RequestWhat = Literal["full", "keys"]
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)  # exact: money never goes through float
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            raise ValueError(f"naive datetime {v!r} in a message: use UTC-aware datetimes")
        return v.astimezone(dt.timezone.utc).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not allowed in a message")


def canonical_json(payload: Any) -> bytes:
    """Sorted keys, compact separators, UTF-8; Decimal as string, datetimes as UTC ISO 8601."""
    return json.dumps(
        payload,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_default,
    ).encode("utf-8")


def sign_message(payload: Dict[str, Any], signing_key: Ed25519PrivateKey) -> bytes:
    """The signed document ``{"payload", "signer", "signature"}`` as UTF-8 JSON bytes."""
    body = canonical_json(payload)
    doc = {
        "payload": json.loads(body),
        "signer": fingerprint(signing_key),
        "signature": base64.b64encode(signing_key.sign(body)).decode("ascii"),
    }
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"


def verify_message(data: bytes, hub_signing_public_key: Ed25519PublicKey) -> Dict[str, Any]:
    """The payload of a signed document, or ``SealTampered`` / ``SealWrongSigner``."""
    hint = "ignore this file; if it keeps happening, check who can write to the SFTP outbox"
    try:
        doc = json.loads(data.decode("utf-8"))
        payload, signer, sig = (
            doc["payload"],
            doc["signer"],
            base64.b64decode(doc["signature"], validate=True),
        )
        if (
            not isinstance(payload, dict)
            or not isinstance(signer, str)
            or set(doc) != {"payload", "signer", "signature"}
        ):
            raise ValueError("bad shape")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, binascii.Error):
        raise SealTampered("message is not a signed SyncHub document", hint=hint) from None
    expected = fingerprint(hub_signing_public_key)
    if signer != expected:
        raise SealWrongSigner(
            f"message was signed by key {short_fingerprint(signer)}, but the pinned hub key is {short_fingerprint(expected)}",
            hint="if the hub rotated its signing key, re-run `syncagent init` to pin the new one",
        )
    try:
        hub_signing_public_key.verify(sig, canonical_json(payload))
    except InvalidSignature:
        raise SealTampered(
            "message signature does not match its payload (changed after signing)", hint=hint
        ) from None
    return payload


# --- message kinds --------------------------------------------------------------


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reseller_id: str

    @field_validator("reseller_id")
    @classmethod
    def _rid(cls, v: str) -> str:
        if not RESELLER_ID_RE.match(v):
            raise ValueError(f"reseller id {v!r} must match {RESELLER_ID_RE.pattern}")
        return v

    def to_payload(self) -> Dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _aware(v: dt.datetime) -> dt.datetime:
    if v.tzinfo is None or v.utcoffset() is None:
        raise ValueError("must be timezone-aware (UTC)")
    return v.astimezone(dt.timezone.utc)


class Ack(_Payload):
    """The hub's verdict on one uploaded snapshot."""

    kind: Literal["ack"] = "ack"
    sequence: int = Field(ge=1)
    status: AckStatus
    reason: str = ""
    at: dt.datetime
    # optional detail the hub adds (absent from older hubs' acks)
    snapshot_kind: Optional[Literal["full", "incremental"]] = None
    file_name: Optional[str] = None
    file_sha256: Optional[str] = None
    snapshot_id: Optional[int] = None
    rows: Optional[int] = None
    last_applied_sequence: Optional[int] = None
    missing_sequences: List[int] = Field(default_factory=list)

    @field_validator("at")
    @classmethod
    def _utc(cls, v: dt.datetime) -> dt.datetime:
        return _aware(v)


class Offers(_Payload):
    """The hub's current offers for one reseller (items are free-form dicts, Decimal as strings)."""

    kind: Literal["offers"] = "offers"
    generated_at: dt.datetime
    offers: List[Dict[str, Any]] = Field(default_factory=list)

    @field_validator("generated_at")
    @classmethod
    def _utc(cls, v: dt.datetime) -> dt.datetime:
        return _aware(v)


class Request(_Payload):
    """The hub asks the agent for more than its next ordinary snapshot.

    ``what="full"``: a full snapshot (an operator asked, or the hub found it holds
    fewer keys than the source). ``what="keys"``: every key of ``datasets`` in the
    next snapshot (a keys part), because after merging ``since_sequence`` the hub's
    key set differed from the source's digest; the hub closes the keys the list
    lacks at that snapshot's time. The agent answers by listing ``id`` in the
    next manifest's ``answers``.
    """

    kind: Literal["request"] = "request"
    id: str
    what: RequestWhat
    datasets: List[str] = Field(default_factory=list)
    reason: str = ""
    at: dt.datetime
    since_sequence: Optional[int] = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not REQUEST_ID_RE.match(v):
            raise ValueError(f"request id {v!r} must match {REQUEST_ID_RE.pattern}")
        return v

    @field_validator("at")
    @classmethod
    def _utc(cls, v: dt.datetime) -> dt.datetime:
        return _aware(v)


def parse_payload(payload: Dict[str, Any]) -> Ack | Offers | Request:
    """Typed view of a verified payload (by its ``kind``); ``ValueError`` if it is none of them."""
    kind = payload.get("kind")
    if kind == "ack":
        return Ack.model_validate(payload)
    if kind == "offers":
        return Offers.model_validate(payload)
    if kind == "request":
        return Request.model_validate(payload)
    raise ValueError(f"unknown message kind {kind!r} (expected 'ack', 'offers' or 'request')")


def ack_filename(sequence: int) -> str:
    return f"ack-{sequence:012d}.json"


def offers_filename(generated_at: dt.datetime) -> str:
    """``offers-YYYYMMDDTHHMMSSZ.json`` (UTC): names sort in time order."""
    return f"offers-{_aware(generated_at):%Y%m%dT%H%M%SZ}.json"


def request_filename(request_id: str) -> str:
    return f"request-{request_id}.json"


def parse_filename(name: str) -> str | None:
    """``"ack"`` / ``"offers"`` / ``"request"`` for a message file name, None for anything else."""
    for kind in ("ack", "offers", "request"):
        if name.startswith(kind + "-") and name.endswith(".json"):
            return kind
    return None
