"""The first owner of an empty hub, made in the browser with a one-time setup code.

A hub without any user cannot be signed in to, and ``synchub user add`` needs a shell. So
while no user exists, the hub keeps a setup code in ``SYNCHUB_HOME/setup-code.txt``
(readable by the hub's system user only) and ``synchub serve`` prints it; ``/setup``
takes that code with the owner's name and password (like Jenkins' first-start
password). Once a user exists the code is deleted and ``/setup`` is closed for good.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.core.i18n import translatable
from hub.users import service
from hub.users.models import User
from shared.errors import Forbidden

FILE = "setup-code.txt"


def needed(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(User))


def code_file(home: Path | str) -> Path:
    return Path(home) / FILE


def ensure_code(home: Path | str) -> str:
    """The setup code (made once, kept until the first owner exists)."""
    path = code_file(home)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    code = secrets.token_hex(8)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(code + "\n")
    return code


def create_owner(
    session: Session, home: Path | str, code: str, username: str, password: str, display_name: str
) -> User:
    """The first owner (committed, audited) if the hub has no user and ``code`` is the setup code."""
    path = code_file(home)
    expected = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    if (
        not needed(session)
        or not expected
        or not hmac.compare_digest(expected, code.strip().lower())
    ):
        raise translatable(
            Forbidden,
            "the setup code is wrong, or the hub has an owner already",
            "the code is in {file} on the hub's machine (synchub serve prints it)",
            file=str(path),
        )
    user = service.create_user(
        session, None, username=username, password=password, role="owner", display_name=display_name
    )
    path.unlink(missing_ok=True)
    return user
