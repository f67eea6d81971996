"""The DDL of change queries (libs/common/changes.py), for the services' alembic migrations.

One copy for every service rather than literal DDL in each migration: the functions and triggers must be
the same everywhere for the sequencer to number every service alike. A migration that ran keeps calling
these, so never change what they emit; add a new function for a new shape (and a migration that uses it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

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


def install(op: Any) -> None:
    """The sequence, the tombstone and horizon tables and the two trigger functions (once per database)."""
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


def track(op: Any, table: str, resource: str, school_column: str = "", external_ids: Sequence[str] = ()) -> None:
    """Give `table` a change_version (and its index), renumber it on update, leave a tombstone on delete.
    `school_column` names the column holding the row's school ("" for none): a school-limited token learns
    only of its schools' deletes. `external_ids` are copied into the tombstone (the ids a SIS knows)."""
    op.add_column(table, sa.Column("change_version", sa.BigInteger))
    op.create_index(f"ix_{table}__change_version", table, ["tenant_id", "change_version"])
    op.execute(f"CREATE TRIGGER {table}_change_renumber BEFORE UPDATE ON {table} FOR EACH ROW "
               "EXECUTE FUNCTION improvenet_change_renumber()")
    arguments = ", ".join(f"'{a}'" for a in (resource, school_column, *external_ids))
    op.execute(f"CREATE TRIGGER {table}_change_tombstone AFTER DELETE ON {table} FOR EACH ROW "
               f"EXECUTE FUNCTION improvenet_change_tombstone({arguments})")


def untrack(op: Any, table: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {table}_change_tombstone ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_change_renumber ON {table}")
    op.drop_index(f"ix_{table}__change_version", table)
    op.drop_column(table, "change_version")


def uninstall(op: Any) -> None:
    op.execute("DROP FUNCTION IF EXISTS improvenet_change_tombstone()")
    op.execute("DROP FUNCTION IF EXISTS improvenet_change_renumber()")
    op.drop_table("change_horizon")
    op.drop_table("change_tombstone")
    op.execute("DROP SEQUENCE IF EXISTS change_version_seq")
