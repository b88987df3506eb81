"""The agent's configuration file (TOML), typed and checked all at once.

One file says everything the agent does: which database to read, which hub to
deliver to and how to trust it, when to run, and which datasets to share with
which columns dropped or hashed. :func:`check_config` reports *every* problem
with its path (``[source].url: …``, ``[[datasets]][2].table: …``) so an
operator fixes the file in one pass; :func:`load_config` raises
:class:`shared.errors.ConfigError` carrying the same list.

Relative paths in the file are relative to the file's own folder. Secrets
(the database password) never live in the file: they come from the
``SYNCAGENT_SOURCE_PASSWORD`` environment variable or ``password_file``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent import config_rules as rules
from shared.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10 reseller servers
    import tomli as tomllib

PASSWORD_ENV = "SYNCAGENT_SOURCE_PASSWORD"
OFFERS_PASSWORD_ENV = "SYNCAGENT_OFFERS_PASSWORD"
RESELLER_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"
DATASET_NAME = r"^[A-Za-z0-9_.-]+$"
KNOWN_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "files")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_CRON = "30 1 * * *"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentSection(_Section):
    reseller_id: str = Field(pattern=RESELLER_ID)
    state_dir: Path


class SourceSection(_Section):
    url: str
    password_file: Optional[Path] = None
    options: dict[str, Any] = Field(default_factory=dict)


class HubSection(_Section):
    host: str
    port: int = Field(default=22, ge=1, le=65535)
    username: str
    ssh_key: Path
    host_key: str
    seal_public_key: str
    signing_public_key: str
    timeout_seconds: float = Field(default=30.0, gt=0)
    retries: int = Field(default=5, ge=0)
    keep_sent_days: int = Field(default=14, ge=0)


class SigningSection(_Section):
    key: Path


DEFAULT_TIMEZONE = "Asia/Jakarta"


class ScheduleSection(_Section):
    cron: str = DEFAULT_CRON
    jitter_seconds: int = Field(default=900, ge=0)
    # every Nth run is full (int), or runs on that weekday are full ("sun")
    full_every: Union[int, str] = 7
    # The reseller's local zone (IANA name): "30 1 * * *" is 01:30 there, outside shop hours.
    timezone: str = DEFAULT_TIMEZONE


class OrdersSection(_Section):
    """Order files the reseller's own system drops for the hub (default folder: ``<state_dir>/orders``)."""

    drop_dir: Optional[Path] = None


class OffersSection(_Section):
    """Where ``syncagent offers --write-table`` writes: a user separate from the SELECT-only export user."""

    write_url: Optional[str] = None
    password_file: Optional[Path] = None


class DatasetSection(_Section):
    name: str = Field(pattern=DATASET_NAME)
    table: Optional[str] = None
    query: Optional[str] = None
    key: list[str] = Field(min_length=1)
    # how an incremental finds changed rows (agent/modes.py, docs/agent.md "Change detection"):
    # auto = cursor when `cursor` looks like a modification time, else rowhash
    mode: Literal["auto", "cursor", "rowhash", "full"] = "auto"
    cursor: Optional[str] = None
    overlap: Union[int, float] = Field(default=0, ge=0)
    columns: Optional[list[str]] = None
    hash_columns: list[str] = Field(default_factory=list)
    drop_columns: list[str] = Field(default_factory=list)


class AgentConfig(BaseModel):
    """The whole file, with paths already resolved against the file's folder."""

    agent: AgentSection
    source: SourceSection
    hub: HubSection
    signing: SigningSection
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)
    orders: OrdersSection = Field(default_factory=OrdersSection)
    offers: OffersSection = Field(default_factory=OffersSection)
    datasets: list[DatasetSection]
    path: Path

    def source_password(self) -> Optional[str]:
        """The database password from the environment or ``password_file`` (never from the file)."""
        env = os.environ.get(PASSWORD_ENV)
        if env:
            return env
        if self.source.password_file:
            return self.source.password_file.read_text(encoding="utf-8").strip()
        return None

    @property
    def orders_dir(self) -> Path:
        return self.orders.drop_dir or self.agent.state_dir / "orders"

    def offers_password(self) -> Optional[str]:
        """The offers writer's password (``SYNCAGENT_OFFERS_PASSWORD`` or ``[offers].password_file``)."""
        env = os.environ.get(OFFERS_PASSWORD_ENV)
        if env:
            return env
        if self.offers.password_file:
            return self.offers.password_file.read_text(encoding="utf-8").strip()
        return None

    def dataset(self, name: str) -> DatasetSection:
        for d in self.datasets:
            if d.name == name:
                return d
        raise KeyError(name)


_SECTIONS: dict[str, type[_Section]] = {
    "agent": AgentSection,
    "source": SourceSection,
    "hub": HubSection,
    "signing": SigningSection,
    "schedule": ScheduleSection,
    "orders": OrdersSection,
    "offers": OffersSection,
}
_OPTIONAL = {"schedule", "orders", "offers"}
_PATH_FIELDS = {
    "agent": ("state_dir",),
    "source": ("password_file",),
    "hub": ("ssh_key",),
    "signing": ("key",),
    "orders": ("drop_dir",),
    "offers": ("password_file",),
}


def _loc(section: str, loc: tuple[Any, ...], index: Optional[int] = None) -> str:
    head = f"[[{section}]][{index}]" if index is not None else f"[{section}]"
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    return head + rest


def _pydantic_problems(
    exc: ValidationError, section: str, index: Optional[int] = None
) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        msg = err["msg"]
        if err["type"] == "string_pattern_mismatch":
            msg = f"{err['input']!r} does not match {err['ctx']['pattern']}"
        elif err["type"] == "extra_forbidden":
            msg = "unknown setting (a typo?)"
        out.append((_loc(section, tuple(err["loc"]), index), msg))
    return out


def _resolve(base: Path, value: Any) -> Any:
    if isinstance(value, str) and value:
        p = Path(os.path.expanduser(value))
        return p if p.is_absolute() else base / p
    return value


def _read_toml(path: Path) -> tuple[Optional[dict[str, Any]], list[tuple[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [("", f"cannot read config file {path}: {exc.strerror or exc}")]
    try:
        return tomllib.loads(raw.decode("utf-8")), []
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [("", f"{path} is not valid TOML: {exc}")]


def _parse(path: Path) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Each section on its own, so one bad section does not hide problems in the others."""
    data, problems = _read_toml(path)
    if data is None:
        return {}, problems
    base = path.parent
    parsed: dict[str, Any] = {}
    for name in sorted(set(data) - set(_SECTIONS) - {"datasets"}):
        problems.append(
            (f"[{name}]", f"unknown section; known: {', '.join([*_SECTIONS, 'datasets'])}")
        )
    for name, model in _SECTIONS.items():
        raw = data.get(name)
        if raw is None and name not in _OPTIONAL:
            problems.append((f"[{name}]", "section is missing"))
            continue
        if not isinstance(raw or {}, dict):
            problems.append((f"[{name}]", "must be a table ([name]), not a value"))
            continue
        raw = dict(raw or {})
        for f in _PATH_FIELDS.get(name, ()):
            raw[f] = _resolve(base, raw.get(f))
        try:
            parsed[name] = model.model_validate(raw)
        except ValidationError as exc:
            problems += _pydantic_problems(exc, name)
    datasets = data.get("datasets")
    if not datasets:
        problems.append(
            ("[[datasets]]", "no dataset configured: add at least one [[datasets]] block")
        )
        datasets = []
    elif not isinstance(datasets, list):
        problems.append(("[[datasets]]", "must be an array of tables ([[datasets]])"))
        datasets = []
    parsed["datasets"] = []
    for i, raw in enumerate(datasets, start=1):
        try:
            parsed["datasets"].append((i, DatasetSection.model_validate(raw)))
        except ValidationError as exc:
            problems += _pydantic_problems(exc, "datasets", i)
    return parsed, problems


def _known_schemes() -> tuple[str, ...]:
    try:
        from connectors import registry

        names = getattr(registry, "known_schemes", None)
        if callable(names):
            return tuple(names())
    except ImportError:
        pass
    return KNOWN_SCHEMES


def _semantic(parsed: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if "agent" in parsed:
        out += rules.check_state_dir(parsed["agent"].state_dir)
    if "source" in parsed:
        out += rules.check_url(parsed["source"].url, _known_schemes())
        out += rules.check_readable(
            parsed["source"].password_file, "[source].password_file", "password file"
        )
    if "hub" in parsed:
        out += rules.check_hub(parsed["hub"])
    if "signing" in parsed:
        from shared.keys import load_signing_key

        out += rules.check_key_file(
            parsed["signing"].key, "[signing].key", "signing private key", load_signing_key
        )
    if "schedule" in parsed:
        out += rules.check_schedule(parsed["schedule"], WEEKDAYS)
    if "offers" in parsed:
        out += rules.check_offers(parsed["offers"], parsed.get("source"))
    out += rules.check_datasets(parsed["datasets"])
    return out


def check_config(path: Path | str) -> list[tuple[str, str]]:
    """Every problem in the file at ``path`` (empty list: the file is usable). Never raises."""
    path = Path(path).absolute()
    parsed, problems = _parse(path)
    if parsed:
        problems += _semantic(parsed)
    return problems


def load_config(path: Path | str) -> AgentConfig:
    """The checked configuration; raises ConfigError listing every problem at once."""
    path = Path(path).absolute()
    parsed, problems = _parse(path)
    if parsed:
        problems += _semantic(parsed)
    if problems:
        raise ConfigError(
            problems, source=str(path), hint="fix these lines, then run `syncagent check`"
        )
    sections = {k: v for k, v in parsed.items() if k != "datasets"}
    return AgentConfig(**sections, datasets=[d for _, d in parsed["datasets"]], path=path)


def default_config_path() -> Path:
    """``$SYNCAGENT_CONFIG``, else ``./syncagent.toml``, else the system location."""
    env = os.environ.get("SYNCAGENT_CONFIG")
    if env:
        return Path(env)
    local = Path("syncagent.toml")
    if local.exists() or os.name == "nt":
        return local
    system = Path("/etc/syncagent/syncagent.toml")
    return system if system.exists() else local
