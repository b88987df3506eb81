"""Secrets of the web layer: password hashes, random tokens and CSRF tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults). Session ids and
API tokens are random 256-bit values handed out once and stored only as a
SHA-256 digest, so a leaked database cannot be replayed as a login. The
pre-login CSRF token is signed with the hub's secret key (itsdangerous), the
logged-in one is bound to the server-side session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer

from shared.errors import DataError

_hasher = PasswordHasher()
# A valid hash of a random password: verifying against it costs the same time as a real user,
# so "unknown user" and "wrong password" cannot be told apart by timing.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

SESSION_COOKIE = "synchub_session"
CSRF_COOKIE = "synchub_csrf"
LANG_COOKIE = "synchub_lang"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
TOKEN_PREFIX = "sht_"
MIN_PASSWORD = 10


class WeakPassword(DataError, ValueError):
    """The new password does not meet the minimum rules."""


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; constant work even when there is no user."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(
            "the password needs at least {minimum} characters (got {length})",
            minimum=MIN_PASSWORD,
            length=len(password),
        )
    if password.strip() != password or not password.strip():
        raise WeakPassword("the password must not start or end with spaces")


def new_secret() -> str:
    """A fresh random secret (session id, API token body, CSRF token)."""
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return TOKEN_PREFIX + new_secret()


def digest(secret: str) -> str:
    """What the database keeps of a session id or API token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def _signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="synchub-csrf")


def signed_csrf(secret_key: str, value: str) -> str:
    """The cookie form of a pre-login CSRF token (double-submit, signed so it cannot be planted)."""
    return str(_signer(secret_key).dumps(value))


def unsign_csrf(secret_key: str, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        value = _signer(secret_key).loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None
