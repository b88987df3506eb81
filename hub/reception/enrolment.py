"""What agents need from this hub, for the reception actually configured.

``synchub keys`` and ``synchub reseller enrolment`` print the host key agents
must pin: the built-in server's own (``SYNCHUB_HOME/keys``) or the OpenSSH
instance's (``SYNCHUB_SFTP_HOST_KEY_FILE``) — handing out the other one makes
every agent refuse the server it really reaches. The SFTP login is the
reseller id on the built-in server and ``sh-<id>`` under OpenSSH.
"""

from __future__ import annotations

from hub.core.keys import HubKeys, ssh_fingerprint
from hub.core.settings import HubSettings
from hub.reception.openssh import OpenSshAccounts
from hub.resellers.keyformat import InvalidPublicKey, parse_ssh_public_key
from shared.enrolment import Enrolment
from shared.errors import ConfigError


def reception_host_key(settings: HubSettings, keys: HubKeys) -> str:
    """``ssh-ed25519 AAAA...`` of the SFTP server resellers reach."""
    if settings.reception == "builtin":
        return keys.host_key_line
    path = settings.sftp_host_key_file
    try:
        key = parse_ssh_public_key(path.read_text(encoding="ascii").strip())
    except (OSError, InvalidPublicKey, UnicodeDecodeError) as exc:
        raise ConfigError(
            [("SYNCHUB_SFTP_HOST_KEY_FILE", f"{path}: {exc}")],
            hint="point it at the OpenSSH instance's host key .pub "
            "(deploy/sshd/README.md: /etc/synchub/sftp_host_ed25519_key.pub)",
        ) from None
    return f"{key.key_type} {key.line.split()[1]}"


def host_key_fingerprint(line: str) -> str:
    return ssh_fingerprint(parse_ssh_public_key(line).blob)


def sftp_login(settings: HubSettings, reseller_id: str) -> str:
    accounts = OpenSshAccounts.from_settings(settings)
    return accounts.login(reseller_id) if accounts else reseller_id


def enrolment_for(settings: HubSettings, keys: HubKeys, reseller_id: str) -> Enrolment:
    return Enrolment(
        reseller_id=reseller_id,
        hub_host=settings.sftp_public_host or settings.sftp_host,
        hub_port=settings.sftp_port,
        hub_username=sftp_login(settings, reseller_id),
        host_key=reception_host_key(settings, keys),
        seal_public_key=keys.seal_public_b64,
        signing_public_key=keys.signing_public_b64,
    )
