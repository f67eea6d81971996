"""Problems of practice: the statement, its evidence, the theory of action, the five criteria, and the
improvement work it owns (an aim and a driver diagram)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Short, Strict, Text
from libs.common.openapi_examples import example_id
from services.networks.problems.criteria import Status

STATEMENT = "Students in grades 6-8 rarely justify their answers in mathematics discussions"
EVIDENCE = ("In 14 of 18 classrooms visited in September, students gave answers without saying how they knew; "
            "teachers accepted the first correct answer and moved on.")
THEORY_OF_ACTION = ("If teachers plan questions that ask students to compare strategies and press for "
                    "reasons, then students will explain and justify their thinking.")
FOCUSING_QUESTIONS: list[Any] = ["What do students say when they disagree with an answer?",
                      "Which teacher moves lead students to explain how they know?"]
CRITERIA_ARGUED: dict[str, Any] = {
    "instructional_core": {"met": True, "rationale": "Teachers' questions and students' talk about content"},
    "observable": {"met": True, "rationale": "Student explanations can be heard and scripted in classrooms"},
    "actionable": {"met": True, "rationale": "Lesson planning and questioning are in the school's hands"},
    "strategic": {"met": True, "rationale": "The district's mathematics plan names reasoning as a priority"},
    "high_leverage": {"met": True, "rationale": "Justifying answers deepens learning in every unit"},
}
AIM: dict[str, Any] = {"what": "Students justify their answers with a reason or a representation",
                       "for_whom": "Grades 6-8",
                       "how_much": "From 20% to 60% of student answers in observed discussions",
                       "by_when": "2027-05-28"}
PRIMARY = "Teachers press students for reasons"
SECONDARY = "Lesson plans include questions that compare strategies"
IDEA = "Plan two 'how do you know?' follow-up questions for each launch problem"
MEASURE = "Share of student answers with a reason, from visit notes"


class CriterionIn(Strict):
    met: bool
    rationale: Text | None = Field(default=None, examples=[CRITERIA_ARGUED["observable"]["rationale"]])


class Criteria(Strict):
    instructional_core: CriterionIn = CriterionIn(met=False)
    observable: CriterionIn = CriterionIn(met=False)
    actionable: CriterionIn = CriterionIn(met=False)
    strategic: CriterionIn = CriterionIn(met=False)
    high_leverage: CriterionIn = CriterionIn(met=False)


class ProblemCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"school_id": example_id("school_id"), "network_id": example_id("network_id"), "statement": STATEMENT,
         "evidence": EVIDENCE, "theory_of_action": THEORY_OF_ACTION, "focusing_questions": FOCUSING_QUESTIONS,
         "criteria": {"instructional_core": CRITERIA_ARGUED["instructional_core"],
                      "observable": CRITERIA_ARGUED["observable"]}}]})

    school_id: uuid.UUID
    network_id: uuid.UUID | None = None
    statement: Text
    evidence: Text
    theory_of_action: Text
    focusing_questions: list[Text] = Field(default_factory=list, max_length=20)
    criteria: Criteria = Criteria()


class ProblemUpdate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"evidence": EVIDENCE + " Student work from the unit 2 task shows the same pattern.",
         "criteria": CRITERIA_ARGUED}]})

    statement: Text | None = None
    evidence: Text | None = None
    theory_of_action: Text | None = None
    focusing_questions: list[Text] | None = Field(default=None, max_length=20)
    criteria: Criteria | None = None


class ProblemTransition(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"to": "active"}]})

    to: Status


class Aim(Strict):
    what: Text = Field(examples=[AIM["what"]])
    for_whom: Short = Field(examples=[AIM["for_whom"]])
    how_much: Short = Field(examples=[AIM["how_much"]])
    by_when: date = Field(examples=[AIM["by_when"]])


class ChangeIdeaIn(Strict):
    id: uuid.UUID | None = Field(default=None, description="Keep an existing change idea's id (its cycles).")
    text: Text = Field(examples=[IDEA])
    measure: Short = Field(examples=[MEASURE])


class SecondaryDriverIn(Strict):
    text: Text = Field(examples=[SECONDARY])
    measure: Short = Field(examples=["Share of observed lessons with a planned comparison question"])
    change_ideas: list[ChangeIdeaIn] = Field(default_factory=list, max_length=30)


class PrimaryDriverIn(Strict):
    text: Text = Field(examples=[PRIMARY])
    measure: Short = Field(examples=["Follow-up questions per lesson, from visit notes"])
    secondary_drivers: list[SecondaryDriverIn] = Field(default_factory=list, max_length=30)


DIAGRAM: dict[str, Any] = {"primary_drivers": [{
    "text": PRIMARY, "measure": "Follow-up questions per lesson, from visit notes",
    "secondary_drivers": [{
        "text": SECONDARY, "measure": "Share of observed lessons with a planned comparison question",
        "change_ideas": [{"id": example_id("change_idea_id"), "text": IDEA, "measure": MEASURE}]}]}]}


class DriverDiagramIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"aim": AIM, "primary_drivers": [{
            "text": PRIMARY, "measure": "Follow-up questions per lesson, from visit notes",
            "secondary_drivers": [{
                "text": SECONDARY, "measure": "Share of observed lessons with a planned comparison question",
                "change_ideas": [
                    {"id": example_id("change_idea_id"), "text": IDEA, "measure": MEASURE},
                    {"text": "Students revise a partner's answer in writing before sharing",
                     "measure": MEASURE}]}]}]}]})

    aim: Aim
    primary_drivers: list[PrimaryDriverIn] = Field(min_length=1, max_length=20)


class ChangeIdeaCreate(Strict):
    """One change idea, under its primary and secondary drivers (created in the diagram when new)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"primary_driver": PRIMARY, "secondary_driver": SECONDARY, "text": IDEA, "measure": MEASURE}]})

    primary_driver: Text
    secondary_driver: Text
    text: Text
    measure: Short


class ChangeIdeaPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("change_idea_id"), "problem_of_practice_id": example_id("problem_of_practice_id"),
         "primary_driver": PRIMARY, "secondary_driver": SECONDARY, "text": IDEA, "measure": MEASURE}]})

    id: uuid.UUID
    problem_of_practice_id: uuid.UUID
    primary_driver: str
    secondary_driver: str
    text: str
    measure: str


class CriterionCheck(BaseModel):
    met: bool = Field(examples=[True])
    rationale: str | None = Field(examples=[CRITERIA_ARGUED["observable"]["rationale"]])


class ProblemPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": example_id("problem_of_practice_id"), "school_id": example_id("school_id"),
         "network_id": example_id("network_id"), "statement": STATEMENT, "evidence": EVIDENCE,
         "theory_of_action": THEORY_OF_ACTION, "focusing_questions": FOCUSING_QUESTIONS,
         "criteria": CRITERIA_ARGUED, "unmet_criteria": [], "meets_all_criteria": True, "status": "active",
         "aim": AIM, "driver_diagram": DIAGRAM, "visit_ids": [example_id("visit_id")], "version": 4}]})

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
