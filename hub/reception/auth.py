"""Who may log in: the reseller's SSH public key, looked up in the database at every check.

Nothing is cached across checks, so ``synchub reseller disable`` or
``rotate-key`` takes effect at the next login — and, through
:meth:`KeyAuthority.still_allowed`, at the next file operation of a session
that is already open.
"""

from __future__ import annotations

import hmac
import logging

from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import read_only_session_factory
from hub.core.keys import ssh_fingerprint
from hub.resellers.keyformat import InvalidPublicKey, parse_ssh_public_key
from hub.resellers.schemas import RESELLER_ID
from hub.resellers.service import find_reseller

log = logging.getLogger("hub.reception")


class KeyAuthority:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        # Read-only: a login check must not wait for (or take) SQLite's write lock.
        self.session_factory = read_only_session_factory(session_factory.kw["bind"])

    def still_allowed(self, reseller_id: str, key_blob: bytes) -> bool:
        """True if the reseller exists, is enabled and its enrolled SSH key is ``key_blob``."""
        if not RESELLER_ID.fullmatch(reseller_id):
            return False
        try:
            with self.session_factory() as session:
                reseller = find_reseller(session, reseller_id)
        except Exception:  # a broken database must refuse logins, not open them
            log.exception("auth: reseller lookup failed for %r; refusing", reseller_id)
            return False
        if reseller is None or not reseller.enabled:
            return False
        try:
            enrolled = parse_ssh_public_key(reseller.ssh_public_key).blob
        except InvalidPublicKey:
            log.error("auth: enrolled SSH key of %s is unreadable; refusing", reseller_id)
            return False
        return hmac.compare_digest(enrolled, key_blob)

    def check_login(self, username: str, key_blob: bytes, peer: str) -> bool:
        """A login attempt: decide and log it (who, which key fingerprint, from where; no secrets)."""
        ok = self.still_allowed(username, key_blob)
        shown = username if RESELLER_ID.fullmatch(username) else repr(username[:40])
        if ok:
            log.debug(
                "auth: key %s accepted for %s from %s", ssh_fingerprint(key_blob), shown, peer
            )
        else:
            log.warning(
                "auth: refused key %s for user %s from %s (unknown, disabled, or not its enrolled key)",
                ssh_fingerprint(key_blob), shown, peer,
            )  # fmt: skip
        return ok
