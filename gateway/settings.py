"""Gateway settings: where each service lives, the embedded issuer, limits and CORS."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from libs.common.auth import Issuer
from libs.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service: str = "gateway"
    upstream_urls: dict[str, str] = Field(
        default_factory=dict, description="Service name -> base URL (the composition root fills it from the registry).")
    scopes: dict[str, str] = Field(
        default_factory=dict, description="Every scope a client may hold -> what it allows (from the registry).")
    upstream_timeout_seconds: float = Field(default=30.0, description="Longest wait for an upstream's answer.")
    upstream_connect_timeout_seconds: float = 2.0
    upstream_max_connections: int = 200
    token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    rate_limit_per_second: float = Field(default=50.0, gt=0, description="Sustained requests per client.")
    rate_limit_burst: int = Field(default=100, ge=1, description="Requests a client may make at once.")
    max_body_bytes: int = Field(default=2 * 1024 * 1024, description="Larger request bodies get 413.")
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, description=(
        "The limit on paths under `upload_paths` (a district's OneRoster zip or Ed-Fi set); larger get 413."))
    upload_paths: list[str] = Field(default_factory=lambda: ["/api/v1/hr/imports/"], description=(
        "Path prefixes that take file sets, with `max_upload_bytes` instead of `max_body_bytes`."))
    cors_origins: list[str] = Field(default_factory=list, description="Browser origins allowed to call the API.")
    bootstrap_client_file: Path | None = Field(
        default=None, description="Where to write the first admin client's credentials (created once).")
    bootstrap_tenant: str = "demo"

    def body_limit(self, path: str) -> int:
        """The largest request body `path` accepts."""
        if any(path.startswith(prefix) for prefix in self.upload_paths):
            return max(self.max_upload_bytes, self.max_body_bytes)
        return self.max_body_bytes

    def upstreams(self) -> dict[str, str]:
        return {name: url.rstrip("/") for name, url in self.upstream_urls.items()}

    def gateway_issuers(self) -> list[Issuer]:
        """The embedded issuer (keys from the gateway's own database) and the trusted external ones."""
        embedded = Issuer(self.token_issuer, self.token_audience, None, tuple(self.public_key_pems()))
        return [embedded, *(Issuer(**i.model_dump()) for i in self.trusted_issuers)]



