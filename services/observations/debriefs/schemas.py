"""Debriefs' API models: analyze (pattern statements), predict, and the next level of work."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict, Text
from services.observations.debriefs.patterns import About, Quantifier
from services.observations.examples import (
    ITEM,
    LOOK_FORS,
    NOTE_2,
    OWNER,
    PATTERN_STATEMENT,
    PREDICTION,
    PROBLEM_OF_PRACTICE,
    RECOMMENDATION,
    STATEMENT,
    VISIT,
)
from services.observations.visits.lifecycle import VisitStatus

Horizon = Literal["next_week", "next_month", "end_of_year"]
Level = Literal["teacher", "school", "system"]
STATEMENT_EXAMPLE: dict[str, Any] = {
    "id": PATTERN_STATEMENT, "visit_id": VISIT, "statement": STATEMENT, "about": "students", "quantifier": "some",
    "note_ids": [NOTE_2], "look_for_codes": ["S1", "K1"], "problem_of_practice_id": PROBLEM_OF_PRACTICE,
    "created_at": "2026-11-24T16:30:00Z"}
HINTS = {"T1": (1, 1), "S1": (2, 3), "K1": (2, 2), "T2": (1, 2)}  # classrooms, notes


class Recommendation(Strict):
    """An item of the next level of work: about practice, never a person."""

    recommendation: Text = Field(examples=[RECOMMENDATION["recommendation"]])
    owner_id: uuid.UUID = Field(examples=[OWNER])
    due_date: date | None = Field(None, examples=[RECOMMENDATION["due_date"]])
    horizon: Horizon = "next_month"
    level: Level = "school"
    follow_up: Text | None = Field(None, description="How and when the team will look again.",
                                   examples=[RECOMMENDATION["follow_up"]])
    item_id: uuid.UUID | None = Field(None, description="Assigned by the service; networks' commitments keep it.")


class DebriefIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"prediction": PREDICTION, "prediction_pattern_ids": [PATTERN_STATEMENT],
         "next_level_of_work": [RECOMMENDATION]}]})

    prediction: Text = Field(description='"If you were a student here and did everything you were asked, what '
                                         'would you know and be able to do?"')
    prediction_pattern_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50,
                                                    description="The pattern statements the prediction rests on.")
    next_level_of_work: list[Recommendation] = Field(default_factory=list, max_length=50)


class PatternIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"statement": STATEMENT, "about": "students", "quantifier": "some", "note_ids": [NOTE_2],
         "look_for_codes": ["S1", "K1"]}]})

    statement: Text
    about: About
    quantifier: Quantifier
    note_ids: list[uuid.UUID] = Field(min_length=1, max_length=200,
                                      description="The accepted notes of this visit the statement rests on.")
    look_for_codes: list[str] = Field(default_factory=list, max_length=20)


class PatternStatementPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [STATEMENT_EXAMPLE]})

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

    code: str = Field(examples=["S1"])
    description: str = Field(examples=["Students explain their reasoning to each other"])
    classrooms: int = Field(examples=[2])
    notes: int = Field(examples=[3])


class DebriefPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "visit_id": VISIT, "status": "observed", "observed_classrooms": 2,
        "patterns": [{"code": lf["code"], "description": lf["description"], "classrooms": HINTS[lf["code"]][0],
                      "notes": HINTS[lf["code"]][1]} for lf in LOOK_FORS],
        "statements": [STATEMENT_EXAMPLE], "prediction": PREDICTION, "prediction_pattern_ids": [PATTERN_STATEMENT],
        "next_level_of_work": [{**RECOMMENDATION, "item_id": ITEM}]}]})

    visit_id: uuid.UUID
    status: VisitStatus
    observed_classrooms: int
    patterns: list[PatternPublic] = Field(description="Hints: counts over accepted, descriptive evidence.")
    statements: list[PatternStatementPublic] = []
    prediction: str | None
    prediction_pattern_ids: list[uuid.UUID] = []
    next_level_of_work: list[Recommendation] | None
