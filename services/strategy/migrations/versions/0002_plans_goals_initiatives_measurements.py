"""plans, theory of action, goals, initiatives, measurements, capacity and the reciprocity ledger

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    'status_updates',
    'statements',
    'signals_seen',
    'plans',
    'milestones',
    'measurements',
    'ledger_weights',
    'ledger_flags',
    'learning_hours',
    'initiatives',
    'goals',
    'cycle_marks',
    'allocations',
)


def upgrade() -> None:
    # Literal DDL, as the models stood when this revision was written (a migration never imports them).
    op.execute("""CREATE TABLE allocations (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	initiative_id UUID NOT NULL,
	school_id UUID NOT NULL,
	period VARCHAR NOT NULL,
	money FLOAT NOT NULL,
	hours FLOAT NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_allocations_initiative_id ON allocations (initiative_id)""")
    op.execute("""CREATE INDEX ix_allocations_school_id ON allocations (school_id)""")
    op.execute("""CREATE INDEX ix_allocations_tenant_id ON allocations (tenant_id)""")
    op.execute("""CREATE TABLE cycle_marks (
	tenant_id VARCHAR NOT NULL,
	cycle_id UUID NOT NULL,
	school_id UUID NOT NULL,
	studied_on DATE NOT NULL,
	decision VARCHAR,
	PRIMARY KEY (tenant_id, cycle_id)
)""")
    op.execute("""CREATE INDEX ix_cycle_marks_school_id ON cycle_marks (school_id)""")
    op.execute("""CREATE TABLE goals (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	plan_id UUID NOT NULL,
	school_id UUID NOT NULL,
	owner_id UUID NOT NULL,
	measure VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	polarity VARCHAR NOT NULL,
	baseline FLOAT NOT NULL,
	baseline_period VARCHAR NOT NULL,
	target FLOAT NOT NULL,
	due_period VARCHAR NOT NULL,
	due_on DATE NOT NULL,
	status VARCHAR NOT NULL,
	version INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_goals_plan_id ON goals (plan_id)""")
    op.execute("""CREATE INDEX ix_goals_tenant_id ON goals (tenant_id)""")
    op.execute("""CREATE TABLE initiatives (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	plan_id UUID NOT NULL,
	goal_id UUID,
	statement_id UUID,
	owner_id UUID NOT NULL,
	title VARCHAR NOT NULL,
	start_period VARCHAR NOT NULL,
	starts_on DATE NOT NULL,
	cadence_days INTEGER NOT NULL,
	grace_days INTEGER NOT NULL,
	status VARCHAR NOT NULL,
	progress FLOAT NOT NULL,
	last_update_on DATE,
	stale BOOLEAN NOT NULL,
	version INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_initiatives_plan_id ON initiatives (plan_id)""")
    op.execute("""CREATE INDEX ix_initiatives_tenant_id ON initiatives (tenant_id)""")
    op.execute("""CREATE TABLE learning_hours (
	tenant_id VARCHAR NOT NULL,
	learning_id UUID NOT NULL,
	school_id UUID,
	hours FLOAT NOT NULL,
	topic_code VARCHAR,
	completed_on DATE NOT NULL,
	initiative_id UUID,
	PRIMARY KEY (tenant_id, learning_id)
)""")
    op.execute("""CREATE INDEX ix_learning_hours_school_id ON learning_hours (school_id)""")
    op.execute("""CREATE TABLE ledger_flags (
	tenant_id VARCHAR NOT NULL,
	school_id UUID NOT NULL,
	period VARCHAR NOT NULL,
	raised BOOLEAN NOT NULL,
	PRIMARY KEY (tenant_id, school_id, period)
)""")
    op.execute("""CREATE TABLE ledger_weights (
	tenant_id VARCHAR NOT NULL,
	learning FLOAT NOT NULL,
	coaching FLOAT NOT NULL,
	money_per_1000 FLOAT NOT NULL,
	people_time FLOAT NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (tenant_id)
)""")
    op.execute("""CREATE TABLE measurements (
	tenant_id VARCHAR NOT NULL,
	school_id UUID NOT NULL,
	measure VARCHAR NOT NULL,
	period VARCHAR NOT NULL,
	value FLOAT NOT NULL,
	source VARCHAR NOT NULL,
	external_id TEXT,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (tenant_id, school_id, measure, period)
)""")
    op.execute("""CREATE INDEX ix_measurements_series ON measurements (tenant_id, measure, period)""")
    op.execute("""CREATE TABLE milestones (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	initiative_id UUID NOT NULL,
	owner_id UUID NOT NULL,
	title VARCHAR NOT NULL,
	due_period VARCHAR NOT NULL,
	due_on DATE NOT NULL,
	status VARCHAR NOT NULL,
	progress FLOAT NOT NULL,
	last_update_on DATE,
	stale BOOLEAN NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_milestones_initiative_id ON milestones (initiative_id)""")
    op.execute("""CREATE INDEX ix_milestones_tenant_id ON milestones (tenant_id)""")
    op.execute("""CREATE TABLE plans (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	level VARCHAR NOT NULL,
	district_id UUID,
	school_id UUID,
	title VARCHAR NOT NULL,
	vision VARCHAR NOT NULL,
	owner_id UUID NOT NULL,
	period_start VARCHAR NOT NULL,
	period_end VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	adopted_at TIMESTAMP WITH TIME ZONE,
	version INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_plans_tenant_id ON plans (tenant_id)""")
    op.execute("""CREATE TABLE signals_seen (
	tenant_id VARCHAR NOT NULL,
	school_id UUID NOT NULL,
	measure VARCHAR NOT NULL,
	rule VARCHAR NOT NULL,
	direction VARCHAR NOT NULL,
	onset_period VARCHAR NOT NULL,
	PRIMARY KEY (tenant_id, school_id, measure, rule, direction, onset_period)
)""")
    op.execute("""CREATE TABLE statements (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	plan_id UUID NOT NULL,
	position INTEGER NOT NULL,
	text VARCHAR NOT NULL,
	if_kind VARCHAR NOT NULL,
	if_measure VARCHAR,
	then_measure VARCHAR NOT NULL,
	direction VARCHAR NOT NULL,
	lag INTEGER NOT NULL,
	verdict VARCHAR NOT NULL,
	evidence JSONB DEFAULT '{}' NOT NULL,
	version INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_statements_plan_id ON statements (plan_id)""")
    op.execute("""CREATE INDEX ix_statements_tenant_id ON statements (tenant_id)""")
    op.execute("""CREATE TABLE status_updates (
	id UUID NOT NULL,
	tenant_id VARCHAR NOT NULL,
	initiative_id UUID NOT NULL,
	milestone_id UUID,
	status VARCHAR NOT NULL,
	progress FLOAT NOT NULL,
	as_of DATE NOT NULL,
	note VARCHAR,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_status_updates_initiative_id ON status_updates (initiative_id)""")
    op.execute("""CREATE INDEX ix_status_updates_tenant_id ON status_updates (tenant_id)""")


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
