"""Settings shared by every process, read from the environment (and `.env`) with pydantic-settings.

One `DATABASE_URL` names a PostgreSQL *server*; each service gets its own database on it
(`improvenet_<service>`) unless `<SERVICE>_DATABASE_URL` names one explicitly.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from libs.common.auth import Issuer


class MissingSetting(RuntimeError):
    """A required setting is absent: the message says which variable to set."""


def database_url_for(server_url: str, database: str) -> str:
    """The URL of `database` on the server named by `server_url` (any database on it)."""
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    """A plain `postgresql://` DSN for asyncpg, whatever driver suffix the URL carries."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class IssuerSettings(BaseModel):
    """An external OpenID Connect issuer a district uses, and the claims that carry tenancy."""

    issuer: str
    audience: str
    jwks_url: str
    tenant_claim: str = "tenant"
    scope_claim: str = "scope"
    schools_claim: str = "schools"


class PlatformSettings(BaseSettings):
    """What every process of the platform reads."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, description="PostgreSQL server URL; each service uses its own database on it."
    )
    bus: Literal["postgres", "kafka"] = "postgres"
    bus_database_url: str | None = None
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = 3
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How clients talk to the brokers (Strimzi's SCRAM listener: SASL_PLAINTEXT).")
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = Field(default=None, description="CA bundle for SSL / SASL_SSL listeners.")
    token_issuer: str = "improvenet"
    token_audience: str = "improvenet"
    jwt_public_key_file: Path | None = Field(
        default=None, description="PEM public key(s) that sign access tokens (the embedded issuer's)."
    )
    jwks_url: str | None = Field(default=None, description="The embedded issuer's JWKS (the gateway's).")
    trusted_issuers: list[IssuerSettings] = Field(
        default_factory=list, description="External OpenID Connect issuers, as JSON.")
    state_dir: Path = Path(".improvenet")
    otel_exporter_otlp_endpoint: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
    db_pool_size: int = 5
    db_max_overflow: int = 5

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _kafka_credentials(self) -> PlatformSettings:
        if self.kafka_security_protocol.startswith("SASL_"):
            missing = [name for name, value in (("KAFKA_SASL_MECHANISM", self.kafka_sasl_mechanism),
                                                ("KAFKA_SASL_USERNAME", self.kafka_sasl_username),
                                                ("KAFKA_SASL_PASSWORD", self.kafka_sasl_password)) if not value]
            if missing:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                                 f"{', '.join(missing)}")
        return self

    def kafka_client_options(self) -> dict[str, object]:
        """The connection options every Kafka client of a process takes (producer, consumers, admin)."""
        options: dict[str, object] = {"security_protocol": self.kafka_security_protocol}
        if self.kafka_security_protocol.startswith("SASL_"):
            assert self.kafka_sasl_password is not None  # checked by _kafka_credentials
            options |= {"sasl_mechanism": self.kafka_sasl_mechanism,
                        "sasl_plain_username": self.kafka_sasl_username,
                        "sasl_plain_password": self.kafka_sasl_password.get_secret_value()}
        if self.kafka_ssl_cafile is not None:
            options["ssl_cafile"] = str(self.kafka_ssl_cafile)
        return options

    def server_url(self) -> str:
        if not self.database_url:
            raise MissingSetting(
                "DATABASE_URL is not set: point it at a PostgreSQL server "
                "(`make up` starts an embedded one and sets it for you)."
            )
        return self.database_url

    def resolved_bus_database_url(self) -> str:
        return self.bus_database_url or database_url_for(self.server_url(), "improvenet_bus")

    def public_key_pems(self) -> list[bytes]:
        path = self.jwt_public_key_file or self.state_dir / "keys" / "public.pem"
        return split_pems(path.read_bytes()) if path.exists() else []

    def issuers(self) -> list[Issuer]:
        """Every issuer whose tokens are accepted: the embedded one first, then external ones."""
        static = tuple(self.public_key_pems())
        if not static and not self.jwks_url:
            raise MissingSetting(
                "no way to verify tokens: set JWKS_URL (the gateway's /.well-known/jwks.json) "
                "or JWT_PUBLIC_KEY_FILE, or run `improvenet-admin keys`."
            )
        embedded = Issuer(self.token_issuer, self.token_audience, self.jwks_url, static)
        return [embedded, *(Issuer(**i.model_dump()) for i in self.trusted_issuers)]


def split_pems(blob: bytes) -> list[bytes]:
    """Several PEM keys may share one file (key rotation keeps old keys valid)."""
    marker = b"-----END PUBLIC KEY-----"
    return [part.strip() + b"\n" + marker + b"\n" for part in blob.split(marker) if part.strip()]


class ServiceSettings(PlatformSettings):
    """Settings of one service; `service` picks its database."""

    service: str = "hr"
    own_database_url: str | None = Field(
        default=None, description="This component's database (default: <SERVICE>_DATABASE_URL, or "
        "improvenet_<service> on DATABASE_URL's server).")
    relay_batch_size: int = 500
    consumer_max_attempts: int = 5
    change_retention_days: float = Field(default=30, gt=0, description="How long deletes stay in the change "
                                         "queries' tombstones (CHANGE_RETENTION_DAYS); a sync from before is 410.")

    @cached_property
    def service_database_url(self) -> str:
        explicit = self.own_database_url or os.environ.get(f"{self.service.upper()}_DATABASE_URL")
        return explicit or database_url_for(self.server_url(), f"improvenet_{self.service}")


def service_settings(service: str) -> ServiceSettings:
    return ServiceSettings(service=service)
