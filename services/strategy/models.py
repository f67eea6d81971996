"""strategy's tables: plans and their theory of action, goals, initiatives with dated updates,
measurements per school, what other services told it (professional learning, improvement cycles),
the reciprocity ledger's weights and flags, and the replica of hr's directory."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from libs.common.changes import change_tables
from libs.directory import directory_tables


def utcnow() -> datetime:
    return datetime.now(UTC)


class StrategyTable(SQLModel, registry=registry()):
    """Base of strategy's tables: a metadata of its own, apart from the other services'."""


metadata = StrategyTable.metadata
CHANGES = change_tables(metadata)  # the change queries' tombstones and horizon


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, default=utcnow))


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}"))


def _change_version() -> Any:
    """Numbered by the worker's sequencer once the change is committed (libs/common/changes.py)."""
    return Field(default=None, sa_type=BigInteger, nullable=True)  # type: ignore[call-overload]


class Plan(StrategyTable, table=True):
    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans__change_version", "tenant_id", "change_version"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    level: str  # district or school
    district_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    title: str
    vision: str
    owner_id: uuid.UUID
    period_start: str
    period_end: str
    status: str = "draft"  # draft, adopted
    adopted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    change_version: int | None = _change_version()


class Statement(StrategyTable, table=True):
    """One if/then statement of a plan's theory of action; its verdict is computed, never typed."""

    __tablename__ = "statements"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    plan_id: uuid.UUID = Field(index=True)
    position: int
    text: str
    if_kind: str  # milestones (of the initiatives serving it) or measure
    if_measure: str | None = None
    if_direction: str = "up"  # up or down: how the "if" measure moves when the action takes hold
    then_measure: str
    direction: str  # up or down: the expected movement of the "then"
    lag: int  # periods within which the "then" should signal after the "if" moved
    verdict: str = "untested"
    evidence: dict[str, Any] = _json()
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Goal(StrategyTable, table=True):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals__change_version", "tenant_id", "change_version"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    plan_id: uuid.UUID = Field(index=True)
    school_id: uuid.UUID
    owner_id: uuid.UUID
    measure: str
    kind: str  # performance or practice_quality
    polarity: str  # higher or lower is better
    baseline: float
    baseline_period: str
    target: float
    due_period: str
    due_on: date
    status: str = "open"  # open, met, missed
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    change_version: int | None = _change_version()


class Initiative(StrategyTable, table=True):
    __tablename__ = "initiatives"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    plan_id: uuid.UUID = Field(index=True)
    goal_id: uuid.UUID | None = None
    statement_id: uuid.UUID | None = None  # None: serves no statement (incoherent)
    owner_id: uuid.UUID
    title: str
    start_period: str
    starts_on: date
    cadence_days: int
    grace_days: int
    status: str = "not_started"
    progress: float = 0.0
    last_update_on: date | None = None
    stale: bool = False
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Allocation(StrategyTable, table=True):
    """Money and people-time an initiative allocates to a school for a ledger period."""

    __tablename__ = "allocations"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    initiative_id: uuid.UUID = Field(index=True)
    school_id: uuid.UUID = Field(index=True)
    period: str
    money: float
    hours: float


class Milestone(StrategyTable, table=True):
    __tablename__ = "milestones"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    initiative_id: uuid.UUID = Field(index=True)
    owner_id: uuid.UUID
    title: str
    due_period: str
    due_on: date
    status: str = "not_started"
    progress: float = 0.0
    last_update_on: date | None = None
    stale: bool = False


class StatusUpdate(StrategyTable, table=True):
    """A dated update: the only way an initiative's or a milestone's status changes."""

    __tablename__ = "status_updates"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    initiative_id: uuid.UUID = Field(index=True)
    milestone_id: uuid.UUID | None = None
    status: str
    progress: float
    as_of: date
    note: str | None = None
    created_at: datetime = _timestamp()


class Measurement(StrategyTable, table=True):
    """A school's value of a measure for a period: loaded in bulk, or from observations' events.

    Keyed by school, measure and period; `id` names the row to change queries (the sequencer's order, a
    tombstone's id), given by the database so every writer's upsert gets one."""

    __tablename__ = "measurements"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "school_id", "measure", "period"),
                      UniqueConstraint("id", name="uq_measurements__id"),
                      Index("ix_measurements__change_version", "tenant_id", "change_version"))
    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=Column(
        Uuid, nullable=False, server_default=text("gen_random_uuid()")))
    tenant_id: str
    school_id: uuid.UUID
    measure: str
    period: str
    value: float = Field(sa_column=Column(Float, nullable=False))
    source: str  # bulk or observations
    external_id: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = _timestamp()
    change_version: int | None = _change_version()


class LearningHours(StrategyTable, table=True):
    """hr's professional-learning records: capacity invested (coaching when its topic says so)."""

    __tablename__ = "learning_hours"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "learning_id"),)
    tenant_id: str
    learning_id: uuid.UUID
    school_id: uuid.UUID | None = Field(default=None, index=True)
    hours: float
    topic_code: str | None = None
    completed_on: date
    initiative_id: uuid.UUID | None = None


class CycleMark(StrategyTable, table=True):
    """networks' improvement cycles, marked on a school's run charts."""

    __tablename__ = "cycle_marks"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "cycle_id"),)
    tenant_id: str
    cycle_id: uuid.UUID
    school_id: uuid.UUID = Field(index=True)
    studied_on: date
    decision: str | None = None


class LedgerWeights(StrategyTable, table=True):
    __tablename__ = "ledger_weights"
    tenant_id: str = Field(primary_key=True)
    learning: float = 1.0
    coaching: float = 1.0
    money_per_1000: float = 1.0
    people_time: float = 1.0
    version: int = 1


class LedgerFlag(StrategyTable, table=True):
    """The reciprocity flag last raised for a school and period (so raised/cleared are told once)."""

    __tablename__ = "ledger_flags"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "school_id", "period"),)
    tenant_id: str
    school_id: uuid.UUID
    period: str
    raised: bool


class SignalSeen(StrategyTable, table=True):
    """A trajectory signal already announced (rule, direction and onset), so it is told once."""

    __tablename__ = "signals_seen"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "school_id", "measure", "rule", "direction", "onset_period"),)
    tenant_id: str
    school_id: uuid.UUID
    measure: str
    rule: str
    direction: str
    onset_period: str


Index("ix_measurements_series", Measurement.__table__.c.tenant_id,  # type: ignore[attr-defined]
      Measurement.__table__.c.measure, Measurement.__table__.c.period)  # type: ignore[attr-defined]

DIRECTORY = directory_tables(StrategyTable.metadata)
