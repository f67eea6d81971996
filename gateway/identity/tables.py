"""The tables of people signing in, in the gateway's database.

Every secret handed to a browser or a device (authorization codes, refresh tokens, invitation links,
device codes, device approval tickets, SSO states) is stored as its SHA-256 only: they are random and
long, so a hash without salt is enough, and a copy of the database hands out nothing that works.
Passwords are argon2id hashes (gateway.identity.passwords). E-mails are kept lower-cased, so unique
means unique whatever the case.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, Column, DateTime, ForeignKey, Index, Integer, MetaData, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB

# The tables live in this package's own metadata; the gateway's models copy them into theirs
people_metadata = MetaData()

people = Table(
    "people", people_metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("email", Text, nullable=False, unique=True),  # lower-cased: unique platform-wide, any case
    Column("display_name", Text),
    Column("role", Text, nullable=False),
    Column("schools", ARRAY(Text)),  # NULL: every school of the tenant
    Column("educator_id", Uuid),
    Column("status", Text, nullable=False),  # invited | active | revoked
    Column("password_hash", Text),  # NULL until an invitation is accepted (or for SSO-only people)
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("activated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index("people_by_tenant", "tenant_id", "created_at"),
)

person_invitations = Table(
    "person_invitations", people_metadata,
    Column("token_hash", Text, primary_key=True),
    Column("person_id", Uuid, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# Keyed by the e-mail typed, known or not: the lockout must not tell which e-mails have an account.
sign_in_failures = Table(
    "sign_in_failures", people_metadata,
    Column("email", Text, primary_key=True),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

person_sessions = Table(
    "person_sessions", people_metadata,
    Column("id", Uuid, primary_key=True),  # the `sid` claim of its access tokens
    Column("person_id", Uuid, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("tenant_id", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("scope", Text),  # what was asked for (NULL: everything the role gives)
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # moved on by each refresh
    Column("ended_at", DateTime(timezone=True)),
    Column("ended_reason", Text),  # signed-out | revoked | refresh-token-reused | code-replayed | person-revoked
)

refresh_tokens = Table(
    "refresh_tokens", people_metadata,
    Column("token_hash", Text, primary_key=True),
    Column("session_id", Uuid, ForeignKey("person_sessions.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("used_at", DateTime(timezone=True)),  # rotated: presenting it again ends the session
)

authorization_codes = Table(
    "authorization_codes", people_metadata,
    Column("code_hash", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("code_challenge", Text, nullable=False),  # S256
    Column("person_id", Uuid, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("scope", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("session_id", Uuid),  # the session its tokens belong to: a replay ends it
)

device_authorizations = Table(
    "device_authorizations", people_metadata,
    Column("device_code_hash", Text, primary_key=True),
    Column("user_code", Text, nullable=False, unique=True),  # 8 letters; short-lived, typed by a person
    Column("client_id", Text, nullable=False),
    Column("scope", Text),
    Column("status", Text, nullable=False),  # pending | approved | denied | issued
    Column("person_id", Uuid, ForeignKey("people.id", ondelete="CASCADE")),
    Column("ticket_hash", Text),  # the confirm page's one-time ticket, after the person signed in
    Column("interval", Integer, nullable=False),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("session_id", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

sso_logins = Table(
    "sso_logins", people_metadata,
    Column("state_hash", Text, primary_key=True),
    Column("binding_hash", Text, nullable=False),  # the browser's cookie: a state works in that browser only
    Column("provider", Text, nullable=False),  # SignInProvider.key: tenant/name (issuers may be shared)
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("pending", JSONB, nullable=False),  # the authorization request (or device code) to continue
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)


def include_people_tables(target: MetaData) -> None:
    """Copy the people tables into the gateway's metadata (for its migration comparison)."""
    for table in people_metadata.sorted_tables:
        if table.name not in target.tables:
            table.to_metadata(target)
