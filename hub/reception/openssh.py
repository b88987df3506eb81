"""The OpenSSH reception's accounts, managed by the hub (``SYNCHUB_RECEPTION=openssh``).

One enrolment, one command: ``synchub reseller add|disable|enable|rotate-key``
changes the hub's registry and the reseller's OpenSSH login in the same step.
The hub runs as an unprivileged user, so the work is split by privilege:

* **keys, no root** — sshd asks ``AuthorizedKeysCommand /bin/cat <keys_dir>/%u``
  (``deploy/sshd/sshd_config.template``) for a login's keys at every login, and
  the hub writes those files itself (``restrict <key>``, mode 0644, atomically).
  Rotating a key or removing it on disable takes effect on the very next login,
  without root and without reloading sshd;
* **the account, root** — creating the Linux login and its chroot, locking it
  and ending its sessions need root: the hub runs one narrowly scoped command
  for that (``SYNCHUB_SFTP_ACCOUNT_COMMAND``, by default ``sudo -n`` of the
  root-owned ``/usr/local/lib/synchub/sftp-account``, the installed copy of
  ``deploy/sshd/enrol-reseller.sh``, which validates its one argument).
"""

from __future__ import annotations

import hashlib
import logging
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hub.core.settings import HubSettings
from shared.atomic import write_atomic
from shared.errors import ConfigError, FatalError

log = logging.getLogger("hub.reception")
KEY_FILE_MODE = 0o644  # public keys; sshd's AuthorizedKeysCommandUser must read them
MAX_LOGIN = 32  # Linux login names


class AccountStepFailed(FatalError):
    """The root step (create / disable a Linux login) failed; the message has its output."""


def login_name(reseller_id: str, prefix: str = "sh-") -> str:
    """The Linux login of a reseller: ``<prefix><id>``, shortened with a hash when too long.

    Same rule as ``enrol-reseller.sh --login-name`` (tested against it).
    """
    name = prefix + reseller_id
    if len(name) > MAX_LOGIN:
        digest = hashlib.sha256(reseller_id.encode()).hexdigest()[:8]
        name = f"{prefix}{reseller_id[: MAX_LOGIN - len(prefix) - 9]}-{digest}"
    return name


@dataclass(frozen=True)
class OpenSshAccounts:
    keys_dir: Path
    command: tuple[str, ...]
    prefix: str = "sh-"

    @classmethod
    def from_settings(cls, settings: HubSettings) -> OpenSshAccounts | None:
        """The account manager when the OpenSSH reception is configured, else None."""
        if settings.reception != "openssh":
            return None
        command = tuple(shlex.split(settings.sftp_account_command))
        if not command:
            raise ConfigError(
                [("SYNCHUB_SFTP_ACCOUNT_COMMAND", "is empty")],
                hint="see deploy/sshd/README.md, 'Install': the sudo rule and the account script",
            )
        return cls(settings.authorized_keys_dir, command, settings.sftp_login_prefix)

    def login(self, reseller_id: str) -> str:
        return login_name(reseller_id, self.prefix)

    # --- the steps -------------------------------------------------------------------

    def enrol(self, reseller_id: str, ssh_public_key: str) -> str:
        """Create (or repair and re-enable) the login and chroot, then authorise the key."""
        login = self._root_step("add", reseller_id)
        self.set_key(reseller_id, ssh_public_key)
        return login

    def set_key(self, reseller_id: str, ssh_public_key: str) -> Path:
        """Authorise exactly this key for the login (the old one stops working at once)."""
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        line = f"restrict {ssh_public_key.strip()}\n".encode("ascii")
        return write_atomic(self.keys_dir / self.login(reseller_id), line, mode=KEY_FILE_MODE)

    def remove_key(self, reseller_id: str) -> None:
        (self.keys_dir / self.login(reseller_id)).unlink(missing_ok=True)

    def disable(self, reseller_id: str) -> str:
        """No new login from now on (key removed), then lock the account and end its sessions."""
        self.remove_key(reseller_id)
        return self._root_step("disable", reseller_id)

    def _root_step(self, action: str, reseller_id: str) -> str:
        argv = [*self.command, action, reseller_id]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AccountStepFailed(
                "could not run the OpenSSH account step `{argv}`: {exc}",
                hint="install it as deploy/sshd/README.md says (script and sudo rule), "
                "or set SYNCHUB_SFTP_ACCOUNT_COMMAND",
                argv=shlex.join(argv),
                exc=str(exc),
            ) from None
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip()
            raise AccountStepFailed(
                "the OpenSSH account step `{argv}` failed (exit {returncode}): {output}",
                hint="fix what it says and run the same synchub command again (it is idempotent); "
                "a sudo error means the rule in /etc/sudoers.d/synchub is missing",
                argv=shlex.join(argv),
                returncode=done.returncode,
                output=output,
            )
        lines = done.stdout.strip().splitlines()
        login = lines[-1] if lines else ""
        if login != self.login(reseller_id):
            raise AccountStepFailed(
                "the account step made login {login}, the hub expected {expected}",
                hint="SYNCHUB_SFTP_LOGIN_PREFIX must equal the script's SYNCHUB_USER_PREFIX",
                login=repr(login),
                expected=repr(self.login(reseller_id)),
            )
        log.info("openssh: %s %s (login %s)", action, reseller_id, login)
        return login
