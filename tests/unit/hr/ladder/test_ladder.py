"""The ladder as a state machine: legal moves, criteria, a tenant's own stages, the Ed-Fi mapping."""

from __future__ import annotations

import pytest

from libs.contracts.hr import CareerStage
from services.hr.ladder.rules import (
    DEFAULT_LADDER,
    CriteriaNotMet,
    IllegalTransition,
    LadderConfig,
    StageDef,
    TransitionDef,
    check_transition,
    config_errors,
)


def test_the_default_ladder_runs_from_applicant_to_system_leader() -> None:
    assert DEFAULT_LADDER.codes() == [s.value for s in CareerStage]
    assert DEFAULT_LADDER.rank("principal") > DEFAULT_LADDER.rank("principal_resident") > DEFAULT_LADDER.rank(
        "novice_teacher")
    assert config_errors(DEFAULT_LADDER) == []


def test_a_move_the_ladder_lists_needs_every_criterion() -> None:
    t = check_transition(DEFAULT_LADDER, "novice_teacher", "intermediate_teacher",
                         ["induction completed", "mentor recommendation", "extra"])
    assert t.to_stage == "intermediate_teacher"
    with pytest.raises(CriteriaNotMet) as missing:
        check_transition(DEFAULT_LADDER, "novice_teacher", "intermediate_teacher", ["induction completed"])
    assert missing.value.missing == ["mentor recommendation"]


def test_an_illegal_move_names_the_allowed_ones() -> None:
    with pytest.raises(IllegalTransition) as illegal:
        check_transition(DEFAULT_LADDER, "novice_teacher", "principal", [])
    assert illegal.value.allowed == ["intermediate_teacher"]
    with pytest.raises(IllegalTransition) as from_intermediate:
        check_transition(DEFAULT_LADDER, "intermediate_teacher", "novice_teacher", [])
    assert from_intermediate.value.allowed == ["teacher_leader", "principal_resident"]
    with pytest.raises(IllegalTransition) as top:
        check_transition(DEFAULT_LADDER, "system_leader", "principal", [])
    assert top.value.allowed == []


def test_a_tenant_renames_and_adds_stages() -> None:
    ladder = DEFAULT_LADDER.model_copy(deep=True)
    ladder.stages[1].name = "Beginning teacher"
    ladder.stages.insert(3, StageDef(code="lead_teacher", name="Lead teacher", career_stage=CareerStage.teacher_leader))
    ladder.transitions.append(TransitionDef(from_stage="intermediate_teacher", to_stage="lead_teacher",
                                            criteria=["grade-level lead"]))
    assert config_errors(ladder) == []
    assert check_transition(ladder, "intermediate_teacher", "lead_teacher", ["grade-level lead"])
    assert ladder.band("lead_teacher") == CareerStage.teacher_leader
    assert ladder.rank("lead_teacher") == 3 and ladder.rank("teacher_leader") == 4


def test_a_broken_ladder_names_each_field() -> None:
    ladder = LadderConfig(
        stages=[StageDef(code="a", name="A", career_stage=CareerStage.applicant),
                StageDef(code="a", name="A again", career_stage=CareerStage.novice_teacher)],
        transitions=[TransitionDef(from_stage="a", to_stage="zz")], default_stage="nope",
        classifications={"Teacher": "missing"})
    fields = [e["field"] for e in config_errors(ladder)]
    assert fields == ["stages[1].code", "transitions[0].to_stage", "default_stage", "classifications.Teacher"]


def test_ed_fi_classifications_map_to_stages() -> None:
    assert DEFAULT_LADDER.stage_for("Teacher") == "novice_teacher"
    assert DEFAULT_LADDER.stage_for("Instructional Coordinator") == "teacher_leader"
    assert DEFAULT_LADDER.stage_for("School Specialist") == "teacher_leader"
    assert DEFAULT_LADDER.stage_for("Assistant Principal") == "principal_resident"
    assert DEFAULT_LADDER.stage_for("Principal") == "principal"
    assert DEFAULT_LADDER.stage_for("Superintendent") == "system_leader"
    assert DEFAULT_LADDER.stage_for("LEA Administrator") == "system_leader"
    assert DEFAULT_LADDER.stage_for("Librarian") == DEFAULT_LADDER.stage_for(None) == DEFAULT_LADDER.default_stage
