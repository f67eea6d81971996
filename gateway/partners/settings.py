"""Partner delivery settings (environment variables prefixed `PARTNERS_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PartnerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNERS_", env_file=".env", extra="ignore")

    public_url: str | None = Field(
        default=None, description="The gateway's public base URL: delivered events' `dataschema` points there.")
    allow_insecure_urls: bool = Field(
        default=False, description="Accept http:// webhook URLs (development and tests only).")
    retry_base_seconds: float = Field(default=5.0, gt=0, description="First retry delay; doubles each attempt.")
    retry_max_seconds: float = Field(default=3600.0, gt=0, description="Longest delay between two attempts.")
    retry_window_seconds: float = Field(
        default=3 * 86400.0, gt=0,
        description="How long a delivery keeps failing before the subscription is disabled (>= 24 h in production).")
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    dispatch_interval_seconds: float = Field(default=0.02, gt=0, description="Pause between idle dispatch passes.")
    dispatch_batch_size: int = Field(default=500, ge=1)
    dispatch_concurrency: int = Field(default=64, ge=1, description="Receivers called at once.")
    feed_max_wait_seconds: float = Field(default=30.0, ge=0, description="Longest long-poll of the feed.")
    feed_poll_seconds: float = Field(default=0.1, gt=0)
    secret_overlap_seconds: float = Field(
        default=86400.0, ge=0, description="After a rotation the previous secret signs too, this long.")
    retention_days: float = Field(default=35.0, gt=0, description="How long delivered events stay replayable.")
