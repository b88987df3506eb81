"""The hub's settings: one typed object, built by the entry point (CLI or app factory).

Values come from environment variables prefixed ``SYNCHUB_`` (or a ``.env``
file in the working directory). Never read at import time: every entry point calls
:func:`load_settings`, which reports every problem at once as one
:class:`~shared.errors.ConfigError` (the variable, what is wrong) before anything starts.

Everything the hub is configured by lives here, the receiving bank account, the notifier
and the order policy included: no module reads the environment on its own.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ConfigError

PLACEHOLDER_SECRET = "change-me"
PLACEHOLDER_ACCOUNT = "0000000000"
MIN_SECRET_LENGTH = 32
ENV_PREFIX = "SYNCHUB_"


class BankAccount(BaseModel):
    """The distributor's receiving account, shown on invoices and payment instructions."""

    model_config = ConfigDict(frozen=True)

    name: str
    account_number: str
    account_holder: str


class NotifySettings(BaseModel):
    """SMTP and the WhatsApp provider's webhook (``SYNCHUB_NOTIFY_*``); a channel without its
    host or URL is off (its messages wait, visibly)."""

    model_config = ConfigDict(frozen=True)

    # No defaults here: the values (and their defaults) are HubSettings' notify_* fields.
    smtp_host: str
    smtp_port: int
    smtp_from: str
    smtp_user: str
    smtp_password: SecretStr
    smtp_starttls: bool
    whatsapp_url: str
    whatsapp_token: SecretStr
    timeout_seconds: float
    max_attempts: int


class HubSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SYNCHUB_", env_file=".env", extra="ignore")

    # Placeholder secrets run only in an explicit development mode (SYNCHUB_ENVIRONMENT=development).
    environment: Literal["development", "test", "production"] = "production"
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
    login_max_failures: int = 5  # per username from one address inside the window (users/throttle)
    login_ip_max_failures: int = 20  # per client address inside the window, whatever the username
    login_account_max_failures: int = 50  # per username from every address: then known ones only
    login_window_seconds: int = 15 * 60
    cookie_secure: bool | None = None  # None: secure in production or when the request is https
    # A valid API token is remembered per worker for this long: revoking it takes effect at once in the
    # worker that revoked it, within this many seconds in the others (0: look it up on every request).
    api_token_cache_seconds: float = Field(default=10.0, ge=0, le=300)
    # Database connections one worker process keeps open, and the blocking requests it runs at once:
    # its thread pool is sized to match, so no request holds a thread while it waits for a connection.
    # On SQLite the engine may open more beyond it (hub.core.db.SQLITE_MAX_OVERFLOW): a connection
    # there is an open file, and ingest, jobs and SFTP logins share the process with the web.
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

    # The account resellers transfer to (invoices, payment pages): SYNCHUB_BANK_*.
    bank_name: str = "BCA"
    bank_account_number: str = PLACEHOLDER_ACCOUNT
    bank_account_holder: str = "PT Distributor"
    # Notifications: SYNCHUB_NOTIFY_* (docs/orders.md, "Notifications").
    notify_smtp_host: str = ""
    notify_smtp_port: int = Field(default=25, ge=1, le=65535)
    notify_smtp_from: str = "synchub@localhost"
    notify_smtp_user: str = ""
    notify_smtp_password: SecretStr = SecretStr("")
    notify_smtp_starttls: bool = False
    notify_whatsapp_url: str = ""
    notify_whatsapp_token: SecretStr = SecretStr("")
    notify_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    notify_max_attempts: int = Field(default=6, ge=1, le=100)
    # Campaigns (docs/campaigns.md): messages queued per channel per minute, across campaigns
    # (providers throttle bulk senders; WhatsApp Business numbers start at a low tier), and
    # the hub's address as resellers open it, for the opt-out links (empty:
    # http://http_host:http_port, which each campaign's page warns about).
    campaign_per_minute: int = Field(default=30, ge=1, le=10_000)
    campaign_public_url: str = ""
    # Orders: the payment window at placement and the grace before an unpaid order expires.
    order_payment_days: float = Field(default=7, gt=0, le=365)
    order_grace_hours: float = Field(default=24, ge=0, le=24 * 90)

    @property
    def bank(self) -> BankAccount:
        return BankAccount(
            name=self.bank_name,
            account_number=self.bank_account_number,
            account_holder=self.bank_account_holder,
        )

    @property
    def notify(self) -> NotifySettings:
        prefix = "notify_"
        return NotifySettings(
            **{
                name[len(prefix) :]: getattr(self, name)
                for name in type(self).model_fields
                if name.startswith(prefix)
            }
        )

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
    # courier tracking pages with {waybill} (hub.shipping.tracking): per courier code, else default
    tracking_couriers: dict[str, str] = Field(default_factory=dict)  # JSON {"JNE": "https://…"}
    tracking_default: str = "https://cekresi.com/?noresi={waybill}"  # empty: no link

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

    def problems(self, *, web: bool = True) -> list[tuple[str, str]]:
        """What is wrong beyond the types: placeholders outside development, half-configured
        channels. ``web``: also what only the web app uses, the secret key and the receiving bank
        account (a CLI command on a production server need not have them)."""
        out: list[tuple[str, str]] = []
        development = self.environment == "development"
        secret = self.secret_key.get_secret_value()
        if (
            web
            and not development
            and (secret == PLACEHOLDER_SECRET or len(secret) < MIN_SECRET_LENGTH)
        ):
            out.append(
                (
                    "SYNCHUB_SECRET_KEY",
                    "is missing, the placeholder or shorter than "
                    f"{MIN_SECRET_LENGTH} characters: set a long random value "
                    "(`openssl rand -hex 32`)",
                )
            )
        if (
            web
            and self.environment == "production"
            and self.bank_account_number == PLACEHOLDER_ACCOUNT
        ):
            out.append(
                (
                    "SYNCHUB_BANK_ACCOUNT_NUMBER",
                    f"is the placeholder {PLACEHOLDER_ACCOUNT}: resellers would be told to pay "
                    "into it; set the distributor's receiving account",
                )
            )
        if self.notify_smtp_user and not self.notify_smtp_password.get_secret_value():
            out.append(("SYNCHUB_NOTIFY_SMTP_PASSWORD", "is missing: SMTP_USER is set"))
        url = self.notify_whatsapp_url
        if url and not url.startswith(("https://", "http://")):
            out.append(("SYNCHUB_NOTIFY_WHATSAPP_URL", f"{url!r} is not an http(s) URL"))
        if url and not self.notify_whatsapp_token.get_secret_value():
            out.append(("SYNCHUB_NOTIFY_WHATSAPP_TOKEN", "is missing: WHATSAPP_URL is set"))
        public = self.campaign_public_url
        if public and not public.startswith(("https://", "http://")):
            out.append(("SYNCHUB_CAMPAIGN_PUBLIC_URL", f"{public!r} is not an http(s) URL"))
        live = self.shipping_live_url
        if live and not live.startswith(("https://", "http://")):
            out.append(("SYNCHUB_SHIPPING_LIVE_URL", f"{live!r} is not an http(s) URL"))
        return out

    def check(self, *, web: bool = True) -> HubSettings:
        """Raise one :class:`ConfigError` listing every problem of :meth:`problems`."""
        if found := self.problems(web=web):
            raise ConfigError(found, source="the SYNCHUB_* environment (or .env)", hint=HINT)
        return self

    def check_secrets(self) -> None:
        """The web app's start-up check (kept for callers of the first release)."""
        self.check(web=True)


HINT = (
    "set the variables listed (a systemd EnvironmentFile, or .env in the working directory); "
    "SYNCHUB_ENVIRONMENT=development runs with placeholders on a trial machine"
)


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _problem(error: Any) -> tuple[str, str]:
    field = str(error["loc"][0]) if error["loc"] else ""
    secret = (
        field in HubSettings.model_fields
        and HubSettings.model_fields[field].annotation is SecretStr
    )
    shown = "" if secret else f" (got {error['input']!r})"  # never echo a secret
    return (env_name(field) if field else "", f"{error['msg']}{shown}")


def load_settings(*, web: bool = False, **values: Any) -> HubSettings:
    """The settings of this process from the environment (``values`` win), checked: every
    problem at once (wrong types and ranges, placeholders, half-configured channels) as one
    :class:`ConfigError` naming each variable. ``web``: the web app's checks too."""
    problems: list[tuple[str, str]] = []
    try:
        settings = HubSettings(**values)
    except ValidationError as exc:
        failing = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        problems += [_problem(e) for e in exc.errors()]
        # The rest is still checked: the same settings with the failing fields at their defaults.
        defaults = {
            name: field.default
            for name, field in HubSettings.model_fields.items()
            if name in failing
        }
        settings = HubSettings(**{**values, **defaults})
    problems += settings.problems(web=web)
    if problems:
        raise ConfigError(problems, source="the SYNCHUB_* environment (or .env)", hint=HINT)
    return settings
