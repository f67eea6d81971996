"""The gateway's tables: OAuth2 clients, the embedded issuer's signing keys, the audit log and tenant exports."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from gateway.identity.tables import include_people_tables
from gateway.partners.models import include_partner_tables
from libs.directory import directory_tables

metadata = MetaData()

clients = Table(
    "clients", metadata,
    Column("client_id", Text, primary_key=True),
    Column("tenant_id", Text, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("schools", ARRAY(Text)),  # NULL: every school of the tenant
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("secret_rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

signing_keys = Table(
    "signing_keys", metadata,
    Column("kid", Text, primary_key=True),
    Column("private_pem", Text, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True)),  # no longer signs; published until its tokens expire
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("tenant_id", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("service", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("object_type", Text, nullable=False),
    Column("object_ids", ARRAY(Text), nullable=False),
    Column("fields", ARRAY(Text), nullable=False),
    Column("request_id", Text),
    Index("audit_by_tenant_time", "tenant_id", "at"),
)

# Full tenant exports (gateway/exports.py): the job, and its archive once written.
tenant_export = Table(
    "tenant_export", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("requested_by", Text, nullable=False),  # the client's id: the services' audit names it
    Column("personal_data", Boolean, nullable=False),
    Column("status", Text, nullable=False),  # queued | running | succeeded | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("lease_until", DateTime(timezone=True)),  # a running job whose lease ran out is taken again
    Column("manifest", JSONB),
    Column("error", Text),
    Column("archive", LargeBinary),
    Column("archive_bytes", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Index("tenant_export_by_tenant", "tenant_id", "created_at"),
    Index("tenant_export_waiting", "status", "created_at"),
)

# hr's directory, replicated: client school limits are checked against it.
DIRECTORY = directory_tables(metadata)

# Partner delivery's tables (gateway.partners), so the migration comparison sees them as the gateway's.
include_partner_tables(metadata)

# People signing in (gateway.identity.tables), likewise.
include_people_tables(metadata)
