"""districts, schools, educators, and the mechanism tables

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from libs.common.tables import create_mechanism_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _common() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False, index=True),
    ]


def _tail() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    create_mechanism_tables(op.get_bind())
    op.create_table(
        "district", *_common(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ed_fi_id", sa.Text), sa.Column("sourced_id", sa.Text), *_tail(),
        sa.UniqueConstraint("tenant_id", "ed_fi_id", name="uq_district__ed_fi_id"),
        sa.UniqueConstraint("tenant_id", "sourced_id", name="uq_district__sourced_id"),
    )
    op.create_table(
        "school", *_common(),
        sa.Column("district_id", sa.Uuid, sa.ForeignKey("district.id", name="fk_school__district_id"), index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ed_fi_id", sa.Text), sa.Column("sourced_id", sa.Text), *_tail(),
        sa.UniqueConstraint("tenant_id", "ed_fi_id", name="uq_school__ed_fi_id"),
        sa.UniqueConstraint("tenant_id", "sourced_id", name="uq_school__sourced_id"),
    )
    op.create_table(
        "educator", *_common(),
        sa.Column("school_id", sa.Uuid, sa.ForeignKey("school.id", name="fk_educator__school_id"), index=True),
        sa.Column("given_name", sa.Text, nullable=False),
        sa.Column("family_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("position", sa.Text),
        sa.Column("career_stage", sa.Text, nullable=False),
        sa.Column("staff_unique_id", sa.Text), sa.Column("sourced_id", sa.Text), *_tail(),
        sa.UniqueConstraint("tenant_id", "staff_unique_id", name="uq_educator__staff_unique_id"),
        sa.UniqueConstraint("tenant_id", "sourced_id", name="uq_educator__sourced_id"),
    )


def downgrade() -> None:
    for table in ("educator", "school", "district", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
