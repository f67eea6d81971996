"""observations' tables: protocols, visits (rounds), records of evidence, debriefs, calibration, and the
practice-quality projection; plus its replica of hr's directory."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from libs.directory import directory_tables


class ObservationsTable(SQLModel, registry=registry()):
    """Base of observations' tables: a metadata of its own, apart from the other services'."""


metadata = ObservationsTable.metadata
DIRECTORY = directory_tables(metadata)


def _created() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


protocols = Table(
    "protocols", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    _created(),
)

# A published version never changes: records pin the version they used.
protocol_versions = Table(
    "protocol_versions", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("protocol_id", Uuid, ForeignKey("protocols.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("look_fors", JSONB, nullable=False),  # [{code, description, domain}]
    _created(),
    UniqueConstraint("protocol_id", "number", name="uq_protocol_versions__number"),
)

visits = Table(
    "visits", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False, index=True),
    Column("school_id", Uuid, nullable=False, index=True),
    Column("visit_date", Date, nullable=False),
    Column("protocol_version_id", Uuid, ForeignKey("protocol_versions.id"), nullable=False),
    Column("problem_of_practice", Text, nullable=False),
    Column("network_id", Uuid),
    Column("observer_ids", ARRAY(Uuid), nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("prediction", Text),
    Column("next_level_of_work", JSONB),  # [{recommendation, owner_id, due_date}]
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

classrooms = Table(
    "classrooms", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("visit_id", Uuid, ForeignKey("visits.id"), nullable=False, index=True),
    Column("grade", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("room", Text, nullable=False),
    Column("teacher_id", Uuid),  # protected: see the privacy rules in service.py
)

records = Table(
    "records", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False, index=True),
    Column("visit_id", Uuid, ForeignKey("visits.id"), nullable=False, index=True),
    Column("classroom_id", Uuid, ForeignKey("classrooms.id"), nullable=False),
    Column("observer_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("client_id", Text),  # a device's own id for a record captured offline
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("tenant_id", "client_id", name="uq_records__client_id"),
)

notes = Table(
    "notes", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("record_id", Uuid, ForeignKey("records.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("observed_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("look_for_codes", ARRAY(Text), nullable=False),
    Column("language", Text, nullable=False),
    Column("descriptive", Boolean, nullable=False),
    Column("flags", JSONB, nullable=False),  # [{term, kind, suggestion}]
    Column("client_id", Text),
    _created(),
    UniqueConstraint("tenant_id", "client_id", name="uq_notes__client_id"),
)

lexicon_terms = Table(
    "lexicon_terms", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("terms", ARRAY(Text), nullable=False),
    PrimaryKeyConstraint("tenant_id", "language", "kind"),
)

calibration_sessions = Table(
    "calibration_sessions", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("protocol_version_id", Uuid, ForeignKey("protocol_versions.id"), nullable=False),
    Column("items", ARRAY(Text), nullable=False),  # the segments everyone codes
    Column("codings", JSONB, nullable=False),  # {observer_id: {item: [codes]}}
    _created(),
)

# The practice-quality projection: running counts per school and period, updated when records are
# submitted, so reading the index costs the same with a thousand notes or ten million.
classroom_look_fors = Table(
    "classroom_look_fors", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("classroom_id", Uuid, primary_key=True),
    Column("school_id", Uuid, nullable=False),
    Column("period", Text, nullable=False),
    Column("codes", ARRAY(Text), nullable=False),
)
quality_counts = Table(
    "quality_counts", metadata,
    Column("tenant_id", Text, nullable=False),
    Column("school_id", Uuid, nullable=False),
    Column("period", Text, nullable=False),
    Column("look_for_code", Text, nullable=False),  # "" holds the number of classrooms observed
    Column("classrooms", Integer, nullable=False),
    PrimaryKeyConstraint("tenant_id", "school_id", "period", "look_for_code"),
)
