"""statements: the direction of the "if" measure (if_direction), up for every statement made before it

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("statements", sa.Column("if_direction", sa.Text, nullable=False, server_default="up"))


def downgrade() -> None:
    op.drop_column("statements", "if_direction")
