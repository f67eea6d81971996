"""cycles: the act step's date and notes (acted_on, act_notes), next to its decision

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cycles", sa.Column("acted_on", sa.Date))
    op.add_column("cycles", sa.Column("act_notes", sa.Text))


def downgrade() -> None:
    op.drop_column("cycles", "act_notes")
    op.drop_column("cycles", "acted_on")
