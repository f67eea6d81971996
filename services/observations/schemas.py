"""observations' API models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.observations.lifecycle import RecordStatus, VisitStatus

NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,20}$")]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Purpose = Literal["instructional_rounds", "learning_walk", "peer_observation", "coaching_visit"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LookFor(Strict):
    code: Code
    description: Short
    domain: Literal["task", "teacher", "students", "environment"]


class ProtocolCreate(Strict):
    name: Short
    purpose: Purpose = "instructional_rounds"
    look_fors: list[LookFor] = Field(min_length=1, max_length=100)


class ProtocolVersionCreate(Strict):
    look_fors: list[LookFor] = Field(min_length=1, max_length=100)


class ProtocolVersionPublic(BaseModel):
    id: uuid.UUID
    protocol_id: uuid.UUID
    number: int
    look_fors: list[LookFor]
    created_at: datetime


class ProtocolPublic(BaseModel):
    id: uuid.UUID
    name: str
    purpose: Purpose
    created_at: datetime
    versions: list[ProtocolVersionPublic]


class ClassroomIn(Strict):
    grade: Short
    subject: Short
    room: Short
    teacher_id: uuid.UUID | None = Field(None, description="Protected: shown only to the host school's staff "
                                                           "with observations:identify.")


class VisitCreate(Strict):
    school_id: uuid.UUID
    visit_date: date
    protocol_version_id: uuid.UUID
    problem_of_practice: Text
    network_id: uuid.UUID | None = None
    observer_ids: list[uuid.UUID] = Field(min_length=1, max_length=30)
    classrooms: list[ClassroomIn] = Field(min_length=1, max_length=60)


class ClassroomPublic(BaseModel):
    id: uuid.UUID
    grade: str
    subject: str
    room: str
    teacher_id: uuid.UUID | None = Field(description="Null unless you may see the teacher's identity.")


class Recommendation(Strict):
    recommendation: Text
    owner_id: uuid.UUID
    due_date: date


class VisitPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    visit_date: date
    protocol_version_id: uuid.UUID
    problem_of_practice: str
    network_id: uuid.UUID | None
    observer_ids: list[uuid.UUID]
    classrooms: list[ClassroomPublic]
    status: VisitStatus
    version: int
    prediction: str | None
    next_level_of_work: list[Recommendation] | None
    created_at: datetime
    updated_at: datetime


class VisitTransition(Strict):
    to: VisitStatus


class NoteIn(Strict):
    observed_at: AwareDatetime
    text: Text
    look_for_codes: list[Code] = Field(default_factory=list, max_length=20)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = "en"
    client_id: ClientId | None = Field(None, description="A device's own id for a note captured offline.")


class Flag(BaseModel):
    term: str
    kind: str
    suggestion: str


class NotePublic(BaseModel):
    id: uuid.UUID
    observed_at: datetime
    text: str
    look_for_codes: list[str]
    language: str
    descriptive: bool
    flags: list[Flag]


class RecordCreate(Strict):
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    notes: list[NoteIn] = Field(default_factory=list, max_length=500)


class RecordUpdate(Strict):
    notes: list[NoteIn] = Field(max_length=500, description="The record's whole set of notes (autosave).")


class RecordTransition(Strict):
    to: Literal["submitted", "reopened"]


class RecordPublic(BaseModel):
    id: uuid.UUID
    visit_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    status: RecordStatus
    version: int
    notes: list[NotePublic]
    created_at: datetime
    updated_at: datetime


class OfflineRecord(Strict):
    client_id: ClientId
    visit_id: uuid.UUID
    classroom_id: uuid.UUID
    observer_id: uuid.UUID
    notes: list[NoteIn] = Field(default_factory=list, max_length=500)
    submit: bool = False


class OfflineBatch(Strict):
    records: list[OfflineRecord] = Field(min_length=1, max_length=100)


class OfflineOutcome(BaseModel):
    client_id: str
    id: uuid.UUID
    outcome: Literal["created", "unchanged"]


class OfflineResult(BaseModel):
    records: list[OfflineOutcome]


class DebriefIn(Strict):
    prediction: Text = Field(description='"If you were a student here, what would you know and be able to do?"')
    next_level_of_work: list[Recommendation] = Field(default_factory=list, max_length=50)


class PatternPublic(BaseModel):
    code: str
    description: str
    classrooms: int
    notes: int


class DebriefPublic(BaseModel):
    visit_id: uuid.UUID
    status: VisitStatus
    observed_classrooms: int
    patterns: list[PatternPublic]
    prediction: str | None
    next_level_of_work: list[Recommendation] | None


class QualityPublic(BaseModel):
    school_id: uuid.UUID
    period: str
    observed_classrooms: int
    shares: dict[str, float]
    overall: float | None


class EvidenceQuality(BaseModel):
    observer_id: uuid.UUID
    notes: int
    descriptive: int
    share: float | None


class LexiconIn(Strict):
    judgement: list[Short] = Field(default_factory=list, max_length=500)
    prescription: list[Short] = Field(default_factory=list, max_length=500)
    deficit: list[Short] = Field(default_factory=list, max_length=500)


class CalibrationCreate(Strict):
    protocol_version_id: uuid.UUID
    items: list[Short] = Field(min_length=1, max_length=50, description="The segments everyone codes.")


class CodingIn(Strict):
    observer_id: uuid.UUID
    codes: dict[str, list[Code]] = Field(description="For each item, the look-fors it shows.")


class LookForAgreementPublic(BaseModel):
    code: str
    items: int
    percent_agreement: float
    kappa: float | None
    method: str


class CalibrationPublic(BaseModel):
    id: uuid.UUID
    protocol_version_id: uuid.UUID
    items: list[str]
    observers: list[uuid.UUID]
    look_fors: list[LookForAgreementPublic]
    observer_agreement: dict[str, float]
