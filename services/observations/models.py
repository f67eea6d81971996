"""observations' tables: protocols, visits (rounds), records of evidence, debriefs, calibration, the
practice-quality publications; plus its replicas of hr's directory and networks' problems of practice, and
the change queries' tombstones (protocols, visits and the quality sums carry a change_version).

SQLModel style (docs/contributing.md): `XBase` holds a table's own fields once, `X(XBase, table=True)`
adds the id, tenant and bookkeeping columns. The API models live in each aggregate's `schemas.py`.
Hot paths run Core statements on `X.__table__` (exported below under the table's name).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from libs.common.changes import change_tables
from libs.directory import directory_tables


class ObservationsTable(SQLModel, registry=registry()):
    """Base of observations' tables: a metadata of its own, apart from the other services'."""


metadata = ObservationsTable.metadata
DIRECTORY = directory_tables(metadata)
CHANGES = change_tables(metadata)  # the change queries' tombstones and horizon


def _created() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()))


def _tenant(index: bool = False) -> Any:
    return Field(sa_column=Column(Text, nullable=False, index=index))


def _change_version() -> Any:
    """Numbered by the worker's sequencer once the change is committed (libs/common/changes.py)."""
    return Field(default=None, sa_column=Column(BigInteger))


# --- protocols -------------------------------------------------------------------------------

class ProtocolBase(ObservationsTable):
    name: str = Field(sa_type=Text)
    purpose: str = Field(sa_type=Text)


class Protocol(ProtocolBase, table=True):
    __tablename__ = "protocols"
    __table_args__ = (Index("ix_protocols__change_version", "tenant_id", "change_version"),)
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant(index=True)
    created_at: datetime = _created()
    change_version: int | None = _change_version()  # also renumbered when a version is published


class ProtocolVersion(ObservationsTable, table=True):
    """A published version never changes: records pin the version they used."""

    __tablename__ = "protocol_versions"
    __table_args__ = (UniqueConstraint("protocol_id", "number", name="uq_protocol_versions__number"),)
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant()
    protocol_id: uuid.UUID = Field(foreign_key="protocols.id")
    number: int
    look_fors: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))  # [{code, description,
    created_at: datetime = _created()                                                  #   domain, weight}]


# --- visits ----------------------------------------------------------------------------------

class VisitBase(ObservationsTable):
    school_id: uuid.UUID = Field(index=True)
    visit_date: date
    protocol_version_id: uuid.UUID = Field(foreign_key="protocol_versions.id")
    problem_of_practice: str = Field(sa_type=Text)
    network_id: uuid.UUID | None = None


class Visit(VisitBase, table=True):
    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits__change_version", "tenant_id", "change_version"),)
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant(index=True)
    observer_ids: list[uuid.UUID] = Field(sa_column=Column(ARRAY(Uuid), nullable=False))
    status: str = Field(sa_type=Text)
    version: int
    prediction: str | None = Field(default=None, sa_type=Text)
    next_level_of_work: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONB))
    # the rounds set-up (issue 10): networks' problem of practice, the host's theory of action, ...
    problem_of_practice_id: uuid.UUID | None = Field(default=None, index=True)
    theory_of_action: str | None = Field(default=None, sa_type=Text)
    focusing_questions: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text)))
    sub_teams: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONB))
    observer_roles: dict[str, str] | None = Field(default=None, sa_column=Column(JSONB))
    prediction_pattern_ids: list[uuid.UUID] | None = Field(default=None, sa_column=Column(ARRAY(Uuid)))
    created_at: datetime = _created()
    updated_at: datetime = _created()
    change_version: int | None = _change_version()


class ClassroomBase(ObservationsTable):
    grade: str = Field(sa_type=Text)
    subject: str = Field(sa_type=Text)
    room: str = Field(sa_type=Text)
    teacher_id: uuid.UUID | None = None  # protected: see may_identify in visits/access.py


class Classroom(ClassroomBase, table=True):
    __tablename__ = "classrooms"
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant()
    visit_id: uuid.UUID = Field(foreign_key="visits.id", index=True)


# --- records and notes -----------------------------------------------------------------------

class Record(ObservationsTable, table=True):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id", name="uq_records__client_id"),)
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant(index=True)
    visit_id: uuid.UUID = Field(foreign_key="visits.id", index=True)
    classroom_id: uuid.UUID = Field(foreign_key="classrooms.id")
    observer_id: uuid.UUID
    status: str = Field(sa_type=Text)
    version: int
    client_id: str | None = Field(default=None, sa_type=Text)  # a device's own id for a record captured offline
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Note(ObservationsTable, table=True):
    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id", name="uq_notes__client_id"),)
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant()
    record_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("records.id", ondelete="CASCADE"),
                                                  nullable=False, index=True))
    observed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    text: str = Field(sa_type=Text)
    look_for_codes: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    language: str = Field(sa_type=Text)
    descriptive: bool
    flags: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))  # [{term, kind, suggestion}]
    client_id: str | None = Field(default=None, sa_type=Text)
    # describe (issue 10): the evidence check's verdict, the observer's selection, the team's screening
    verdict: str | None = Field(default=None, sa_type=Text)  # descriptive | evaluative | unchecked
    quotes: list[str] | None = Field(default=None, sa_column=Column(JSONB))
    selected: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=sql_text("false")))
    screening: str | None = Field(default=None, sa_type=Text)  # accepted | rejected
    screening_reason: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _created()


class LexiconTerms(ObservationsTable, table=True):
    __tablename__ = "lexicon_terms"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "language", "kind"),)
    tenant_id: str = Field(sa_type=Text)
    language: str = Field(sa_type=Text)
    kind: str = Field(sa_type=Text)
    terms: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))


# --- debriefs: the team's pattern statements (analyze) -------------------------------------------

class Pattern(ObservationsTable, table=True):
    __tablename__ = "patterns"
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant()
    visit_id: uuid.UUID = Field(foreign_key="visits.id", index=True)
    statement: str = Field(sa_type=Text)
    about: str = Field(sa_type=Text)  # teachers | students | tasks
    quantifier: str = Field(sa_type=Text)  # few | some | many | most
    note_ids: list[uuid.UUID] = Field(sa_column=Column(ARRAY(Uuid), nullable=False))
    look_for_codes: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    created_at: datetime = _created()


# --- calibration -----------------------------------------------------------------------------

class CalibrationSession(ObservationsTable, table=True):
    __tablename__ = "calibration_sessions"
    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant()
    protocol_version_id: uuid.UUID = Field(foreign_key="protocol_versions.id")
    items: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))  # the segments everyone codes
    codings: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))  # {observer_id: {item: [codes]}}
    facilitator_id: uuid.UUID | None = None  # the one who may read every observer's figures
    created_at: datetime = _created()


# --- the practice-quality index: what was published, once per school, period and version -----------

class QualityPublication(ObservationsTable, table=True):
    __tablename__ = "quality_publications"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "school_id", "period", "protocol_version_id", "reason"),)
    tenant_id: str = Field(sa_type=Text)
    school_id: uuid.UUID
    period: str = Field(sa_type=Text)
    protocol_version_id: uuid.UUID
    reason: str = Field(sa_type=Text)  # threshold | period_closed
    observed_classrooms: int = Field(sa_column=Column(Integer, nullable=False))
    overall: float | None = Field(default=None, sa_column=Column(Float))
    shares: dict[str, float] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = _created()


class QualitySum(ObservationsTable, table=True):
    """Running sums of the index: per look-for, the sum over classrooms of the share of observers who saw
    it ("" holds the number of classrooms). Added once per visit, when it is debriefed (its evidence is
    final then), so reading the index costs the same with a thousand notes or ten million.

    The change queries track it (resource `quality_index`): a visit's sums are added in one statement, the
    "" row included, so the "" row's id and change_version are its index's (`GET /quality-index`)."""

    __tablename__ = "quality_sums"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "school_id", "period", "protocol_version_id",
                                           "look_for_code"),
                      UniqueConstraint("id", name="uq_quality_sums__id"),
                      Index("ix_quality_sums__change_version", "tenant_id", "change_version"))
    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=Column(Uuid, nullable=False,
                                                                       server_default=sql_text("gen_random_uuid()")))
    tenant_id: str = Field(sa_type=Text)
    school_id: uuid.UUID
    period: str = Field(sa_type=Text)
    protocol_version_id: uuid.UUID
    look_for_code: str = Field(sa_type=Text)
    total: float = Field(sa_column=Column(Float, nullable=False))
    change_version: int | None = _change_version()


# --- networks' problems of practice, replicated from its events ----------------------------------

class ProblemOfPractice(ObservationsTable, table=True):
    __tablename__ = "problems_of_practice"
    problem_of_practice_id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = _tenant(index=True)
    school_id: uuid.UUID
    network_id: uuid.UUID | None = None
    status: str = Field(sa_type=Text)
    version: int


def _table(model: type[ObservationsTable]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


protocols = _table(Protocol)
protocol_versions = _table(ProtocolVersion)
visits = _table(Visit)
classrooms = _table(Classroom)
records = _table(Record)
notes = _table(Note)
lexicon_terms = _table(LexiconTerms)
patterns = _table(Pattern)
calibration_sessions = _table(CalibrationSession)
quality_publications = _table(QualityPublication)
problems_of_practice = _table(ProblemOfPractice)
quality_sums = _table(QualitySum)


# Who teaches in a room: shown only to the host school's own staff (visits/access.py may_identify); marked
# personal so that the tenant export (libs/common/export.py, read for the whole tenant) always leaves it out.
classrooms.c.teacher_id.info["personal"] = True
