"""The ladder as a state machine (pure: no database). A tenant's ladder is a LadderConfig.

Stages are ordered from entry to the top; each stage belongs to one platform career stage (its band:
what other services see in events). A move is legal only when the ladder lists it, and only with
every criterion the ladder sets for it met.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from libs.common.fields import Code, Short, Strict
from libs.contracts.hr import CareerStage
from services.hr.examples import LADDER


class Readiness(StrEnum):
    """Readiness for the next stage, set by the approver."""

    ready_now = "ready_now"
    one_to_two_years = "one_to_two_years"
    three_plus_years = "three_plus_years"


class StageDef(Strict):
    code: Code = Field(examples=["lead_teacher"])
    name: Short = Field(examples=["Lead teacher"])
    career_stage: CareerStage = Field(description="The platform stage this one belongs to (what events carry).")


class TransitionDef(Strict):
    from_stage: Code = Field(examples=["intermediate_teacher"])
    to_stage: Code = Field(examples=["lead_teacher"])
    criteria: list[Short] = Field(default_factory=list, max_length=20,
                                  examples=[["leads colleagues' learning", "supervisor recommendation"]])


class LadderConfig(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [LADDER]})

    stages: list[StageDef] = Field(min_length=1, max_length=50)
    transitions: list[TransitionDef] = Field(max_length=500)
    default_stage: Code = Field(description="Where an educator from a SIS load without a stage starts.")
    classifications: dict[Short, Code] = Field(
        default_factory=dict, description="Ed-Fi StaffClassificationDescriptor value -> stage code.")
    mentor_capacity: int = Field(3, ge=1, le=50, description="Mentees one mentor may have at once.")
    mentoring_grace_days: int = Field(30, ge=0, le=365, description="Days a novice may wait for a mentor.")

    def codes(self) -> list[str]:
        return [s.code for s in self.stages]

    def rank(self, code: str) -> int:
        """Position on the ladder (higher is more senior); an unknown code ranks by its band."""
        codes = self.codes()
        if code in codes:
            return codes.index(code)
        band = [s.career_stage.value for s in self.stages]
        return band.index(code) if code in band else -1

    def band(self, code: str) -> CareerStage:
        for s in self.stages:
            if s.code == code:
                return s.career_stage
        return CareerStage(code)

    def allowed_from(self, code: str) -> list[str]:
        return [t.to_stage for t in self.transitions if t.from_stage == code]

    def stage_for(self, classification: str | None) -> str:
        """The stage a SIS record starts at: its Ed-Fi classification's, else the default."""
        if classification is not None and classification in self.classifications:
            return self.classifications[classification]
        return self.default_stage


class IllegalTransition(Exception):
    def __init__(self, from_stage: str, to_stage: str, allowed: list[str]) -> None:
        super().__init__(f"{from_stage} -> {to_stage} is not on the ladder; allowed: {', '.join(allowed) or 'none'}")
        self.from_stage, self.to_stage, self.allowed = from_stage, to_stage, allowed


class CriteriaNotMet(Exception):
    def __init__(self, missing: list[str]) -> None:
        super().__init__("criteria not met: " + "; ".join(missing))
        self.missing = missing


def check_transition(ladder: LadderConfig, from_stage: str, to_stage: str, criteria_met: list[str]) -> TransitionDef:
    """The ladder's transition from -> to, or why it cannot be taken."""
    for t in ladder.transitions:
        if t.from_stage == from_stage and t.to_stage == to_stage:
            missing = [c for c in t.criteria if c not in criteria_met]
            if missing:
                raise CriteriaNotMet(missing)
            return t
    raise IllegalTransition(from_stage, to_stage, ladder.allowed_from(from_stage))


def config_errors(ladder: LadderConfig) -> list[dict[str, str]]:
    """What makes a ladder unusable, each error naming its field."""
    errors: list[dict[str, str]] = []
    codes = ladder.codes()
    for n, code in enumerate(codes):
        if code in codes[:n]:
            errors.append({"field": f"stages[{n}].code", "message": f"{code} appears twice"})
    for n, t in enumerate(ladder.transitions):
        for side in ("from_stage", "to_stage"):
            if getattr(t, side) not in codes:
                errors.append({"field": f"transitions[{n}].{side}", "message": "no such stage on this ladder"})
    if ladder.default_stage not in codes:
        errors.append({"field": "default_stage", "message": "no such stage on this ladder"})
    for name, code in ladder.classifications.items():
        if code not in codes:
            errors.append({"field": f"classifications.{name}", "message": "no such stage on this ladder"})
    return errors


S = CareerStage
DEFAULT_LADDER = LadderConfig(
    stages=[StageDef(code=s.value, name=s.value.replace("_", " ").capitalize(), career_stage=s) for s in S],
    transitions=[
        TransitionDef(from_stage=S.applicant, to_stage=S.novice_teacher, criteria=["hired"]),
        TransitionDef(from_stage=S.novice_teacher, to_stage=S.intermediate_teacher,
                      criteria=["induction completed", "mentor recommendation"]),
        TransitionDef(from_stage=S.intermediate_teacher, to_stage=S.teacher_leader,
                      criteria=["leads colleagues' learning", "supervisor recommendation"]),
        TransitionDef(from_stage=S.teacher_leader, to_stage=S.principal_resident,
                      criteria=["leadership potential", "admitted to residency"]),
        TransitionDef(from_stage=S.intermediate_teacher, to_stage=S.principal_resident,
                      criteria=["leadership potential", "admitted to residency"]),
        TransitionDef(from_stage=S.principal_resident, to_stage=S.principal,
                      criteria=["residency completed", "licensed"]),
        TransitionDef(from_stage=S.principal, to_stage=S.system_leader, criteria=["appointed"]),
    ],
    default_stage=S.novice_teacher, mentor_capacity=3, mentoring_grace_days=30,
    classifications={
        "Teacher": S.novice_teacher, "Instructional Coordinator": S.teacher_leader,
        "School Specialist": S.teacher_leader, "Assistant Principal": S.principal_resident,
        "Principal": S.principal, "Superintendent": S.system_leader, "LEA Administrator": S.system_leader,
    },
)
