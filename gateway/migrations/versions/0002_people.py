"""people signing in: people, invitations, sign-in failures, sessions, refresh tokens, authorization
codes, device authorizations and SSO logins

Revision ID: 0002
Revises: 0101
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
# 0002 is the identity series' next number; it chains after the newest revision so history stays linear
down_revision = "0101"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("display_name", sa.Text),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("schools", sa.ARRAY(sa.Text)),
        sa.Column("educator_id", sa.Uuid),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text),
        _created(),
        _at("activated_at"),
        _at("revoked_at"),
    )
    op.create_index("people_by_tenant", "people", ["tenant_id", "created_at"])
    op.create_table(
        "person_invitations",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Uuid, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        _created(),
        _at("expires_at", nullable=False),
        _at("used_at"),
    )
    op.create_index("ix_person_invitations_person_id", "person_invitations", ["person_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        _at("locked_until"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "person_sessions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("person_id", sa.Uuid, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("scope", sa.Text),
        _created(),
        _at("expires_at", nullable=False),
        _at("ended_at"),
        sa.Column("ended_reason", sa.Text),
    )
    op.create_index("ix_person_sessions_person_id", "person_sessions", ["person_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey("person_sessions.id", ondelete="CASCADE"), nullable=False),
        _created(),
        _at("used_at"),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("redirect_uri", sa.Text, nullable=False),
        sa.Column("code_challenge", sa.Text, nullable=False),
        sa.Column("person_id", sa.Uuid, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scope", sa.Text),
        _created(),
        _at("expires_at", nullable=False),
        _at("used_at"),
        sa.Column("session_id", sa.Uuid),
    )
    op.create_table(
        "device_authorizations",
        sa.Column("device_code_hash", sa.Text, primary_key=True),
        sa.Column("user_code", sa.Text, nullable=False, unique=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("scope", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("person_id", sa.Uuid, sa.ForeignKey("people.id", ondelete="CASCADE")),
        sa.Column("ticket_hash", sa.Text),
        sa.Column("interval", sa.Integer, nullable=False),
        _at("last_polled_at"),
        sa.Column("session_id", sa.Uuid),
        _created(),
        _at("expires_at", nullable=False),
    )
    op.create_table(
        "sso_logins",
        sa.Column("state_hash", sa.Text, primary_key=True),
        sa.Column("binding_hash", sa.Text, nullable=False),
        sa.Column("provider", sa.Text, nullable=False),
        sa.Column("nonce", sa.Text, nullable=False),
        sa.Column("code_verifier", sa.Text, nullable=False),
        sa.Column("pending", JSONB, nullable=False),
        _created(),
        _at("expires_at", nullable=False),
        _at("used_at"),
    )


def downgrade() -> None:
    for table in ("sso_logins", "device_authorizations", "authorization_codes", "refresh_tokens",
                  "person_sessions", "sign_in_failures", "person_invitations", "people"):
        op.drop_table(table)
