"""API shapes of users and tokens (never a password hash, a token secret only once at creation)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class MePublic(BaseModel):
    role: str
    username: str
    user_id: int | None
    reseller_id: str | None
    token_id: int | None
    is_staff: bool


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    reseller_id: str | None
    locale: str | None
    active: bool
    must_change_password: bool
    created_at: dt.datetime


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=1000)
    role: str = Field(max_length=32)
    reseller_id: str | None = Field(default=None, max_length=63)
    display_name: str = Field(default="", max_length=200)


class UserUpdate(BaseModel):
    active: bool | None = None
    role: str | None = Field(default=None, max_length=32)
    display_name: str | None = Field(default=None, max_length=200)


class PasswordChange(BaseModel):
    current: str = Field(max_length=1000)
    new: str = Field(max_length=1000)


class PasswordReset(BaseModel):
    temporary_password: str


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    reseller_id: str | None = Field(
        default=None, max_length=63
    )  # staff only; reseller admins get their own


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    reseller_id: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class TokenCreated(TokenPublic):
    token: str  # shown once


class TokensPublic(BaseModel):
    data: list[TokenPublic]
    count: int
