"""Gateway settings: where each service lives, the embedded issuer, limits and CORS."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

from libs.common.auth import Issuer
from libs.common.settings import ServiceSettings


class SignInProvider(BaseModel):
    """A district's OpenID Connect provider its people sign in with (the gateway is its relying party)."""

    tenant: str = Field(description="The tenant whose people this provider signs in.")
    name: str = Field(description="Shown on the sign-in page, e.g. \"Riverside Unified\".")
    issuer: str = Field(description="Discovery is at <issuer>/.well-known/openid-configuration.")
    client_id: str
    client_secret: SecretStr
    email_domains: list[str] = Field(min_length=1, description="E-mail domains that sign in here.")
    default_role: str = Field(default="observer", description="The role of a person this provider creates.")
    create_people: bool = Field(default=False, description=(
        "Whether an e-mail with no invitation becomes a person with `default_role` (else: ask for an invitation)."))

    @property
    def key(self) -> str:
        """Which provider a sign-in started with (several may share an issuer: one per tenant or domain)."""
        return f"{self.tenant}/{self.name}"


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
    # People signing in (gateway/identity: sign-in pages, sessions, the device flow, SSO)
    console_redirect_uris: list[str] = Field(default_factory=list, description=(
        "Redirect URIs the console may use besides <the gateway's origin>/app/callback."))
    person_token_ttl_seconds: int = Field(default=900, ge=60, le=3600, description="A person's access token.")
    refresh_token_ttl_seconds: int = Field(default=14 * 86400, ge=300, description=(
        "A session unused this long ends; each refresh starts the count again."))
    authorization_code_ttl_seconds: int = Field(default=60, ge=5, le=600)
    invitation_ttl_seconds: int = Field(default=7 * 86400, ge=3600)
    device_code_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    device_poll_interval_seconds: int = Field(default=5, ge=1, le=60)
    sign_in_max_failures: int = Field(default=5, ge=1, description="Consecutive failures that lock an e-mail.")
    sign_in_lockout_seconds: int = Field(default=900, ge=1, description="How long a locked e-mail stays locked.")
    password_time_cost: int = Field(default=3, ge=1, description="argon2id iterations (a change rehashes on sign-in).")
    password_memory_kib: int = Field(default=65536, ge=1024, description="argon2id memory in KiB.")
    password_parallelism: int = Field(default=4, ge=1)
    sign_in_providers: list[SignInProvider] = Field(default_factory=list, description=(
        "Districts' OpenID Connect providers for single sign-on, as JSON."))

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



