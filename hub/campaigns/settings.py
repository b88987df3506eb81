"""Campaign settings (``SYNCHUB_CAMPAIGN_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CampaignSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SYNCHUB_CAMPAIGN_", extra="ignore")

    # Messages queued per channel per minute, across all campaigns: providers throttle or
    # block bulk senders (WhatsApp Business numbers start at a low tier), and a reseller's
    # phone should not buzz fifty times at once.
    per_minute: int = Field(default=30, ge=1, le=10_000)
    # The address resellers open the opt-out link at (https://hub.example.co.id); empty:
    # http://SYNCHUB_HTTP_HOST:SYNCHUB_HTTP_PORT, which the campaign page warns about.
    public_url: str = ""


def base_url(cfg: CampaignSettings, http_host: str, http_port: int) -> str:
    """Where the opt-out links point: the configured public address, else the hub's own."""
    return cfg.public_url.rstrip("/") or f"http://{http_host}:{http_port}"
