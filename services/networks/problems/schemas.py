"""Problems of practice: the statement, its evidence, the theory of action, the five criteria, and the
improvement work it owns (an aim and a driver diagram)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from libs.common.fields import Short, Strict, Text
from services.networks.problems.criteria import Status


class CriterionIn(Strict):
    met: bool
    rationale: Text | None = None


class Criteria(Strict):
    instructional_core: CriterionIn = CriterionIn(met=False)
    observable: CriterionIn = CriterionIn(met=False)
    actionable: CriterionIn = CriterionIn(met=False)
    strategic: CriterionIn = CriterionIn(met=False)
    high_leverage: CriterionIn = CriterionIn(met=False)


class ProblemCreate(Strict):
    school_id: uuid.UUID
    network_id: uuid.UUID | None = None
    statement: Text
    evidence: Text
    theory_of_action: Text
    focusing_questions: list[Text] = Field(default_factory=list, max_length=20)
    criteria: Criteria = Criteria()


class ProblemUpdate(Strict):
    statement: Text | None = None
    evidence: Text | None = None
    theory_of_action: Text | None = None
    focusing_questions: list[Text] | None = Field(default=None, max_length=20)
    criteria: Criteria | None = None


class ProblemTransition(Strict):
    to: Status


class Aim(Strict):
    what: Text
    for_whom: Short
    how_much: Short
    by_when: date


class ChangeIdeaIn(Strict):
    id: uuid.UUID | None = Field(default=None, description="Keep an existing change idea's id (its cycles).")
    text: Text
    measure: Short


class SecondaryDriverIn(Strict):
    text: Text
    measure: Short
    change_ideas: list[ChangeIdeaIn] = Field(default_factory=list, max_length=30)


class PrimaryDriverIn(Strict):
    text: Text
    measure: Short
    secondary_drivers: list[SecondaryDriverIn] = Field(default_factory=list, max_length=30)


class DriverDiagramIn(Strict):
    aim: Aim
    primary_drivers: list[PrimaryDriverIn] = Field(min_length=1, max_length=20)


class ChangeIdeaCreate(Strict):
    """One change idea, under its primary and secondary drivers (created in the diagram when new)."""

    primary_driver: Text
    secondary_driver: Text
    text: Text
    measure: Short


class ChangeIdeaPublic(BaseModel):
    id: uuid.UUID
    problem_of_practice_id: uuid.UUID
    primary_driver: str
    secondary_driver: str
    text: str
    measure: str


class CriterionCheck(BaseModel):
    met: bool
    rationale: str | None


class ProblemPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    network_id: uuid.UUID | None
    statement: str
    evidence: str
    theory_of_action: str
    focusing_questions: list[str]
    criteria: dict[str, CriterionCheck]
    unmet_criteria: list[str]
    meets_all_criteria: bool
    status: Status
    aim: dict[str, object] | None
    driver_diagram: dict[str, object] | None
    visit_ids: list[uuid.UUID]
    version: int
