"""hr's tables: the tenant's districts, schools and educators (the system of record)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, ForeignKey, UniqueConstraint, Uuid
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class HRTable(SQLModel, registry=registry()):
    """Base of hr's tables: a metadata of its own, apart from the other services'."""


metadata = HRTable.metadata


def _timestamp() -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=False, default=utcnow)


class District(HRTable, table=True):
    __tablename__ = "district"
    __table_args__ = (
        UniqueConstraint("tenant_id", "ed_fi_id", name="uq_district__ed_fi_id"),
        UniqueConstraint("tenant_id", "sourced_id", name="uq_district__sourced_id"),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    name: str
    ed_fi_id: str | None = None
    sourced_id: str | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class School(HRTable, table=True):
    __tablename__ = "school"
    __table_args__ = (
        UniqueConstraint("tenant_id", "ed_fi_id", name="uq_school__ed_fi_id"),
        UniqueConstraint("tenant_id", "sourced_id", name="uq_school__sourced_id"),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    district_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("district.id", name="fk_school__district_id"), index=True)
    )
    name: str
    ed_fi_id: str | None = None
    sourced_id: str | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Educator(HRTable, table=True):
    __tablename__ = "educator"
    __table_args__ = (
        UniqueConstraint("tenant_id", "staff_unique_id", name="uq_educator__staff_unique_id"),
        UniqueConstraint("tenant_id", "sourced_id", name="uq_educator__sourced_id"),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: str = Field(index=True)
    school_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("school.id", name="fk_educator__school_id"), index=True)
    )
    given_name: str
    family_name: str
    email: str | None = None
    position: str | None = None
    career_stage: str
    staff_unique_id: str | None = None
    sourced_id: str | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
