"""Events published by the strategy service: ids, periods, rule names and verdicts, never personal data."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from libs.contracts.base import EventPayload, event

PLAN_TOPIC = "strategy.plan"
GOAL_TOPIC = "strategy.goal"
INITIATIVE_TOPIC = "strategy.initiative"
RECIPROCITY_TOPIC = "strategy.reciprocity"
TRAJECTORY_TOPIC = "strategy.trajectory"


@event("org.improvenet.strategy.plan.adopted", topic=PLAN_TOPIC, subject="plan_id")
class PlanAdopted(EventPayload):
    """A plan was adopted: its theory of action is now tested by the data."""

    plan_id: UUID
    school_id: UUID | None
    district_id: UUID | None


@event("org.improvenet.strategy.statement.verdict-changed", topic=PLAN_TOPIC, subject="plan_id")
class StatementVerdictChanged(EventPayload):
    """The computed verdict of a theory-of-action statement changed as data arrived."""

    plan_id: UUID
    statement_id: UUID
    verdict: Literal["untested", "supported", "contradicted"]
    previous: Literal["untested", "supported", "contradicted"]


@event("org.improvenet.strategy.goal.met", topic=GOAL_TOPIC, subject="goal_id")
class GoalMet(EventPayload):
    goal_id: UUID
    plan_id: UUID
    school_id: UUID
    period: str


@event("org.improvenet.strategy.goal.missed", topic=GOAL_TOPIC, subject="goal_id")
class GoalMissed(EventPayload):
    goal_id: UUID
    plan_id: UUID
    school_id: UUID
    period: str


@event("org.improvenet.strategy.initiative.went-stale", topic=INITIATIVE_TOPIC, subject="initiative_id")
class InitiativeStale(EventPayload):
    """An initiative (or one of its milestones, `milestone_id`) is past its update due date plus grace."""

    initiative_id: UUID
    plan_id: UUID
    milestone_id: UUID | None


@event("org.improvenet.strategy.reciprocity-flag.raised", topic=RECIPROCITY_TOPIC, subject="school_id")
class ReciprocityFlagRaised(EventPayload):
    """A school's demanded gains grew while the capacity invested in it did not."""

    school_id: UUID
    period: str


@event("org.improvenet.strategy.reciprocity-flag.cleared", topic=RECIPROCITY_TOPIC, subject="school_id")
class ReciprocityFlagCleared(EventPayload):
    school_id: UUID
    period: str


@event("org.improvenet.strategy.trajectory.signal-detected", topic=TRAJECTORY_TOPIC, subject="school_id")
class TrajectorySignalDetected(EventPayload):
    """A run-chart rule fired on a school's series (rule, direction, the period where it began)."""

    school_id: UUID
    measure: str
    rule: str
    direction: str
    onset_period: str
