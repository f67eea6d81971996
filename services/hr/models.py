"""hr's tables and their API models, in SQLModel's one style (the full-stack FastAPI template's).

`XBase` declares the fields once; `X(XBase, table=True)` adds id, tenant, version and timestamps;
`XCreate`/`XUpdate`/`XPublic` derive from the base for bodies and responses. A create model narrows
the base's plain strings to bounded, NUL-free ones (`libs.common.fields`); the columns stay TEXT.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, StringConstraints
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, LargeBinary, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from libs.common.changes import change_tables
from libs.common.fields import ExternalId, Short
from libs.contracts.hr import CareerStage
from services.hr.examples import (
    DATE_TIME,
    DISTRICT,
    DISTRICT_CREATE,
    EDUCATOR,
    EDUCATOR_CREATE,
    SCHOOL,
    SCHOOL_CREATE,
)

Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320,
                                         pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
STRICT: Any = ConfigDict(extra="forbid")  # an unknown field is an error, named in the response


def strict_example(body: dict[str, Any]) -> Any:
    """STRICT, and the example the API document shows for the body."""
    return ConfigDict(**STRICT, json_schema_extra={"examples": [body]})


def example(body: dict[str, Any]) -> Any:
    """The example the API document shows for a response."""
    return ConfigDict(json_schema_extra={"examples": [body]})


def _meta(record_id: str, version: int = 1) -> dict[str, Any]:
    return {"id": record_id, "version": version, "created_at": DATE_TIME, "updated_at": DATE_TIME}


def utcnow() -> datetime:
    return datetime.now(UTC)


class HRTable(SQLModel, registry=registry()):
    """Base of hr's tables: a metadata of its own, apart from the other services'."""


metadata = HRTable.metadata
CHANGES = change_tables(metadata)  # the change queries' tombstones and horizon


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)  # type: ignore[call-overload]


def _fk(target: str, name: str, *, nullable: bool = True, index: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Uuid, ForeignKey(target, name=name), index=index,
                                                nullable=nullable))


def _change_version() -> Any:
    """Numbered by the worker's sequencer once the change is committed (libs/common/changes.py)."""
    return Field(default=None, sa_type=BigInteger, nullable=True)  # type: ignore[call-overload]


def _source_modified() -> Any:
    """OneRoster's dateLastModified of the record as last imported: an older delta row never overwrites it."""
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)  # type: ignore[call-overload]


class Versioned(HRTable):
    """What every table row carries beyond its facts."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class PublicMeta(HRTable):
    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


# --- organisations: districts and schools ---------------------------------------------------------

class DistrictBase(HRTable):
    name: str
    ed_fi_id: str | None = Field(default=None, description="Ed-Fi localEducationAgencyId.")
    sourced_id: str | None = Field(default=None, description="OneRoster sourcedId.")


class District(Versioned, DistrictBase, table=True):
    __tablename__ = "district"
    __table_args__ = (
        UniqueConstraint("tenant_id", "ed_fi_id", name="uq_district__ed_fi_id"),
        UniqueConstraint("tenant_id", "sourced_id", name="uq_district__sourced_id"),
        Index("ix_district__change_version", "tenant_id", "change_version"),
    )
    change_version: int | None = _change_version()
    source_modified_at: datetime | None = _source_modified()


class DistrictCreate(DistrictBase):
    model_config = strict_example(DISTRICT_CREATE)
    name: Short
    ed_fi_id: ExternalId | None = Field(default=None, description="Ed-Fi localEducationAgencyId.")
    sourced_id: ExternalId | None = Field(default=None, description="OneRoster sourcedId.")


class DistrictUpdate(HRTable):
    model_config = strict_example({"name": "Eastside Unified School District No. 4"})
    name: Short | None = None
    ed_fi_id: ExternalId | None = None
    sourced_id: ExternalId | None = None


class DistrictPublic(PublicMeta, DistrictBase):
    model_config = example({**_meta(DISTRICT), **DISTRICT_CREATE})


class SchoolBase(HRTable):
    name: str
    district_id: uuid.UUID | None = None
    ed_fi_id: str | None = Field(default=None, description="Ed-Fi schoolId.")
    sourced_id: str | None = Field(default=None, description="OneRoster sourcedId.")


class School(Versioned, SchoolBase, table=True):
    __tablename__ = "school"
    __table_args__ = (
        UniqueConstraint("tenant_id", "ed_fi_id", name="uq_school__ed_fi_id"),
        UniqueConstraint("tenant_id", "sourced_id", name="uq_school__sourced_id"),
        Index("ix_school__change_version", "tenant_id", "change_version"),
    )
    change_version: int | None = _change_version()
    district_id: uuid.UUID | None = _fk("district.id", "fk_school__district_id")
    source_modified_at: datetime | None = _source_modified()


class SchoolCreate(SchoolBase):
    model_config = strict_example(SCHOOL_CREATE)
    name: Short
    ed_fi_id: ExternalId | None = Field(default=None, description="Ed-Fi schoolId.")
    sourced_id: ExternalId | None = Field(default=None, description="OneRoster sourcedId.")


class SchoolUpdate(HRTable):
    model_config = strict_example({"name": "Alder Creek Elementary STEM Academy", "ed_fi_id": "255901107"})
    name: Short | None = None
    district_id: uuid.UUID | None = None
    ed_fi_id: ExternalId | None = None
    sourced_id: ExternalId | None = None


class SchoolPublic(PublicMeta, SchoolBase):
    model_config = example({**_meta(SCHOOL), **SCHOOL_CREATE})


# --- educators --------------------------------------------------------------------------------------

class EducatorBase(HRTable):
    school_id: uuid.UUID | None = None
    position: str | None = None
    career_stage: CareerStage = CareerStage.applicant
    staff_unique_id: str | None = Field(default=None, description="Ed-Fi staffUniqueId.")
    sourced_id: str | None = Field(default=None, description="OneRoster sourcedId.")
    given_name: str | None = Field(default=None, description="Personal data: only with the hr:pii scope.")
    family_name: str | None = Field(default=None, description="Personal data: only with the hr:pii scope.")
    email: str | None = Field(default=None, description="Personal data: only with the hr:pii scope.")


class Educator(Versioned, EducatorBase, table=True):
    __tablename__ = "educator"
    __table_args__ = (
        UniqueConstraint("tenant_id", "staff_unique_id", name="uq_educator__staff_unique_id"),
        UniqueConstraint("tenant_id", "sourced_id", name="uq_educator__sourced_id"),
        Index("ix_educator__change_version", "tenant_id", "change_version"),
    )
    change_version: int | None = _change_version()
    school_id: uuid.UUID | None = _fk("school.id", "fk_educator__school_id")
    career_stage: str  # type: ignore[assignment]  # the platform stage (band); the ladder's code is `stage`
    given_name: str  # type: ignore[assignment]
    family_name: str  # type: ignore[assignment]
    stage: str | None = Field(default=None, description="The tenant ladder's stage code (None: career_stage).")
    stage_since: date | None = Field(default=None, description="When the educator entered the stage.")
    source_modified_at: datetime | None = _source_modified()


class EducatorCreate(EducatorBase):
    model_config = strict_example(EDUCATOR_CREATE)
    given_name: Short
    family_name: Short
    email: Email | None = None
    school_id: uuid.UUID | None = None
    position: Short | None = None
    career_stage: CareerStage = CareerStage.applicant
    staff_unique_id: ExternalId | None = Field(default=None, description="Ed-Fi staffUniqueId.")
    sourced_id: ExternalId | None = Field(default=None, description="OneRoster sourcedId.")


class EducatorUpdate(HRTable):
    model_config = strict_example({"position": "Grade 4 teacher and mathematics team member",
                                   "email": "amara.okafor@example.org"})
    given_name: Short | None = None
    family_name: Short | None = None
    email: Email | None = None
    school_id: uuid.UUID | None = None
    position: Short | None = None
    career_stage: CareerStage | None = None
    staff_unique_id: ExternalId | None = None
    sourced_id: ExternalId | None = None


class EducatorPublic(PublicMeta, EducatorBase):
    model_config = example({**_meta(EDUCATOR), **EDUCATOR_CREATE, "stage": "novice_teacher",
                            "stage_since": "2026-08-24"})

    stage: str | None = Field(default=None, description="The tenant ladder's stage code.")
    stage_since: date | None = None


# --- the pipeline -------------------------------------------------------------------------------------
# History tables name educators by id without a foreign key: the record of a move outlives the person's
# directory entry (an exit is itself a row of the history).

def _uuid_index() -> Any:
    return Field(sa_column=Column(Uuid, nullable=False, index=True))


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSONB, nullable=nullable))


class Ladder(HRTable, table=True):
    """A tenant's ladder configuration (absent: the platform's default ladder)."""

    __tablename__ = "ladder"
    tenant_id: str = Field(primary_key=True)
    config: dict[str, Any] = _json()
    version: int = 1
    updated_at: datetime = _timestamp()


class StageTransition(HRTable, table=True):
    """One move on the ladder: from, to (None: left the tenant), criteria met, evidence, approver, date."""

    __tablename__ = "stage_transition"
    __table_args__ = (UniqueConstraint("tenant_id", "educator_id", "seq", name="uq_stage_transition__seq"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str
    educator_id: uuid.UUID
    seq: int = Field(description="1, 2, 3 ... per educator: a gap would show a lost move.")
    school_id: uuid.UUID | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    from_career_stage: str | None = None
    to_career_stage: str | None = None
    criteria_met: list[str] = _json()
    evidence: str | None = None
    approver_id: uuid.UUID | None = None
    transitioned_on: date
    created_at: datetime = _timestamp()


class ReadinessEstimate(HRTable, table=True):
    __tablename__ = "readiness"
    educator_id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(index=True)
    target_stage: str
    estimate: str
    approver_id: uuid.UUID | None = None
    set_on: date
    version: int = 1
    updated_at: datetime = _timestamp()


class Posting(Versioned, table=True):
    __tablename__ = "posting"
    school_id: uuid.UUID = _uuid_index()
    stage: str
    title: str
    status: str = "open"


class Application(Versioned, table=True):
    __tablename__ = "application"
    posting_id: uuid.UUID = _uuid_index()
    given_name: str
    family_name: str
    email: str | None = None
    qualifications: str | None = None
    leadership_potential: int | None = None
    rubric_notes: str | None = None
    status: str = "applied"
    educator_id: uuid.UUID | None = None


class Mentorship(Versioned, table=True):
    __tablename__ = "mentorship"
    mentor_id: uuid.UUID = _uuid_index()
    mentee_id: uuid.UUID = _uuid_index()
    school_id: uuid.UUID | None = None
    starts_on: date
    ends_on: date | None = None


class MentoringGap(HRTable, table=True):
    __tablename__ = "mentoring_gap"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    educator_id: uuid.UUID = _uuid_index()
    school_id: uuid.UUID | None = None
    opened_on: date
    closed_on: date | None = None


class Responsibility(HRTable, table=True):
    __tablename__ = "responsibility"
    __table_args__ = (UniqueConstraint("tenant_id", "educator_id", "source_id", name="uq_responsibility__source"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str
    educator_id: uuid.UUID = _uuid_index()
    title: str
    domains: list[str] = _json()
    starts_on: date
    ends_on: date | None = None
    source: str = "recorded"
    source_id: uuid.UUID | None = None
    created_at: datetime = _timestamp()


class LeadershipSignal(HRTable, table=True):
    __tablename__ = "leadership_signal"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str
    educator_id: uuid.UUID = _uuid_index()
    network_id: uuid.UUID | None = None
    period: str
    periods: int
    betweenness_percentile: float
    created_at: datetime = _timestamp()


class Feedback(HRTable, table=True):
    __tablename__ = "feedback"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str
    educator_id: uuid.UUID = _uuid_index()
    domain: str
    source_role: str
    author_id: uuid.UUID | None = None
    body: str
    given_on: date
    created_at: datetime = _timestamp()


class Residency(Versioned, table=True):
    __tablename__ = "residency"
    resident_id: uuid.UUID = _uuid_index()
    school_id: uuid.UUID
    supervisor_id: uuid.UUID
    starts_on: date
    ends_on: date | None = None
    goals: str | None = None
    status: str = "active"


class ProfessionalLearning(HRTable, table=True):
    __tablename__ = "professional_learning"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str
    educator_id: uuid.UUID = _uuid_index()
    hours: float
    topic_code: str | None = None
    provider: str | None = None
    completed_on: date
    initiative_id: uuid.UUID | None = None
    created_at: datetime = _timestamp()


class LeadershipPost(Versioned, table=True):
    """A leadership post whose succession the pipeline watches (Hamilton's principal)."""

    __tablename__ = "leadership_post"
    school_id: uuid.UUID = _uuid_index()
    stage: str
    title: str
    incumbent_id: uuid.UUID | None = None


class PipelineSnapshot(HRTable, table=True):
    """The analytics projection: rebuilt from the history when hr's outbox shows a change since."""

    __tablename__ = "pipeline_snapshot"
    tenant_id: str = Field(primary_key=True)
    as_of_seq: int = Field(sa_type=BigInteger, description="The last domain event of hr's outbox the snapshot saw.")
    stale: bool = Field(default=False, description="Set by changes that publish no event (readiness, posts).")
    body: dict[str, Any] = _json()
    computed_at: datetime = _timestamp()


# --- imports: OneRoster and Ed-Fi files as jobs --------------------------------------------------------

class ImportJob(HRTable, table=True):
    """One import: its progress and its report. The uploaded file is in `import_upload` until it ends."""

    __tablename__ = "import_job"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    format: str = Field(description="oneroster | edfi")
    status: str = Field(default="queued", index=True,
                        description="queued | validating | applying | succeeded | failed")
    submitted_by: str
    rows_read: int = 0
    rows_written: int = 0
    rows_unchanged: int = 0
    rows_failed: int = 0
    attempts: int = 0
    report: dict[str, Any] | None = _json(nullable=True)
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    started_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ImportUpload(HRTable, table=True):
    """The uploaded bytes of a job, in the database so any worker replica can run it after a restart.

    Erased when the job ends: the file may hold students' rows, which hr never keeps.
    """

    __tablename__ = "import_upload"
    job_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("import_job.id", name="fk_import_upload__job_id",
                                                                ondelete="CASCADE"), primary_key=True))
    tenant_id: str
    media_type: str
    size: int
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


# Personal data (hr:pii): a tenant export leaves these columns out without the scope (libs/common/export.py).
PERSONAL_COLUMNS = {
    "educator": ("given_name", "family_name", "email"),
    "application": ("given_name", "family_name", "email", "qualifications", "leadership_potential", "rubric_notes"),
    "feedback": ("body",),
    "import_job": ("report",),  # a report quotes the rows it refused: names, e-mails
}
for _table, _columns in PERSONAL_COLUMNS.items():
    for _column in _columns:
        metadata.tables[_table].c[_column].info["personal"] = True
