"""The hub's settings: one typed object, built by the entry point (CLI or app factory).

Values come from environment variables prefixed ``SYNCHUB_`` (or a ``.env``
file in the working directory). Never read at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ConfigError

PLACEHOLDER_SECRET = "change-me"


class HubSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SYNCHUB_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Field(default=Path("synchub-data"), description="data directory: db, inbox, keys")
    database_url: str = ""  # default: sqlite:///<home>/hub.db
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    sftp_host: str = "127.0.0.1"
    sftp_port: int = 2222
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    inbox_quota_bytes: int = 2 * 1024**3
    ingest_interval_seconds: float = 5.0

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'hub.db').resolve()}"

    @property
    def inbox_root(self) -> Path:
        return self.home / "inbox"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    def check_secrets(self) -> None:
        """Refuse to run outside development with a default or missing secret."""
        if self.environment == "production" and (
            not self.secret_key.get_secret_value()
            or self.secret_key.get_secret_value() == PLACEHOLDER_SECRET
        ):
            raise ConfigError(
                [("SYNCHUB_SECRET_KEY", "is missing or still the placeholder")],
                hint="set SYNCHUB_SECRET_KEY to a long random value (e.g. `openssl rand -hex 32`)",
            )
