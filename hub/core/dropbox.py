"""The reception root: one folder per reseller, the same for both SFTP servers.

::

    <SYNCHUB_SFTP_ROOT>/<reseller_id>/inbox/    the reseller's uploads (snapshots, order files)
    <SYNCHUB_SFTP_ROOT>/<reseller_id>/outbox/   the hub's signed replies (acks, offers, order answers)

The built-in SFTP server serves this tree, the OpenSSH layout (``deploy/sshd``)
chroots each reseller's login into its ``<reseller_id>`` folder, the ingest
scanner and the order-file job read the inboxes, and every reply is written
here by :func:`write_reply` — so no part of the hub cares which server received
a file, and all of them agree on where it is because one setting names it.

Modes are explicit, never a umask's leftovers. Under OpenSSH the outbox folder
belongs to the hub user with the reseller login's own group and the setgid bit
(``enrol-reseller.sh``), so a reply written ``0640`` can be read by the hub and
by that reseller's chrooted login, and by no other account.
"""

from __future__ import annotations

import os
from pathlib import Path

from shared.atomic import write_atomic

INBOX = "inbox"
OUTBOX = "outbox"
REPLY_MODE = 0o640  # owner = the hub; group = the reseller's login (setgid outbox); others: none
FOLDER_MODE = 0o750  # folders the hub creates itself (built-in reception)


def reseller_root(sftp_root: Path, reseller_id: str) -> Path:
    return Path(sftp_root) / reseller_id


def inbox_dir(sftp_root: Path, reseller_id: str) -> Path:
    return reseller_root(sftp_root, reseller_id) / INBOX


def outbox_dir(sftp_root: Path, reseller_id: str) -> Path:
    return reseller_root(sftp_root, reseller_id) / OUTBOX


def ensure_dirs(sftp_root: Path, reseller_id: str) -> None:
    """Create the reseller's folders if missing; existing ones (OpenSSH's) keep owner and mode."""
    for d in (inbox_dir(sftp_root, reseller_id), outbox_dir(sftp_root, reseller_id)):
        if not d.is_dir():
            d.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
            os.chmod(d, FOLDER_MODE)  # mkdir's mode is filtered by the umask


def write_reply(sftp_root: Path, reseller_id: str, name: str, data: bytes) -> Path:
    """Write one reply file for the reseller to fetch, atomically and with :data:`REPLY_MODE`."""
    ensure_dirs(sftp_root, reseller_id)
    return write_atomic(outbox_dir(sftp_root, reseller_id) / name, data, mode=REPLY_MODE)
