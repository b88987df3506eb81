"""API/CLI shapes for resellers, validated on the way in (keys normalised, ids checked)."""

from __future__ import annotations

import base64
import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.resellers.keyformat import (
    InvalidPublicKey,
    parse_signing_public_key,
    parse_ssh_public_key,
    signing_fingerprint,
    ssh_fingerprint,
)

# 31 characters at most: the id is also the OpenSSH chroot account name in production
# (Linux user names stop at 32), and it starts every snapshot file name.
RESELLER_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,30}")
# Kemendagri administrative codes: province 31, regency 31.71, district 31.71.01, village 31.71.01.1001.
REGION_CODE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")


def check_reseller_id(value: str) -> str:
    if not RESELLER_ID.fullmatch(value):
        raise ValueError(
            f"reseller id {value!r} is not valid: use 2-31 characters, lowercase letters, digits "
            "and '-', starting with a letter or digit (e.g. 'toko-jaya-01')"
        )
    return value


def check_ssh_key(value: str) -> str:
    try:
        return parse_ssh_public_key(value).line
    except InvalidPublicKey as exc:  # pydantic reports ValueErrors, with the field name
        raise ValueError(str(exc)) from exc


def check_signing_key(value: str) -> str:
    try:
        return base64.b64encode(parse_signing_public_key(value)).decode("ascii")
    except InvalidPublicKey as exc:
        raise ValueError(str(exc)) from exc


class ResellerCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    id: str
    name: str = Field(min_length=1, max_length=200)
    region_code: str | None = None
    platform: str | None = Field(default=None, max_length=40)
    ssh_public_key: str
    signing_public_key: str

    _id = field_validator("id")(check_reseller_id)
    _ssh = field_validator("ssh_public_key")(check_ssh_key)
    _sign = field_validator("signing_public_key")(check_signing_key)

    @field_validator("region_code")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not REGION_CODE.fullmatch(value):
            raise ValueError(
                f"region code {value!r} is not a Kemendagri code: use '31', '31.71', '31.71.01' or '31.71.01.1001'"
            )
        return value


class ResellerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    region_code: str | None
    platform: str | None
    ssh_public_key: str
    signing_public_key: str
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    disabled_at: dt.datetime | None

    @property
    def ssh_fingerprint(self) -> str:
        return ssh_fingerprint(parse_ssh_public_key(self.ssh_public_key).blob)

    @property
    def signing_fingerprint(self) -> str:
        return signing_fingerprint(base64.b64decode(self.signing_public_key))


class ResellersPublic(BaseModel):
    data: list[ResellerPublic]
    count: int
