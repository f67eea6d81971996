"""Debriefs' API models: analyze (pattern statements), predict, and the next level of work."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.common.fields import Strict, Text
from services.observations.debriefs.patterns import About, Quantifier
from services.observations.visits.lifecycle import VisitStatus

Horizon = Literal["next_week", "next_month", "end_of_year"]
Level = Literal["teacher", "school", "system"]


class Recommendation(Strict):
    """An item of the next level of work: about practice, never a person."""

    recommendation: Text
    owner_id: uuid.UUID
    due_date: date | None = None
    horizon: Horizon = "next_month"
    level: Level = "school"
    follow_up: Text | None = Field(None, description="How and when the team will look again.")
    item_id: uuid.UUID | None = Field(None, description="Assigned by the service; networks' commitments keep it.")


class DebriefIn(Strict):
    prediction: Text = Field(description='"If you were a student here and did everything you were asked, what '
                                         'would you know and be able to do?"')
    prediction_pattern_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50,
                                                    description="The pattern statements the prediction rests on.")
    next_level_of_work: list[Recommendation] = Field(default_factory=list, max_length=50)


class PatternIn(Strict):
    statement: Text
    about: About
    quantifier: Quantifier
    note_ids: list[uuid.UUID] = Field(min_length=1, max_length=200,
                                      description="The accepted notes of this visit the statement rests on.")
    look_for_codes: list[str] = Field(default_factory=list, max_length=20)


class PatternStatementPublic(BaseModel):
    id: uuid.UUID
    visit_id: uuid.UUID
    statement: str
    about: About
    quantifier: Quantifier
    note_ids: list[uuid.UUID]
    look_for_codes: list[str]
    problem_of_practice_id: uuid.UUID | None
    created_at: datetime


class PatternPublic(BaseModel):
    """A machine count: a hint for the team, never a pattern statement."""

    code: str
    description: str
    classrooms: int
    notes: int


class DebriefPublic(BaseModel):
    visit_id: uuid.UUID
    status: VisitStatus
    observed_classrooms: int
    patterns: list[PatternPublic] = Field(description="Hints: counts over accepted, descriptive evidence.")
    statements: list[PatternStatementPublic] = []
    prediction: str | None
    prediction_pattern_ids: list[uuid.UUID] = []
    next_level_of_work: list[Recommendation] | None
