"""Events published by the hr service: the system of record for organisations and educators.

Only ids and non-personal fields: names, emails and external staff ids stay in hr.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from libs.contracts.base import EventPayload, event

ORGANISATION_TOPIC = "hr.organisation"
EDUCATOR_TOPIC = "hr.educator"
MENTORING_TOPIC = "hr.mentoring"
LEARNING_TOPIC = "hr.professional-learning"


class CareerStage(StrEnum):
    """The career ladder from applicant to system leader (DOMAIN.md, hr)."""

    applicant = "applicant"
    novice_teacher = "novice_teacher"
    intermediate_teacher = "intermediate_teacher"
    teacher_leader = "teacher_leader"
    principal_resident = "principal_resident"
    principal = "principal"
    system_leader = "system_leader"


class DistrictFacts(EventPayload):
    district_id: UUID
    name: str
    version: int


@event("org.improvenet.hr.district.registered", topic=ORGANISATION_TOPIC, subject="district_id")
class DistrictRegistered(DistrictFacts):
    """A district joined the tenant's directory."""


@event("org.improvenet.hr.district.updated", topic=ORGANISATION_TOPIC, subject="district_id")
class DistrictUpdated(DistrictFacts):
    """A district's directory facts changed; `version` orders updates."""


@event("org.improvenet.hr.district.removed", topic=ORGANISATION_TOPIC, subject="district_id")
class DistrictRemoved(EventPayload):
    district_id: UUID
    version: int


class SchoolFacts(EventPayload):
    school_id: UUID
    district_id: UUID | None
    name: str
    version: int


@event("org.improvenet.hr.school.registered", topic=ORGANISATION_TOPIC, subject="school_id")
class SchoolRegistered(SchoolFacts):
    """A school joined the tenant's directory."""


@event("org.improvenet.hr.school.updated", topic=ORGANISATION_TOPIC, subject="school_id")
class SchoolUpdated(SchoolFacts):
    """A school's directory facts changed; `version` orders updates."""


@event("org.improvenet.hr.school.removed", topic=ORGANISATION_TOPIC, subject="school_id")
class SchoolRemoved(EventPayload):
    school_id: UUID
    version: int


class EducatorFacts(EventPayload):
    educator_id: UUID
    school_id: UUID | None
    career_stage: CareerStage
    version: int


@event("org.improvenet.hr.educator.registered", topic=EDUCATOR_TOPIC, subject="educator_id")
class EducatorRegistered(EducatorFacts):
    """An educator entered the pipeline (ids, school and career stage only)."""


@event("org.improvenet.hr.educator.updated", topic=EDUCATOR_TOPIC, subject="educator_id")
class EducatorUpdated(EducatorFacts):
    """An educator's school or career stage changed; `version` orders updates."""


@event("org.improvenet.hr.educator.removed", topic=EDUCATOR_TOPIC, subject="educator_id")
class EducatorRemoved(EventPayload):
    educator_id: UUID
    version: int


@event("org.improvenet.hr.mentor.assigned", topic=MENTORING_TOPIC, subject="mentorship_id")
class MentorAssigned(EventPayload):
    """A mentor of a higher stage took on an educator (the collaboration graph's mentoring edge)."""

    mentorship_id: UUID
    mentor_id: UUID
    mentee_id: UUID
    school_id: UUID | None
    starts_on: date


@event("org.improvenet.hr.mentor.ended", topic=MENTORING_TOPIC, subject="mentorship_id")
class MentorEnded(EventPayload):
    mentorship_id: UUID
    mentor_id: UUID
    mentee_id: UUID
    ends_on: date


@event("org.improvenet.hr.professional-learning.recorded", topic=LEARNING_TOPIC, subject="learning_id")
class ProfessionalLearningRecorded(EventPayload):
    """Hours of professional learning: capacity invested, counted by strategy's reciprocity ledger."""

    learning_id: UUID
    educator_id: UUID
    school_id: UUID | None
    hours: float
    topic_code: str | None
    completed_on: date
    initiative_id: UUID | None


# --- the pipeline (ids, stages and dates only: no names, ratings or feedback text) ---------------------

RECRUITMENT_TOPIC = "hr.recruitment"
RESIDENCY_TOPIC = "hr.residency"


@event("org.improvenet.hr.stage.changed", topic=EDUCATOR_TOPIC, subject="educator_id")
class StageChanged(EventPayload):
    """An educator moved on the tenant's ladder (an approved transition, with its place in the history)."""

    educator_id: UUID
    school_id: UUID | None
    from_stage: str
    to_stage: str
    career_stage: CareerStage
    seq: int
    transitioned_on: date
    version: int


@event("org.improvenet.hr.application.received", topic=RECRUITMENT_TOPIC, subject="application_id")
class ApplicationReceived(EventPayload):
    application_id: UUID
    posting_id: UUID
    school_id: UUID


@event("org.improvenet.hr.application.hired", topic=RECRUITMENT_TOPIC, subject="application_id")
class ApplicationHired(EventPayload):
    """An applicant was hired: the educator exists from this transaction on, as a novice teacher."""

    application_id: UUID
    posting_id: UUID
    school_id: UUID
    educator_id: UUID


@event("org.improvenet.hr.mentoring-gap.opened", topic=MENTORING_TOPIC, subject="educator_id")
class MentoringGapOpened(EventPayload):
    """A novice has been without a mentor beyond the tenant's grace period."""

    gap_id: UUID
    educator_id: UUID
    school_id: UUID | None
    opened_on: date


@event("org.improvenet.hr.mentoring-gap.closed", topic=MENTORING_TOPIC, subject="educator_id")
class MentoringGapClosed(EventPayload):
    gap_id: UUID
    educator_id: UUID
    school_id: UUID | None
    closed_on: date


@event("org.improvenet.hr.residency.started", topic=RESIDENCY_TOPIC, subject="residency_id")
class ResidencyStarted(EventPayload):
    """A principal resident was placed in another school under a supervising principal."""

    residency_id: UUID
    resident_id: UUID
    school_id: UUID
    supervisor_id: UUID
    starts_on: date


@event("org.improvenet.hr.residency.ended", topic=RESIDENCY_TOPIC, subject="residency_id")
class ResidencyEnded(EventPayload):
    residency_id: UUID
    resident_id: UUID
    school_id: UUID
    ends_on: date
