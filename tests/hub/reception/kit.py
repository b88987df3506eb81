"""Helpers for the reception tests (keys, the Hub handle)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from hub.core.db import transaction
from hub.core.keys import HubKeys, to_paramiko_key
from hub.core.settings import HubSettings
from hub.reception.server import SftpServer
from hub.resellers import service
from shared.keys import generate_signing_key, public_b64

QUOTA = 64 * 1024


def new_client_key() -> paramiko.Ed25519Key:
    return to_paramiko_key(Ed25519PrivateKey.generate())


def key_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()} test@synchub"


@dataclass
class Hub:
    settings: HubSettings
    factory: sessionmaker[Session]
    keys: HubKeys
    server: SftpServer

    def enrol(self, reseller_id: str, key: paramiko.PKey | None = None) -> paramiko.PKey:
        key = key or new_client_key()
        with transaction(self.factory) as s:
            service.add_reseller(
                s,
                {
                    "id": reseller_id,
                    "name": f"Toko {reseller_id}",
                    "ssh_public_key": key_line(key),
                    "signing_public_key": public_b64(generate_signing_key()),
                },
            )
        return key

    def inbox(self, reseller_id: str) -> Path:
        return self.settings.sftp_root / reseller_id / "inbox"

    def outbox(self, reseller_id: str) -> Path:
        return self.settings.sftp_root / reseller_id / "outbox"
