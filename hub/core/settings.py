"""The hub's settings: one typed object, built by the entry point (CLI or app factory).

Values come from environment variables prefixed ``SYNCHUB_`` (or a ``.env``
file in the working directory). Never read at import time.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal, Optional

from pydantic import AliasChoices, Field, SecretStr
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
    # --- reception (deploy/sshd/README.md): which SFTP server resellers reach, and where files are.
    # builtin: `synchub serve`'s own server; openssh: a chrooted OpenSSH instance whose accounts
    # `synchub reseller add|disable|enable|rotate-key` manage.
    reception: Literal["builtin", "openssh"] = "builtin"
    # SYNCHUB_SFTP_ROOT: the one folder both servers, the ingest scanner and the reply writers use
    # (``sftp_root`` below; default <home>/sftp).
    reception_root: Optional[Path] = Field(
        default=None, validation_alias=AliasChoices("sftp_root", "SYNCHUB_SFTP_ROOT")
    )
    # Where agents connect (printed by `synchub keys` and the enrolment); default sftp_host:sftp_port.
    sftp_public_host: str = ""
    # OpenSSH only: the instance's host key (what agents pin), the per-login key files its
    # AuthorizedKeysCommand reads (written by the hub), the root step that creates the
    # Linux account and chroot, and the login prefix that step uses.
    sftp_host_key_file: Path = Path("/etc/synchub/sftp_host_ed25519_key.pub")
    sftp_keys_dir: Optional[Path] = None  # default <home>/sftp-keys
    sftp_account_command: str = "sudo -n /usr/local/lib/synchub/sftp-account"
    sftp_login_prefix: str = "sh-"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    inbox_quota_bytes: int = 2 * 1024**3
    ingest_interval_seconds: float = 5.0
    # web: sessions, sign-in throttling, proxies, language
    session_max_age_seconds: int = 12 * 3600
    login_max_failures: int = 5  # per username inside the window, then locked out
    login_ip_max_failures: int = 20  # per client address inside the window
    login_window_seconds: int = 15 * 60
    cookie_secure: bool | None = None  # None: secure in production or when the request is https
    # A valid API token is remembered per worker for this long: revoking it takes effect at once in the
    # worker that revoked it, within this many seconds in the others (0: look it up on every request).
    api_token_cache_seconds: float = Field(default=10.0, ge=0, le=300)
    # Database connections one worker process keeps open, and the blocking requests it runs at once:
    # its thread pool is sized to match, so no request holds a thread while it waits for a connection.
    # Requests here are short and CPU-bound: more threads per process only add interpreter and row-lock
    # contention (bench_orders: 2-3 per process beat 5 by ~30 %); scale with worker processes instead.
    db_pool_size: int = Field(default=3, ge=1, le=200)
    # Orders are placed on the worker's event loop instead of in its thread pool (None: on PostgreSQL yes,
    # on SQLite no). A placement is a few ms of Python around nine loopback round trips; the hop to a
    # thread and back and the interpreter lock shared with that thread cost more than those waits
    # (docs/orders.md, "Benchmark"). A worker then places one order at a time, blocked while the
    # database answers: set False when the database is far away (a slow round trip stalls the worker)
    # and on SQLite, whose one write lock an ingest merge may hold for seconds.
    inline_order_placement: bool | None = None
    trusted_proxies: str = (
        "127.0.0.1"  # comma-separated; "*" trusts any (only behind your own proxy)
    )
    default_locale: Literal["id", "en"] = "id"
    shipping_live_url: str = (
        ""  # live courier-rate provider (hub.shipping.live); empty = rate cards only
    )
    shipping_live_token: SecretStr = SecretStr("")  # its API key, sent as the `key` header

    # monitoring (hub.monitoring): expected sync schedule unless a reseller has its own, /metrics access
    sync_every_hours: int = Field(default=24, ge=1, le=744)
    sync_grace_hours: int = Field(default=2, ge=0, le=168)
    metrics_token: SecretStr = SecretStr("")  # empty: /metrics answers loopback clients only
    # backups (hub.backup): age recipient (public key) the archives are encrypted to, where, how many
    backup_recipient: str = ""  # age1...: the operator keeps the identity (private key) off the hub
    backup_dir: Path | None = None  # default: <home>/backups
    backup_keep: int = Field(default=14, ge=1, le=10_000)
    backup_hour: int = Field(default=2, ge=0, le=23)  # hour of the nightly backup, Asia/Jakarta
    # the distributor as its documents name it (invoices, receipts, purchase orders): SYNCHUB_SELLER_*
    seller_legal_name: str = "PT Distributor"
    seller_address: str = ""
    seller_npwp: str = ""  # digits; printed as 01.234.567.8-901.000
    seller_pkp: bool = True  # registered for PPN: invoices show DPP and PPN; False: no PPN at all
    ppn_rate: Decimal = Field(default=Decimal("11"), ge=0, le=100)  # percent, prices include it
    # the reseller portal: where password-reset links point (the address resellers open)
    public_url: str = "http://127.0.0.1:8000"
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'hub.db').resolve()}"

    @property
    def sftp_root(self) -> Path:
        """One folder per reseller: ``<id>/inbox`` (uploads) and ``<id>/outbox`` (hub's replies)."""
        return self.reception_root or self.home / "sftp"

    @property
    def authorized_keys_dir(self) -> Path:
        return self.sftp_keys_dir or self.home / "sftp-keys"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

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
