"""The reseller's OpenSSH login follows its record, from the back office as from the CLI.

When the hub receives with OpenSSH (``SYNCHUB_RECEPTION=openssh``), enrolling, disabling,
enabling and a new SSH key also change the reseller's Linux login and its authorised key
(:class:`hub.reception.openssh.OpenSshAccounts`, the same steps as ``synchub reseller``);
with the built-in server there is nothing to do. Pages and API routes call :func:`follow`
inside their unit of work, after the registry change: a failing account step raises
(``AccountStepFailed``, saying what to fix) and the registry change is rolled back with it,
so the record and the login never disagree. Every step is idempotent: repeating the action
after fixing the cause finishes it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.core.settings import HubSettings
from hub.reception.openssh import OpenSshAccounts
from hub.resellers.models import Reseller


def follow(settings: HubSettings, session: Session, reseller_id: str) -> str | None:
    """Make the reseller's OpenSSH login match its record: enabled → login unlocked with
    exactly its current key; disabled → key removed, login locked, sessions ended.

    Returns the login, or None when the hub uses its built-in SFTP server.
    """
    accounts = OpenSshAccounts.from_settings(settings)
    if accounts is None:
        return None
    session.flush()
    row = session.get(Reseller, reseller_id)
    if row is None:
        return None
    if row.enabled:
        return accounts.enrol(reseller_id, row.ssh_public_key)
    return accounts.disable(reseller_id)
