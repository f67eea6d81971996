"""PDSA cycles of a change idea (a problem of practice's driver diagram)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict, Text
from libs.common.openapi_examples import example_id
from services.networks.cycles.pdsa import Decision, Stage

QUESTIONS: list[Any] = [{"question": "How many students give a reason when asked 'how do you know?'",
              "prediction": "About half of the students who answer"},
             {"question": "Does the discussion of the launch problem take longer?",
              "prediction": "Five minutes longer at most"}]
PLAN = ("Ms. Delgado plans two follow-up questions for the launch problem of each grade 7 lesson in the week of "
        "19 October; Mr. Osei scripts student answers in two of those lessons and tallies answers with a reason.")
DO: dict[str, Any] = {"as_planned": False,
      "observations": "Scripted in one lesson, not two (an assembly); 9 of 16 answers came with a reason."}
RESULTS = ["9 of 16 answers came with a reason", "The discussion ran eight minutes longer"]
ACT_NOTES = "Keep the questions; plan one, not two, so the launch stays within its time"


class PlanQuestion(Strict):
    question: Text = Field(examples=[QUESTIONS[0]["question"]])
    prediction: Text | None = Field(default=None, examples=[QUESTIONS[0]["prediction"]])


class CycleCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"problem_of_practice_id": example_id("problem_of_practice_id"), "change_idea_id": example_id("change_idea_id"),
         "school_id": example_id("school_id"), "questions": QUESTIONS, "plan": PLAN}]})

    problem_of_practice_id: uuid.UUID
    change_idea_id: uuid.UUID
    school_id: uuid.UUID
    questions: list[PlanQuestion] = Field(min_length=1, max_length=20)
    plan: Text = Field(description="Who does what, where and when; the data to collect.")


class DoStep(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [DO]})

    as_planned: bool
    observations: Text


class StudyResult(Strict):
    question_index: int = Field(ge=0)
    result: Text = Field(examples=[RESULTS[0]])


class StudyStep(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"studied_on": "2026-10-27", "results": [{"question_index": 0, "result": RESULTS[0]},
                                                 {"question_index": 1, "result": RESULTS[1]}]}]})

    studied_on: date
    results: list[StudyResult] = Field(min_length=1, max_length=20)


class ActStep(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"decision": "adapt", "acted_on": "2026-10-29", "notes": ACT_NOTES}]})

    decision: Decision
    acted_on: date
    notes: Text | None = Field(default=None, description="Why this decision; kept with the cycle as `act_notes`.")


class CyclePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("cycle_id"), "problem_of_practice_id": example_id("problem_of_practice_id"),
         "change_idea_id": example_id("change_idea_id"), "school_id": example_id("school_id"),
         "plan": {"questions": QUESTIONS, "plan": PLAN}, "do": DO,
         "study": {"studied_on": "2026-10-27", "comparisons": [
             {**QUESTIONS[0], "result": RESULTS[0]}, {**QUESTIONS[1], "result": RESULTS[1]}]},
         "decision": "adapt", "acted_on": "2026-10-29", "act_notes": ACT_NOTES, "stage": "act", "version": 4}]})

    id: uuid.UUID
    problem_of_practice_id: uuid.UUID
    change_idea_id: uuid.UUID
    school_id: uuid.UUID
    plan: dict[str, object]
    do: dict[str, object] | None
    study: dict[str, object] | None
    decision: Decision | None
    acted_on: date | None = Field(description="The act step's date (null before it).")
    act_notes: str | None = Field(description="The act step's notes.", examples=[ACT_NOTES])
    stage: Stage
    version: int
