"""The import job resource as the API returns it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["queued", "validating", "applying", "succeeded", "failed"]
Format = Literal["oneroster", "edfi"]


class Progress(BaseModel):
    read: int = Field(description="Data rows read from the set (every file hr reads, students' rows included).")
    written: int = Field(description="Records created, updated or removed.")
    unchanged: int = Field(description="Records already as the set says (a re-import counts everything here).")
    failed: int = Field(description="Lines (Ed-Fi: records) with at least one issue; a set with any is not applied.")


class ReportIssue(BaseModel):
    file: str = Field(description="The file (OneRoster) or ODS/API resource (Ed-Fi) the issue is in.")
    line: int | None = Field(description="The CSV line (the header is line 1), or the record's 1-based position.")
    column: str | None = Field(description="The column (OneRoster) or field path (Ed-Fi).")
    value: str | None = Field(description="What was there; personal values only with hr:pii, students' never.")
    expected: str


class Report(BaseModel):
    issues: list[ReportIssue] = Field(default_factory=list, description="The first 1,000 issues.")
    issue_count: int = 0
    files: dict[str, Any] = Field(default_factory=dict, description="Per file: its mode and rows.")
    ignored: int = Field(0, description="Rows hr does not keep: students, guardians, other org types, sessions.")
    outcomes: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Per kind (districts, schools, educators): created, updated, unchanged, "
                                          "removed, stale (older than what hr holds).")
    error: str | None = Field(None, description="Why a job failed when it is not the set's fault (interrupted).")


class ImportJobPublic(BaseModel):
    id: uuid.UUID
    format: Format
    status: Status
    progress: Progress
    attempts: int = Field(description="Runs started; a job interrupted by a restart runs again from the start.")
    report: Report
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
