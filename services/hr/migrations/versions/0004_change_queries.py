"""change queries: change_version on districts, schools and educators, their sequencer's sequence and the
trigger that clears it on update, tombstones of deletes and each tenant's horizon

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, the column naming its school, its external ids)
TRACKED = [("district", "", ("ed_fi_id", "sourced_id")),
           ("school", "id", ("ed_fi_id", "sourced_id")),
           ("educator", "school_id", ("staff_unique_id", "sourced_id"))]

RENUMBER = """
CREATE OR REPLACE FUNCTION improvenet_change_renumber() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A change by anyone but the sequencer (which only sets change_version) is numbered again, after it
    -- commits: a version taken inside a transaction could fall below one a client has already passed.
    IF NEW.change_version IS NOT DISTINCT FROM OLD.change_version THEN
        NEW.change_version := NULL;
    END IF;
    RETURN NEW;
END $$
"""
TOMBSTONE = """
CREATE OR REPLACE FUNCTION improvenet_change_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    ids jsonb := '{}';
    k text;
BEGIN
    -- arguments: the resource, the column naming its school ('' for none), then its external id columns
    FOREACH k IN ARRAY TG_ARGV[2:TG_NARGS - 1] LOOP
        IF old_row ->> k IS NOT NULL THEN
            ids := ids || jsonb_build_object(k, old_row ->> k);
        END IF;
    END LOOP;
    INSERT INTO change_tombstone (tenant_id, resource, id, school_id, external_ids)
    VALUES (OLD.tenant_id, TG_ARGV[0], OLD.id, (NULLIF(old_row ->> TG_ARGV[1], ''))::uuid, ids);
    RETURN OLD;
END $$
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE IF NOT EXISTS change_version_seq")
    op.create_table(
        "change_tombstone",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid),
        sa.Column("external_ids", JSONB, nullable=False),
        sa.Column("change_version", sa.BigInteger),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_change_tombstone__window", "change_tombstone", ["tenant_id", "resource", "change_version"])
    op.create_table(
        "change_horizon",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("oldest_change_version", sa.BigInteger, nullable=False),
    )
    op.execute(RENUMBER)
    op.execute(TOMBSTONE)
    for table, school, external in TRACKED:
        op.add_column(table, sa.Column("change_version", sa.BigInteger))
        op.create_index(f"ix_{table}__change_version", table, ["tenant_id", "change_version"])
        op.execute(f"CREATE TRIGGER {table}_change_renumber BEFORE UPDATE ON {table} FOR EACH ROW "
                   "EXECUTE FUNCTION improvenet_change_renumber()")
        arguments = ", ".join(f"'{a}'" for a in (table, school, *external))
        op.execute(f"CREATE TRIGGER {table}_change_tombstone AFTER DELETE ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION improvenet_change_tombstone({arguments})")


def downgrade() -> None:
    for table, _school, _external in TRACKED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_change_tombstone ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_change_renumber ON {table}")
        op.drop_index(f"ix_{table}__change_version", table)
        op.drop_column(table, "change_version")
    op.execute("DROP FUNCTION IF EXISTS improvenet_change_tombstone()")
    op.execute("DROP FUNCTION IF EXISTS improvenet_change_renumber()")
    op.drop_table("change_horizon")
    op.drop_table("change_tombstone")
    op.execute("DROP SEQUENCE IF EXISTS change_version_seq")
